"""What downloads do when orders announce something (connected in ``apps.py``)."""

from django.dispatch import receiver

from studio.orders.signals import order_paid

from .tasks import download_links_email


@receiver(order_paid, dispatch_uid="downloads.links_when_paid")
def send_links_when_paid(sender, order, **kwargs):
    """The parent gets the download links once the order is paid (the task skips orders
    without digital items and grants already e-mailed)."""
    download_links_email.delay(order_id=order.pk)
