"""Commissions follow the orders' events (sent after commit): a paid order earns its schools
their commission, a refund gives it back. Each posts with a key per line, so an event heard
twice posts once."""

from django.dispatch import receiver

from studio.orders.signals import order_paid, order_refunded

from . import services


@receiver(order_paid, dispatch_uid="commissions-accrue")
def _order_paid(sender, order, **kwargs):
    services.order_commission_accrue(order=order)


@receiver(order_refunded, dispatch_uid="commissions-reverse")
def _order_refunded(sender, order, refund, **kwargs):
    services.refund_commission_reverse(refund=refund)
