from celery import shared_task
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

from saas_platform.tasks import TenantTask
from studio.core.selectors import studio_usage_counts

from .services import serving_studios, studio_usage_record


@shared_task
def usage_collect_for_studio(studio_id: int) -> dict:
    """Runs inside the studio's schema (the schema travels with the task)."""
    counts = studio_usage_counts()
    studio_usage_record(studio_id=studio_id, counts=counts)
    return {
        "schema": connection.schema_name,
        **{k: v for k, v in counts.items() if k != "last_login_at"},
    }


@shared_task
def usage_collect_all() -> int:
    """Periodic fan-out from the public schema: one task per studio, in that studio's schema."""
    with schema_context(get_public_schema_name()):
        studios = list(serving_studios().values_list("id", "schema_name"))
    for studio_id, schema_name in studios:
        usage_collect_for_studio.apply_async(args=[studio_id], schema=schema_name)
    return len(studios)


@shared_task(base=TenantTask)
def licence_notices_for_studio(studio_id: int) -> list[str]:
    from tenants.models import Studio

    from .notices import notices_send_for

    with schema_context(get_public_schema_name()):
        studio = Studio.objects.filter(pk=studio_id).first()
        return notices_send_for(studio=studio) if studio else []


@shared_task
def licences_check_all() -> dict:
    """Periodic: suspends lapsed licences, then sends the owners' e-mails that are due."""
    from .licences import licences_expire
    from .notices import notices_send_for

    with schema_context(get_public_schema_name()):
        suspended = licences_expire()
        sent = 0
        for studio in serving_studios().exclude(owner_email=""):
            sent += len(notices_send_for(studio=studio))
    return {"suspended": suspended, "sent": sent}
