"""Staff pay follows the facts it pays for: a paid order, a refund, an approved retouch, a
picture day published. Each accrual is keyed by its fact, so a repeated event posts once."""

from django.db import connection, transaction
from django.dispatch import receiver
from django_tenants.utils import schema_context

from studio.orders.signals import order_paid, order_refunded
from studio.retouching.signals import retouch_approved
from studio.shoots.models import Shoot
from studio.shoots.signals import shoot_published

from . import services


@receiver(order_paid, dispatch_uid="payroll-sale")
def _order_paid(sender, order, **kwargs):
    services.sale_accrue(order=order)


@receiver(order_refunded, dispatch_uid="payroll-refund")
def _order_refunded(sender, order, refund, **kwargs):
    services.refund_reverse(refund=refund)


@receiver(retouch_approved, dispatch_uid="payroll-retouch")
def _retouch_approved(sender, photo, retoucher, event, **kwargs):
    services.retouch_accrue(photo=photo, retoucher=retoucher, approved_at=event.created_at)


@receiver(shoot_published, dispatch_uid="payroll-picture-day")
def _shoot_published(sender, shoot, **kwargs):
    """Sent inside the publishing transaction: pay is posted once it commits, so a publish
    that fails pays nobody and a pay posting never fails a publish."""
    schema_name = connection.schema_name
    shoot_id = shoot.pk

    def accrue():
        with schema_context(schema_name):
            services.picture_day_accrue(shoot=Shoot.objects.get(pk=shoot_id))

    transaction.on_commit(accrue)
