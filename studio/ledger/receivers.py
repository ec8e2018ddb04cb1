"""The books follow the orders' events (sent after commit, once per fact): each writes one
transaction keyed by what it is about, so an event heard twice is posted once."""

from django.dispatch import receiver

from studio.orders.signals import order_paid, order_refunded, payment_confirmed

from . import postings


@receiver(payment_confirmed, dispatch_uid="ledger-payment")
def _payment_confirmed(sender, order, payment, **kwargs):
    postings.payment_post(payment=payment)


@receiver(order_paid, dispatch_uid="ledger-discount")
def _order_paid(sender, order, **kwargs):
    postings.discount_post(order=order)


@receiver(order_refunded, dispatch_uid="ledger-refund")
def _order_refunded(sender, order, refund, **kwargs):
    postings.refund_post(refund=refund)
