"""Orders: money as facts, progress apart, readable numbers, payments applied exactly once.

An order's money is three facts: ``total``, ``paid_total`` (confirmed payments) and
``refunded_total`` (refunds). Paid, partly paid, overpaid and (partly) refunded are derived
from them (``Order.payment_state``, ``refund_state``, ``is_paid`` …); they are never moved
to. Apart from the money, staff move an order's ``progress``: open → in fulfilment →
completed, or cancelled. The rules are few and each is checked where its operation is:

* any order with a balance due that is not cancelled takes a payment, by any method;
* a refund gives back at most what is held (paid less refunded);
* fulfilment needs the total paid and not everything refunded;
* cancelling needs nothing held (never paid, or every payment given back).

The stored ``status`` is only the label shown (``models.derive_status``), recomputed by
``_save_facts`` after every change and written to the history (``OrderEvent``) when it
changes, and with every payment, refund and staff move.

Locks are always taken order first, then payment, so two confirmations of the same payment (a
double click, a retried request, a duplicate webhook) serialise and the second is a no-op.
Announced after commit, for the apps that react to them:

* ``signals.payment_confirmed``: once per confirmed payment;
* ``signals.order_paid``: once per order, when its balance due first reaches zero (the
  payment that completes it, or creation of a free order). ``paid_total`` never decreases
  and a refund never raises the balance, so there is no second time; a payment confirmed
  after the order was cancelled is kept but announces no ``order_paid``;
* ``signals.order_refunded``: once per ``Refund``.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saas_platform.money import format_money, quantize

from .models import (
    FULFILMENT_KINDS,
    FulfilmentStatus,
    Order,
    OrderEvent,
    OrderLine,
    OrderNumberCounter,
    OrderProgress,
    Payment,
    PaymentStatus,
    Refund,
)
from .signals import order_paid, order_refunded, payment_confirmed, send_on_commit
from .tasks import send_payment_received_email

# Order history notes are stored in English and translated when shown
# (``selectors.order_history``), so staff read them in their own language.
CREATED_NOTE = "created"
NOTHING_TO_PAY_NOTE = "nothing to pay"
PAYMENT_NOTE = "payment %(amount)s %(currency)s"
OVERPAID_NOTE = "overpaid by %(amount)s %(currency)s: refund the difference"

P = OrderProgress
# Staff moves of the progress; cancelling has its own money rule (``order_move``).
PROGRESS_MOVES: dict[str, frozenset[str]] = {
    P.OPEN: frozenset({P.IN_FULFILMENT, P.COMPLETED, P.CANCELLED}),
    P.IN_FULFILMENT: frozenset({P.COMPLETED, P.CANCELLED}),
    P.COMPLETED: frozenset({P.CANCELLED}),
    P.CANCELLED: frozenset(),
}
# Staff moves that mean the goods go out: only once the whole total is paid.
FULFILMENT_STATES = frozenset({P.IN_FULFILMENT, P.COMPLETED})
FIELDS = ["status", "progress", "paid_total", "refunded_total", "updated_at"]


def _save_facts(
    order: Order, *, actor=None, note: str = "", always: bool = False, shown: str = ""
) -> None:
    """Saves the order's facts and its derived label; the history gets an event when the
    label changes (or ``always``: a payment, refund or move is worth a line of its own,
    ``shown`` as its outcome instead of the label). The caller holds the row lock."""
    before = order.status
    order.status = order.derived_status()
    if always or order.status != before:
        OrderEvent.objects.create(
            order=order,
            from_status=before,
            to_status=shown or order.status,
            actor=actor,
            note=note[:300],
        )
    order.save(update_fields=FIELDS)


def _provisional_number() -> str:
    """A unique stand-in (20 characters, never shown) until ``_next_number`` replaces it."""
    return f"new-{uuid.uuid4().hex[:16]}"


def _next_number() -> str:
    """The next readable number. The counter's row stays locked until the transaction
    commits, so every other order of the studio waits for it: take it last."""
    year = timezone.localdate().year
    counter, _created = OrderNumberCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:06d}"


@dataclass(frozen=True)
class LineInput:
    description: str
    kind: str
    quantity: int
    unit_price: Decimal
    gross: Decimal
    net: Decimal
    adjustments: tuple = ()
    child_id: int | None = None
    photo_id: int | None = None
    product_id: int | None = None
    package_id: int | None = None
    shoot_id: int | None = None
    print_size: str = ""
    options: tuple = ()


def order_create(
    *,
    lines: list[LineInput],
    currency: str,
    email: str,
    payment_method: str,
    idempotency_key: str,
    parent=None,
    delivery: dict | None = None,
    discount_total: Decimal = Decimal("0"),
    prepare=None,
) -> Order:
    """Creates the order once per idempotency key: a double-clicked "Pay" or a retried
    request returns the order the first click made. ``prepare(order)``, when given, runs
    with the lines in place and before the order number's lock, for what other apps keep
    about the lines (a pre-order's credit)."""
    existing = Order.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return existing
    if not lines:
        raise ValidationError(_("The cart is empty."), code="empty")
    subtotal = quantize(sum((line.gross for line in lines), Decimal("0")), currency)
    total = quantize(sum((line.net for line in lines), Decimal("0")), currency)
    try:
        with transaction.atomic():
            order = Order.objects.create(
                number=_provisional_number(),
                parent=parent,
                email=email,
                currency=currency,
                subtotal=subtotal,
                discount_total=quantize(discount_total or subtotal - total, currency),
                total=total,
                payment_method=payment_method,
                idempotency_key=idempotency_key,
                delivery=delivery or {},
            )
            OrderLine.objects.bulk_create(
                OrderLine(
                    order=order,
                    child_id=line.child_id,
                    photo_id=line.photo_id,
                    kind=line.kind,
                    description=line.description,
                    product_id=line.product_id,
                    package_id=line.package_id,
                    shoot_id=line.shoot_id,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    gross=line.gross,
                    adjustments=[[label, str(amount)] for label, amount in line.adjustments],
                    net=line.net,
                    print_size=line.print_size,
                    options=list(line.options),
                    fulfilment_status=(
                        FulfilmentStatus.ACCEPTED if line.kind in FULFILMENT_KINDS else ""
                    ),
                )
                for line in lines
            )
            OrderEvent.objects.create(order=order, to_status=order.status, note=CREATED_NOTE)
            if prepare is not None:
                prepare(order)
            # Last: from here to the commit every other checkout waits on the counter (a
            # rush of checkouts queued on it, measured by benchmarks/rush.py).
            order.number = _next_number()
            order.save(update_fields=["number"])
    except IntegrityError:
        # The same key arrived twice at once; the other request created the order.
        return Order.objects.get(idempotency_key=idempotency_key)
    if total == 0:
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order.pk)
            _save_facts(order, note=NOTHING_TO_PAY_NOTE)
            send_on_commit(order_paid, order=order)
    return order


@transaction.atomic
def payment_create(
    *,
    order: Order,
    provider: str,
    amount: Decimal | None = None,
    reference: str = "",
    recorded_by=None,
    idempotency_key: str | None = None,
) -> Payment:
    order = Order.objects.select_for_update().get(pk=order.pk)
    if idempotency_key:
        # Checked under the order's lock: a second submit of the same form waits for the
        # first and then finds its payment.
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.order_id != order.pk:
                raise ValidationError(_("This form was already used."), code="reused")
            return existing
    if order.is_cancelled:
        raise ValidationError(_("This order can no longer be paid."), code="closed")
    if not order.balance_due:
        raise ValidationError(_("Nothing is due on this order."), code="nothing_due")
    amount = quantize(order.balance_due if amount is None else Decimal(amount), order.currency)
    if amount <= 0:
        raise ValidationError(_("The amount must be more than zero."), code="amount")
    if amount > order.balance_due:
        raise ValidationError(
            _("That is more than the %(due)s still due.")
            % {"due": format_money(order.balance_due, order.currency)},
            code="amount",
        )
    return Payment.objects.create(
        order=order,
        provider=provider,
        amount=amount,
        currency=order.currency,
        reference=reference,
        recorded_by=recorded_by,
        idempotency_key=idempotency_key or None,
    )


def payment_confirm(*, payment: Payment, actor=None) -> Payment:
    """Applies a payment to its order exactly once; confirming again changes nothing."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=payment.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == PaymentStatus.CONFIRMED:
            return payment
        if payment.status in (PaymentStatus.FAILED, PaymentStatus.CANCELLED):
            raise ValidationError(_("This payment was not completed."), code="state")
        payment.status = PaymentStatus.CONFIRMED
        payment.confirmed_at = timezone.now()
        payment.save(update_fields=["status", "confirmed_at"])
        send_on_commit(payment_confirmed, order=order, payment=payment)  # before order_paid
        was_due = order.balance_due > 0
        # Money that arrived is real: applied whatever the order's state (a card paid after
        # a transfer, or after cancelling); staff see what to give back.
        order.paid_total += payment.amount
        _save_facts(
            order,
            actor=actor,
            note=PAYMENT_NOTE % {"amount": payment.amount, "currency": payment.currency},
            always=True,
        )
        if order.overpaid:
            OrderEvent.objects.create(
                order=order,
                from_status=order.status,
                to_status=order.status,
                actor=actor,
                note=OVERPAID_NOTE % {"amount": order.overpaid, "currency": order.currency},
            )
        if was_due and not order.balance_due and not order.is_cancelled:
            send_on_commit(order_paid, order=order)
    return payment


OFFLINE_METHODS = ("bank_transfer", "cash")


def payment_record_offline(
    *,
    order: Order,
    amount: Decimal,
    method: str,
    actor,
    reference: str = "",
    idempotency_key: str | None = None,
) -> Payment:
    """Staff record money received by bank transfer or in cash (full or partial). With an
    ``idempotency_key`` (one per rendered form) a repeated submit returns the first payment
    and records nothing. The parent is e-mailed once the payment is committed."""
    if method not in OFFLINE_METHODS:
        raise ValidationError(_("Choose bank transfer or cash."), code="method")
    with transaction.atomic():
        payment = payment_create(
            order=order,
            provider=method,
            amount=amount,
            reference=reference[:100],
            recorded_by=actor,
            idempotency_key=idempotency_key,
        )
        if payment.status == PaymentStatus.CONFIRMED:
            return payment  # the same form again
        payment = payment_confirm(payment=payment, actor=actor)
        send_payment_received_email.enqueue_on_commit(str(payment.pk))
    return payment


@transaction.atomic
def refund_record(
    *,
    order: Order,
    amount: Decimal,
    actor=None,
    reason: str = "",
    payment: Payment | None = None,
    provider_reference: str | None = None,
    idempotency_key: str | None = None,
    line_ids=(),
) -> Refund:
    """Money given back. With the provider's ``provider_reference`` the same refund reported
    again (our API call, then its webhook) returns the first record and changes nothing; with
    ``idempotency_key`` (the staff form's) a second submit returns the first refund."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if idempotency_key:
        existing = Refund.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if provider_reference:
        existing = Refund.objects.filter(provider_reference=provider_reference).first()
        if existing is not None:
            return existing
    amount = quantize(Decimal(amount), order.currency)
    refundable = order.held
    if amount <= 0 or amount > refundable:
        raise ValidationError(
            _("You can refund up to %(max)s.") % {"max": format_money(refundable, order.currency)},
            code="amount",
        )
    refund = Refund.objects.create(
        order=order,
        payment=payment,
        amount=amount,
        reason=reason[:300],
        recorded_by=actor,
        provider_reference=provider_reference or None,
        idempotency_key=idempotency_key or None,
    )
    if line_ids:  # what the money was for: those lines' downloads close
        order.lines.filter(pk__in=list(line_ids)).update(refunded=True)
    order.refunded_total += amount
    _save_facts(order, actor=actor, note=reason, always=True)
    send_on_commit(order_refunded, order=order, refund=refund)
    return refund


@transaction.atomic
def order_move(*, order: Order, to: str, actor) -> Order:
    """Staff move the order's progress: into fulfilment and completion once the total is
    paid, or cancel it while nothing is held."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if to not in PROGRESS_MOVES.get(order.progress, ()):
        raise ValidationError(
            _("An order cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": OrderProgress(order.progress).label,
                "to": OrderProgress(to).label if to in P.values else to,
            },
            code="transition",
        )
    if to == P.CANCELLED and order.held > 0:
        raise ValidationError(_("Refund the payments before cancelling."), code="paid")
    if to in FULFILMENT_STATES and order.balance_due:
        raise ValidationError(
            _("Order %(number)s is not paid in full: it cannot be “%(to)s”.")
            % {"number": order.number, "to": OrderProgress(to).label},
            code="unpaid",
        )
    if to in FULFILMENT_STATES and not order.is_fulfillable:
        raise ValidationError(
            _("Order %(number)s was refunded in full: it cannot be “%(to)s”.")
            % {"number": order.number, "to": OrderProgress(to).label},
            code="refunded",
        )
    order.progress = to
    _save_facts(order, actor=actor, always=True, shown=to)
    return order
