from django.db import connection, transaction
from django.dispatch import receiver
from django_tenants.utils import schema_context

from studio.shoots.models import Shoot
from studio.shoots.signals import shoot_published

from .services import photos_online_on_publish


@receiver(shoot_published, dispatch_uid="campaigns-photos-online")
def _shoot_published(sender, shoot, **kwargs):
    """Sent inside the publishing transaction: the families are told once it commits (with
    the codes it issued), and a failure here never undoes a publish."""
    schema_name, shoot_id = connection.schema_name, shoot.pk

    def tell_families():
        with schema_context(schema_name):
            photos_online_on_publish(shoot=Shoot(pk=shoot_id))

    transaction.on_commit(tell_families, robust=True)  # logged, never a failed publish
