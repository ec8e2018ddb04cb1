"""Refunds go back the way the money came: by card through Stripe, otherwise by hand."""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from studio.orders.models import OrderStatus
from studio.orders.services import LineInput, order_create, payment_record_offline
from studio.payments.services import order_refund


def test_the_staff_refund_keeps_its_place_beside_the_order_pages():
    url = reverse("order_payments:refund", args=[7], urlconf=settings.ROOT_URLCONF)
    assert url == "/staff/orders/7/refund/"


def test_an_order_paid_in_cash_is_refunded_by_hand_without_asking_stripe(in_alpha, stripe_on):
    amount = Decimal("40.00")
    order = order_create(
        lines=[LineInput("Album", "album", 1, amount, amount, amount)],
        currency="EUR",
        email="p@example.com",
        payment_method="cash",
        idempotency_key="refund-by-hand",
    )
    payment_record_offline(order=order, amount=amount, method="cash", actor=None)

    refund = order_refund(
        order=order, amount=Decimal("10"), actor=None, reason="torn", idempotency_key="k"
    )

    order.refresh_from_db()
    assert (refund.amount, refund.payment, refund.provider_reference) == (
        Decimal("10.00"),
        None,
        None,
    )
    assert (order.status, order.refunded_total) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("10.00"),
    )
    assert stripe_on.posts("/v1/refunds") == []
