"""The periodic figures: one task per studio in its own schema, landing in that studio's row,
and the daily platform row built from public tables only."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django_tenants.utils import schema_context

from billing.models import Plan, PlanKind, StudioSalesSnapshot
from operator_console.models import PlatformDailyStat
from operator_console.services import platform_daily_stat_record, support_email
from saas_platform.accounts.models import Role, User
from studio.core.limits import season_start
from studio.orders.services import (
    LineInput,
    order_create,
    payment_record_offline,
    refund_record,
)
from studio.photos.models import Photo
from studio.plan.tasks import sales_snapshots_collect_all
from studio.schools.models import School
from studio.shoots.services import shoot_create
from tests.conftest import ledger_backdate


def _order(books, number, total, *, paid=None, refunded=None, created_at=None):
    """An order through the services, with its payment and refund in the books (``books``:
    pytest-django's ``django_capture_on_commit_callbacks``, so the ledger hears the events)."""
    with books(execute=True):
        order = _paid_order(number, total, paid=paid, refunded=refunded)
    if created_at:
        ledger_backdate(order.pk, created_at)
    return order


def _paid_order(number, total, *, paid, refunded, method="cash"):
    amount = Decimal(total)
    order = order_create(
        lines=[LineInput("Print", "print", 1, amount, amount, amount)],
        currency="EUR",
        email=f"{number}@parents.test",
        payment_method=method,
        idempotency_key=number,
    )
    if paid:
        payment_record_offline(order=order, amount=Decimal(paid), method=method, actor=None)
    if refunded:
        refund_record(order=order, amount=Decimal(refunded), reason="test")
    return order


def test_season_starts_on_the_first_of_august():
    assert season_start(datetime.date(2026, 11, 25)) == datetime.date(2026, 8, 1)
    assert season_start(datetime.date(2027, 3, 1)) == datetime.date(2026, 8, 1)
    assert season_start(datetime.date(2026, 8, 1)) == datetime.date(2026, 8, 1)


def test_snapshots_are_collected_per_studio_in_its_own_schema(
    alpha, beta, run_tasks, django_capture_on_commit_callbacks
):
    """GMV is what was received less refunds (a part-paid order counts what it paid); the
    platform's revenue is the fees the books hold, the share of each payment received."""
    share = Plan.objects.create(
        code="share-test",
        name="Share",
        kind=PlanKind.REVENUE_SHARE,
        revenue_share_percent=Decimal("10"),
    )
    alpha.studio.plan = share
    alpha.studio.save(update_fields=["plan"])
    now = timezone.now()
    last_season = datetime.datetime.combine(
        season_start(now.date()) - datetime.timedelta(days=3),
        datetime.time(12),
        tzinfo=datetime.UTC,
    )
    # an earlier order this season: yesterday, unless the season began today (1 August)
    season_day_one = now.date() == season_start(now.date())
    yesterday = now - datetime.timedelta(days=1)
    books = django_capture_on_commit_callbacks
    with schema_context(alpha.schema):
        _order(books, "A-1", "30.00", paid="30.00")
        if not season_day_one:
            _order(books, "A-2", "12.50", paid="12.50", created_at=yesterday)
        _order(books, "A-3", "99.00", paid="20.00")  # part paid: its 20.00 was received
        _order(books, "A-4", "1000.00", paid="1000.00", created_at=last_season)
        _order(books, "A-5", "10.00", paid="10.00", refunded="4.00")
        User.objects.create_user(email="photo@alpha.test", role=Role.PHOTOGRAPHER)
        shoot = shoot_create(
            school=School.objects.create(name="Snapshot school"), name="Day", date="2026-10-01"
        )
        owner = User.objects.get(role=Role.OWNER)
        for n, size in enumerate((1000, 2500)):
            Photo.objects.create(
                shoot=shoot,
                original_name=f"{n}.jpg",
                content_hash=f"{n:064d}",
                size_bytes=size,
                photographer=owner,
            )
        User.objects.create_user(email=support_email(User(pk=1)), role=Role.MANAGER)
    with schema_context(beta.schema):
        _order(books, "B-1", "7.00", paid="7.00")

    assert sales_snapshots_collect_all() >= 2

    sent = {
        args[0] for name, args, _kw in run_tasks if name.endswith("snapshot_collect_for_studio")
    }
    assert {alpha.studio.pk, beta.studio.pk} <= sent
    a = StudioSalesSnapshot.objects.get(studio=alpha.studio)
    b = StudioSalesSnapshot.objects.get(studio=beta.studio)
    season_orders = (1, Decimal("56.00")) if season_day_one else (2, Decimal("68.50"))
    assert (a.orders_season, a.gmv_season) == season_orders
    assert (a.orders_today, a.gmv_today) == (1, Decimal("56.00"))  # 30 + 20 + 10 − 4
    # 10 % of each payment received this season (a refund does not return the share)
    received = Decimal("60.00") if season_day_one else Decimal("72.50")
    assert a.platform_revenue_season == (received / 10).quantize(Decimal("0.01"))
    assert (a.photos, a.storage_bytes) == (2, 3500)
    assert (b.photos, b.storage_bytes) == (0, 0)
    assert a.staff == 2  # owner and photographer; the support user is not counted
    assert a.last_activity_at is not None
    assert (b.orders_season, b.gmv_season, b.orders_today, b.gmv_today) == (
        1,
        Decimal("7.00"),
        1,
        Decimal("7.00"),
    )
    assert b.platform_revenue_season == Decimal("0")  # no revenue-share plan
    assert b.staff == 1


def test_the_daily_platform_row_sums_snapshots_and_plans(alpha, beta):
    monthly = Plan.objects.create(
        code="m-test", name="M", kind=PlanKind.MONTHLY, price=Decimal("30")
    )
    yearly = Plan.objects.create(
        code="y-test", name="Y", kind=PlanKind.YEARLY, price=Decimal("120")
    )
    alpha.studio.plan = monthly
    alpha.studio.save(update_fields=["plan"])
    beta.studio.plan = yearly
    beta.studio.status = "blocked"
    beta.studio.save(update_fields=["plan", "status"])
    now = timezone.now()
    for studio, gmv, fee in ((alpha.studio, "10.00", "1.00"), (beta.studio, "5.00", "0.50")):
        StudioSalesSnapshot.objects.create(
            studio=studio,
            gmv_today=Decimal(gmv),
            platform_revenue_today=Decimal(fee),
            computed_at=now,
        )

    stat = platform_daily_stat_record()
    again = platform_daily_stat_record()

    assert PlatformDailyStat.objects.count() == 1 and again.pk == stat.pk
    assert stat.mrr == Decimal("30.00")  # beta is blocked, so its yearly fee is not counted
    assert stat.active_studios == 1
    assert (stat.gmv, stat.platform_revenue) == (Decimal("15.00"), Decimal("1.50"))
