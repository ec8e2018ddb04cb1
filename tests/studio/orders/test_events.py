"""What an order's money and progress mean (paid, payable, fulfillable, downloadable, the
label shown), and the domain events sent once after commit when an order becomes paid or a
refund is recorded."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.dispatch import receiver
from django_tenants.utils import schema_context

from studio.orders.models import Order, Refund
from studio.orders.services import (
    LineInput,
    order_create,
    payment_confirm,
    payment_create,
    payment_record_offline,
    refund_record,
)
from studio.orders.signals import order_paid, order_refunded


def new_order(key, total="20.00"):
    amount = Decimal(total)
    return order_create(
        lines=[LineInput("Print", "print", 1, amount, amount, amount)],
        currency="EUR",
        email="mum@x.test",
        payment_method="bank_transfer",
        idempotency_key=key,
    )


@pytest.fixture
def heard(run_tasks):
    """Every order_paid and order_refunded sent while the test runs, with the schema it
    arrived in (the apps' own receivers run their tasks in this process)."""
    calls = []

    @receiver(order_paid, weak=False, dispatch_uid="test-heard-paid")
    def paid(sender, order, **kwargs):
        calls.append(("paid", order.pk, connection.schema_name))

    @receiver(order_refunded, weak=False, dispatch_uid="test-heard-refunded")
    def refunded(sender, order, refund, **kwargs):
        calls.append(("refunded", order.pk, refund.pk, connection.schema_name))

    yield calls
    order_paid.disconnect(dispatch_uid="test-heard-paid")
    order_refunded.disconnect(dispatch_uid="test-heard-refunded")


# --- what the money and the progress mean --------------------------------------------------

# An order of 20.00: its progress and money facts, what they mean, and the label shown.
MEANING = """
progress       paid  refunded  paid  payable  fulfillable  closed  label
open           0     0         -     y        -            -       pending_payment
open           5     0         -     y        -            -       partially_paid
open           20    0         y     -        y            -       paid
in_fulfilment  20    0         y     -        y            -       in_fulfilment
completed      20    0         y     -        y            -       completed
cancelled      0     0         -     -        -            y       cancelled
cancelled      5     5         -     -        -            y       cancelled
open           20    5         -     -        y            -       partially_refunded
in_fulfilment  20    5         -     -        y            -       partially_refunded
open           20    20        -     -        -            y       refunded
completed      20    20        -     -        -            y       refunded
open           5     2         -     y        -            -       partially_refunded
open           5     5         -     y        -            -       refunded
open           25    0         y     -        y            -       paid
open           25    5         y     -        y            -       partially_refunded
"""


def _meaning():
    _header, *rows = [line.split() for line in MEANING.strip().splitlines()]
    return [
        (progress, Decimal(paid), Decimal(refunded), *(flag == "y" for flag in flags), label)
        for progress, paid, refunded, *flags, label in rows
    ]


@pytest.mark.parametrize(
    (
        "progress",
        "paid_total",
        "refunded_total",
        "paid",
        "payable",
        "fulfillable",
        "closed",
        "label",
    ),
    _meaning(),
)
def test_properties_and_queryset_agree_on_what_the_facts_mean(
    in_alpha, progress, paid_total, refunded_total, paid, payable, fulfillable, closed, label
):
    order = new_order(f"meaning-{progress}-{paid_total}-{refunded_total}")
    Order.objects.filter(pk=order.pk).update(
        progress=progress, paid_total=paid_total, refunded_total=refunded_total
    )
    order.refresh_from_db()

    assert (order.is_paid, order.is_payable, order.is_fulfillable, order.is_closed) == (
        paid,
        payable,
        fulfillable,
        closed,
    )
    assert order.derived_status() == label
    assert order.is_cancelled == (progress == "cancelled")
    assert order.is_downloadable == order.is_fulfillable
    mine = Order.objects.filter(pk=order.pk)
    assert (
        mine.paid().exists(),
        mine.payable().exists(),
        mine.fulfillable().exists(),
        mine.downloadable().exists(),
    ) == (paid, payable, fulfillable, fulfillable)


def test_a_partly_refunded_order_stays_downloadable_only_while_it_was_paid_in_full(in_alpha):
    order = new_order("downloadable")
    Order.objects.filter(pk=order.pk).update(
        paid_total=Decimal("20.00"), refunded_total=Decimal("5")
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


# --- order_paid -------------------------------------------------------------------------------


def test_order_paid_is_sent_once_after_commit_however_often_the_payment_is_confirmed(
    in_alpha, heard, django_capture_on_commit_callbacks
):
    order = new_order("paid-once")
    payment = payment_create(order=order, provider="bank_transfer")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        payment_confirm(payment=payment)
        assert heard == []  # not before the commit
    with django_capture_on_commit_callbacks(execute=True):
        payment_confirm(payment=payment)  # a duplicate webhook, a double click

    assert len(callbacks) == 2  # payment_confirmed, then order_paid
    assert heard == [("paid", order.pk, in_alpha.schema)]


def test_order_paid_waits_for_the_last_instalment_and_not_for_an_overpayment(
    in_alpha, heard, django_capture_on_commit_callbacks
):
    order = new_order("instalments")
    first = payment_create(order=order, provider="cash", amount=Decimal("5"))
    second = payment_create(order=order, provider="cash", amount=Decimal("15"))
    late = payment_create(order=order, provider="stripe", amount=Decimal("15"))

    with django_capture_on_commit_callbacks(execute=True):
        payment_confirm(payment=first)
    assert heard == []
    with django_capture_on_commit_callbacks(execute=True):
        payment_confirm(payment=second)
        payment_confirm(payment=late)  # the card payment that raced the cash: already paid

    assert heard == [("paid", order.pk, in_alpha.schema)]


def test_a_free_order_is_announced_paid_once(in_alpha, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = new_order("free", total="0.00")
        again = new_order("free", total="0.00")  # the same checkout again

    assert again.pk == order.pk
    assert heard == [("paid", order.pk, in_alpha.schema)]


def test_a_rolled_back_payment_is_not_announced(
    in_alpha, heard, django_capture_on_commit_callbacks
):
    order = new_order("rolled-back")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        payment_record_offline(order=order, amount=Decimal("20"), method="cash", actor=None)
        raise RuntimeError("the request failed after the payment")

    assert callbacks == []
    assert heard == []


def test_order_paid_arrives_in_the_studios_schema_when_the_commit_happens_outside_it(
    alpha, heard, django_capture_on_commit_callbacks
):
    """As in the Stripe webhook: the transaction is opened on the bare domain, the payment is
    confirmed inside the studio's schema, and the commit comes after leaving it."""
    with schema_context(alpha.schema):
        order = new_order("webhook-like")
        payment = payment_create(order=order, provider="stripe")

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic(), schema_context(alpha.schema):
            payment_confirm(payment=payment)
        assert connection.schema_name == "public"

    assert heard == [("paid", order.pk, alpha.schema)]


# --- order_refunded ---------------------------------------------------------------------------


def test_order_refunded_is_sent_once_per_refund_after_commit(
    in_alpha, heard, django_capture_on_commit_callbacks
):
    order = new_order("refunded")
    payment_confirm(payment=payment_create(order=order, provider="cash"))

    with django_capture_on_commit_callbacks(execute=True):
        refund_record(order=order, amount=Decimal("5"), idempotency_key="form-1")
        assert heard == []
    with django_capture_on_commit_callbacks(execute=True):
        refund_record(order=order, amount=Decimal("5"), idempotency_key="form-1")  # resubmit
        refund_record(order=order, amount=Decimal("15"), provider_reference="re_1")
        refund_record(order=order, amount=Decimal("15"), provider_reference="re_1")  # webhook

    first, second = Refund.objects.filter(order=order).order_by("amount")
    assert heard == [
        ("refunded", order.pk, first.pk, in_alpha.schema),
        ("refunded", order.pk, second.pk, in_alpha.schema),
    ]
