"""Studio provisioning benchmark: how long does a real sign-up take, and does it grow with N?

    .venv/bin/python benchmarks/provision.py [--studios N] [--pool P] [--fallback F]
        [--more-tables T]

Runs against a throwaway database ``pictureday_bench_<pid>`` created on the same PostgreSQL
server as ``saas_platform.settings.dev`` uses (DATABASE_URL, or the embedded server under
var/), migrated with ``migrate_platform`` and dropped at the end. The developer's own
database is never queried. As in the other benchmarks (``_common.benchmark_process``),
DEBUG is off and Redis is database 15.

Measured in the same run, on the same database:

* sign-up: ``tenants.services.studio_create`` for N studios with a pool of P spare schemas
  (``TENANT_SPARE_SCHEMAS``): a spare renamed to the studio's schema, Domain, owner with a
  hashed password, login token, commit, and the queued refill. Before each sign-up, outside
  the timing, the pool is refilled (``spare_schemas_refill``), as the background task does
  between real sign-ups; the time it takes per spare is reported too;
* the fallback: F more sign-ups with the pool emptied (each copies the base schema);
* flat in the number of tables: T tables (with keys, indexes, foreign keys) added to the base
  schema, the pool remade from it, and ten more sign-ups with spares, compared with the last
  ten before;
* each sign-up's own password hash is timed inside it (``make_password`` as the user model
  calls it), so "excluding the hash" subtracts the hash of that very sign-up, not a median
  taken elsewhere (a memory-hard hash on a busy machine varies by more than the rest of the
  sign-up costs);
* the limit: creating a bare schema with three small tables (primary and foreign keys), the
  least DDL any schema-per-studio design must do (rolled back);
* the clone alone: ``copy_schema(base=base, new=new)`` (rolled back);
* the password hash alone: ``make_password`` with the first of ``PASSWORD_HASHERS``
  (Argon2) and, for comparison, PBKDF2 -- a fixed part of every sign-up that is not
  provisioning work.

The bare-schema and clone samples are interleaved with the sign-ups (spread evenly over the
run), so they see the same catalogue sizes as the sign-ups do, but each kind runs on a
database connection of its own: the sign-ups run on Django's default connection exactly as a
long-lived web or Celery worker would, undisturbed by the reference samples. The sign-up
session's server-side memory and cached-plan count are reported before and after the loop.

The last line of stdout is one JSON object with every figure. Exit code 0 whether or not the
targets are met: this is a measurement, not a test.
"""

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (puts the repository on sys.path, sets DJANGO_SETTINGS_MODULE)

TARGET_MEDIAN_S = 0.5
TARGET_GROWTH_RATIO = 1.25
TARGET_RATIO_EXCLUDING_HASH = 3.0
REFERENCE_REPETITIONS = 20
HASH_REPETITIONS = 10


# --- statistics -----------------------------------------------------------------------------


def spread(count: int, slots: int) -> list[int]:
    """How many of ``count`` samples to take before each of ``slots`` steps (evenly spread)."""
    per_slot = [0] * max(slots, 1)
    for sample in range(count):
        per_slot[sample * len(per_slot) // count] += 1
    return per_slot


# --- measurements ---------------------------------------------------------------------------


def time_bare_schema(schema: str) -> float:
    """CREATE SCHEMA plus three small related tables, rolled back."""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(f"CREATE SCHEMA {schema}")
            cursor.execute(
                f"CREATE TABLE {schema}.school (id bigserial PRIMARY KEY, name varchar(200) NOT NULL)"
            )
            cursor.execute(
                f"CREATE TABLE {schema}.class_group (id bigserial PRIMARY KEY, "
                f"name varchar(200) NOT NULL, "
                f"school_id bigint NOT NULL REFERENCES {schema}.school (id))"
            )
            cursor.execute(
                f"CREATE TABLE {schema}.pupil (id bigserial PRIMARY KEY, "
                f"name varchar(200) NOT NULL, "
                f"class_group_id bigint NOT NULL REFERENCES {schema}.class_group (id))"
            )
            elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def time_clone(schema: str) -> float:
    """django-tenants' clone of the base schema, as the sign-up does it, rolled back."""
    from django.conf import settings
    from django.db import connection, transaction

    from tenants.provisioning import copy_schema

    with transaction.atomic():
        started = time.perf_counter()
        copy_schema(base=settings.TENANT_BASE_SCHEMA, new=schema)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    connection.set_schema_to_public()
    return elapsed


def time_password_hash(hasher: str = "default") -> float:
    from django.contrib.auth.hashers import make_password

    started = time.perf_counter()
    make_password("x" * 16, hasher=hasher)
    return time.perf_counter() - started


HASHED: list[float] = []


@contextlib.contextmanager
def hash_timed():
    """Times every password hash the user model makes (appended to ``HASHED``)."""
    from django.contrib.auth import base_user

    real = base_user.make_password

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            HASHED.append(time.perf_counter() - started)

    base_user.make_password = timed
    try:
        yield
    finally:
        base_user.make_password = real


def time_signup(pid: int, index: int) -> tuple[float, float]:
    """(the sign-up, its own password hash)."""
    from tenants.services import studio_create

    slug = f"bench{pid}x{index}"
    HASHED.clear()
    started = time.perf_counter()
    studio_create(
        name=f"Bench Studio {index}",
        slug=slug,
        owner_email=f"owner{index}@{slug}.test",
        owner_name=f"Bench Owner {index}",
        owner_password=_common.PASSWORD,
    )
    return time.perf_counter() - started, sum(HASHED)


REFILL_CONNECTION = []


def refill(size: int) -> tuple[int, float]:
    """(spares made, seconds): what the background task does between sign-ups, on a
    connection of its own as a worker's would be (a session that made the spares caches
    every table it created, which the web process's session never does)."""
    from tenants.spares import spare_schemas_refill

    with on_connection(REFILL_CONNECTION[0]):
        started = time.perf_counter()
        made = spare_schemas_refill(size=size)
        return made, time.perf_counter() - started


def window_size(studios: int) -> int:
    return min(10, max(1, studios // 2))  # first and last windows never overlap


def add_tables(schema: str, count: int) -> None:
    """``count`` more tables in the base schema, each with a key, an index and a foreign key
    to the previous one (as a pile of migrations would leave it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for number in range(count):
            parent = (
                f", parent_id bigint REFERENCES {schema}.extra_{number - 1} (id)" if number else ""
            )
            cursor.execute(
                f"CREATE TABLE {schema}.extra_{number} (id bigint GENERATED BY DEFAULT AS "
                f"IDENTITY PRIMARY KEY, name varchar(200) NOT NULL{parent}); "
                f"CREATE INDEX extra_{number}_name ON {schema}.extra_{number} (name)"
            )


def spares_taken() -> int:
    from tenants.models import SpareSchema

    return SpareSchema.objects.count()


def base_schema_tables() -> int:
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s",
            [settings.TENANT_BASE_SCHEMA],
        )
        return cursor.fetchone()[0]


def backend_memory() -> tuple[float | None, int | None]:
    """This session's server-side memory (MB) and cached plans; (None, None) without access
    to pg_backend_memory_contexts (PostgreSQL 14+, superuser or pg_read_all_stats)."""
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sum(total_bytes) / 1048576.0, count(*) FILTER (WHERE name = 'CachedPlan') "
                "FROM pg_backend_memory_contexts"
            )
            megabytes, plans = cursor.fetchone()
        return float(megabytes), int(plans)
    except DatabaseError:
        return None, None


@contextlib.contextmanager
def on_connection(wrapper):
    """Runs the block with ``wrapper`` as Django's default connection (``django.db.connection``
    follows ``connections['default']``), so a measurement cannot disturb another's session."""
    from django.db import connections

    previous = connections["default"]
    connections["default"] = wrapper
    try:
        yield
    finally:
        connections["default"] = previous


def run(studios: int, pid: int, pool: int, fallback: int, more_tables: int) -> dict:
    """Sign-ups run on Django's own default connection, as in a web worker. The reference
    samples run on two connections of their own: a session that has run clone_schema carries
    server-side state from it (the compiled function and its cached plans), which would
    otherwise leak into the figures of whatever else shares that session."""
    from django.conf import settings
    from django.db import connections

    bare_conn = connections.create_connection("default")
    clone_conn = connections.create_connection("default")
    REFILL_CONNECTION[:] = [connections.create_connection("default")]
    try:
        settings.TENANT_SPARE_SCHEMAS = pool
        with hash_timed():
            return _run(studios, pid, pool, fallback, more_tables, bare_conn, clone_conn)
    finally:
        bare_conn.close()
        clone_conn.close()
        REFILL_CONNECTION.pop().close()


def _run(
    studios: int, pid: int, pool: int, fallback: int, more_tables: int, bare_conn, clone_conn
) -> dict:
    from django.conf import settings

    base_schema = settings.TENANT_BASE_SCHEMA
    # Warm-ups, not timed: the first clone in a session compiles the clone function's plpgsql.
    time_password_hash()
    with on_connection(bare_conn):
        time_bare_schema("bare_warmup")
    with on_connection(clone_conn):
        time_clone("clone_warmup")

    hashes = [time_password_hash() for _ in range(HASH_REPETITIONS)]
    hashes_pbkdf2 = [time_password_hash("pbkdf2_sha256") for _ in range(HASH_REPETITIONS)]

    signups: list[float] = []
    own_hashes: list[float] = []
    bare: list[float] = []
    bare_at: list[int] = []  # the sign-up each bare-schema sample came before
    clones: list[float] = []
    spare_makes: list[float] = []
    took_spare = 0
    plan = spread(REFERENCE_REPETITIONS, studios)
    memory_before, plans_before = backend_memory()
    started = time.perf_counter()
    for index in range(studios):
        for _ in range(plan[index]):
            with on_connection(bare_conn):
                bare.append(time_bare_schema(f"bare_{len(bare)}"))
                bare_at.append(index)
            with on_connection(clone_conn):
                clones.append(time_clone(f"clone_{len(clones)}"))
        made, seconds = refill(pool)  # outside the timing, as the background task
        if made:
            spare_makes.append(seconds / made)
        before = spares_taken()
        elapsed, hashed = time_signup(pid, index)
        took_spare += spares_taken() < before
        signups.append(elapsed)
        own_hashes.append(hashed)
    wall = time.perf_counter() - started
    memory_after, plans_after = backend_memory()

    refill(0)  # the pool emptied: every sign-up now copies the base schema
    fallbacks, fallback_hashes = [], []
    for index in range(studios, studios + fallback):
        elapsed, hashed = time_signup(pid, index)
        fallbacks.append(elapsed)
        fallback_hashes.append(hashed)

    # More tables: the base schema grows by ``more_tables`` (as migrations pile up); the pool
    # is remade from it and as many sign-ups as the window take spares again.
    tables = base_schema_tables()
    more = []
    if more_tables:
        add_tables(base_schema, more_tables)
        refill(0)
        for index in range(studios + fallback, studios + fallback + window_size(studios)):
            refill(pool)
            elapsed, hashed = time_signup(pid, index)
            more.append(elapsed - hashed)
    provisioning = [total - hashed for total, hashed in zip(signups, own_hashes, strict=True)]
    fallback_provisioning = [
        total - hashed for total, hashed in zip(fallbacks, fallback_hashes, strict=True)
    ]
    window = window_size(studios)
    signup_median = statistics.median(signups)
    first_median = statistics.median(signups[:window])
    last_median = statistics.median(signups[-window:])
    first_excl = statistics.median(provisioning[:window])
    last_excl = statistics.median(provisioning[-window:])
    growth = last_excl / first_excl
    # The same growth against the limit sampled in the same stretch of the run: a machine
    # whose load drifts moves both.
    bare_first = statistics.median(b for b, at in zip(bare, bare_at, strict=True) if at < window)
    bare_last = statistics.median(
        b for b, at in zip(bare, bare_at, strict=True) if at >= studios - window
    )
    growth_vs_limit = (last_excl / bare_last) / (first_excl / bare_first)
    bare_median = statistics.median(bare)
    clone_median = statistics.median(clones)
    hash_median = statistics.median(hashes)
    provisioning_median = statistics.median(provisioning)
    ratio_excl = provisioning_median / bare_median
    fallback_median = statistics.median(fallbacks) if fallbacks else None
    fallback_excl = statistics.median(fallback_provisioning) if fallbacks else None
    more_median = statistics.median(more) if more else None
    meets_median = signup_median < TARGET_MEDIAN_S
    meets_growth = growth <= TARGET_GROWTH_RATIO
    meets_ratio = ratio_excl <= TARGET_RATIO_EXCLUDING_HASH
    return {
        "studios": studios,
        "pool_size": pool,
        "signups_that_took_a_spare": took_spare,
        "signup_median_s": signup_median,
        "signup_p95_s": _common.percentile(signups, 0.95),
        "signup_min_s": min(signups),
        "signup_max_s": max(signups),
        "signup_excluding_hash_median_s": provisioning_median,
        "signup_excluding_hash_p95_s": _common.percentile(provisioning, 0.95),
        "signup_own_hash_median_s": statistics.median(own_hashes),
        "growth_window": window,
        "first10_median_s": first_median,
        "last10_median_s": last_median,
        "first10_excluding_hash_median_s": first_excl,
        "last10_excluding_hash_median_s": last_excl,
        "growth_ratio": growth,
        "bare_schema_limit_first_window_s": bare_first,
        "bare_schema_limit_last_window_s": bare_last,
        "growth_ratio_against_limit": growth_vs_limit,
        "fallback_signups": fallback,
        "fallback_signup_median_s": fallback_median,
        "fallback_excluding_hash_median_s": fallback_excl,
        "fallback_ratio_to_limit_excluding_hash": (
            fallback_excl / bare_median if fallbacks else None
        ),
        "more_tables": more_tables,
        "more_tables_signup_excluding_hash_median_s": more_median,
        "table_growth_ratio": more_median / last_excl if more else None,
        "spare_make_median_s": statistics.median(spare_makes) if spare_makes else None,
        "bare_schema_limit_median_s": bare_median,
        "clone_median_s": clone_median,
        "clone_p95_s": _common.percentile(clones, 0.95),
        "clone_per_table_ms": clone_median * 1000 / tables,
        "password_hasher": settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1],
        "password_hash_median_s": hash_median,
        "password_hash_pbkdf2_median_s": statistics.median(hashes_pbkdf2),
        "ratio_to_limit": signup_median / bare_median,
        "ratio_to_limit_excluding_hash": ratio_excl,
        "ratio_clone_to_limit": clone_median / bare_median,
        "signup_session_backend_mb_before": memory_before,
        "signup_session_backend_mb_after": memory_after,
        "signup_session_cached_plans_before": plans_before,
        "signup_session_cached_plans_after": plans_after,
        "base_schema": base_schema,
        "base_schema_tables": tables,
        "reference_repetitions": REFERENCE_REPETITIONS,
        "hash_repetitions": HASH_REPETITIONS,
        "signup_loop_wall_s": wall,
        "load_average": list(os.getloadavg()),
        "postgres_version": _common.server_version(),
        "target_median_s": TARGET_MEDIAN_S,
        "target_growth_ratio": TARGET_GROWTH_RATIO,
        "target_ratio_to_limit_excluding_hash": TARGET_RATIO_EXCLUDING_HASH,
        "meets_median_target": meets_median,
        "meets_growth_target": meets_growth,
        "meets_ratio_target": meets_ratio,
        "meets_target": meets_ratio and meets_growth,
        "signups_s": signups,
        "provisioning_s": provisioning,
        "bare_s": bare,
        "clones_s": clones,
    }


# --- report ---------------------------------------------------------------------------------


def memory_line(f: dict) -> str:
    if f["signup_session_backend_mb_after"] is None:
        return "sign-up session's server memory: not readable (pg_backend_memory_contexts)"
    return (
        "sign-up session's server memory "
        f"{f['signup_session_backend_mb_before']:.0f} → {f['signup_session_backend_mb_after']:.0f} MB, "
        f"cached plans {f['signup_session_cached_plans_before']} → "
        f"{f['signup_session_cached_plans_after']}"
    )


def report(figures: dict, database: str) -> None:
    def ms(value: float) -> str:
        return f"{value * 1000:9.1f} ms"

    def by_fifth(values: list[float]) -> str:
        """Median of each fifth of the run, in order: how the figure moves as N grows."""
        parts = min(5, len(values))
        size = len(values) / parts
        return (
            " → ".join(
                f"{statistics.median(values[round(i * size) : round((i + 1) * size)]) * 1000:.0f}"
                for i in range(parts)
            )
            + " ms"
        )

    f = figures
    w = f["growth_window"]
    more_label = f"  excluding hash, {w} more, base +{f['more_tables']} tables"

    def opt_ms(value) -> str:
        return ms(value) if value is not None else f"{'—':>12}"

    lines = [
        "",
        f"Pictureday provisioning benchmark — {f['studios']} studios, pool of "
        f"{f['pool_size']} spare schemas, PostgreSQL {f['postgres_version']}, database "
        f"{database} (dropped); load average "
        + " ".join(f"{value:.2f}" for value in f["load_average"]),
        f"base schema {f['base_schema']!r}: {f['base_schema_tables']} tables",
        "",
        f"{'sign-up with a spare (studio_create), per studio':<48}{'':>12}   target",
        f"{'  took a spare':<48}{f['signups_that_took_a_spare']:>9} of {f['studios']}",
        f"{'  median':<48}{ms(f['signup_median_s'])}   < {TARGET_MEDIAN_S * 1000:.0f} ms  "
        f"{_common.verdict(f['meets_median_target'])}",
        f"{'  p95':<48}{ms(f['signup_p95_s'])}",
        f"{'  min / max':<48}{ms(f['signup_min_s'])} / {f['signup_max_s'] * 1000:.1f} ms",
        f"{'  its own password hash, median':<48}{ms(f['signup_own_hash_median_s'])}",
        f"{'  excluding its own hash, median':<48}{ms(f['signup_excluding_hash_median_s'])}",
        f"{'  excluding its own hash, p95':<48}{ms(f['signup_excluding_hash_p95_s'])}",
        f"{f'  excluding hash, median of first {w}':<48}{ms(f['first10_excluding_hash_median_s'])}",
        f"{f'  excluding hash, median of last {w}':<48}{ms(f['last10_excluding_hash_median_s'])}",
        f"{'  growth (last / first, excluding hash)':<48}{f['growth_ratio']:9.2f} x    ≈ 1.0 (≤ "
        f"{TARGET_GROWTH_RATIO})  {_common.verdict(f['meets_growth_target'])}",
        f"{'  the same against the limit in each stretch':<48}"
        f"{f['growth_ratio_against_limit']:9.2f} x    (limit "
        f"{f['bare_schema_limit_first_window_s'] * 1000:.1f} → "
        f"{f['bare_schema_limit_last_window_s'] * 1000:.1f} ms)",
        f"{f'  with the hash, first / last {w}':<48}{ms(f['first10_median_s'])} / "
        f"{f['last10_median_s'] * 1000:.1f} ms",
        f"{'  a spare made by the refill (not in the sign-up)':<48}"
        f"{opt_ms(f['spare_make_median_s'])}",
        f"{more_label:<48}"
        f"{opt_ms(f['more_tables_signup_excluding_hash_median_s'])}"
        + (
            f"   ({f['table_growth_ratio']:.2f} x the last {w})"
            if f["table_growth_ratio"] is not None
            else ""
        ),
        "",
        f"fallback: {f['fallback_signups']} sign-ups with the pool empty (copy of the base schema)",
        f"{'  median':<48}{opt_ms(f['fallback_signup_median_s'])}",
        f"{'  excluding its own hash, median':<48}{opt_ms(f['fallback_excluding_hash_median_s'])}",
        "",
        "medians by fifth of the run (samples interleaved, so same catalogue sizes)",
        f"{'  sign-up − hash':<22}{by_fifth(f['provisioning_s'])}",
        f"{'  sign-up':<22}{by_fifth(f['signups_s'])}",
        f"{'  bare schema':<22}{by_fifth(f['bare_s'])}",
        f"{'  clone':<22}{by_fifth(f['clones_s'])}",
        "",
        "reference figures (same run, same database)",
        f"{'  bare schema + 3 tables (the limit), median':<48}{ms(f['bare_schema_limit_median_s'])}"
        f"   ({f['reference_repetitions']} runs, rolled back)",
        f"{'  clone of the base schema alone, median':<48}{ms(f['clone_median_s'])}"
        f"   (p95 {f['clone_p95_s'] * 1000:.1f} ms, {f['clone_per_table_ms']:.1f} ms per table)",
        f"{'  password hash, ' + f['password_hasher'] + ', median':<48}"
        f"{ms(f['password_hash_median_s'])}   ({f['hash_repetitions']} runs)",
        f"{'  password hash, PBKDF2 (1M iterations), median':<48}"
        f"{ms(f['password_hash_pbkdf2_median_s'])}",
        "",
        "ratios",
        f"{'  median sign-up / limit':<48}{f['ratio_to_limit']:9.1f} x",
        f"{'  median (sign-up − its hash) / limit':<48}{f['ratio_to_limit_excluding_hash']:9.1f} x"
        f"   ≤ {TARGET_RATIO_EXCLUDING_HASH:.0f}  {_common.verdict(f['meets_ratio_target'])}",
        f"{'  fallback (sign-up − its hash) / limit':<48}"
        + (
            f"{f['fallback_ratio_to_limit_excluding_hash']:9.1f} x"
            if f["fallback_ratio_to_limit_excluding_hash"] is not None
            else f"{'—':>9}"
        ),
        f"{'  clone / limit':<48}{f['ratio_clone_to_limit']:9.1f} x",
        "",
        memory_line(f),
        f"sign-up loop wall time {f['signup_loop_wall_s']:.1f} s (including interleaved "
        f"reference samples and refills); overall target (ratio and growth) "
        f"{_common.verdict(f['meets_target'])}",
        "",
    ]
    print("\n".join(lines))
    summary = {
        key: value
        for key, value in figures.items()
        if key not in {"signups_s", "provisioning_s", "bare_s", "clones_s"}
    }
    _common.print_json_last(summary)


# --- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studios", type=int, default=50, help="studios to sign up (default 50)")
    parser.add_argument("--pool", type=int, default=3, help="spare schemas kept (default 3)")
    parser.add_argument(
        "--fallback", type=int, default=10, help="sign-ups with the pool empty (default 10)"
    )
    parser.add_argument(
        "--more-tables",
        type=int,
        default=100,
        help="tables added to the base schema before a last window of sign-ups (default 100)",
    )
    args = parser.parse_args(argv)
    if args.studios < 1 or min(args.pool, args.fallback, args.more_tables) < 0:
        parser.error("--studios must be at least 1; --pool, --fallback, --more-tables at least 0")

    with (
        _common.benchmark_process("provision") as (_work, pid),
        _common.throwaway_database(pid) as (database, _child_url),
    ):
        figures = run(args.studios, pid, args.pool, args.fallback, args.more_tables)
    report(figures, database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
