"""What an order's status means (paid, payable, fulfillable, downloadable)."""

from decimal import Decimal

import pytest

from studio.orders.models import Order, OrderStatus
from studio.orders.services import LineInput, order_create

S = OrderStatus


def new_order(key, total="20.00"):
    amount = Decimal(total)
    return order_create(
        lines=[LineInput("Print", "print", 1, amount, amount, amount)],
        currency="EUR",
        email="mum@x.test",
        payment_method="bank_transfer",
        idempotency_key=key,
    )


# --- what a status means ----------------------------------------------------------------------

MEANING = """
status              paid  payable  fulfillable  closed
pending_payment      -       y         -          -
partially_paid       -       y         -          -
paid                 y       -         y          -
in_fulfilment        y       -         y          -
completed            y       -         y          -
cancelled            -       -         -          y
partially_refunded   -       -         y          -
refunded             -       -         -          y
"""


def _meaning():
    _header, *rows = [line.split() for line in MEANING.strip().splitlines()]
    return [(status, *(flag == "y" for flag in flags)) for status, *flags in rows]


@pytest.mark.parametrize(("status", "paid", "payable", "fulfillable", "closed"), _meaning())
def test_properties_and_queryset_agree_on_what_a_status_means(
    in_alpha, status, paid, payable, fulfillable, closed
):
    order = new_order(f"meaning-{status}")
    Order.objects.filter(pk=order.pk).update(status=status)
    order.refresh_from_db()

    assert (order.is_paid, order.is_payable, order.is_fulfillable, order.is_closed) == (
        paid,
        payable,
        fulfillable,
        closed,
    )
    assert order.is_cancelled == (status == S.CANCELLED)
    mine = Order.objects.filter(pk=order.pk)
    assert (
        mine.paid().exists(),
        mine.payable().exists(),
        mine.fulfillable().exists(),
    ) == (paid, payable, fulfillable)
    assert mine.downloadable().exists() == order.is_downloadable


def test_a_partly_refunded_order_stays_downloadable_only_while_it_was_paid_in_full(in_alpha):
    order = new_order("downloadable")
    Order.objects.filter(pk=order.pk).update(
        status=S.PARTIALLY_REFUNDED, paid_total=Decimal("20.00"), refunded_total=Decimal("5")
    )
    order.refresh_from_db()
    assert order.is_downloadable
    assert Order.objects.downloadable().filter(pk=order.pk).exists()

    Order.objects.filter(pk=order.pk).update(paid_total=Decimal("10.00"))  # never paid in full
    order.refresh_from_db()
    assert not order.is_downloadable
    assert not Order.objects.downloadable().filter(pk=order.pk).exists()


def test_the_parents_order_page_is_reversed_not_spelled_out(in_alpha):
    order = new_order("url")
    assert order.get_absolute_url() == f"/account/orders/{order.number}/"
