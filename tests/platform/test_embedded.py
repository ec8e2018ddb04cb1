"""The embedded PostgreSQL and Redis: started, reused by the next process, stopped cleanly."""

import socket
import subprocess
import sys

import psycopg2
import redis

from tests.conftest import REPO, free_port

SCRIPT = """
import sys, time
from pathlib import Path
from saas_platform import embedded
start = time.monotonic()
print(embedded.database_url(Path(sys.argv[1])))
print(embedded.redis_url(Path(sys.argv[1])))
print(round(time.monotonic() - start, 3))
"""


def start_in_subprocess(var_dir, port):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT, str(var_dir)],
        cwd=REPO,
        env={"EMBEDDED_REDIS_PORT": str(port), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.split()


def test_embedded_services_start_are_reused_and_stop(tmp_path):
    from pathlib import Path

    from saas_platform import embedded

    var_dir = Path("/tmp") / f"pd-embedded-{tmp_path.name[-12:]}"  # short: socket paths ≤ 107
    port = free_port()
    try:
        db_url, redis_url, _ = start_in_subprocess(var_dir, port)
        pid_before = (var_dir / "pgdata" / "postmaster.pid").read_text().split()[0]

        # the servers outlive the process that started them and keep data
        conn = psycopg2.connect(
            dbname="pictureday", user="postgres", host=str(var_dir.resolve() / "pgdata")
        )
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)")
        conn.close()
        redis.Redis.from_url(redis_url).set("kept", "yes")

        # a second process reuses them instead of starting new ones
        db_url_2, redis_url_2, _ = start_in_subprocess(var_dir, port)
        assert (db_url_2, redis_url_2) == (db_url, redis_url)
        assert (var_dir / "pgdata" / "postmaster.pid").read_text().split()[0] == pid_before
        conn = psycopg2.connect(
            dbname="pictureday", user="postgres", host=str(var_dir.resolve() / "pgdata")
        )
        with conn.cursor() as cursor:
            cursor.execute("SELECT n FROM kept")
            assert cursor.fetchone() == (42,)
        conn.close()
        assert redis.Redis.from_url(redis_url).get("kept") == b"yes"
    finally:
        embedded.stop(var_dir)

    assert not (var_dir / "pgdata" / "postmaster.pid").exists()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
    subprocess.run(["rm", "-rf", str(var_dir)], check=True)  # noqa: S603, S607
