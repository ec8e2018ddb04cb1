"""Reads for the console. ``studio_sales_counts`` runs inside a studio's schema (from the
periodic task); everything else reads the public schema only."""

import datetime
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from tenants.models import Studio

SUPPORT_EMAIL_DOMAIN = "support.pictureday.invalid"


def season_start(today: datetime.date) -> datetime.date:
    """The school year starts on 1 August."""
    year = today.year if today.month >= 8 else today.year - 1
    return datetime.date(year, 8, 1)


def studio_sales_counts(*, tz, now=None) -> dict:
    """Orders, GMV, photos, storage and staff of the current studio's schema."""
    from saas_platform.accounts.models import User
    from studio.core.policy import STAFF_ROLES
    from studio.orders.models import Order
    from studio.orders.services import PAID_STATES
    from studio.photos.models import Photo

    now = now or timezone.now()
    local_today = now.astimezone(tz).date()
    day_start = datetime.datetime.combine(local_today, datetime.time.min, tzinfo=tz)
    season = datetime.datetime.combine(season_start(local_today), datetime.time.min, tzinfo=tz)
    paid = Order.objects.filter(status__in=PAID_STATES)
    orders = paid.filter(created_at__gte=season).aggregate(
        orders_season=Count("id"),
        gmv_season=Sum("total"),
        orders_today=Count("id", filter=Q(created_at__gte=day_start)),
        gmv_today=Sum("total", filter=Q(created_at__gte=day_start)),
    )
    photos = Photo.objects.aggregate(photos=Count("id"), storage=Sum("size_bytes"))
    staff = (
        User.objects.filter(role__in=STAFF_ROLES, is_active=True)
        .exclude(email__endswith="@" + SUPPORT_EMAIL_DOMAIN)
        .aggregate(count=Count("id"), last_login=Max("last_login"))
    )
    activity = [
        staff["last_login"],
        Order.objects.aggregate(last=Max("created_at"))["last"],
        Photo.objects.aggregate(last=Max("uploaded_at"))["last"],
    ]
    return {
        "orders_season": orders["orders_season"],
        "gmv_season": orders["gmv_season"] or Decimal("0"),
        "orders_today": orders["orders_today"],
        "gmv_today": orders["gmv_today"] or Decimal("0"),
        "photos": photos["photos"],
        "storage_bytes": photos["storage"] or 0,
        "staff": staff["count"],
        "last_activity_at": max((a for a in activity if a), default=None),
    }


def console_studios(*, query: str = "", status: str = "", plan: str = "", expiring=False):
    """Every real studio with its plan and snapshot joined in (one query per page)."""
    studios = (
        Studio.objects.exclude(
            schema_name__in=[get_public_schema_name(), settings.TENANT_BASE_SCHEMA]
        )
        .select_related("plan", "sales_snapshot")
        .order_by("name", "id")
    )
    query = query.strip()
    if query:
        studios = studios.filter(
            Q(name__icontains=query) | Q(slug__icontains=query) | Q(owner_email__icontains=query)
        )
    if status:
        studios = studios.filter(status=status)
    if plan == "none":
        studios = studios.filter(plan__isnull=True)
    elif plan.isdigit():
        studios = studios.filter(plan_id=int(plan))
    if expiring:
        now = timezone.now()
        studios = studios.filter(
            licence_valid_until__gt=now, licence_valid_until__lte=now + timedelta(days=7)
        )
    return studios


def platform_stats(*, days: int = 180):
    from .models import PlatformDailyStat

    since = timezone.now().date() - timedelta(days=days)
    return list(PlatformDailyStat.objects.filter(date__gt=since).order_by("date"))


def signups_per_week(*, weeks: int = 26) -> list[tuple[datetime.date, int]]:
    """Sign-ups per ISO week (Monday), zeros included, oldest first."""
    from django.db.models.functions import TruncWeek

    today = timezone.now().date()
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    counts = dict(
        Studio.objects.exclude(
            schema_name__in=[get_public_schema_name(), settings.TENANT_BASE_SCHEMA]
        )
        .filter(created_at__date__gte=first)
        .annotate(week=TruncWeek("created_at"))
        .values_list("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    counts = {week.date(): n for week, n in counts.items()}
    return [
        (first + timedelta(weeks=i), counts.get(first + timedelta(weeks=i), 0))
        for i in range(weeks)
    ]
