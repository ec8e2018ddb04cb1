"""Studios under maintenance: a studio whose schema failed to migrate is not served by the
new code (which expects the new schema) until a ``migrate_platform`` run migrates it; its
hosts answer 503 with a short page in the studio's language instead of erroring."""

from django.db.models import Q
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Domain, Studio
from .selectors import host_cache_forget

RETRY_AFTER_SECONDS = 300


def studios_maintenance_update(*, failed: dict[str, str]) -> None:
    """Flags the studios of ``failed`` (schema → error) and lifts the flag from every other
    studio, then forgets the changed studios' cached hosts."""
    flag = Studio.objects.filter(schema_name__in=failed, maintenance_since__isnull=True)
    lift = Studio.objects.filter(maintenance_since__isnull=False).exclude(schema_name__in=failed)
    changed = list(flag.values_list("pk", flat=True)) + list(lift.values_list("pk", flat=True))
    now = timezone.now()
    for schema, error in failed.items():
        Studio.objects.filter(schema_name=schema).update(maintenance_reason=error[:2000])
    flag.update(maintenance_since=now)
    lift.update(maintenance_since=None, maintenance_reason="")
    if changed or failed:
        host_cache_forget(
            hostnames=list(
                Domain.objects.filter(
                    Q(tenant_id__in=changed) | Q(tenant__schema_name__in=failed)
                ).values_list("domain", flat=True)
            )
        )


def maintenance_response(studio: Studio) -> HttpResponse:
    """503 with ``Retry-After``, rendered without touching the studio's schema."""
    with translation.override(studio.language or None):
        body = render_to_string(
            "tenants/maintenance.html",
            {"studio": studio, "LANGUAGE_CODE": translation.get_language()},
        )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
