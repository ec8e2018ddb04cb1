"""Print fulfilment: one transition table for prints and albums, every change logged and
e-mailed to the parent.

A line goes accepted → processing → printing → ready, then either shipped → delivered (home
delivery) or picked up at school. The lab export jumps accepted lines straight to printing.
Only lines of orders whose money is in (``Order.is_fulfillable``) move at all.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import (
    FULFILMENT_KINDS,
    FulfilmentEvent,
    FulfilmentStatus,
    Order,
    OrderLine,
)
from .tasks import send_fulfilment_email

F = FulfilmentStatus
FULFILMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    F.ACCEPTED: frozenset({F.PROCESSING, F.PRINTING}),
    F.PROCESSING: frozenset({F.PRINTING}),
    F.PRINTING: frozenset({F.READY}),
    F.READY: frozenset({F.SHIPPED, F.PICKED_UP}),
    F.SHIPPED: frozenset({F.DELIVERED}),
    F.DELIVERED: frozenset(),
    F.PICKED_UP: frozenset(),
}


@dataclass
class MoveResult:
    moved: list[FulfilmentEvent] = field(default_factory=list)
    failed: list[tuple[OrderLine, str]] = field(default_factory=list)


def _label(status: str) -> str:
    return FulfilmentStatus(status).label


def _check(line: OrderLine, to: str) -> None:
    """Why ``line`` cannot move to ``to``, as a ValidationError; nothing when it can."""
    if to not in FulfilmentStatus.values:
        raise ValidationError(_("Unknown fulfilment status."), code="status")
    if line.kind not in FULFILMENT_KINDS:
        raise ValidationError(_("Only prints and albums are fulfilled."), code="kind")
    if not line.order.is_fulfillable:
        raise ValidationError(
            _("Order %(number)s is not paid (%(status)s).")
            % {"number": line.order.number, "status": line.order.get_status_display()},
            code="unpaid",
        )
    current = line.fulfilment_status or F.ACCEPTED
    if to not in FULFILMENT_TRANSITIONS[current]:
        raise ValidationError(
            _("A print cannot go from “%(from)s” to “%(to)s”.")
            % {"from": _label(current), "to": _label(to)},
            code="transition",
        )
    at_school = (line.order.delivery or {}).get("method") == "school"
    if to == F.SHIPPED and at_school:
        raise ValidationError(
            _("Order %(number)s is delivered to school: mark it picked up instead.")
            % {"number": line.order.number},
            code="delivery",
        )
    if to == F.PICKED_UP and not at_school:
        raise ValidationError(
            _("Order %(number)s is not delivered to school.") % {"number": line.order.number},
            code="delivery",
        )


def _apply(line: OrderLine, to: str, *, actor, tracking_number: str) -> FulfilmentEvent:
    """The one place a line's fulfilment status changes (the caller holds the row lock)."""
    _check(line, to)
    event = FulfilmentEvent.objects.create(
        line=line,
        from_status=line.fulfilment_status or F.ACCEPTED,
        to_status=to,
        tracking_number=tracking_number if to == F.SHIPPED else "",
        actor=actor,
    )
    line.fulfilment_status = to
    fields = ["fulfilment_status"]
    if to == F.SHIPPED and tracking_number:
        line.tracking_number = tracking_number
        fields.append("tracking_number")
    line.save(update_fields=fields)
    return event


def lines_fulfilment_move(
    *, line_ids, to: str, actor, tracking_number: str = "", notify: bool = True
) -> MoveResult:
    """Moves each line that may move; the others are reported with the reason, one line's
    refusal never stops the rest. One e-mail per order about its moved lines, after commit."""
    tracking_number = " ".join((tracking_number or "").split())[:100]
    result = MoveResult()
    with transaction.atomic():
        # Orders first, then lines: the same lock order as payments and refunds.
        order_ids = set(
            OrderLine.objects.filter(pk__in=line_ids).values_list("order_id", flat=True)
        )
        list(Order.objects.select_for_update().filter(pk__in=order_ids).order_by("pk"))
        lines = (
            OrderLine.objects.select_for_update(of=("self",))
            .select_related("order")
            .filter(pk__in=line_ids)
            .order_by("order_id", "pk")
        )
        for line in lines:
            try:
                result.moved.append(_apply(line, to, actor=actor, tracking_number=tracking_number))
            except ValidationError as error:
                result.failed.append((line, " ".join(error.messages)))
        if notify:
            by_order: dict[int, list[int]] = {}
            for event in result.moved:
                by_order.setdefault(event.line.order_id, []).append(event.pk)
            for event_ids in by_order.values():
                send_fulfilment_email.enqueue_on_commit(event_ids)
    return result


def line_fulfilment_move(*, line: OrderLine, to: str, actor, tracking_number: str = ""):
    """One line; raises ValidationError when it may not move."""
    result = lines_fulfilment_move(
        line_ids=[line.pk], to=to, actor=actor, tracking_number=tracking_number
    )
    if result.failed:
        raise ValidationError(result.failed[0][1])
    return result.moved[0]


def order_fulfilment_lines(order_ids) -> list[int]:
    """The print and album lines of these orders, for bulk moves from the order list."""
    return list(
        OrderLine.objects.filter(order_id__in=order_ids, kind__in=FULFILMENT_KINDS).values_list(
            "pk", flat=True
        )
    )
