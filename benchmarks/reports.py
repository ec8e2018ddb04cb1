"""Studio reports benchmark: how long the owner's reports page takes with 10,000 orders,
against a trivial view served the same way in the same run.

    .venv/bin/python benchmarks/reports.py [--orders 10000] [--requests 100]

Set-up (not timed): a throwaway database ``pictureday_bench_<pid>`` (migrated with
``migrate_platform``, dropped at the end) with one studio (``studio_with_shoot``) and in it,
inserted with ``bulk_create``: 5 schools of 6 classes of 30 children, a picture day each, two
photos per child, a code per child, 3,000 retouching events, ``--orders`` orders over the last
30 days (paid, completed, unpaid, part paid, partly and fully refunded) with 1–3 lines each,
and the ledger's payment transactions of the paid ones; the tables ANALYZEd. The cache is
in-process memory.

Measured, in this process with Django's test client (the whole middleware stack; DEBUG off),
``--requests`` times each after 10 warm-up requests: ``/healthz``, the reports page
``/staff/reports/`` (last 30 days, every table and chart), the page for one school, one
table as CSV and the sales API by school; the page again with one of today's orders changed
before each request (today's sales read again, the other days from their cache), and the very
first view (every day read); and the SQL queries per page (they must not grow with the number
of orders).

Target: reports page p95 under 300 ms. The last line of stdout is one JSON object with every
figure. Exit code 0 whether or not the target is met: this is a measurement, not a test.
"""

import argparse
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (puts the repository on sys.path, sets DJANGO_SETTINGS_MODULE)

TARGET_P95_MS = 300
WARMUP = 10


def seed(count: int, token: str) -> dict:
    import datetime
    import random
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from saas_platform.money import to_minor
    from studio.access import codes
    from studio.access.models import AccessCode
    from studio.ledger import accounts
    from studio.ledger.models import LedgerEntry, LedgerTransaction
    from studio.orders.models import Order, OrderLine
    from studio.photos.models import Photo
    from studio.retouching.models import RetouchBatch, RetouchEvent
    from studio.schools.models import School, SchoolClass, Student
    from studio.shoots.services import shoot_create
    from tenants.services import ensure_public_tenant, ensure_template_studio

    ensure_public_tenant()
    ensure_template_studio()
    base = _common.studio_with_shoot(token)
    rng = random.Random(7)
    now = timezone.now()
    with schema_context(base["schema"]):
        children = []
        for s in range(5):
            school = School.objects.create(name=f"Bench school {s}")
            shoot = shoot_create(school=school, name=f"Autumn {s}", date=datetime.date.today())
            for c in range(6):
                group = SchoolClass.objects.create(
                    school=school, name=f"{c + 1}A", school_year="2026-2027"
                )
                children += [
                    (Student(school_class=group, first_name="A", last_name=f"B{k}"), shoot)
                    for k in range(30)
                ]
        Student.objects.bulk_create([child for child, _shoot in children])
        people = [base["owner"], base["photographer"]]
        photos = Photo.objects.bulk_create(
            [
                Photo(
                    shoot=shoot,
                    original="bench.jpg",
                    original_name="bench.jpg",
                    content_hash=f"{i:064d}",
                    size_bytes=1,
                    photographer=rng.choice(people),
                    status="ready",
                )
                for i, (_child, shoot) in enumerate(children * 2)
            ],
            batch_size=1000,
        )
        AccessCode.objects.bulk_create(
            [
                AccessCode(
                    code=codes.generate(),
                    kind="student",
                    shoot=shoot,
                    school_class=child.school_class,
                    student=child,
                    expires_at=now + datetime.timedelta(days=30),
                )
                for child, shoot in children
            ]
        )
        batch = RetouchBatch.objects.create(shoot=base["shoot"], retoucher=base["retoucher"])
        kinds = ["claimed", "submitted", "approved", "sent_back"]
        RetouchEvent.objects.bulk_create(
            [
                RetouchEvent(photo=p, batch=batch, kind=rng.choice(kinds), actor=base["retoucher"])
                for p in photos[:3000]
            ]
        )
        statuses = ["paid"] * 6 + ["completed", "pending_payment", "partially_paid"]
        statuses += ["partially_refunded", "refunded"]
        orders = []
        for i in range(count):
            total = Decimal(rng.choice([10, 20, 35, 50, 80]))
            status = rng.choice(statuses)
            unpaid = status in ("pending_payment", "partially_paid")
            orders.append(
                Order(
                    number=f"B-{i:06d}",
                    email=f"family{i % 3000}@bench.test",
                    status=status,
                    currency="EUR",
                    subtotal=total,
                    total=total,
                    paid_total=Decimal(0) if unpaid else total,
                    refunded_total={"partially_refunded": Decimal(5), "refunded": total}.get(
                        status, Decimal(0)
                    ),
                    payment_method="bank_transfer",
                    idempotency_key=f"bench-{i}",
                )
            )
        Order.objects.bulk_create(orders, batch_size=1000)
        lines = []
        for order in orders:
            parts = rng.choice([1, 2, 3])
            for j in range(parts):
                child, shoot = rng.choice(children)
                lines.append(
                    OrderLine(
                        order=order,
                        child=child,
                        shoot=shoot,
                        photo=rng.choice(photos),
                        kind=rng.choice(["print", "digital"]),
                        description="Bench",
                        quantity=1,
                        unit_price=order.total / parts,
                        gross=order.total / parts,
                        net=order.total / parts,
                        refunded=order.status == "partially_refunded" and j == 0,
                    )
                )
        OrderLine.objects.bulk_create(lines, batch_size=2000)
        for order in orders:
            order.created_at = now - datetime.timedelta(minutes=rng.randint(0, 30 * 24 * 60))
        Order.objects.bulk_update(orders, ["created_at"], batch_size=2000)
        bank, sales = accounts.account(accounts.BANK), accounts.account(accounts.SALES)
        paid = [order for order in orders if order.paid_total]
        transactions = LedgerTransaction.objects.bulk_create(
            [
                LedgerTransaction(
                    key=f"bench:payment:{order.pk}",
                    kind="payment",
                    currency="EUR",
                    occurred_at=order.created_at,
                    order_id=order.pk,
                )
                for order in paid
            ],
            batch_size=2000,
        )
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    transaction=txn,
                    account=account,
                    amount_minor=sign * to_minor(order.paid_total, "EUR"),
                    currency="EUR",
                    occurred_at=txn.occurred_at,
                )
                for order, txn in zip(paid, transactions, strict=True)
                for account, sign in ((bank, 1), (sales, -1))
            ],
            batch_size=2000,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        school_id = School.objects.order_by("pk").values_list("pk", flat=True).first()
    return {**base, "school_id": school_id, "lines": len(lines)}


CHANGES = itertools.count()


def today_order_changed(schema: str) -> None:
    """One of today's orders takes another e-mail (as a new order or a payment would change
    the day): today's sums are read again on the next page, the other days are not."""
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from studio.orders.models import Order

    with schema_context(schema):
        order = Order.objects.filter(created_at__date=timezone.localdate()).order_by("pk").first()
        Order.objects.filter(pk=order.pk).update(email=f"changed{next(CHANGES)}@parents.test")


def run(args, pid: int) -> dict:
    figures: dict = {"orders": args.orders, "requests": args.requests}
    with _common.throwaway_database(pid) as (database, _child_url):
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, override_settings
        from django_tenants.utils import schema_context

        figures["postgres_version"] = _common.server_version()
        figures["database"] = database
        locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        with override_settings(CACHES=locmem):
            _common.progress(f"seeding a studio with {args.orders} orders …")
            started = time.perf_counter()
            seeded = seed(args.orders, _common.run_token(pid))
            figures["seed_s"] = time.perf_counter() - started
            figures["order_lines"] = seeded["lines"]

            client = Client(HTTP_HOST=seeded["host"])
            with schema_context(seeded["schema"]):
                client.force_login(seeded["owner"])
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                assert client.get("/staff/reports/").status_code == 200
            figures["cold_ms"] = (time.perf_counter() - started) * 1000
            figures["page_sql_queries"] = len(queries.captured_queries)

            pages = {
                "healthz": "/healthz",
                "reports": "/staff/reports/",
                "one_school": f"/staff/reports/?school={seeded['school_id']}",
                "csv": "/staff/reports/?export=sales_by_class&delimiter=semicolon",
                "api": "/api/reports/sales/?group=school",
            }
            for name, path in pages.items():
                _common.progress(f"timing {path} …")
                figures[name] = _common.timed_get(client, path, args.requests, warmup=WARMUP)
            _common.progress("timing /staff/reports/ with one of today's orders changed …")
            figures["today_changed"] = _common.timed_get(
                client,
                "/staff/reports/",
                args.requests,
                warmup=0,
                before=lambda: today_order_changed(seeded["schema"]),
            )
            connection.close()
    return figures


def report(f: dict) -> None:
    print(
        f"PostgreSQL {f['postgres_version']}, {f['orders']} orders ({f['order_lines']} lines), "
        f"{f['requests']} requests"
    )
    print(f"seed: {f['seed_s']:.1f} s; SQL queries per reports page: {f['page_sql_queries']}")
    print(f"reports page, first view (every day read): {f['cold_ms']:.0f} ms")
    for name in ("healthz", "reports", "one_school", "csv", "api", "today_changed"):
        row = f[name]
        print(
            f"  {name:10} p50 {row['p50_ms']:7.1f} ms   p95 {row['p95_ms']:7.1f} ms"
            f"   max {row['max_ms']:7.1f} ms"
        )
    ok = f["reports"]["p95_ms"] < TARGET_P95_MS
    f["target_reports_p95_ms"] = TARGET_P95_MS
    f["verdict"] = _common.verdict(ok)
    print(f"reports page p95 under {TARGET_P95_MS} ms: {f['verdict']}")
    _common.print_json_last(f)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10000, help="orders (10000)")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page")
    args = parser.parse_args(argv)
    if args.orders < 1 or args.requests < 20:
        parser.error("--orders must be at least 1 and --requests at least 20")

    with _common.benchmark_process("reports") as (_work, pid):
        figures = run(args, pid)
    report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
