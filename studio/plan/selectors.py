"""What the current studio's schema holds, counted for its plan and for the platform."""

import datetime

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from saas_platform.accounts.models import SUPPORT_EMAIL_DOMAIN, User
from saas_platform.money import from_minor
from studio.core.limits import GB, active_staff, current_plan, season_start
from studio.ledger.selectors import summary
from studio.orders.models import Order
from studio.photos.models import Photo
from studio.photos.selectors import photos_this_season, storage_used_bytes
from studio.schools.models import School, SchoolClass, Student


def studio_usage_counts() -> dict:
    """Counts for the current studio's schema, for the platform's usage table."""
    return {
        "schools": School.objects.count(),
        "classes": SchoolClass.objects.count(),
        "students": Student.objects.count(),
        "staff": active_staff().count(),
        "last_login_at": User.objects.aggregate(last=Max("last_login"))["last"],
    }


def studio_sales_counts(*, tz, currency: str, now=None) -> dict:
    """Orders, money, photos, storage and staff of the current studio's schema. GMV is what
    parents paid less what was refunded, by any method and however far the order got; the
    platform's revenue is the fees the ledger booked: card fees Stripe charged and the share
    of offline payments to be invoiced. Both from the ledger, so they agree with the studio's
    own books."""
    now = now or timezone.now()
    local_today = now.astimezone(tz).date()
    day_start = datetime.datetime.combine(local_today, datetime.time.min, tzinfo=tz)
    season = datetime.datetime.combine(season_start(local_today), datetime.time.min, tzinfo=tz)
    paid = Order.objects.paid()
    orders = paid.filter(created_at__gte=season).aggregate(
        orders_season=Count("id"),
        orders_today=Count("id", filter=Q(created_at__gte=day_start)),
    )
    books_season = summary(currency, starts_at=season)
    books_today = summary(currency, starts_at=day_start)
    photos = Photo.objects.aggregate(photos=Count("id"), storage=Sum("size_bytes"))
    staff = (
        active_staff()
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
        "gmv_season": from_minor(books_season.received - books_season.refunded, currency),
        "orders_today": orders["orders_today"],
        "gmv_today": from_minor(books_today.received - books_today.refunded, currency),
        "platform_revenue_season": from_minor(books_season.platform_fees, currency),
        "platform_revenue_today": from_minor(books_today.platform_fees, currency),
        "photos": photos["photos"],
        "storage_bytes": photos["storage"] or 0,
        "staff": staff["count"],
        "last_activity_at": max((a for a in activity if a), default=None),
    }


def plan_usage() -> dict:
    """The current studio's figures against its plan (for the billing page):
    ``{resource: (used, allowed or None)}``."""
    plan = current_plan()
    counts = studio_usage_counts()

    def allowed(resource):
        return plan.limit(resource) if plan else None

    return {
        "schools": (counts["schools"], allowed("schools")),
        "staff": (counts["staff"], allowed("staff")),
        "storage_gb": (round(storage_used_bytes() / GB, 2), allowed("storage_gb")),
        "photos_this_season": (photos_this_season(), allowed("photos_per_season")),
    }
