"""Deploy benchmark: how long does ``migrate_platform`` take over many studios?

    .venv/bin/python benchmarks/migrate.py [--studios N] [--processes P]

Runs against a throwaway database ``pictureday_bench_<pid>`` on the server
``saas_platform.settings.dev`` uses, migrated with ``migrate_platform`` and dropped at the
end (``_common.throwaway_database``); the developer's own database is never queried.

1. N studios (default 1,000) are made the way sign-up makes their schemas: ``copy_schema``
   of the base schema (``tenants.provisioning``), with their ``Studio`` and ``Domain`` rows
   written in bulk (the owner, the login token and the sign-up e-mail are left out: they
   are not schema work and would make this take an hour instead of minutes).
2. ``manage.py migrate_platform`` runs as a deploy runs it, as a process of its own, under a
   settings module this benchmark writes into its temporary folder: the same settings, except
   that ``MIGRATION_MODULES`` points ``schools`` at a temporary copy of its migrations, to
   which the run adds throwaway migrations (a nullable column and an index on
   ``schools_school``). Nothing in the repository changes. Timed, each in a fresh process:
   a no-op serial (``--executor=standard``) and parallel (``--executor=multiprocessing``,
   ``--processes`` workers), then one real migration serial and another parallel.
3. The limit: the same DDL (``ALTER TABLE … ADD COLUMN``, ``CREATE INDEX``), one transaction
   per schema, sent by one connection to all N schemas.
4. The server's memory: the peak private memory (``RssAnon`` in ``/proc/<pid>/status``) of
   each backend the parallel migration used, sampled while it ran; then one connection runs
   a small query in every studio's schema (as a long-lived web process serving every studio
   would) and its backend's memory is read before and after, with
   ``pg_backend_memory_contexts``' CacheMemoryContext. Reading ``/proc`` needs the server on
   this machine and the right to read its processes (root, or the postgres user); otherwise
   those figures are null.

The last line of stdout is one JSON object with every figure. Exit code 0 whether or not the
targets are met: this is a measurement, not a test.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (puts the repository on sys.path, sets DJANGO_SETTINGS_MODULE)

TARGET_NOOP_S = 60.0
TARGET_REAL_TO_BARE = 3.0
TABLE = "schools_school"
CREATE_BATCH = 50
REFERENCE_SAMPLES = 5

MIGRATION_TEMPLATE = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("schools", "{previous}")]

    operations = [
        migrations.AddField(
            model_name="school", name="{column}", field=models.IntegerField(null=True)
        ),
        migrations.AddIndex(
            model_name="school", index=models.Index(fields=["{column}"], name="{column}_idx")
        ),
    ]
"""


# --- set-up ---------------------------------------------------------------------------------


def write_settings(work: Path, package: str, processes: int) -> str:
    """A settings module: dev settings, ``schools`` migrations from a temporary package."""
    source = _common.REPO / "studio" / "schools" / "migrations"
    target = work / package / "schools"
    target.mkdir(parents=True)
    (work / package / "__init__.py").write_text("")
    for path in source.glob("*.py"):
        shutil.copy(path, target / path.name)
    module = f"{package}_settings"
    (work / f"{module}.py").write_text(
        "from saas_platform.settings.dev import *  # noqa: F403\n\n"
        f'MIGRATION_MODULES = {{"schools": "{package}.schools"}}\n'
        f"TENANT_MULTIPROCESSING_MAX_PROCESSES = {processes}\n"
    )
    return module


def latest_schools_migration(work: Path, package: str) -> str:
    names = sorted(p.stem for p in (work / package / "schools").glob("[0-9]*.py"))
    return names[-1]


def add_migration(work: Path, package: str, column: str) -> str:
    previous = latest_schools_migration(work, package)
    number = int(previous.split("_", 1)[0]) + 1
    name = f"{number:04d}_bench_{column}"
    (work / package / "schools" / f"{name}.py").write_text(
        MIGRATION_TEMPLATE.format(previous=previous, column=column)
    )
    return name


def copy_base_schema(schema: str) -> str:
    """One studio's schema, in a transaction of its own, as sign-up makes it."""
    from django.conf import settings
    from django.db import connection, transaction

    from tenants.provisioning import copy_schema

    with transaction.atomic():
        copy_schema(base=settings.TENANT_BASE_SCHEMA, new=schema)
    connection.set_schema_to_public()
    return schema


def create_studios(count: int, pid: int, processes: int) -> list[str]:
    """``count`` studios: rows in bulk, then each schema a ``copy_schema`` of the base schema
    in a transaction of its own (one transaction for many copies would run out of lock
    slots), on ``processes`` forked workers."""
    import multiprocessing

    from django.db import connections, transaction

    from tenants.models import Domain, Studio
    from tenants.services import schema_name_for, studio_host

    studios = [
        Studio(schema_name=schema_name_for(f"b{pid}x{i}"), slug=f"b{pid}x{i}", name=f"Studio {i}")
        for i in range(count)
    ]
    with transaction.atomic():
        Studio.objects.bulk_create(studios, batch_size=500)
        Domain.objects.bulk_create(
            (Domain(domain=studio_host(s.slug), tenant=s, is_primary=True) for s in studios),
            batch_size=500,
        )
    schemas = [studio.schema_name for studio in studios]
    connections.close_all()  # forked workers must not share this socket
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=_common.pool_worker_init) as pool:
        for done, _schema in enumerate(pool.imap_unordered(copy_base_schema, schemas, 10), 1):
            if done % CREATE_BATCH == 0 or done == count:
                _common.progress(f"{done} / {count} studios")
    return schemas


# --- measurements ---------------------------------------------------------------------------


def backend_pids(database: str) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return [pid for (pid,) in cursor.fetchall()]


def process_memory_mb(pid: int) -> dict | None:
    """VmRSS (private and shared pages touched) and RssAnon (private: the catalog caches live
    here) of a server process, in MB; None when /proc cannot be read."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    fields = {}
    for line in lines:
        key, _, value = line.partition(":")
        if key in {"VmRSS", "RssAnon"}:
            fields[key] = int(value.split()[0]) / 1024
    return fields if len(fields) == 2 else None


class BackendSampler:
    """Polls the bench database's backends while a migration runs and keeps each one's peak
    RssAnon (a worker's connection closes before the run ends, so sampling after is too late)."""

    def __init__(self, database: str, interval: float = 0.2):
        self.database = database
        self.interval = interval
        self.peaks: dict[int, float] = {}
        self.peak_total = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        from django.db import connections

        try:
            while not self._stop.is_set():
                total = 0.0
                for pid in backend_pids(self.database):
                    memory = process_memory_mb(pid)
                    if memory is None:
                        continue
                    self.peaks[pid] = max(self.peaks.get(pid, 0.0), memory["RssAnon"])
                    total += memory["RssAnon"]
                self.peak_total = max(self.peak_total, total)
                self._stop.wait(self.interval)
        finally:
            connections.close_all()

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run_migrate_platform(env: dict, executor: str, log: Path) -> tuple[float, float | None]:
    """One ``manage.py migrate_platform`` process: its wall time, and the seconds its studio
    replay took by its own log (from "replaying … in N schema(s)", N > 1, to the summary;
    None when nothing was replayed). Its timed steps go to stderr."""
    offset = log.stat().st_size if log.exists() else 0
    started = time.perf_counter()
    with open(log, "a") as out:
        completed = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "migrate_platform", f"--executor={executor}"],
            cwd=_common.REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    elapsed = time.perf_counter() - started
    replay_started = replay_s = None
    with open(log) as out:
        out.seek(offset)
        for line in out:
            if line.startswith("[") and " s] " in line[:13]:
                print(f"    {line.rstrip()}", file=sys.stderr)
                at = float(line[1:].split(" s]", 1)[0])
                if re.search(r"replaying .* in ([2-9]|\d\d+) schema", line):
                    replay_started = at
                elif replay_started is not None and " replayed, " in line:
                    replay_s = at - replay_started
    if completed.returncode != 0:
        raise RuntimeError(
            f"migrate_platform exited {completed.returncode}; see {log}:\n"
            + log.read_text()[-3000:]
        )
    return elapsed, replay_s


def django_startup(env: dict) -> float:
    """What every ``manage.py`` process pays before its command runs: Python and
    ``django.setup()`` with every app (median of three)."""
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [sys.executable, "-c", "import django; django.setup()"],
            cwd=_common.REPO,
            env=env,
            check=True,
        )
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def applied(schema: str, name: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT count(*) FROM "{schema}".django_migrations WHERE app = %s AND name = %s',  # noqa: S608
            ["schools", name],
        )
        return cursor.fetchone()[0] == 1


def column_exists(schema: str, column: str) -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s AND column_name = %s",
            [schema, TABLE, column],
        )
        return cursor.fetchone()[0] == 1


def bare_ddl(schemas: list[str]) -> float:
    """The limit: the migration's DDL sent straight to every schema, one transaction each, on
    one connection."""
    from django.db import connections

    conn = connections.create_connection("default")
    try:
        conn.ensure_connection()
        raw = conn.connection
        started = time.perf_counter()
        for schema in schemas:
            with raw.cursor() as cursor:
                cursor.execute(
                    f'ALTER TABLE "{schema}".{TABLE} ADD COLUMN bench_bare integer NULL; '
                    f'CREATE INDEX bench_bare_idx ON "{schema}".{TABLE} (bench_bare)'
                )
            raw.commit()
        return time.perf_counter() - started
    finally:
        conn.close()


def plain_migrate_schemas_sample(schemas: list[str]) -> float:
    """django-tenants' ``migrate_schemas`` for one studio with nothing to apply (in this
    process, no start-up), median of a few: what each studio cost before the skip."""
    from django.core.management import call_command
    from django.db import connection

    samples = []
    for schema in schemas[:REFERENCE_SAMPLES]:
        started = time.perf_counter()
        call_command(
            "migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0
        )
        samples.append(time.perf_counter() - started)
        connection.set_schema_to_public()
    return statistics.median(samples)


def touch_every_schema(schemas: list[str], *, every_table: bool) -> dict:
    """One fresh connection runs, in each studio's schema (search_path set, as a web process
    does per request), one small query — or, with ``every_table``, one per table of the
    schema (a process that served every page of every studio); its backend's memory before
    and after."""
    from django.db import connections

    conn = connections.create_connection("default")
    try:
        conn.ensure_connection()
        raw = conn.connection
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename",
                [schemas[0]],
            )
            tables = [row[0] for row in cursor.fetchall()] if every_table else [TABLE]

            def cache_mb():
                cursor.execute(
                    "SELECT sum(total_bytes) / 1048576.0 FROM pg_backend_memory_contexts "
                    "WHERE name = 'CacheMemoryContext' OR parent = 'CacheMemoryContext'"
                )
                return float(cursor.fetchone()[0] or 0)

            before = process_memory_mb(backend)
            cache_before = cache_mb()
            started = time.perf_counter()
            for schema in schemas:
                cursor.execute(f'SET search_path = "{schema}", public')
                for table in tables:
                    cursor.execute(f'SELECT * FROM "{table}" LIMIT 1')  # noqa: S608
                    cursor.fetchall()
            elapsed = time.perf_counter() - started
            cursor.execute("SET search_path = public")
            after = process_memory_mb(backend)
            cache_after = cache_mb()
    finally:
        conn.close()
    prefix = "touch_all_" if every_table else "touch_"
    return {
        f"{prefix}tables_per_schema": len(tables),
        f"{prefix}s": elapsed,
        f"{prefix}backend_rss_before_mb": before and before["VmRSS"],
        f"{prefix}backend_rss_after_mb": after and after["VmRSS"],
        f"{prefix}backend_anon_before_mb": before and before["RssAnon"],
        f"{prefix}backend_anon_after_mb": after and after["RssAnon"],
        f"{prefix}cache_context_before_mb": cache_before,
        f"{prefix}cache_context_after_mb": cache_after,
    }


def server_memory_mb() -> dict:
    """All of the server's processes: total private memory (RssAnon) and the shared buffers'
    size, so per-backend figures can be put beside the whole."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_postmaster_start_time(), current_setting('shared_buffers')")
        _started, shared_buffers = cursor.fetchone()
        cursor.execute("SELECT pid FROM pg_stat_activity")
        pids = [pid for (pid,) in cursor.fetchall()]
    anon = [m["RssAnon"] for m in map(process_memory_mb, pids) if m]
    return {
        "server_processes": len(pids),
        "server_anon_total_mb": sum(anon) if anon else None,
        "shared_buffers": shared_buffers,
    }


def run(studios: int, processes: int, work: Path, pid: int, database: str, child_url: str) -> dict:
    from django.db import connection

    package = f"pdbench{pid}migrations"
    settings_module = write_settings(work, package, processes)
    env = _common.child_env(child_url)
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    env["PYTHONPATH"] = os.pathsep.join([str(work), str(_common.REPO)])
    log = work / "migrate.log"

    started = time.perf_counter()
    schemas = create_studios(studios, pid, processes)
    create_s = time.perf_counter() - started
    connection.close()

    startup = django_startup(env)
    _common.progress("no-op, serial")
    noop_serial, _ = run_migrate_platform(env, "standard", log)
    _common.progress("no-op, parallel")
    noop, _ = run_migrate_platform(env, "multiprocessing", log)

    first = add_migration(work, package, "bench_a")
    _common.progress(f"real migration ({first}), serial")
    real_serial, replay_serial = run_migrate_platform(env, "standard", log)
    second = add_migration(work, package, "bench_b")
    _common.progress(f"real migration ({second}), parallel")
    with BackendSampler(database) as sampler:
        real, replay = run_migrate_platform(env, "multiprocessing", log)
    for schema in (schemas[0], schemas[-1]):
        for name, column in ((first, "bench_a"), (second, "bench_b")):
            if not (applied(schema, name) and column_exists(schema, column)):
                raise RuntimeError(f"{name} not applied in {schema}")

    _common.progress("the limit: bare DDL on one connection")
    bare = bare_ddl(schemas)
    _common.progress("reference: django-tenants' migrate_schemas per studio, no-op")
    plain_per_schema = plain_migrate_schemas_sample(schemas)
    connection.close()
    _common.progress("touching every schema from one backend")
    touched = touch_every_schema(schemas, every_table=False)
    _common.progress("touching every table of every schema from one backend")
    touched_all = touch_every_schema(schemas, every_table=True)
    server = server_memory_mb()

    peaks = sorted(sampler.peaks.values())
    return {
        "studios": studios,
        "processes": processes,
        "noop_s": noop,
        "noop_serial_s": noop_serial,
        "real_s": real,
        "real_serial_s": real_serial,
        "bare_ddl_s": bare,
        "real_to_bare_ratio": real / bare,
        "real_serial_to_bare_ratio": real_serial / bare,
        "startup_s": startup,
        "replay_s": replay,
        "replay_serial_s": replay_serial,
        "replay_to_bare_ratio": replay / bare if replay is not None else None,
        "real_after_startup_to_bare_ratio": max(real - startup, 0.0) / bare,
        "target_noop_s": TARGET_NOOP_S,
        "target_real_to_bare_ratio": TARGET_REAL_TO_BARE,
        "meets_noop_target": noop < TARGET_NOOP_S and noop_serial < TARGET_NOOP_S,
        "meets_real_target": real / bare <= TARGET_REAL_TO_BARE,
        "plain_migrate_schemas_per_studio_s": plain_per_schema,
        "plain_migrate_schemas_estimate_s": plain_per_schema * studios,
        "create_studios_s": create_s,
        "migration_backends": len(peaks),
        "migration_backend_peak_anon_mb": peaks[-1] if peaks else None,
        "migration_backends_peak_anon_total_mb": sampler.peak_total if peaks else None,
        **touched,
        **touched_all,
        **server,
        "postgres_version": _common.server_version(),
    }


# --- report ---------------------------------------------------------------------------------


def memory_lines(f: dict, prefix: str, title: str) -> list[str]:
    def mb(value):
        return "n/a" if value is None else f"{value:.1f} MB"

    return [
        f"{title:<46}{f[prefix + 's']:9.1f} s",
        f"{'    RSS before → after':<46}{mb(f[prefix + 'backend_rss_before_mb']):>12} → "
        f"{mb(f[prefix + 'backend_rss_after_mb'])}",
        f"{'    private before → after':<46}{mb(f[prefix + 'backend_anon_before_mb']):>12} → "
        f"{mb(f[prefix + 'backend_anon_after_mb'])}",
        f"{'    catalog cache before → after':<46}"
        f"{mb(f[prefix + 'cache_context_before_mb']):>12} → "
        f"{mb(f[prefix + 'cache_context_after_mb'])}",
    ]


def report(f: dict, database: str) -> None:
    def s(value):
        return f"{value:9.1f} s"

    def mb(value):
        return "      n/a" if value is None else f"{value:9.1f} MB"

    lines = [
        "",
        f"Pictureday deploy benchmark — {f['studios']} studios, PostgreSQL "
        f"{f['postgres_version']}, database {database} (dropped)",
        f"studios created (schema copies) in {f['create_studios_s']:.1f} s",
        "",
        f"{'migrate_platform (own process, wall)':<46}{'serial':>12}{'parallel':>12}   target",
        f"{'  no-op (nothing to apply)':<46}{s(f['noop_serial_s'])}  {s(f['noop_s'])}"
        f"   < {TARGET_NOOP_S:.0f} s  {_common.verdict(f['meets_noop_target'])}",
        f"{'  real: a column and an index':<46}{s(f['real_serial_s'])}  {s(f['real_s'])}",
        f"{'  the limit: same DDL, one connection':<46}{s(f['bare_ddl_s'])}",
        f"{'  real / limit':<46}{f['real_serial_to_bare_ratio']:9.2f} x  "
        f"{f['real_to_bare_ratio']:9.2f} x   ≤ {TARGET_REAL_TO_BARE:.0f} x  "
        f"{_common.verdict(f['meets_real_target'])}",
        f"{'  of which Python + django.setup()':<46}{s(f['startup_s'])}"
        f"   (real after it / limit {f['real_after_startup_to_bare_ratio']:.2f} x)",
        f"{'  of which the studios (replay, by its log)':<46}{s(f['replay_serial_s'])}  "
        f"{s(f['replay_s'])}   (/ limit {f['replay_to_bare_ratio']:.2f} x)",
        "",
        f"reference: django-tenants' migrate_schemas, one studio, no-op "
        f"{f['plain_migrate_schemas_per_studio_s'] * 1000:.0f} ms "
        f"(× {f['studios']} ≈ {f['plain_migrate_schemas_estimate_s']:.0f} s)",
        "",
        f"server memory ({f['processes']} parallel workers, shared_buffers {f['shared_buffers']})",
        f"{'  migration backends seen':<46}{f['migration_backends']:9d}",
        f"{'  peak private memory of one':<46}{mb(f['migration_backend_peak_anon_mb'])}",
        f"{'  peak private memory of all at once':<46}"
        f"{mb(f['migration_backends_peak_anon_total_mb'])}",
        *memory_lines(f, "touch_", "  one backend, one query in every schema"),
        *memory_lines(
            f,
            "touch_all_",
            f"  one backend, every table ({f['touch_all_tables_per_schema']}) of every schema",
        ),
        "",
    ]
    print("\n".join(lines))
    _common.print_json_last(f)


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studios", type=int, default=1000, help="studios (default 1,000)")
    parser.add_argument(
        "--processes", type=int, default=2, help="parallel migration workers (default 2)"
    )
    args = parser.parse_args(argv)
    if args.studios < 2:
        parser.error("--studios must be at least 2")

    with (
        _common.benchmark_process("migrate") as (work, pid),
        _common.throwaway_database(pid) as (database, child_url),
    ):
        figures = run(args.studios, args.processes, work, pid, database, child_url)
    report(figures, database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
