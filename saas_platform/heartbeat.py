"""Liveness files for the Celery worker and beat, which answer no HTTP probe.

The worker touches ``WORKER_HEARTBEAT_FILE`` from its consumer's event loop while it is
connected to the broker; beat touches ``BEAT_HEARTBEAT_FILE`` on every turn of its scheduler
loop. A file older than the probe's limit means a hung loop or a lost broker the worker has
not got back: ``python -m saas_platform.heartbeat FILE MAX_AGE_SECONDS`` exits 1 and
Kubernetes (or Compose) restarts the process. A file is cheaper than ``celery inspect ping``,
which starts a broker round trip from a new Python process on every probe.
"""

import os
import sys
import time
from pathlib import Path

from celery import bootsteps
from celery.beat import PersistentScheduler
from django.conf import settings


def touch(path: str | Path) -> None:
    Path(path).touch()


def age(path: str | Path, now: float | None = None) -> float | None:
    """Seconds since the file was last touched, or None when there is none."""
    try:
        mtime = os.stat(path).st_mtime
    except FileNotFoundError:
        return None
    return (time.time() if now is None else now) - mtime


def is_fresh(path: str | Path, max_age: float, now: float | None = None) -> bool:
    found = age(path, now)
    return found is not None and found <= max_age


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Consumer step: touches the file on the consumer's timer, started after the task
    consumer (so only once connected) and stopped with it (a lost broker stops the touches
    until the consumer is back)."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent, **kwargs):
        self.path = getattr(settings, "WORKER_HEARTBEAT_FILE", "")
        self.entry = None
        super().__init__(parent, **kwargs)

    def start(self, parent):
        if not self.path:
            return
        touch(self.path)
        # the probes allow several missed touches (WORKER_HEARTBEAT_SECONDS apart) before failing
        interval = getattr(settings, "WORKER_HEARTBEAT_SECONDS", 15)
        self.entry = parent.timer.call_repeatedly(interval, touch, (self.path,))

    def stop(self, parent):
        if self.entry is not None:
            self.entry.cancel()
            self.entry = None

    shutdown = stop


class HeartbeatScheduler(PersistentScheduler):
    """Celery's file-backed scheduler that also touches ``BEAT_HEARTBEAT_FILE`` each time the
    beat loop wakes (at least every ``beat_max_loop_interval`` seconds)."""

    def tick(self, *args, **kwargs):
        path = getattr(settings, "BEAT_HEARTBEAT_FILE", "")
        if path:
            touch(path)
        return super().tick(*args, **kwargs)


def main(argv: list[str]) -> int:
    """The probe: exit 0 when FILE was touched within MAX_AGE_SECONDS, 1 otherwise."""
    if len(argv) != 2:
        print("usage: python -m saas_platform.heartbeat FILE MAX_AGE_SECONDS", file=sys.stderr)
        return 2
    path, max_age = argv[0], float(argv[1])
    found = age(path)
    if found is None:
        print(f"{path}: no heartbeat yet", file=sys.stderr)
        return 1
    if found > max_age:
        print(f"{path}: last heartbeat {found:.0f} s ago (limit {max_age:.0f} s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
