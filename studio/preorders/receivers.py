"""What pre-orders do when other apps announce something (connected in ``apps.py``)."""

from django.dispatch import receiver

from studio.orders.signals import order_paid
from studio.shoots.signals import shoot_published

from .services import credits_activate
from .tasks import credits_online_email


@receiver(order_paid, dispatch_uid="preorders.credit_when_paid")
def credit_when_paid(sender, order, **kwargs):
    """A pre-order becomes a credit the parent can spend once its order is paid."""
    credits_activate(order=order)


@receiver(shoot_published, dispatch_uid="preorders.tell_when_online")
def tell_when_online(sender, shoot, **kwargs):
    """Sent inside the publishing transaction: the e-mails leave once it commits."""
    credits_online_email.enqueue_on_commit(shoot_id=shoot.pk)
