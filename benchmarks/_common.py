"""Shared set-up for the photo benchmarks (``ingest.py``, ``retouch_zip.py``).

Everything a benchmark creates is its own and is removed at the end, also on Ctrl-C or a
plain ``kill``: a temporary folder (sources, media, logs), a throwaway database
``pictureday_bench_<pid>`` on the server ``saas_platform.settings.dev`` uses (migrated with
``migrate_platform``, dropped WITH (FORCE)), child processes (each in a process group of its
own, so Ctrl-C in the terminal reaches only the benchmark, which then stops them in order),
and its Redis keys. Redis: the benchmarks use database 15 of the same server
(``BENCH_REDIS_DB``) so nothing lands among the developer's keys, and they delete only keys
carrying their own token (``pdbench<pid>x``: queue, schema-prefixed cache keys, host cache)
plus the result keys of the tasks they sent, never a whole database: two benchmarks may run
at once.

Import this module before Django: it puts the repository on ``sys.path`` and sets
``DJANGO_SETTINGS_MODULE``; then run the benchmark inside ``benchmark_process``, which
prepares the environment and sets Django up.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ["DJANGO_SETTINGS_MODULE"] = "saas_platform.settings.dev"

# Child processes and databases live in _processes (the stack test uses them without Django's
# dev settings); the benchmarks reach them through this module as before.
from benchmarks._processes import (  # noqa: E402
    Child,
    admin_connect,
    created_database,
    database_url,
    free_port,
    quote_ident,
    shielded,
    wait_for_log,
    wait_for_port,
)

__all__ = [
    "Child",
    "admin_connect",
    "created_database",
    "database_url",
    "free_port",
    "quote_ident",
    "shielded",
    "wait_for_log",
    "wait_for_port",
]

BENCH_REDIS_DB = 15
PASSWORD = "correct horse battery staple"

PHOTO_WIDTH = 6000
PHOTO_HEIGHT = 4000
PHOTO_QUALITY = 90


# --- signals and cleanup --------------------------------------------------------------------


def install_signal_handlers() -> None:
    """A plain ``kill`` (SIGTERM) or a closed terminal (SIGHUP) unwinds like Ctrl-C does, so
    every ``finally`` runs and the database, processes and files are removed."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))


def pool_worker_init(django_setup: bool = False) -> None:
    """Initializer for multiprocessing pools: Ctrl-C is the parent's business (it terminates
    the pool); SIGTERM from ``Pool.terminate`` just ends the process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    if django_setup:
        import logging

        import django

        django.setup()
        logging.disable(logging.INFO)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


# --- environment ----------------------------------------------------------------------------


def url_with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


def prepare_environment(work: Path) -> dict[str, str]:
    """Before ``django.setup()``: media folders under ``work`` and Redis database 15, for
    this process (the settings read them) and for the children (they inherit them).
    DEBUG is off as in production (no query log kept in memory by any process)."""
    base_redis = os.environ.get("REDIS_URL")
    if not base_redis:
        from saas_platform import embedded

        base_redis = embedded.redis_url(REPO / "var")
    media = {
        "MEDIA_ROOT": str(work / "media"),
        "PRIVATE_MEDIA_ROOT": str(work / "private"),
        "UPLOAD_TEMP_DIR": str(work / "uploads"),
    }
    for path in media.values():
        Path(path).mkdir(parents=True, exist_ok=True)
    os.environ.update(media)
    os.environ["REDIS_URL"] = url_with_db(base_redis, BENCH_REDIS_DB)
    os.environ["DEBUG"] = "0"
    os.environ["LOG_LEVEL"] = "WARNING"
    return {**media, "REDIS_URL": os.environ["REDIS_URL"]}


def django_setup() -> None:
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)


def gunicorn_gthread(port: int, workers: int, threads: int) -> list[str]:
    """gunicorn as the production image runs it (gthread), for a load benchmark: a backlog
    deep enough that the load generator's connections queue rather than get refused."""
    return [
        "gunicorn", "saas_platform.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", "gthread", "--threads", str(threads),
        "--timeout", "60", "--backlog", "2048",
    ]  # fmt: skip


def run_load(script: Path, spec: dict, work: Path, name: str, timeout: float) -> dict:
    """Runs a load generator (``script``, a process of its own) on ``spec`` written as JSON
    under ``work``; returns the JSON it prints."""
    path = work / f"{name}.json"
    path.write_text(json.dumps(spec))
    done = subprocess.run(  # noqa: S603
        [sys.executable, str(script), str(path)],
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed ({name}):\n{done.stderr.decode()[-3000:]}")
    return json.loads(done.stdout)


def run_token(pid: int) -> str:
    """What this run's Redis keys, Celery queue and studio slug carry, so its clean-up deletes
    only what the run made."""
    return f"pdbench{pid}x"


@contextlib.contextmanager
def benchmark_process(name: str) -> Iterator[tuple[Path, int]]:
    """The start-up every benchmark shares: signal handlers, a temporary folder
    ``pictureday-bench-<name>-<pid>-…`` (media, scratch, logs), the environment and Django.
    Yields (that folder, this process's id); the folder is removed however the block ends."""
    install_signal_handlers()
    pid = os.getpid()
    work = Path(tempfile.mkdtemp(prefix=f"pictureday-bench-{name}-{pid}-"))
    try:
        prepare_environment(work)
        django_setup()
        yield work, pid
    finally:
        with shielded():
            remove_tree(work)


# --- throwaway database ---------------------------------------------------------------------


@contextlib.contextmanager
def throwaway_database(pid: int):
    """Creates and migrates ``pictureday_bench_<pid>``, points Django at it, yields
    (name, DATABASE_URL for children) and drops it whatever happens."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    database = f"pictureday_bench_{pid}"
    settings_dict = connections["default"].settings_dict
    connections.close_all()  # the developer's database is never queried
    with created_database(dict(settings_dict), database) as url:
        settings.DATABASES["default"]["NAME"] = database
        settings_dict["NAME"] = database
        try:
            call_command("migrate_platform", verbosity=0)
            yield database, url
        finally:
            with shielded():
                connections.close_all()


def server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


# --- a studio to work in --------------------------------------------------------------------


def studio_with_shoot(token: str) -> dict:
    """A studio (``studio_create``), a school, a picture day, a photographer and a retoucher
    (both with PASSWORD). Returns the objects and names the benchmarks need."""
    import datetime

    from django.conf import settings
    from django_tenants.utils import schema_context

    from saas_platform.accounts.models import Role, User
    from studio.schools.services import school_create
    from studio.shoots.services import shoot_create
    from tenants.services import studio_create

    result = studio_create(
        name="Bench Studio",
        slug=token,
        owner_email=f"owner@{token}.test",
        owner_name="Bench Owner",
        owner_password=PASSWORD,
    )
    studio = result.studio
    with schema_context(studio.schema_name):
        photographer = User.objects.create_user(
            email=f"photographer@{token}.test",
            password=PASSWORD,
            full_name="Bench Photographer",
            role=Role.PHOTOGRAPHER,
        )
        retoucher = User.objects.create_user(
            email=f"retoucher@{token}.test",
            password=PASSWORD,
            full_name="Bench Retoucher",
            role=Role.RETOUCHER,
        )
        school = school_create(name="Bench School")
        shoot = shoot_create(
            school=school,
            name="Bench picture day",
            date=datetime.date.today(),
            photographers=[photographer],
        )
    return {
        "studio": studio,
        "owner": result.owner,
        "photographer": photographer,
        "retoucher": retoucher,
        "school": school,
        "shoot": shoot,
        "schema": studio.schema_name,
        "host": f"{token}.{settings.BASE_DOMAIN}",
    }


# --- synthetic photos -----------------------------------------------------------------------


def synthetic_jpeg(seed: int) -> bytes:
    """A 6000×4000 JPEG (quality 90, about 8–9 MB) with texture a camera JPEG has at every
    scale: colour gradients and waves, mid-frequency noise (upscaled 8×) and fine grain
    (independent per band), all different per ``seed``. Built at 1/8 size where it is costly
    and from a noise tile where it is not, so a photo takes about half a second, not half a
    minute: the encoder and decoder see real entropy either way."""
    import pyvips

    small_w, small_h = PHOTO_WIDTH // 8, PHOTO_HEIGHT // 8
    xy = pyvips.Image.xyz(small_w, small_h)
    x, y = xy[0], xy[1]
    bands = []
    for band in range(3):
        gradient = (x * (0.15 + 0.05 * band) + y * (0.1 * (band + 1)) + seed * 7) % 140 + 50
        waves = (x * (2.0 + band + seed % 5)).sin() * 30 + ((y + x * 0.3) * (3.5 + band)).sin() * 18
        noise = pyvips.Image.gaussnoise(small_w, small_h, sigma=25, mean=0, seed=seed * 16 + band)
        bands.append(gradient + waves + noise)
    structure = bands[0].bandjoin(bands[1:]).cast("uchar").copy_memory()
    structure = structure.resize(8, kernel="linear")

    tile_w, tile_h = 509, 401  # odd sizes: the repeat never lines up with 8×8 JPEG blocks
    grain = [
        pyvips.Image.gaussnoise(tile_w, tile_h, sigma=4, mean=128, seed=seed * 16 + 8 + band)
        for band in range(3)
    ]
    tile = grain[0].bandjoin(grain[1:]).cast("uchar").copy_memory()
    texture = tile.replicate(PHOTO_WIDTH // tile_w + 1, PHOTO_HEIGHT // tile_h + 1).crop(
        0, 0, PHOTO_WIDTH, PHOTO_HEIGHT
    )
    image = (structure.cast("short") + texture.cast("short") - 128).cast("uchar")
    return image.copy(interpretation="srgb").jpegsave_buffer(Q=PHOTO_QUALITY)


def write_synthetic_jpeg(job: tuple[int, str]) -> int:
    seed, path = job
    data = synthetic_jpeg(seed)
    Path(path).write_bytes(data)
    return len(data)


def generate_photos(folder: Path, count: int, *, first_seed: int = 1, prefix="IMG_") -> list[Path]:
    """``count`` distinct synthetic photos in ``folder``, made by a pool of os.cpu_count()
    processes. Returns their paths in order."""
    import multiprocessing

    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{prefix}{first_seed + i:04d}.jpg" for i in range(count)]
    jobs = [(first_seed + i, str(path)) for i, path in enumerate(paths)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(os.cpu_count() or 1, initializer=pool_worker_init) as pool:
        list(pool.imap_unordered(write_synthetic_jpeg, jobs))
    return paths


def jpeg_with_comment(data: bytes, comment: bytes) -> bytes:
    """The same JPEG with a COM segment after SOI (and after a JFIF APP0 if there is one):
    still a valid file, decoding to the same pixels, with different bytes and hash."""
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    at = 2
    if data[2:4] == b"\xff\xe0":
        (length,) = struct.unpack(">H", data[4:6])
        at = 4 + length
    segment = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    return data[:at] + segment + data[at:]


# --- child processes ------------------------------------------------------------------------


def child_env(database_url_value: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="saas_platform.settings.dev",
        DATABASE_URL=database_url_value,
        PYTHONPATH=str(REPO),
        **extra,
    )
    return env


# --- Redis ----------------------------------------------------------------------------------


def redis_forget(url: str, token: str, *, task_ids=(), queue: str | None = None) -> int:
    """Deletes this run's keys: anything carrying ``token`` (queue and its binding, cache
    keys of the run's schema and host), the results of ``task_ids``, and unacknowledged
    messages of ``queue`` (left by a worker killed mid-task). Returns how many went."""
    import redis

    client = redis.Redis.from_url(url)
    removed = 0
    try:
        keys = list(client.scan_iter(match=f"*{token}*", count=1000))
        keys += [f"celery-task-meta-{task_id}" for task_id in task_ids]
        for start in range(0, len(keys), 500):
            removed += client.delete(*keys[start : start + 500])
        if queue:
            needle = queue.encode()
            for tag, payload in client.hscan_iter("unacked"):
                if needle in payload:
                    client.hdel("unacked", tag)
                    client.zrem("unacked_index", tag)
                    removed += 1
            # The worker's remote-control binding deadline, unless another worker on this
            # database is still bound to the broadcast exchange.
            if not client.exists("_kombu.binding.celery.pidbox"):
                removed += client.zrem("_kombu.binding_deadlines", "celery.pidbox")
    finally:
        client.close()
    return removed


# --- output ---------------------------------------------------------------------------------

_STARTED = time.monotonic()


def timed_get(client, path: str, requests: int, *, warmup: int = 5, before=None) -> dict:
    """p50, p95 and max milliseconds of ``requests`` GETs of ``path`` by a Django test client
    (after ``warmup`` untimed ones); every answer must be 200. ``before()``, when given, runs
    untimed before each timed GET."""
    for _ in range(warmup):
        assert client.get(path).status_code == 200, path
    samples = []
    for _ in range(requests):
        if before is not None:
            before()
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    samples.sort()
    return {
        "p50_ms": statistics.median(samples),
        "p95_ms": samples[int(len(samples) * 0.95) - 1],
        "max_ms": samples[-1],
    }


def progress(message: str) -> None:
    """A progress line on stderr with the seconds since start (stdout is the report)."""
    print(f"[{time.monotonic() - _STARTED:6.1f} s] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rounded(figures: dict) -> dict:
    def one(value):
        if isinstance(value, float):
            return round(value, 6)
        if isinstance(value, dict):
            return rounded(value)
        return value

    return {key: one(value) for key, value in figures.items()}


def print_json_last(figures: dict) -> None:
    print(json.dumps(rounded(figures), sort_keys=False), flush=True)


def verdict(ok: bool) -> str:
    return "MET" if ok else "MISSED"
