"""What pre-orders do when orders announce something (connected in ``apps.py``)."""

from django.dispatch import receiver

from studio.orders.signals import order_paid

from .services import credits_activate


@receiver(order_paid, dispatch_uid="preorders.credit_when_paid")
def credit_when_paid(sender, order, **kwargs):
    """A pre-order becomes a credit the parent can spend once its order is paid."""
    credits_activate(order=order)
