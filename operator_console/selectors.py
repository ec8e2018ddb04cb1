"""Reads for the console: the public schema only (studios, plans, licences and the figures
studio-side tasks write there)."""

import datetime
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django_tenants.utils import get_public_schema_name

from tenants.models import Studio

from .models import PlatformDailyStat, StudioDeletion


def console_studios(*, query: str = "", status: str = "", plan: str = "", expiring=False):
    """Every real studio with its plan and snapshot joined in (one query per page)."""
    studios = (
        Studio.objects.exclude(
            schema_name__in=[get_public_schema_name(), settings.TENANT_BASE_SCHEMA]
        )
        .select_related("plan", "sales_snapshot")
        .annotate(
            deletion_pending=Exists(
                StudioDeletion.objects.filter(
                    studio=OuterRef("pk"), cancelled_at__isnull=True, deleted_at__isnull=True
                )
            )
        )
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


def pending_deletion(*, studio):
    """The studio's scheduled deletion that has neither run nor been cancelled, or None."""
    return studio.deletions.filter(cancelled_at__isnull=True, deleted_at__isnull=True).first()
