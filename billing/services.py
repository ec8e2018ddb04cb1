"""Writes of the per-studio figures that studio-side tasks gather in each studio's schema
(``studio.plan.tasks``), so platform pages never enter a studio's schema."""

from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import Studio

from .models import StudioSalesSnapshot, StudioUsage


def studio_usage_record(*, studio_id: int, counts: dict) -> StudioUsage:
    with schema_context(get_public_schema_name()):
        usage, _created = StudioUsage.objects.update_or_create(
            studio_id=studio_id, defaults={**counts, "collected_at": timezone.now()}
        )
    return usage


def sales_snapshot_record(*, studio_id: int, counts: dict) -> StudioSalesSnapshot:
    """Overwrites the studio's snapshot; the platform's revenue by the plan's one rule
    (``Studio.platform_share``), the same that sets the fee on card payments."""
    with schema_context(get_public_schema_name()):
        studio = Studio.objects.select_related("plan").get(pk=studio_id)
        currency = studio.currency
        defaults = {
            **counts,
            "currency": currency,
            "platform_revenue_season": studio.platform_share(counts["gmv_season"], currency),
            "platform_revenue_today": studio.platform_share(counts["gmv_today"], currency),
            "computed_at": timezone.now(),
        }
        snapshot, _created = StudioSalesSnapshot.objects.update_or_create(
            studio_id=studio_id, defaults=defaults
        )
    return snapshot
