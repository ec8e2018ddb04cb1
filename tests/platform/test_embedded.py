"""The embedded PostgreSQL and Redis: started, reused by the next process, stopped cleanly,
recovered after an interrupted first start, and never sharing a port with a stranger."""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg2
import pytest
import redis

from saas_platform import embedded
from tests.conftest import REPO

START = """
import sys
from pathlib import Path
from saas_platform import embedded
print(embedded.database_url(Path(sys.argv[1])))
print(embedded.redis_url(Path(sys.argv[1])))
"""

# Next to nothing, as under cron or a bare CI: no DATABASE_URL or settings of this run, a
# PATH without /usr/sbin, and no fixed Redis port that another run could hold.
CHILD_ENV = {"PATH": "/usr/bin:/bin", "EMBEDDED_REDIS_PORT": "0"}


def run_python(script: str, *args) -> subprocess.CompletedProcess:
    """``script`` in a process of its own; a failure shows what the process printed."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script, *map(str, args)],
        cwd=REPO,
        env=CHILD_ENV,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        f"exit status {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    return result


def start(var_dir: Path) -> tuple[str, str, str]:
    result = run_python(START, var_dir)
    db_url, redis_url = result.stdout.split()
    return db_url, redis_url, result.stderr


def pid_in(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def make_var_dir():
    """Fresh var/ folders, unique per run and short enough for PostgreSQL's socket path
    (≤ 107 bytes); afterwards their servers are stopped and the folders removed, and any
    server still running is killed and fails the test."""
    made = []

    def make() -> Path:
        made.append(Path(tempfile.mkdtemp(prefix="pd-embedded-", dir="/tmp")))
        return made[-1]

    yield make
    leftovers = []
    for path in made:
        embedded.stop(path)
        for pid_file in (path / "pgdata" / "postmaster.pid", path / "redis" / "redis.pid"):
            pid = pid_in(pid_file)
            if pid and pid > 0 and alive(pid):
                os.kill(pid, signal.SIGKILL)
                leftovers.append(pid_file)
        shutil.rmtree(path)
    assert not leftovers, f"servers outlived stop(): {leftovers}"


@pytest.fixture
def var_dir(make_var_dir) -> Path:
    return make_var_dir()


def connect(var_dir: Path):
    return psycopg2.connect(dbname="pictureday", user="postgres", host=str(var_dir / "pgdata"))


def test_embedded_services_start_are_reused_and_stop(var_dir):
    db_url, redis_url, _ = start(var_dir)
    pid_before = pid_in(var_dir / "pgdata" / "postmaster.pid")
    assert embedded.running(var_dir)

    # the servers outlive the process that started them and keep data
    conn = connect(var_dir)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)")
    conn.close()
    redis.Redis.from_url(redis_url).set("kept", "yes")

    # a second process reuses them instead of starting new ones
    assert start(var_dir)[:2] == (db_url, redis_url)
    assert pid_in(var_dir / "pgdata" / "postmaster.pid") == pid_before
    assert redis.Redis.from_url(redis_url).get("kept") == b"yes"

    embedded.stop(var_dir)
    assert not embedded.running(var_dir)
    assert not (var_dir / "pgdata" / "postmaster.pid").exists()
    redis_port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", redis_port)) != 0

    # a stopped data directory is started again with its data, not taken for a broken one
    *urls, stderr = start(var_dir)
    assert "half-initialised" not in stderr
    assert tuple(urls) == (db_url, redis_url)
    conn = connect(var_dir)
    with conn.cursor() as cursor:
        cursor.execute("SELECT n FROM kept")
        assert cursor.fetchone() == (42,)
    conn.close()
    assert redis.Redis.from_url(redis_url).get("kept") == b"yes"


def test_a_first_start_killed_during_initdb_recovers_on_the_next(var_dir):
    pgdata = var_dir / "pgdata"
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", START, str(var_dir)],
        cwd=REPO,
        env=CHILD_ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (pgdata / "PG_VERSION").exists():  # initdb is under way
            assert child.poll() is None, "the first start ended before initdb began"
            assert time.monotonic() < deadline, "initdb did not begin"
            time.sleep(0.005)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # the process, initdb and its backend
        child.wait()
    assert embedded.half_initialised(pgdata)
    assert not embedded.running(var_dir)

    _, _, stderr = start(var_dir)
    assert "half-initialised" in stderr
    conn = connect(var_dir)
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE 'template%'")
        assert cursor.fetchone() == (2,)
    conn.close()


def lay_out(pgdata: Path, files: list[str], lock_pid: int | None = None) -> Path:
    for name in files:
        (pgdata / name).parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("/"):
            (pgdata / name).mkdir(exist_ok=True)
        else:
            (pgdata / name).write_text("")
    if lock_pid is not None:
        (pgdata / "postmaster.pid").write_text(f"{lock_pid}\n{pgdata}\n")
    return pgdata


FINISHED = ["PG_VERSION", "global/pg_control", "base/1/", "base/4/", "base/5/"]


@pytest.mark.parametrize(
    ("files", "lock_pid", "half"),
    [
        ([], None, False),  # pgserver's empty folder: initdb fills it
        (["base/", "global/"], None, True),  # killed before PG_VERSION
        (["PG_VERSION", "base/1/", "global/"], None, True),  # no pg_control yet
        (FINISHED, -4242, True),  # initdb's standalone backend held it
        (FINISHED[:3], None, True),  # backend ended before template0 and postgres
        (FINISHED, None, False),  # a finished, stopped data directory
        (FINISHED, 4242, False),  # ... that was running, or crashed
        (["PG_VERSION", "global/pg_control", "base/1/", "base/4/", "base/16384/"], None, False),
    ],
)
def test_what_counts_as_half_initialised(tmp_path, files, lock_pid, half):
    pgdata = tmp_path / "pgdata"
    pgdata.mkdir()
    assert embedded.half_initialised(lay_out(pgdata, files, lock_pid)) == half


def test_the_postgres_user_is_made_without_sbin_on_path():
    name = f"pdtest{uuid.uuid4().hex[:8]}"
    try:
        run_python(
            "import sys; from saas_platform import embedded; "
            "embedded.ensure_system_user(sys.argv[1])",
            name,
        )
        made = True
        try:
            pwd.getpwnam(name)
        except KeyError:
            made = False
        assert made == (os.geteuid() == 0)  # only root needs (and may make) the user
    finally:
        subprocess.run(["/usr/sbin/userdel", name], capture_output=True, check=False)  # noqa: S603


def test_redis_takes_no_port_someone_else_holds(make_var_dir, monkeypatch):
    # another checkout's Redis on the preferred port is not shared...
    first, second = make_var_dir(), make_var_dir()
    monkeypatch.setenv("EMBEDDED_REDIS_PORT", "0")
    port = int(embedded.redis_url(first).rsplit(":", 1)[1].split("/")[0])
    monkeypatch.setenv("EMBEDDED_REDIS_PORT", str(port))
    redis.Redis.from_url(embedded.redis_url(second)).set("mine", "second")
    assert not redis.Redis(port=port).exists("mine")

    # ...nor is a port held by a program that is no Redis at all
    third = make_var_dir()
    with socket.socket() as stranger:
        stranger.bind(("127.0.0.1", 0))
        stranger.listen()
        monkeypatch.setenv("EMBEDDED_REDIS_PORT", str(stranger.getsockname()[1]))
        assert redis.Redis.from_url(embedded.redis_url(third)).ping()
