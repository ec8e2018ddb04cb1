"""Operator console benchmark: how long the studio list on the bare domain takes with 1,000
studios, against a trivial view served the same way in the same run.

    .venv/bin/python benchmarks/console.py [--studios 1000] [--requests 200]

Set-up (not timed): a throwaway database ``pictureday_bench_<pid>`` on the server
``saas_platform.settings.dev`` uses (migrated with ``migrate_platform``, dropped at the end),
and in it ``--studios`` Studio rows inserted with ``bulk_create`` (which bypasses
``Studio.save`` and so creates no schemas: the console reads public tables only), each with a
plan, a status, a licence end and a ``StudioSalesSnapshot`` row; a platform operator; the
tables ANALYZEd. The cache is in-process memory (no Redis keys are written).

Measured, in this process with Django's test client (the whole middleware stack: tenant,
session, CSRF, auth; DEBUG off), ``--requests`` times each after 20 warm-up requests:

* the limit: the health check ``/healthz`` (one ``SELECT 1``) on the bare domain;
* the list ``/console/`` (first page of 50), a search ``/console/?q=…``, the filters
  ``/console/?status=active&expiring=on`` and one studio's page;
* SQL queries per list page (must not grow with the number of studios).

Target: list p95 under 300 ms. The last line of stdout is one JSON object with every figure.
Exit code 0 whether or not the target is met: this is a measurement, not a test.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (puts the repository on sys.path, sets DJANGO_SETTINGS_MODULE)

TARGET_P95_MS = 300
WARMUP = 20


def seed(count: int) -> dict:
    import datetime
    import random
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from billing.models import Plan, StudioSalesSnapshot
    from saas_platform.accounts.models import User
    from tenants.models import Studio, StudioStatus
    from tenants.services import ensure_public_tenant

    ensure_public_tenant()
    rng = random.Random(7)
    plans = list(Plan.objects.all()) + [None]
    statuses = [StudioStatus.TRIAL, StudioStatus.ACTIVE, StudioStatus.ACTIVE, StudioStatus.BLOCKED]
    now = timezone.now()
    studios = Studio.objects.bulk_create(
        [
            Studio(
                schema_name=f"studio_bench_{i}",
                name=f"Bench Studio {i:04d}",
                slug=f"bench-{i}",
                owner_email=f"owner{i}@bench.test",
                status=rng.choice(statuses),
                plan=rng.choice(plans),
                licence_valid_until=now + datetime.timedelta(days=rng.randint(-30, 365)),
            )
            for i in range(count)
        ],
        batch_size=500,
    )
    StudioSalesSnapshot.objects.bulk_create(
        [
            StudioSalesSnapshot(
                studio=studio,
                orders_season=rng.randint(0, 5000),
                gmv_season=Decimal(rng.randint(0, 10**7)) / 100,
                orders_today=rng.randint(0, 50),
                gmv_today=Decimal(rng.randint(0, 10**5)) / 100,
                photos=rng.randint(0, 10**6),
                storage_bytes=rng.randint(0, 5 * 10**12),
                staff=rng.randint(1, 20),
                last_activity_at=now - datetime.timedelta(minutes=rng.randint(0, 10**5)),
                computed_at=now,
            )
            for studio in studios
        ],
        batch_size=500,
    )
    operator = User.objects.create_user(
        email="operator@bench.test", password=_common.PASSWORD, is_staff=True
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"operator": operator, "studio_id": studios[len(studios) // 2].pk}


def run(args, pid: int) -> dict:
    figures: dict = {"studios": args.studios, "requests": args.requests}
    with _common.throwaway_database(pid) as (database, _child_url):
        from django.conf import settings
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, override_settings

        figures["postgres_version"] = _common.server_version()
        figures["database"] = database
        locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        with override_settings(CACHES=locmem):
            _common.progress(f"seeding {args.studios} studios and snapshots …")
            started = time.perf_counter()
            seeded = seed(args.studios)
            figures["seed_s"] = time.perf_counter() - started

            client = Client(HTTP_HOST=settings.BASE_DOMAIN)
            client.force_login(seeded["operator"])
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/console/").status_code == 200
            figures["list_sql_queries"] = len(queries.captured_queries)

            pages = {
                "healthz": "/healthz",
                "list": "/console/",
                "search": "/console/?q=studio+05",
                "filters": "/console/?status=active&expiring=on",
                "studio": f"/console/studios/{seeded['studio_id']}/",
            }
            for name, path in pages.items():
                _common.progress(f"timing {path} …")
                figures[name] = _common.timed_get(client, path, args.requests, warmup=WARMUP)
            connection.close()
    return figures


def report(f: dict) -> None:
    print(f"PostgreSQL {f['postgres_version']}, {f['studios']} studios, {f['requests']} requests")
    print(f"seed: {f['seed_s']:.1f} s; SQL queries per list page: {f['list_sql_queries']}")
    for name in ("healthz", "list", "search", "filters", "studio"):
        row = f[name]
        print(
            f"  {name:8} p50 {row['p50_ms']:7.1f} ms   p95 {row['p95_ms']:7.1f} ms"
            f"   max {row['max_ms']:7.1f} ms"
        )
    ok = f["list"]["p95_ms"] < TARGET_P95_MS
    f["target_list_p95_ms"] = TARGET_P95_MS
    f["verdict"] = _common.verdict(ok)
    print(f"list p95 under {TARGET_P95_MS} ms: {f['verdict']}")
    _common.print_json_last(f)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studios", type=int, default=1000, help="studio rows (1000)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    args = parser.parse_args(argv)
    if args.studios < 1 or args.requests < 20:
        parser.error("--studios must be at least 1 and --requests at least 20")

    with _common.benchmark_process("console") as (_work, pid):
        figures = run(args, pid)
    report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
