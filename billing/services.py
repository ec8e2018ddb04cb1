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
    """Overwrites the studio's snapshot with what its books say (the platform's revenue is
    the fees actually charged or to be invoiced, not a share of every order)."""
    with schema_context(get_public_schema_name()):
        studio = Studio.objects.get(pk=studio_id)
        defaults = {**counts, "currency": studio.currency, "computed_at": timezone.now()}
        snapshot, _created = StudioSalesSnapshot.objects.update_or_create(
            studio_id=studio_id, defaults=defaults
        )
    return snapshot
