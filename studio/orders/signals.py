"""Domain events of orders (after pretix's ``order_paid``): sent once, after the change is
committed, by the service that made it, so other apps react without orders knowing them.
Apps that care connect in their ``AppConfig.ready``; receivers get ``sender=Order``."""

from django.db import connection, transaction
from django.dispatch import Signal
from django_tenants.utils import tenant_context

from .models import Order

# ``order``: the order whose balance due has just reached zero (once per order: paid_total
# never decreases and a refund never raises the balance; never for a cancelled order).
order_paid = Signal()
# ``order``, ``refund``: money given back was recorded (once per ``Refund``).
order_refunded = Signal()
# ``order``, ``payment``: money received was applied to the order (once per ``Payment``,
# every instalment and method, before or after the order is paid in full).
payment_confirmed = Signal()


def send_on_commit(signal: Signal, **kwargs) -> None:
    """Sends ``signal`` when the current transaction commits, in the studio current now:
    by commit time a ``schema_context`` may have been left (the Stripe webhook's is). The
    tenant itself is kept, not only its schema, so receivers asking for the studio need no
    query for it."""
    tenant = connection.tenant

    def send():
        with tenant_context(tenant):
            signal.send(sender=Order, **kwargs)

    transaction.on_commit(send)
