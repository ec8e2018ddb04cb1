from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import Studio

from .models import StudioUsage


def studio_usage_record(*, studio_id: int, counts: dict) -> StudioUsage:
    with schema_context(get_public_schema_name()):
        usage, _created = StudioUsage.objects.update_or_create(
            studio_id=studio_id, defaults={**counts, "collected_at": timezone.now()}
        )
    return usage


def serving_studios():
    """Real studios: not the public row, not the base schema new studios are cloned from."""
    from django.conf import settings

    return Studio.objects.exclude(
        schema_name__in=[get_public_schema_name(), settings.TENANT_BASE_SCHEMA]
    )
