"""The tenants' domain event, and cache invalidation: the host lookup cache must forget a
host whose row changed."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver
from django_tenants.utils import get_public_schema_name

from .models import Domain, Studio
from .selectors import host_cache_forget
from .spares import pool_size
from .tasks import spare_schemas_refill

# A studio signed up: sent once, after the sign-up's transaction committed, with ``studio``.
# The operator console subscribes (it e-mails the operators).
studio_signed_up = Signal()


@receiver(studio_signed_up, dispatch_uid="tenants.spare_schemas_refill")
def refill_spare_schemas(sender, studio, **kwargs):
    """The sign-up may have taken a spare schema (or found none): top the pool up now rather
    than at the next periodic run."""
    if pool_size():
        spare_schemas_refill.apply_async(schema=get_public_schema_name())


@receiver(pre_save, sender=Domain)
def remember_old_hostname(sender, instance, **kwargs):
    if instance.pk:
        instance._old_domain = (
            Domain.objects.filter(pk=instance.pk).values_list("domain", flat=True).first()
        )


@receiver(post_save, sender=Domain)
@receiver(post_delete, sender=Domain)
def forget_domain(sender, instance, **kwargs):
    host_cache_forget(hostnames={instance.domain, getattr(instance, "_old_domain", None) or ""})


@receiver(post_save, sender=Studio)
@receiver(post_delete, sender=Studio)
def forget_studio_hosts(sender, instance, created=False, **kwargs):
    if instance.pk and not created:  # a studio just made has no hosts yet
        host_cache_forget(
            hostnames=list(
                Domain.objects.filter(tenant_id=instance.pk).values_list("domain", flat=True)
            )
        )
