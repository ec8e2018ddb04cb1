"""The order state machine, numbering, and money applied exactly once."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.orders.models import Order, OrderEvent, OrderProgress, OrderStatus, Payment
from studio.orders.services import (
    PROGRESS_MOVES,
    LineInput,
    order_create,
    order_move,
    payment_confirm,
    payment_create,
    payment_record_offline,
    refund_record,
)
from studio.orders.signals import order_paid

S = OrderStatus


def lines(*amounts):
    return [
        LineInput(
            description=f"Print {n}",
            kind="print",
            quantity=1,
            unit_price=Decimal(a),
            gross=Decimal(a),
            net=Decimal(a),
        )
        for n, a in enumerate(amounts)
    ]


def new_order(key="k1", amounts=("10.00", "15.50")):
    return order_create(
        lines=lines(*amounts),
        currency="EUR",
        email="mum@x.test",
        payment_method="bank_transfer",
        idempotency_key=key,
    )


P = OrderProgress


@pytest.mark.parametrize(("source", "target"), [(s, t) for s in P.values for t in P.values])
def test_every_progress_move_is_checked_against_the_table(in_alpha, source, target):
    """Money apart (a paid order, then every payment given back for a cancel), staff moves
    follow the table."""
    order = new_order(key=f"sm-{source}-{target}")
    Order.objects.filter(pk=order.pk).update(progress=source, paid_total=order.total)
    if target == P.CANCELLED:
        Order.objects.filter(pk=order.pk).update(refunded_total=order.total)

    if target in PROGRESS_MOVES[source]:
        moved = order_move(order=order, to=target, actor=None)
        assert moved.progress == target
    else:
        with pytest.raises(ValidationError, match="cannot go from"):
            order_move(order=order, to=target, actor=None)


def test_orders_get_readable_numbers_and_a_double_click_makes_one_order(in_alpha):
    first = new_order(key="click")
    again = new_order(key="click")
    second = new_order(key="other")

    assert first.pk == again.pk
    assert Order.objects.count() == 2
    year = first.created_at.year
    assert (first.number, second.number) == (
        f"{year}-{int(first.number[-6:]):06d}",
        f"{year}-{int(first.number[-6:]) + 1:06d}",
    )
    assert (first.subtotal, first.total, first.status) == (
        Decimal("25.50"),
        Decimal("25.50"),
        S.PENDING_PAYMENT,
    )


def test_partial_then_full_offline_payments_with_the_balance_due(in_alpha):
    manager = User.objects.create_user(
        email="m-orders@alpha.test", password="pw-123456", role=Role.MANAGER
    )
    order = new_order()

    payment_record_offline(
        order=order,
        amount=Decimal("10"),
        method="cash",
        actor=manager,
        reference="class coordinator",
    )
    order.refresh_from_db()
    assert (order.status, order.paid_total, order.balance_due) == (
        S.PARTIALLY_PAID,
        Decimal("10.00"),
        Decimal("15.50"),
    )

    with pytest.raises(ValidationError, match="more than the €15.50 still due"):
        payment_create(order=order, provider="bank_transfer", amount=Decimal("20"))

    payment_record_offline(
        order=order, amount=Decimal("15.50"), method="bank_transfer", actor=manager
    )
    order.refresh_from_db()
    assert (order.status, order.balance_due) == (S.PAID, Decimal("0"))
    assert list(OrderEvent.objects.filter(order=order).values_list("to_status", "actor")) == [
        (S.PENDING_PAYMENT, None),
        (S.PARTIALLY_PAID, manager.pk),
        (S.PAID, manager.pk),
    ]


def test_confirming_a_payment_twice_counts_it_once(in_alpha):
    order = new_order()
    payment = payment_create(order=order, provider="bank_transfer")

    payment_confirm(payment=payment)
    payment_confirm(payment=payment)

    order.refresh_from_db()
    assert (order.paid_total, order.status) == (Decimal("25.50"), S.PAID)


def test_refunds_partial_then_full(in_alpha):
    order = new_order()
    payment_confirm(payment=payment_create(order=order, provider="cash"))

    refund_record(order=order, amount=Decimal("5.50"), reason="one print damaged")
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_REFUNDED
    with pytest.raises(ValidationError, match="up to €20.00"):
        refund_record(order=order, amount=Decimal("30"))
    refund_record(order=order, amount=Decimal("20"))
    order.refresh_from_db()
    assert (order.status, order.refunded_total) == (S.REFUNDED, Decimal("25.50"))


def test_a_paid_order_cannot_be_cancelled_without_a_refund(in_alpha):
    order = new_order()
    payment_confirm(payment=payment_create(order=order, provider="cash", amount=Decimal("1")))

    with pytest.raises(ValidationError, match="Refund the payments before cancelling."):
        order_move(order=order, to=S.CANCELLED, actor=None)


def test_an_order_not_paid_in_full_never_reaches_fulfilment(in_alpha):
    order = new_order(key="half")  # 25.50
    payment_confirm(payment=payment_create(order=order, provider="cash", amount=Decimal("10")))
    refund_record(order=order, amount=Decimal("4.00"), reason="goodwill")
    order.refresh_from_db()
    assert (order.status, order.is_fulfillable) == (S.PARTIALLY_REFUNDED, False)

    for target in (S.IN_FULFILMENT, S.COMPLETED):
        with pytest.raises(ValidationError) as error:
            order_move(order=order, to=target, actor=None)
        assert error.value.messages == [
            f"Order {order.number} is not paid in full: it cannot be “{S(target).label}”."
        ]
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_REFUNDED
    assert list(Order.objects.fulfillable()) == []


def test_a_paid_order_partly_refunded_still_goes_to_fulfilment(in_alpha):
    order = new_order(key="full")
    payment_confirm(payment=payment_create(order=order, provider="cash"))
    refund_record(order=order, amount=Decimal("5.50"), reason="one print damaged")

    moved = order_move(order=order, to=S.IN_FULFILMENT, actor=None)

    assert (moved.progress, moved.status) == (P.IN_FULFILMENT, S.PARTIALLY_REFUNDED)
    assert list(Order.objects.fulfillable()) == [order]


def test_a_free_order_is_paid_at_once(in_alpha):
    order = new_order(key="free", amounts=("0.00",))

    assert order.status == S.PAID


def _in_threads(count, target):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(target())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


def test_the_same_cart_checked_out_twice_in_parallel_makes_one_order(live_studios, committed):
    schema = live_studios["alpha"].schema

    def checkout():
        with schema_context(schema):
            return new_order(key="parallel-checkout").pk

    with committed():
        try:
            results, errors = _in_threads(4, checkout)
            with schema_context(schema):
                assert errors == []
                assert len(set(results)) == 1
                assert Order.objects.filter(idempotency_key="parallel-checkout").count() == 1
        finally:
            with schema_context(schema):
                Order.objects.filter(idempotency_key="parallel-checkout").delete()


def test_the_same_payment_confirmed_in_parallel_is_applied_once(live_studios, committed):
    schema = live_studios["alpha"].schema
    with committed(), schema_context(schema):
        order = new_order(key="parallel-confirm")
        payment = payment_create(order=order, provider="bank_transfer")

    def confirm():
        with schema_context(schema):
            return payment_confirm(payment=payment).status

    with committed():
        try:
            results, errors = _in_threads(4, confirm)
            with schema_context(schema):
                order.refresh_from_db()
                assert errors == []
                assert (order.paid_total, order.status) == (Decimal("25.50"), S.PAID)
                assert OrderEvent.objects.filter(order=order, to_status=S.PAID).count() == 1
        finally:
            with schema_context(schema):
                Payment.objects.filter(order=order).delete()
                Order.objects.filter(pk=order.pk).delete()


def test_a_payment_arriving_after_the_order_is_paid_is_kept_and_flagged(in_alpha):
    """A card payment confirmed after staff recorded a transfer: the money is real, so it is
    applied, and the order says how much to give back."""
    order = new_order(key="overpaid")
    card = payment_create(order=order, provider="stripe")
    payment_record_offline(order=order, amount=order.total, method="bank_transfer", actor=None)

    payment_confirm(payment=card)

    order.refresh_from_db()
    assert order.status == S.PAID
    assert order.overpaid == order.total
    assert OrderEvent.objects.filter(order=order, note__startswith="overpaid by").count() == 1


def test_a_card_payment_confirmed_after_cancelling_is_kept_for_a_refund(
    in_alpha, django_capture_on_commit_callbacks
):
    """The parent left the card page open, staff cancelled the unpaid order, then Stripe
    confirmed: the money is real, so it is applied and can be given back; the order stays
    cancelled and is not announced paid."""
    order = new_order(key="late-card")
    card = payment_create(order=order, provider="stripe")
    order_move(order=order, to=P.CANCELLED, actor=None)
    paid_heard = []
    order_paid.connect(
        lambda sender, order, **kwargs: paid_heard.append(order.pk),
        weak=False,
        dispatch_uid="test-late-card",
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            payment_confirm(payment=card)
    finally:
        order_paid.disconnect(dispatch_uid="test-late-card")

    order.refresh_from_db()
    assert (order.status, order.paid_total, order.is_paid, paid_heard) == (
        S.CANCELLED,
        Decimal("25.50"),
        False,
        [],
    )
    with pytest.raises(ValidationError, match="can no longer be paid"):
        payment_create(order=order, provider="cash")
    refund_record(order=order, amount=Decimal("25.50"), reason="cancelled")
    order.refresh_from_db()
    assert (order.held, order.status) == (Decimal("0.00"), S.CANCELLED)
