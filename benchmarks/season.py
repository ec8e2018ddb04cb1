"""Season benchmark: one studio's money side at season scale — accruals, the period close and
its statements, the owner's reports page — and whether the books reconcile to the cent.

    .venv/bin/python benchmarks/season.py [--schools 20] [--orders 10000] [--refunds 500]
                                          [--staff 40] [--requests 40]

Set-up (timed apart, not part of the figures): a throwaway database
``pictureday_bench_<pid>`` (``_common.throwaway_database``), one studio with ``--schools``
schools (5 classes × 20 children each, one photo per child, bulk-inserted as READY rows), a
published picture day per school, a revenue-share plan (5 %), ``--staff`` people (three in four photographers, the rest
retouchers and a manager), pay rules per role (per sold photo, digital and print apart; a
percent of the picture day's net sales; per approved retouch), and a signed agreement per
school (a percent, a fixed amount per order, or tiered by volume, in turn).

Measured:

* **accrual**: ``--orders`` orders placed through the services (1–3 lines: digital files,
  prints, a package; a sibling-style discount on a third of them), paid by card (the fee as
  Stripe would charge it: ``Studio.platform_share``; the card payment is confirmed as the
  webhook does, without Stripe), bank transfer or cash, one in ten in two instalments; then
  ``--refunds`` refunds (half naming a line, half a part of the amount). The time reported is
  what the money events' receivers take (the ledger, commissions, staff pay: ``Signal.send``
  of ``payment_confirmed``, ``order_paid``, ``order_refunded``), per 1,000 orders; e-mail
  tasks are counted, not sent;
* **close**: closing the period in the ledger (balance snapshots) and storing every school's
  commission statement, plus every person's pay statement for the period;
* **reports**: gunicorn (gthread, as the production image runs it) and ``--requests`` GETs of
  the owner's ``/staff/reports/`` against ``/healthz`` on the same host and session, one at a
  time; p50/p95 of each and the ratio of the p95s;
* **reconciliation**: what parents paid less what was refunded (the payments and refunds
  tables) against what the studio keeps (money accounts less what it owes) plus school
  commissions, staff pay and platform fees (the ledger), in minor units (must be 0); the
  schools' statements against the commission accounts, and the people's pay statements
  against the staff accounts (each must differ by 0); unbalanced transactions (must be 0).

The last line of stdout is one JSON object with every figure. Exit code 0 whether or not the
targets are met: this is a measurement, not a test.
"""

import argparse
import datetime
import http.client
import json
import os
import random
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (puts the repository on sys.path, sets DJANGO_SETTINGS_MODULE)

CLASSES_PER_SCHOOL = 5
CHILDREN_PER_CLASS = 20
TARGET_REPORTS_P95_MS = 300
TARGET_CLOSE_S = 30
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def seed(args, token: str) -> dict:
    """The studio, its people, schools, picture days, photos, catalogue, agreements, rules."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from billing.models import Plan, PlanKind
    from saas_platform.accounts.models import Role, User
    from studio.commissions.models import AgreementStatus, Basis
    from studio.commissions.services import Terms, agreement_create, agreement_move
    from studio.payroll.models import PayRuleKind
    from studio.payroll.services import rule_create
    from studio.photos.models import Photo, PhotoStatus
    from studio.schools.models import SchoolClass, Student
    from studio.schools.roster import current_school_year
    from studio.schools.services import school_create
    from studio.shoots.services import shoot_create
    from tenants.models import Studio
    from tenants.services import studio_create

    result = studio_create(
        name="Season Studio",
        slug=token,
        owner_email=f"owner@{token}.test",
        owner_name="Season Owner",
        owner_password=_common.PASSWORD,
    )
    studio = result.studio
    # a revenue-share plan, so card fees and the offline share are booked too
    plan = Plan.objects.create(
        code=f"{token}-share",
        name="Season share",
        kind=PlanKind.REVENUE_SHARE,
        revenue_share_percent=Decimal("5"),
        is_public=False,
    )
    Studio.objects.filter(pk=studio.pk).update(plan=plan)
    studio = Studio.objects.get(pk=studio.pk)
    today = timezone.localdate()
    season_start = today - datetime.timedelta(days=90)
    with schema_context(studio.schema_name), transaction.atomic():
        owner = User.objects.get(email=studio.owner_email)
        photographers_n = max(1, args.staff * 3 // 4)
        people = []
        for n in range(args.staff):
            role = (
                Role.PHOTOGRAPHER
                if n < photographers_n
                else Role.MANAGER
                if n == args.staff - 1
                else Role.RETOUCHER
            )
            people.append(
                User.objects.create_user(
                    email=f"staff{n}@{token}.test", full_name=f"Staff {n}", role=role
                )
            )
        photographers = [p for p in people if p.role == Role.PHOTOGRAPHER]
        for kind, role, amount, print_amount in (
            (PayRuleKind.PHOTO_SALE, Role.PHOTOGRAPHER, Decimal("0.50"), Decimal("1.00")),
            (PayRuleKind.SALES_PERCENT, Role.PHOTOGRAPHER, Decimal("2"), None),
            (PayRuleKind.RETOUCH, Role.RETOUCHER, Decimal("0.30"), None),
        ):
            rule_create(
                kind=kind,
                role=role,
                effective_from=season_start,
                amount=amount,
                print_amount=print_amount,
                actor=owner,
            )
        schools, shoots, photos_by_child = [], [], {}
        year = current_school_year(today)
        for s in range(args.schools):
            school = school_create(name=f"School {s:02d}")
            photographer = photographers[s % len(photographers)]
            shoot = shoot_create(
                school=school,
                name=f"Autumn {s:02d}",
                date=season_start + datetime.timedelta(days=s),
                photographers=[photographer],
            )
            classes = SchoolClass.objects.bulk_create(
                SchoolClass(school=school, name=f"{c + 1}A", school_year=year)
                for c in range(CLASSES_PER_SCHOOL)
            )
            children = Student.objects.bulk_create(
                Student(school_class=cls, first_name=f"Child{k:02d}", last_name=f"S{s:02d}")
                for cls in classes
                for k in range(CHILDREN_PER_CLASS)
            )
            now = timezone.now()
            photos = Photo.objects.bulk_create(
                Photo(
                    shoot=shoot,
                    school_class=child.school_class,
                    original=f"originals/shoot-{shoot.pk}/season-{child.pk}.jpg",
                    original_name=f"IMG_{child.pk:05d}.jpg",
                    content_hash=f"{child.pk:064x}",
                    size_bytes=8_500_000,
                    photographer=photographer,
                    status=PhotoStatus.READY,
                    processed_at=now,
                    width=6000,
                    height=4000,
                )
                for child in children
            )
            Through = Photo.students.through
            Through.objects.bulk_create(
                Through(photo_id=p.pk, student_id=c.pk)
                for c, p in zip(children, photos, strict=True)
            )
            photos_by_child.update(
                {c.pk: (c, p, shoot) for c, p in zip(children, photos, strict=True)}
            )
            basis = (Basis.PERCENT, Basis.PER_ORDER, Basis.TIERED)[s % 3]
            terms = Terms(
                basis=basis,
                kinds=["digital", "print", "album", "package"],
                valid_from=season_start,
                percent=Decimal("10") if basis == Basis.PERCENT else None,
                fixed_amount=Decimal("1.50") if basis == Basis.PER_ORDER else None,
                tiers=(
                    ({"up_to": "2000", "percent": "8"}, {"up_to": None, "percent": "12"})
                    if basis == Basis.TIERED
                    else ()
                ),
            )
            agreement = agreement_create(school=school, terms=terms, actor=owner)
            agreement_move(agreement=agreement, to=AgreementStatus.SENT)
            agreement_move(agreement=agreement, to=AgreementStatus.SIGNED)
            schools.append(school)
            shoots.append(shoot)
    with schema_context(studio.schema_name), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "studio": studio,
        "schema": studio.schema_name,
        "host": f"{token}.{settings.BASE_DOMAIN}",
        "owner_email": studio.owner_email,
        "people": people,
        "schools": schools,
        "children": list(photos_by_child.values()),
    }


class SendClock:
    """Time spent in the money events' receivers: wraps ``send`` of the three signals."""

    def __init__(self, signals):
        self.seconds = 0.0
        self._signals = signals

    def __enter__(self):
        for signal in self._signals:
            original = signal.send

            def timed(*args, _original=original, **kwargs):
                started = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.seconds += time.perf_counter() - started

            signal.send = timed
        return self

    def __exit__(self, *exc):
        for signal in self._signals:
            del signal.send  # back to the class's method


def place_orders(setup: dict, args, rng: random.Random) -> dict:
    from django.db import transaction
    from django_tenants.utils import tenant_context

    from saas_platform.money import quantize, to_minor
    from studio.orders.models import APPLICATION_FEE_KEY, Payment
    from studio.orders.services import (
        LineInput,
        order_create,
        payment_confirm,
        payment_create,
        payment_record_offline,
        refund_record,
    )
    from studio.orders.signals import order_paid, order_refunded, payment_confirmed

    studio = setup["studio"]
    currency = studio.currency
    children = setup["children"]
    signals = (payment_confirmed, order_paid, order_refunded)
    orders = []
    placed_started = time.perf_counter()
    # tenant_context, as in the requests (webhooks, staff forms) where these events happen
    with tenant_context(studio), SendClock(signals) as clock:
        for n in range(args.orders):
            child, photo, shoot = children[rng.randrange(len(children))]
            lines = [
                LineInput(
                    "Digital file", "digital", 1, Decimal("10.00"), Decimal("10.00"),
                    Decimal("10.00"), child_id=child.pk, photo_id=photo.pk, shoot_id=shoot.pk,
                )
            ]  # fmt: skip
            if rng.random() < 0.6:
                qty = rng.randint(1, 3)
                gross = Decimal("6.00") * qty
                lines.append(
                    LineInput(
                        "Print 13×18", "print", qty, Decimal("6.00"), gross, gross,
                        child_id=child.pk, photo_id=photo.pk, shoot_id=shoot.pk,
                    )
                )  # fmt: skip
            if rng.random() < 0.2:
                lines.append(
                    LineInput(
                        "All photos", "package", 1, Decimal("25.00"), Decimal("25.00"),
                        Decimal("25.00"), child_id=child.pk, shoot_id=shoot.pk,
                    )
                )  # fmt: skip
            if n % 3 == 0:  # a sibling discount of 10 % on every line
                lines = [
                    LineInput(
                        **{
                            **line.__dict__,
                            "net": quantize(line.gross * Decimal("0.9"), currency),
                            "adjustments": (("Sibling discount", line.gross / 10),),
                        }
                    )
                    for line in lines
                ]
            method = rng.choice(("stripe", "stripe", "bank_transfer", "bank_transfer", "cash"))
            with transaction.atomic():
                order = order_create(
                    lines=lines,
                    currency=currency,
                    email=f"family{n}@parents.test",
                    payment_method=method,
                    idempotency_key=f"season-{n}",
                )
            instalments = [order.total]
            if rng.random() < 0.1:
                half = quantize(order.total / 2, currency)
                instalments = [half, order.total - half]
            for amount in instalments:
                with transaction.atomic():
                    if method == "stripe":
                        payment = payment_create(order=order, provider="stripe", amount=amount)
                        fee = to_minor(studio.platform_share(amount, currency), currency)
                        Payment.objects.filter(pk=payment.pk).update(
                            provider_data={APPLICATION_FEE_KEY: fee}
                        )
                        payment_confirm(payment=Payment.objects.get(pk=payment.pk))
                    else:
                        payment_record_offline(
                            order=order, amount=amount, method=method, actor=None
                        )
            orders.append(order)
            if (n + 1) % 1000 == 0:
                _common.progress(f"{n + 1} orders placed and paid …")
        for k, order in enumerate(rng.sample(orders, min(args.refunds, len(orders)))):
            order.refresh_from_db()
            with transaction.atomic():
                if k % 2 == 0:
                    line = order.lines.order_by("-net").first()
                    refund_record(
                        order=order, amount=line.net, reason="damaged", line_ids=[line.pk]
                    )
                else:
                    part = quantize(order.total * Decimal("0.3"), currency)
                    refund_record(order=order, amount=part, reason="goodwill")
    return {
        "orders": len(orders),
        "accrual_s": clock.seconds,
        "place_and_pay_s": time.perf_counter() - placed_started,
    }


def close_and_state(setup: dict) -> dict:
    """Closes everything so far as one period; stores every school's statement; builds every
    person's pay statement."""
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from studio.commissions.services import statement_get
    from studio.ledger.models import LedgerEntry
    from studio.ledger.services import period_close
    from studio.payroll import selectors as pay_selectors

    with tenant_context(setup["studio"]):  # a request: the owner closes the month
        first = LedgerEntry.objects.order_by("occurred_at").values_list("occurred_at", flat=True)[0]
        time.sleep(0.01)
        ends = timezone.now()
        started = time.perf_counter()
        period = period_close(starts_at=first, ends_at=ends, label="season")
        statements = [statement_get(period=period, school=school) for school in setup["schools"]]
        closed_s = time.perf_counter() - started
        started = time.perf_counter()
        starts_day = timezone.localdate(first) - datetime.timedelta(days=1)
        ends_day = timezone.localdate(ends)
        pay_statements = [
            pay_selectors.statement(person, starts=starts_day, ends=ends_day)
            for person in setup["people"]
        ]
        pay_s = time.perf_counter() - started
    return {
        "close_s": closed_s,
        "pay_statements_s": pay_s,
        "period": period,
        "statements": statements,
        "pay_statements": pay_statements,
    }


def reconcile(setup: dict, closed: dict) -> dict:
    from django.db.models import Sum
    from django_tenants.utils import schema_context

    from saas_platform.money import to_minor
    from studio.ledger import accounts
    from studio.ledger.models import AccountKind, LedgerEntry
    from studio.orders.models import Payment, PaymentStatus, Refund

    currency = setup["studio"].currency
    with schema_context(setup["schema"]):
        entries = LedgerEntry.objects.filter(currency=currency)

        def total(queryset):
            return queryset.aggregate(t=Sum("amount_minor"))["t"] or 0

        received = to_minor(
            Payment.objects.filter(status=PaymentStatus.CONFIRMED).aggregate(t=Sum("amount"))["t"]
            or 0,
            currency,
        )
        refunded = to_minor(Refund.objects.aggregate(t=Sum("amount"))["t"] or 0, currency)
        kept = total(entries.filter(account__kind__in=[AccountKind.ASSET, AccountKind.LIABILITY]))
        commissions = total(entries.filter(account__code=accounts.COMMISSIONS))
        staff_pay = total(entries.filter(account__code=accounts.STAFF_PAY))
        fees = total(entries.filter(account__code=accounts.PLATFORM_FEES))
        diff = (received - refunded) - (kept + commissions + staff_pay + fees)
        unbalanced = (
            entries.values("transaction_id").annotate(t=Sum("amount_minor")).exclude(t=0).count()
        )
        owed_schools = -total(
            entries.filter(
                account__code__startswith=accounts.COMMISSION_PAYABLE_PREFIX,
                occurred_at__lt=closed["period"].ends_at,
            )
        )
        statements_closing = sum(s.closing_minor for s in closed["statements"])
        owed_people = -total(
            entries.filter(
                account__code__startswith=accounts.STAFF_PAYABLE_PREFIX,
                occurred_at__lt=closed["period"].ends_at,
            )
        )
        pay_closing = sum(to_minor(s.closing, currency) for s in closed["pay_statements"])
    return {
        "received_minor": received,
        "refunded_minor": refunded,
        "commissions_minor": commissions,
        "staff_pay_minor": staff_pay,
        "platform_fees_minor": fees,
        "reconcile_diff_minor": diff,
        "unbalanced_transactions": unbalanced,
        "statements_diff_minor": statements_closing - owed_schools,
        "pay_statements_diff_minor": pay_closing - owed_people,
    }


def _get(conn, path: str, headers: dict) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    return response.status, body, (time.perf_counter() - started) * 1000


def _cookies(response) -> dict:
    found = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            found[name] = rest.split(";", 1)[0]
    return found


def owner_session(port: int, host: str, email: str) -> str:
    """Logs the owner in through the staff login form; returns the Cookie header."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/accounts/login/", headers={"Host": host})
    response = conn.getresponse()
    csrf = CSRF_INPUT.search(response.read().decode()).group(1)
    cookies = _cookies(response)
    form = f"csrfmiddlewaretoken={csrf}&username={email}&password={_common.PASSWORD}"
    conn.request(
        "POST",
        "/accounts/login/",
        body=form.replace("@", "%40").replace(" ", "+"),
        headers={
            "Host": host,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Referer": f"http://{host}/accounts/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    cookies.update(_cookies(response))
    conn.close()
    if "sessionid" not in cookies:
        raise RuntimeError(f"the owner's log-in failed: {response.status}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def reports_latency(setup: dict, args, work: Path, database_url: str) -> dict:
    from django.db import connections

    connections.close_all()
    port = _common.free_port()
    workers = os.cpu_count() or 1
    server = _common.Child(
        [
            "gunicorn", "saas_platform.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", "4",
            "--timeout", "120",
        ],
        work / "gunicorn.log",
        _common.child_env(database_url),
    )  # fmt: skip
    try:
        _common.wait_for_port(port, server)
        cookie = owner_session(port, setup["host"], setup["owner_email"])
        headers = {"Host": setup["host"], "Cookie": cookie}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        timings = {"reports": [], "healthz": []}
        statuses = {"reports": set(), "healthz": set()}
        for path in ("/staff/reports/", "/healthz"):
            _get(conn, path, headers)  # warm-up: caches, connections
        for _ in range(args.requests):
            for path, name in (("/staff/reports/", "reports"), ("/healthz", "healthz")):
                status, _body, ms = _get(conn, path, headers)
                statuses[name].add(status)
                timings[name].append(ms)
        conn.close()
    finally:
        server.stop()

    def p(values, fraction):
        return _common.percentile(values, fraction)

    reports_p95, healthz_p95 = p(timings["reports"], 0.95), p(timings["healthz"], 0.95)
    return {
        "reports_p50_ms": statistics.median(timings["reports"]),
        "reports_p95_ms": reports_p95,
        "healthz_p50_ms": statistics.median(timings["healthz"]),
        "healthz_p95_ms": healthz_p95,
        "reports_ratio": reports_p95 / healthz_p95 if healthz_p95 else None,
        "reports_statuses": sorted(statuses["reports"]),
        "healthz_statuses": sorted(statuses["healthz"]),
        "gunicorn_workers": workers,
    }


def report(f: dict) -> None:
    per_1000 = 1000 / max(f["orders"], 1)
    rows = [
        ("orders placed and paid", f"{f['orders']:,}"),
        ("refunds", f"{f['refunds']:,}"),
        ("schools / staff", f"{f['schools']} / {f['staff']}"),
        ("seeding (not measured)", f"{f['seed_s']:.1f} s"),
        ("placing and paying, all of it", f"{f['place_and_pay_s']:.1f} s"),
        ("accrual (money receivers)", f"{f['accrual_s']:.1f} s"),
        ("accrual per 1,000 orders", f"{f['accrual_s'] * per_1000:.2f} s"),
        ("close + school statements", f"{f['close_s']:.2f} s  (target < {TARGET_CLOSE_S} s)"),
        ("close per 1,000 orders", f"{f['close_s'] * per_1000:.3f} s"),
        ("pay statements, everyone", f"{f['pay_statements_s']:.2f} s"),
        (
            "reports page p50 / p95",
            f"{f['reports_p50_ms']:.0f} / {f['reports_p95_ms']:.0f} ms  "
            f"(target p95 < {TARGET_REPORTS_P95_MS} ms)",
        ),
        ("/healthz p50 / p95", f"{f['healthz_p50_ms']:.1f} / {f['healthz_p95_ms']:.1f} ms"),
        ("reports p95 ÷ healthz p95", f"{f['reports_ratio']:.1f}"),
        ("HTTP statuses reports / healthz", f"{f['reports_statuses']} / {f['healthz_statuses']}"),
        ("received − refunded (minor)", f"{f['received_minor'] - f['refunded_minor']:,}"),
        (
            "  commissions / staff pay / fees",
            (
                f"{f['commissions_minor']:,} / {f['staff_pay_minor']:,} / "
                f"{f['platform_fees_minor']:,}"
            ),
        ),  # fmt: skip
        ("reconciliation difference (minor)", f"{f['reconcile_diff_minor']}  (must be 0)"),
        ("statements − commission accounts", f"{f['statements_diff_minor']}  (must be 0)"),
        ("pay statements − staff accounts", f"{f['pay_statements_diff_minor']}  (must be 0)"),
        ("unbalanced transactions", f"{f['unbalanced_transactions']}  (must be 0)"),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"Season benchmark — PostgreSQL {f['postgres_version']}, {f['cpus']} CPUs")
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--refunds", type=int, default=500)
    parser.add_argument("--staff", type=int, default=40)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    with _common.benchmark_process("season") as (work, pid):
        from celery.app.task import Task

        sent = []
        Task.apply_async = lambda self, *a, **k: sent.append(self.name)  # e-mails: counted only
        token = _common.run_token(pid)
        with _common.throwaway_database(pid) as (_database, database_url):
            os.environ["DATABASE_URL"] = database_url
            figures = {"postgres_version": _common.server_version(), "cpus": os.cpu_count()}
            _common.progress("seeding the studio, schools, people, photos, agreements, rules …")
            started = time.perf_counter()
            setup = seed(args, token)
            figures["seed_s"] = time.perf_counter() - started
            _common.progress(f"placing and paying {args.orders:,} orders …")
            figures.update(place_orders(setup, args, random.Random(args.seed)))
            _common.progress("closing the period and stating it …")
            closed = close_and_state(setup)
            figures.update(reconcile(setup, closed))
            figures["close_s"] = closed["close_s"]
            figures["pay_statements_s"] = closed["pay_statements_s"]
            _common.progress("timing the reports page against /healthz …")
            figures.update(reports_latency(setup, args, work, database_url))
            figures["tasks_not_sent"] = len(sent)
            figures["redis_keys_removed"] = _common.redis_forget(os.environ["REDIS_URL"], token)
        figures.update(
            {
                "schools": args.schools,
                "staff": args.staff,
                "refunds": args.refunds,
                "accrual_per_1000_s": figures["accrual_s"] * 1000 / max(figures["orders"], 1),
                "close_per_1000_s": figures["close_s"] * 1000 / max(figures["orders"], 1),
            }
        )
    report(figures)
    print(json.dumps(figures, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
