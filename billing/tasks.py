from celery import shared_task
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import Studio
from tenants.selectors import serving_studios

from .licences import licences_expire
from .notices import notices_send_for


@shared_task
def licence_notices_for_studio(studio_id: int) -> list[str]:
    with schema_context(get_public_schema_name()):
        studio = Studio.objects.filter(pk=studio_id).first()
        return notices_send_for(studio=studio) if studio else []


@shared_task
def licences_check_all() -> dict:
    """Periodic: suspends lapsed licences, then sends the owners' e-mails that are due."""
    with schema_context(get_public_schema_name()):
        suspended = licences_expire()
        sent = 0
        for studio in serving_studios().exclude(owner_email=""):
            sent += len(notices_send_for(studio=studio))
    return {"suspended": suspended, "sent": sent}
