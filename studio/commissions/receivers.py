"""Commissions follow the orders' events (sent after commit): a paid order earns its schools
their commission, a refund gives it back. Each posts with a key per line, so an event heard
twice posts once."""

from django.dispatch import receiver
from django_tenants.signals import post_schema_sync
from django_tenants.utils import schema_context

from studio.orders.signals import order_paid, order_refunded

from . import guards, services


@receiver(post_schema_sync, dispatch_uid="commissions-guards")
def _schema_created(sender, tenant, **kwargs):
    """A studio's schema cloned from the template has its tables but not their triggers."""
    with schema_context(tenant.schema_name):
        guards.install()


@receiver(order_paid, dispatch_uid="commissions-accrue")
def _order_paid(sender, order, **kwargs):
    services.order_commission_accrue(order=order)


@receiver(order_refunded, dispatch_uid="commissions-reverse")
def _order_refunded(sender, order, refund, **kwargs):
    services.refund_commission_reverse(refund=refund)
