"""Rush benchmark: the evening before a sales deadline, a whole school's families open their
cards, sign in and check out within minutes, more of them at once than the site can serve.

    .venv/bin/python benchmarks/rush.py [--families 1000] [--ramp 180] [--overload 3] [--paced N]

Set-up (not timed): a throwaway database ``pictureday_bench_<pid>`` (``_common``), one studio
with one school: a published picture day, one child per family (25 per class), 4 photos per
child (READY rows sharing one real thumbnail and preview), the demo price sheet (a digital
file 5.00 …), bank details, a Stripe account marked ready against the local fake Stripe
(``tests/fakestripe.py``, in this process) and a coupon limited to ``--coupon-limit`` uses
that every 10th family tries (more families than uses).

The server: gunicorn as the production image runs it (gthread, ``--threads 8``, workers =
CPUs), DEBUG off, with the back-pressure settings' defaults (``saas_platform.backpressure``);
mail by SMTP to a sink in the load generator; Stripe's API base at the fake.

Measured, by a second process (``_rush_load.py``, asyncio):

1. **capacity**: ``/healthz`` on the studio's host, closed loop with 64 connections: the
   trivial view's requests per second on this machine now;
2. **the rush**: each family arrives on a schedule whose rate rises linearly for ``--ramp``
   seconds towards ``--overload`` × (that capacity ÷ the requests a family makes), then stays
   there until every family has come (with fewer families the ramp is cut short), and then:
   opens its card link (``/?code=…``, what the QR code opens), the gallery and two photos,
   adds a digital file to the cart, looks at the cart, (every 10th) applies the coupon, goes
   to checkout, signs in with its e-mail and the code read from the mail sink, places the
   order — half by bank transfer, half by card (the fake Stripe's page, then Stripe's signed
   ``checkout.session.completed`` webhook to the bare domain); every 5th family double-clicks
   "Place order" (two POSTs at once on two connections). Every request carries
   ``X-Request-Start`` as an ingress sets it. A 429/503 with ``Retry-After`` is shed, not an
   error: the family waits that long (±50 %) and tries again.
   Database connections: ``pg_stat_activity`` of the benchmark's database sampled every 50 ms.
3. **paced at the capacity found**: the capacity found is the families that placed their
   order per second during the rush, sustained (first to last); ``--paced`` more families
   (default families/10) then arrive one every 1/capacity seconds. ``checkout_p95_ms`` (target
   < 500 ms) is this phase's "Place order" p95; the rush's are ``checkout_p95_overload_ms`` &c.
4. **verification**, in the database afterwards: orders created = families that placed one
   (``lost`` 0), one order per family (``duplicates`` 0, the double clicks included),
   coupon redemptions ≤ its limit (``coupon_over`` 0), every card order paid by its webhook.

``checkout_to_trivial_ratio``: the checkout POST's throughput (its busiest 5 seconds) ÷ the
trivial view's. The last line of stdout is one JSON object with every figure. Exit code 0
whether or not the targets are met: this is a measurement, not a test.
"""

import argparse
import math
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402  (puts the repository on sys.path, sets DJANGO_SETTINGS_MODULE)

CHILDREN_PER_CLASS = 25
PHOTOS_PER_CHILD = 4
GUNICORN_THREADS = 8
TRIVIAL_CONNECTIONS = 64
REQUESTS_PER_FAMILY = 16  # roughly: 14 pages and posts, a fifth double-click, half a webhook
COUPON_CODE = "RUSH-LIMITED"
TARGET_CHECKOUT_P95_MS = 500
LOAD_SCRIPT = Path(__file__).resolve().parent / "_rush_load.py"
STEPS = (
    "card_link",
    "gallery",
    "photo",
    "add_to_cart",
    "cart",
    "coupon",
    "checkout_start",
    "sign_in",
    "sign_in_email",
    "mail",
    "sign_in_code_page",
    "sign_in_code",
    "checkout_page",
    "place_order",
    "place_order_bank_transfer",
    "place_order_stripe",
    "order_page",
    "webhook",
)


# --- seeding --------------------------------------------------------------------------------


def seed(setup: dict, families: int, coupon_limit: int, stripe_account: str) -> dict:
    """Classes, one child per family with 4 photos, the price sheet, payments, the coupon and
    the codes. Returns what each family needs to know (its code, child, photos, product)."""
    from django.core.files.storage import default_storage
    from django.db import connection, transaction
    from django.utils import timezone
    from django_tenants.utils import schema_context
    from storefront import _file, small_jpegs

    from studio.access.models import AccessCode, AccessCodeKind
    from studio.access.services import access_codes_issue
    from studio.catalogue.services.coupons import coupon_create
    from studio.demo.shop import DemoPrices, demo_catalogue_seed
    from studio.photos.models import Photo, PhotoStatus
    from studio.schools.models import SchoolClass, Student
    from studio.schools.roster import current_school_year
    from tenants.models import StripeAccountStatus

    shoot, school, studio = setup["shoot"], setup["school"], setup["studio"]
    thumb, preview = small_jpegs()
    now = timezone.now()
    classes_needed = math.ceil(families / CHILDREN_PER_CLASS)
    with schema_context(setup["schema"]), transaction.atomic():
        thumb_name = default_storage.save(f"derived/shoot-{shoot.pk}/rush-thumb.jpg", _file(thumb))
        preview_name = default_storage.save(
            f"derived/shoot-{shoot.pk}/rush-preview.jpg", _file(preview)
        )
        year = current_school_year(shoot.date)
        classes = SchoolClass.objects.bulk_create(
            SchoolClass(
                school=school, name=f"{1 + i // 4}{'ABCD'[i % 4]}-{i:02d}", school_year=year
            )
            for i in range(classes_needed)
        )
        children = Student.objects.bulk_create(
            Student(
                school_class=classes[i // CHILDREN_PER_CLASS],
                first_name=f"Child{i:04d}",
                last_name="Rush",
            )
            for i in range(families)
        )
        tagged = []
        for child in children:
            for p in range(PHOTOS_PER_CHILD):
                n = len(tagged)
                tagged.append(
                    (
                        child,
                        Photo(
                            shoot=shoot,
                            school_class=child.school_class,
                            original=f"originals/shoot-{shoot.pk}/rush-{n}.jpg",
                            original_name=f"IMG_{child.pk:04d}_{p}.jpg",
                            content_hash=f"{n:064x}",
                            size_bytes=8_500_000,
                            photographer=setup["photographer"],
                            status=PhotoStatus.READY,
                            processed_at=now,
                            width=6000,
                            height=4000,
                            thumbnail=thumb_name,
                            preview=preview_name,
                        ),
                    )
                )
        Photo.objects.bulk_create([p for _, p in tagged], batch_size=5000)
        Through = Photo.students.through
        Through.objects.bulk_create(
            (Through(photo_id=p.pk, student_id=c.pk) for c, p in tagged), batch_size=10000
        )
        catalogue = demo_catalogue_seed(
            school=school,
            name="Rush prices",
            prices=DemoPrices(digital="5", sibling_percent=None, coupon_code=None),
        )
        coupon_create(code=COUPON_CODE, kind="fixed", value="1", max_uses=coupon_limit)
        shoot.status = "published"
        shoot.save(update_fields=["status"])
        access_codes_issue(shoot=shoot)
        codes = {
            code.student_id: code.display
            for code in AccessCode.objects.filter(kind=AccessCodeKind.STUDENT)
        }
    studio.bank_details = "Rush Studio Ltd\nIBAN DE00 1234 5678 9012"
    studio.accept_bank_transfer = True
    studio.stripe_account_id = stripe_account
    studio.stripe_account_status = StripeAccountStatus.READY
    studio.save()
    with schema_context(setup["schema"]), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    photos: dict[int, list[int]] = {}
    for child, photo in tagged:
        photos.setdefault(child.pk, []).append(photo.pk)
    token = setup["host"].split(".", 1)[0]  # the slug (a schema name has an underscore)
    return {
        "families": [
            {
                "code": codes[child.pk],
                "child": child.pk,
                "photos": photos[child.pk],
                "product": str(catalogue.digital.pk),
                "email": f"parent{i:04d}@{token}.test",
                "method": "bank_transfer" if i % 2 == 0 else "stripe",
                "double_click": i % 5 == 2,
                "coupon": COUPON_CODE if i % 10 == 3 else "",
            }
            for i, child in enumerate(children)
        ],
        "photos": len(tagged),
        "classes": len(classes),
    }


# --- load and sampling ----------------------------------------------------------------------


def load(spec: dict, work: Path, name: str, timeout: float) -> dict:
    return _common.run_load(LOAD_SCRIPT, spec, work, name, timeout)


class ConnectionSampler:
    """Client backends connected to the benchmark's database, every 50 ms, from a connection
    of its own (not counted): the peak, and the peak of those running a query."""

    def __init__(self, settings_dict: dict, database: str):
        self.settings = {**settings_dict, "NAME": database}
        self.peak = self.peak_active = self.peak_lock_waits = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psycopg2

        s = self.settings
        conn = psycopg2.connect(
            dbname=s["NAME"],
            user=s["USER"],
            password=s["PASSWORD"],
            host=s["HOST"],
            port=s["PORT"],
        )
        conn.autocommit = True
        with conn.cursor() as cursor:
            while not self.stop.is_set():
                cursor.execute(
                    "SELECT count(*), count(*) FILTER (WHERE state = 'active'),"
                    " count(*) FILTER (WHERE wait_event_type = 'Lock')"
                    " FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                )
                total, active, waiting = cursor.fetchone()
                self.peak = max(self.peak, total)
                self.peak_active = max(self.peak_active, active)
                self.peak_lock_waits = max(self.peak_lock_waits, waiting)
                time.sleep(0.05)
        conn.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)


def arrival_times(families: int, peak: float, ramp: float) -> list[float]:
    """Seconds after the start for each family: the rate rises linearly to ``peak`` families
    per second over ``ramp`` seconds, then stays at ``peak``."""
    in_ramp = peak * ramp / 2
    times = []
    for k in range(families):
        if k <= in_ramp:
            times.append(math.sqrt(2 * ramp * k / peak))
        else:
            times.append(ramp + (k - in_ramp) / peak)
    return times


# --- verification ---------------------------------------------------------------------------


def verify(schema: str, outcomes: list[dict], coupon_limit: int) -> dict:
    from django.db.models import Count
    from django_tenants.utils import schema_context

    from studio.catalogue.models import Coupon, CouponRedemption
    from studio.orders.models import Order, OrderStatus

    placed = [o for o in outcomes if o.get("placed")]
    with schema_context(schema):
        per_parent = dict(
            Order.objects.values_list("parent__email").annotate(n=Count("pk")).order_by()
        )
        orders = Order.objects.count()
        card = Order.objects.filter(payment_method="stripe")
        card_orders = card.count()
        card_paid = card.exclude(status=OrderStatus.PENDING_PAYMENT).count()
        coupon = Coupon.objects.get(code=COUPON_CODE)
        redemptions = CouponRedemption.objects.filter(coupon=coupon).count()
        by_status = dict(Order.objects.values_list("status").annotate(n=Count("pk")).order_by())
    duplicates = sum(n - 1 for n in per_parent.values() if n > 1)
    lost = sum(1 for o in placed if per_parent.get(o["email"], 0) == 0)
    return {
        "orders_intended": len(placed),
        "orders_created": orders,
        "families_with_an_order": len(per_parent),
        "duplicates": duplicates,
        "lost": lost,
        "unintended": sum(1 for email in per_parent if email not in {o["email"] for o in placed}),
        "coupon_limit": coupon_limit,
        "coupon_uses": coupon.uses,
        "coupon_redemptions": redemptions,
        "coupon_over": max(0, coupon.uses - coupon_limit, redemptions - coupon_limit),
        "card_orders": card_orders,
        "card_orders_paid": card_paid,
        "orders_by_status": by_status,
    }


# --- figures --------------------------------------------------------------------------------


def step_figures(result: dict) -> dict:
    figures = {}
    for step in STEPS:
        values = result["samples"].get(step, [])
        shed = result["shed"].get(step, [])
        figures[step] = {
            "ok": len(values),
            "shed": len(shed),
            "p50_ms": _common.percentile(values, 0.5) * 1000 if values else None,
            "p95_ms": _common.percentile(values, 0.95) * 1000 if values else None,
            "p99_ms": _common.percentile(values, 0.99) * 1000 if values else None,
            "shed_p95_ms": _common.percentile(shed, 0.95) * 1000 if shed else None,
        }
    return figures


def busiest_rate(times: list[float], window: float = 5.0) -> float:
    """The most completions in any ``window`` seconds, per second."""
    times = sorted(times)
    best, low = 0, 0
    for high, moment in enumerate(times):
        while moment - times[low] > window:
            low += 1
        best = max(best, high - low + 1)
    return best / window


# --- the run --------------------------------------------------------------------------------


def run(args, work: Path, pid: int, token: str) -> dict:
    from django.conf import settings
    from django.db import connections

    from tests.fakestripe import FakeStripe

    figures: dict = {}
    cpus = os.cpu_count() or 1
    stripe_key, webhook_secret = "sk_test_rush", "whsec_test_rush"
    stripe_account = f"acct_{token}"
    fake = FakeStripe().start()
    with _common.throwaway_database(pid) as (database, child_database_url):
        os.environ["DATABASE_URL"] = child_database_url
        figures["postgres_version"] = _common.server_version()
        figures["database"] = database
        setup = _common.studio_with_shoot(token)
        _common.progress(f"seeding {args.families} families …")
        started = time.perf_counter()
        seeded = seed(setup, args.families + args.paced, args.coupon_limit, stripe_account)
        figures["seed_s"] = time.perf_counter() - started
        settings_dict = dict(connections["default"].settings_dict)
        connections.close_all()

        port, smtp_port = _common.free_port(), _common.free_port()
        server = None
        try:
            _common.progress(f"starting gunicorn ({cpus} workers × {GUNICORN_THREADS} threads) …")
            server = _common.Child(
                _common.gunicorn_gthread(port, cpus, GUNICORN_THREADS),
                work / "gunicorn.log",
                _common.child_env(
                    child_database_url,
                    TRUSTED_PROXY_COUNT="1",
                    WEB_THREADS=str(GUNICORN_THREADS),
                    EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}/?timeout=30",
                    STRIPE_API_BASE=fake.url,
                    STRIPE_SECRET_KEY=stripe_key,
                    STRIPE_WEBHOOK_SECRET=webhook_secret,
                    CELERY_TASK_DEFAULT_QUEUE=token,
                    PUBLIC_PORT=str(port),
                ),
            )
            _common.wait_for_port(port, server)
            base = {"address": "127.0.0.1", "port": port, "host": setup["host"]}
            _common.progress(f"capacity: /healthz closed loop, {args.trivial_duration:g} s …")
            trivial = load(
                {
                    **base,
                    "action": "trivial",
                    "connections": TRIVIAL_CONNECTIONS,
                    "warmup": 3,
                    "duration": args.trivial_duration,
                },
                work,
                "trivial",
                args.trivial_duration + 120,
            )
            trivial_ok = trivial["statuses"].get("200", 0)
            trivial_rps = trivial_ok / trivial["duration"]
            capacity_families = max(trivial_rps, 1.0) / REQUESTS_PER_FAMILY
            peak = args.overload * capacity_families
            # the peak is reached with half the families at most, the rest arrive at it
            ramp = min(args.ramp, args.families / peak)
            arrivals = arrival_times(args.families, peak, ramp)
            _common.progress(
                f"trivial {trivial_rps:.0f} req/s → peak arrivals {peak:.1f} families/s; "
                f"{args.families} families arrive over {arrivals[-1]:.0f} s …"
            )
            spec = {
                **base,
                "action": "rush",
                "families": seeded["families"][: args.families],
                "arrivals": arrivals,
                "smtp_port": smtp_port,
                "stripe_url": fake.url,
                "stripe_key": stripe_key,
                "stripe_account": stripe_account,
                "stripe_webhook_secret": webhook_secret,
                "bare_host": settings.BASE_DOMAIN,
                "dump": os.environ.get("RUSH_DUMP", ""),
            }
            with ConnectionSampler(settings_dict, database) as sampler:
                result = load(spec, work, "rush", arrivals[-1] + 1800)
            # The capacity found: families who placed their order per second, sustained (from
            # the first placed order to the last) while more arrived than the site served.
            placed_at = sorted(o["placed_at"] for o in result["outcomes"] if o.get("placed"))
            found = (
                (len(placed_at) - 1) / (placed_at[-1] - placed_at[0])
                if len(placed_at) > 1 and placed_at[-1] > placed_at[0]
                else 0.0
            )
            paced = None
            if args.paced and found:
                _common.progress(
                    f"capacity found {found:.2f} families/s; {args.paced} more families arrive "
                    f"at that rate, one every {1 / found:.2f} s …"
                )
                paced_arrivals = [i / found for i in range(args.paced)]
                paced = load(
                    {
                        **spec,
                        "families": seeded["families"][args.families :],
                        "arrivals": paced_arrivals,
                    },
                    work,
                    "paced",
                    paced_arrivals[-1] + 1800,
                )
            figures["db_connections_peak"] = sampler.peak
            figures["db_connections_active_peak"] = sampler.peak_active
            figures["db_lock_waits_peak"] = sampler.peak_lock_waits
            _common.progress("verifying the orders in the database …")
            checked = verify(
                setup["schema"],
                result["outcomes"] + (paced["outcomes"] if paced else []),
                args.coupon_limit,
            )
            server_errors = server.log_text().count("Traceback")
        finally:
            if server is not None:
                server.stop()
            fake.stop()
            figures["redis_keys_removed"] = _common.redis_forget(
                os.environ["REDIS_URL"], token, queue=token
            )

    steps = step_figures(result)
    paced_steps = step_figures(paced) if paced else {}
    paced_place = paced_steps.get("place_order", {})
    paced_errors = sum(paced["error_steps"].values()) if paced else 0
    paced_shed = sum(len(v) for v in paced["shed"].values()) if paced else 0
    paced_placed = sum(1 for o in paced["outcomes"] if o.get("placed")) if paced else 0
    placed = sum(1 for o in result["outcomes"] if o.get("placed")) + paced_placed
    errors = sum(result["error_steps"].values()) + paced_errors
    shed = sum(len(v) for v in result["shed"].values()) + paced_shed
    checkout_rps = busiest_rate(result["completions"].get("place_order", []))
    trivial_samples = trivial["samples"]
    figures.update(
        {
            "cpus": cpus,
            "gunicorn_workers": cpus,
            "gunicorn_threads": GUNICORN_THREADS,
            "db_connections_allowed": cpus * GUNICORN_THREADS,
            "families": args.families,
            "paced_families": args.paced,
            "photos": seeded["photos"],
            "classes": seeded["classes"],
            "trivial_rps": trivial_rps,
            "trivial_p95_ms": _common.percentile(trivial_samples, 0.95) * 1000
            if trivial_samples
            else None,
            "capacity_families_per_s": capacity_families,
            "overload": args.overload,
            "peak_arrivals_per_s": peak,
            "ramp_s": ramp,
            "arrivals_span_s": arrivals[-1],
            "rush_wall_s": result["wall"],
            "families_placed": placed,
            "families_failed": args.families + args.paced - placed,
            "errors": errors,
            "error_steps": result["error_steps"],
            "error_samples": (result["errors"] + (paced["errors"] if paced else []))[:10],
            "server_tracebacks": server_errors,
            "shed": shed,
            "shed_by_step": {k: len(v) for k, v in result["shed"].items()},
            "sent_back_to_cart": result["notes"].get("back_to_cart", 0),
            "mail_received": result["mail_received"],
            "steps": steps,
            "paced_steps": paced_steps,
            "paced_shed": paced_shed,
            "paced_errors": paced_errors,
            "capacity_found_families_per_s": found,
            "checkout_p50_ms": paced_place.get("p50_ms"),
            "checkout_p95_ms": paced_place.get("p95_ms"),
            "checkout_p99_ms": paced_place.get("p99_ms"),
            "checkout_p50_overload_ms": steps["place_order"]["p50_ms"],
            "checkout_p95_overload_ms": steps["place_order"]["p95_ms"],
            "checkout_p99_overload_ms": steps["place_order"]["p99_ms"],
            "checkout_peak_rps": checkout_rps,
            "checkout_to_trivial_ratio": checkout_rps / trivial_rps if trivial_rps else 0.0,
            **checked,
            "target_checkout_p95_ms": TARGET_CHECKOUT_P95_MS,
        }
    )
    p95 = figures["checkout_p95_ms"]
    figures["meets_target"] = (
        errors == 0
        and checked["duplicates"] == 0
        and checked["lost"] == 0
        and checked["coupon_over"] == 0
        and p95 is not None
        and p95 < TARGET_CHECKOUT_P95_MS
    )
    return figures


# --- report ---------------------------------------------------------------------------------


def report(f: dict) -> None:
    def ms(value) -> str:
        return f"{value:8.1f}" if value is not None else "       –"

    lines = [
        "",
        f"Pictureday rush benchmark — one school, {f['families']} families ({f['classes']} "
        f"classes, {f['photos']} photos), database {f['database']} (PostgreSQL "
        f"{f['postgres_version']}, dropped); seeded in {f['seed_s']:.1f} s",
        f"gunicorn gthread {f['gunicorn_workers']} workers × {f['gunicorn_threads']} threads, "
        f"DEBUG off, back-pressure on (≤ {f['db_connections_allowed']} database connections)",
        f"capacity: /healthz {f['trivial_rps']:.0f} req/s (closed loop, {TRIVIAL_CONNECTIONS} "
        f"connections) ≈ {f['capacity_families_per_s']:.1f} families/s at "
        f"{REQUESTS_PER_FAMILY} requests each",
        f"arrivals: ramped over {f['ramp_s']:.0f} s to {f['peak_arrivals_per_s']:.1f} families/s "
        f"({f['overload']:g}× that), all {f['families']} within {f['arrivals_span_s']:.0f} s; "
        f"the rush took "
        f"{f['rush_wall_s']:.0f} s",
        "",
        f"  {'step':<26}{'ok':>7}{'shed':>7}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}"
        f"{'shed p95':>10}",
    ]

    def table(steps):
        for step, s in steps.items():
            if s["ok"] or s["shed"]:
                lines.append(
                    f"  {step:<26}{s['ok']:>7}{s['shed']:>7}  {ms(s['p50_ms'])}  "
                    f"{ms(s['p95_ms'])}  {ms(s['p99_ms'])}  {ms(s['shed_p95_ms'])}"
                )

    lines.append(f"the rush ({f['families']} families, overload):")
    table(f["steps"])
    if f["paced_steps"]:
        lines += [
            "",
            f"paced at the capacity found ({f['paced_families']} more families, one every "
            f"{1 / f['capacity_found_families_per_s']:.2f} s):",
        ]
        table(f["paced_steps"])
    lines += [
        "",
        f"{'families who placed an order':<44}{f['families_placed']:>8} of "
        f"{f['families'] + f['paced_families']}",
        f"{'errors (must be 0)':<44}{f['errors']:>8}   {_common.verdict(f['errors'] == 0)}",
        f"{'shed (429/503 + Retry-After, retried)':<44}{f['shed']:>8}",
        f"{'orders intended / created':<44}{f['orders_intended']:>8} / {f['orders_created']}",
        f"{'duplicates (must be 0)':<44}{f['duplicates']:>8}   "
        f"{_common.verdict(f['duplicates'] == 0)}",
        f"{'lost (must be 0)':<44}{f['lost']:>8}   {_common.verdict(f['lost'] == 0)}",
        f"{'coupon uses / limit (over must be 0)':<44}{f['coupon_uses']:>8} / "
        f"{f['coupon_limit']}   {_common.verdict(f['coupon_over'] == 0)}",
        f"{'card orders / paid by webhook':<44}{f['card_orders']:>8} / {f['card_orders_paid']}",
        f"{'capacity found (families placing/s, sustained)':<44}"
        f"{f['capacity_found_families_per_s']:8.2f}",
        f"{'checkout p95 paced at that capacity':<44}{ms(f['checkout_p95_ms'])} ms < "
        f"{TARGET_CHECKOUT_P95_MS} ms   "
        f"{_common.verdict(f['checkout_p95_ms'] is not None and f['checkout_p95_ms'] < 500)}"
        f"  (shed {f['paced_shed']})",
        f"{'checkout p95 overall (overload included)':<44}{ms(f['checkout_p95_overload_ms'])} ms",
        f"{'checkout busiest 5 s / trivial req/s':<44}{f['checkout_peak_rps']:8.1f} / "
        f"{f['trivial_rps']:.0f} = {f['checkout_to_trivial_ratio']:.3f}",
        f"{'database connections (peak / active peak)':<44}{f['db_connections_peak']:>8} / "
        f"{f['db_connections_active_peak']}  (allowed {f['db_connections_allowed']}); "
        f"waiting on a lock, peak {f['db_lock_waits_peak']}",
        f"{'tracebacks in the server log':<44}{f['server_tracebacks']:>8}",
        f"overall {_common.verdict(f['meets_target'])}",
        "",
    ]
    if f["error_samples"]:
        lines += ["errors (first 10):", *(f"  {e}" for e in f["error_samples"]), ""]
    print("\n".join(lines))
    _common.print_json_last(f)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=1000, help="families (1000)")
    parser.add_argument("--ramp", type=float, default=180, help="seconds of rising arrivals")
    parser.add_argument(
        "--overload", type=float, default=3, help="peak arrivals ÷ measured capacity (3)"
    )
    parser.add_argument(
        "--paced", type=int, default=None, help="families paced at the capacity (families/10)"
    )
    parser.add_argument("--coupon-limit", type=int, default=None, help="uses (families / 40)")
    parser.add_argument("--trivial-duration", type=float, default=10, help="seconds (10)")
    args = parser.parse_args(argv)
    if args.paced is None:
        args.paced = max(10, args.families // 10)
    if args.coupon_limit is None:
        args.coupon_limit = max(2, args.families // 40)
    with _common.benchmark_process("rush") as (work, pid):
        figures = run(args, work, pid, _common.run_token(pid))
    report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
