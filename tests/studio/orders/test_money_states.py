"""Every sequence of up to four money operations on a fresh order: pay the balance (by card),
pay part of it (in cash), refund everything held, refund part of it, cancel. After each step
the order's money facts, what they mean and the events sent agree with a model of the money
kept here; an operation whose precondition holds is never refused, and one whose does not is
refused with a reason and changes nothing. No order can be left stuck with a balance."""

import copy
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.dispatch import receiver

from saas_platform.money import quantize
from studio.orders.models import Order, OrderProgress, PaymentState, RefundState
from studio.orders.services import (
    LineInput,
    order_create,
    order_move,
    payment_confirm,
    payment_create,
    payment_record_offline,
    refund_record,
)
from studio.orders.signals import order_paid, order_refunded, payment_confirmed

TOTAL = Decimal("25.50")
OPERATIONS = ("pay", "pay_part", "refund", "refund_part", "cancel")
ZERO = Decimal("0")


@pytest.fixture
def announced(run_tasks):
    """The orders' domain events, in order, as (event, order id)."""
    calls = []

    @receiver(payment_confirmed, weak=False, dispatch_uid="money-states-confirmed")
    def confirmed(sender, order, payment, **kwargs):
        calls.append(("payment_confirmed", order.pk))

    @receiver(order_paid, weak=False, dispatch_uid="money-states-paid")
    def paid(sender, order, **kwargs):
        calls.append(("order_paid", order.pk))

    @receiver(order_refunded, weak=False, dispatch_uid="money-states-refunded")
    def refunded(sender, order, refund, **kwargs):
        calls.append(("order_refunded", order.pk))

    yield calls
    payment_confirmed.disconnect(dispatch_uid="money-states-confirmed")
    order_paid.disconnect(dispatch_uid="money-states-paid")
    order_refunded.disconnect(dispatch_uid="money-states-refunded")


def new_order(key: str) -> Order:
    return order_create(
        lines=[LineInput("Print 20x30", "print", 1, TOTAL, TOTAL, TOTAL)],
        currency="EUR",
        email="mum@x.test",
        payment_method="bank_transfer",
        idempotency_key=key,
    )


def half(amount: Decimal) -> Decimal:
    return quantize(amount / 2, "EUR")


class Model:
    """The money as this test expects it, written without the code under test."""

    def __init__(self):
        self.paid = ZERO
        self.refunded = ZERO
        self.cancelled = False

    @property
    def held(self):
        return self.paid - self.refunded

    @property
    def due(self):
        return max(TOTAL - self.paid, ZERO)

    def legal(self, op: str) -> bool:
        if op in ("pay", "pay_part"):
            return not self.cancelled and self.due > 0
        if op in ("refund", "refund_part"):
            return self.held > 0
        return not self.cancelled and self.held == 0  # cancel

    def amount(self, op: str) -> Decimal:
        """What the operation moves when legal (an illegal one asks for 1.00)."""
        if not self.legal(op) or op == "cancel":
            return Decimal("1.00")
        return {
            "pay": self.due,
            "pay_part": half(self.due),
            "refund": self.held,
            "refund_part": half(self.held),
        }[op]


def run(op: str, order: Order, amount: Decimal, step: int) -> None:
    if op == "pay":  # a card payment for the balance, confirmed as Stripe's webhook does
        payment_confirm(payment=payment_create(order=order, provider="stripe", amount=amount))
    elif op == "pay_part":
        payment_record_offline(
            order=order, amount=amount, method="cash", actor=None, idempotency_key=f"cash-{step}"
        )
    elif op in ("refund", "refund_part"):
        refund_record(order=order, amount=amount, reason=op)
    else:
        order_move(order=order, to=OrderProgress.CANCELLED, actor=None)


def check(order: Order, model: Model, where: str) -> None:
    order.refresh_from_db()
    assert (order.paid_total, order.refunded_total) == (model.paid, model.refunded), where
    assert order.is_cancelled == model.cancelled, where
    books = (
        order.payments.confirmed().aggregate(s=Sum("amount"))["s"] or ZERO,
        order.refunds.aggregate(s=Sum("amount"))["s"] or ZERO,
    )
    assert books == (model.paid, model.refunded), where
    assert ZERO <= model.refunded <= model.paid, where

    # What is derived matches the amounts.
    if model.held > TOTAL:
        payment = PaymentState.OVERPAID
    elif model.paid >= TOTAL:
        payment = PaymentState.PAID
    else:
        payment = PaymentState.PARTIALLY_PAID if model.paid else PaymentState.UNPAID
    if not model.refunded:
        refund = RefundState.NONE
    else:
        refund = RefundState.FULL if model.refunded == model.paid else RefundState.PARTIAL
    assert (order.payment_state, order.refund_state) == (payment, refund), where
    assert order.balance_due == model.due, where
    assert order.status == order.derived_status(), where
    fully_refunded = refund == RefundState.FULL
    paid = not model.cancelled and model.held >= TOTAL and not fully_refunded
    assert order.is_paid == paid, where
    # A balance can always be paid, whatever was refunded.
    assert order.is_payable == (not model.cancelled and model.due > 0), where
    fulfillable = not model.cancelled and model.paid >= TOTAL and not fully_refunded
    assert (order.is_fulfillable, order.is_downloadable) == (fulfillable, fulfillable), where
    assert order.can_cancel == (not model.cancelled and model.held == 0), where
    mine = Order.objects.filter(pk=order.pk)
    assert (mine.paid().exists(), mine.payable().exists(), mine.fulfillable().exists()) == (
        order.is_paid,
        order.is_payable,
        order.is_fulfillable,
    ), where


def step(
    op: str, order: Order, model: Model, index: int, announced: list, capture, where: str
) -> None:
    """Runs one operation and checks it was refused exactly when its precondition fails,
    what it announced, and the order after it; ``model`` follows what it did."""
    legal, amount, due_before = model.legal(op), model.amount(op), model.due
    announced.clear()
    with capture(execute=True):
        try:
            run(op, order, amount, index)
        except ValidationError as error:
            assert not legal, f"{where}: refused {error.messages}"
            assert error.messages and all(error.messages), where
            legal = False
        else:
            assert legal, f"{where}: not refused"
    expected = []
    if legal and op in ("pay", "pay_part"):
        model.paid += amount
        expected.append(("payment_confirmed", order.pk))
        if due_before and not model.due:  # once per order: paid_total never goes down
            expected.append(("order_paid", order.pk))
    elif legal and op in ("refund", "refund_part"):
        model.refunded += amount
        expected.append(("order_refunded", order.pk))
    elif legal:
        model.cancelled = True
    assert announced == expected, where
    check(order, model, where)


def test_every_sequence_of_money_operations_keeps_the_order_consistent(
    in_alpha, announced, django_capture_on_commit_callbacks
):
    """Sequences of length 4 in ``itertools.product`` order; the shorter ones are their
    prefixes, checked after each step. Each sequence starts from a fresh order: a sequence
    sharing a prefix with the one before goes back to a savepoint taken after that prefix
    (inside the test's transaction), so the 780 distinct steps run once each."""
    order = new_order("money-states")
    # (operation, savepoint before it, model before it), for the current sequence's steps
    done: list[tuple[str, str, Model]] = []
    model, steps = Model(), 0
    for sequence in itertools.product(OPERATIONS, repeat=4):
        shared = 0
        while shared < len(done) and done[shared][0] == sequence[shared]:
            shared += 1
        if shared < len(done):  # back to the fresh order after the shared prefix
            _op, savepoint, before = done[shared]
            transaction.savepoint_rollback(savepoint)
            del done[shared:]
            model = copy.copy(before)
        for index in range(shared, len(sequence)):
            op = sequence[index]
            done.append((op, transaction.savepoint(), copy.copy(model)))
            where = " → ".join(sequence[: index + 1])
            step(op, order, model, index, announced, django_capture_on_commit_callbacks, where)
            steps += 1
    assert steps == 5 + 5**2 + 5**3 + 5**4
