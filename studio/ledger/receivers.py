"""The books follow the orders' events (sent after commit, once per fact): each writes one
transaction keyed by what it is about, so an event heard twice is posted once."""

from django.dispatch import receiver
from django_tenants.signals import post_schema_sync
from django_tenants.utils import schema_context

from studio.orders.signals import order_paid, order_refunded, payment_confirmed

from . import guards, postings


@receiver(post_schema_sync, dispatch_uid="ledger-guards")
def _schema_created(sender, tenant, **kwargs):
    """A studio's schema cloned from the template has its tables but not their triggers."""
    with schema_context(tenant.schema_name):
        guards.install()


@receiver(payment_confirmed, dispatch_uid="ledger-payment")
def _payment_confirmed(sender, order, payment, **kwargs):
    postings.payment_post(payment=payment)


@receiver(order_paid, dispatch_uid="ledger-discount")
def _order_paid(sender, order, **kwargs):
    postings.discount_post(order=order)


@receiver(order_refunded, dispatch_uid="ledger-refund")
def _order_refunded(sender, order, refund, **kwargs):
    postings.refund_post(refund=refund)
