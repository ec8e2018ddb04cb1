"""Child processes and throwaway databases for the benchmarks and the production stack test
(``tests/prod``). Importing this module changes nothing (``_common`` sets Django up for the
benchmarks; the stack test's processes run their own settings)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def shielded():
    """Clean-up that a second Ctrl-C or SIGTERM must not cut short (they are held and
    delivered afterwards)."""
    held = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def admin_connect(settings_dict: dict):
    """An autocommit psycopg2 connection to the server's maintenance database."""
    import psycopg2

    params = {
        key: value
        for key, value in (settings_dict.get("OPTIONS") or {}).items()
        if key not in {"isolation_level", "server_side_binding", "assume_role", "pool"}
    }
    for django_key, libpq_key in (
        ("USER", "user"),
        ("PASSWORD", "password"),
        ("HOST", "host"),
        ("PORT", "port"),
    ):
        if settings_dict.get(django_key):
            params[libpq_key] = settings_dict[django_key]
    conn = psycopg2.connect(dbname="postgres", **params)
    conn.autocommit = True
    return conn


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for child processes (a socket folder as host is percent-encoded)."""
    host = settings_dict.get("HOST") or ""
    host = quote(host, safe="") if host.startswith("/") else host
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = (
        f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict.get("PASSWORD") else ""
    )
    return f"postgresql://{user}{password}@{host}{port}/{settings_dict['NAME']}"


@contextlib.contextmanager
def created_database(settings_dict: dict, name: str) -> Iterator[str]:
    """Creates the empty database ``name`` on the server of ``settings_dict``, yields its
    DATABASE_URL and drops it (WITH (FORCE): connections left open do not keep it) however
    the block ends."""
    admin = admin_connect(settings_dict)
    created = dropped = False
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {quote_ident(name)}")
        created = True
        try:
            yield database_url({**settings_dict, "NAME": name})
        finally:
            with shielded(), admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote_ident(name)} WITH (FORCE)")
                dropped = True
    finally:
        admin.close()
        if created and not dropped:
            print(f"WARNING: could not drop database {name}", file=sys.stderr)


class Child:
    """A ``python -m ...`` child (or ``command``, another program) in a process group of its
    own, output in ``log``. ``stop`` asks the group to end (SIGTERM), then kills it (SIGKILL)
    after ``timeout``."""

    def __init__(
        self,
        args: list[str],
        log: Path,
        env: dict,
        *,
        command: tuple[str, ...] = (sys.executable, "-m"),
        cwd: Path = REPO,
        **popen,
    ):
        """``popen``: more of ``subprocess.Popen``'s arguments (``user``, ``group``…)."""
        self.log = log
        self._log_file = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603
            [*command, *args],
            cwd=cwd,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            process_group=0,
            **popen,
        )
        self.pid = self.process.pid

    def stop(self, timeout: float = 20) -> None:
        with shielded():
            if self.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout)
            # Whatever of the group is left (the leader gone, children lingering): kill it.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)
            self._log_file.close()

    def log_text(self) -> str:
        self._log_file.flush()
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, child: Child, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(
                f"process exited with {child.process.returncode}:\n{child.log_text()}"
            )
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {port}:\n{child.log_text()}")


def wait_for_log(child: Child, needle: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in child.log_text():
            return
        if child.process.poll() is not None:
            raise RuntimeError(
                f"process exited with {child.process.returncode}:\n{child.log_text()}"
            )
        time.sleep(0.1)
    raise TimeoutError(f"{needle!r} not seen in {child.log}:\n{child.log_text()}")
