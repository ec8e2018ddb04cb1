"""Reads for the staff order pages, the school delivery labels and the dashboard."""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from saas_platform.money import format_money
from tenants.selectors import current_studio, studio_url

from .models import (
    FULFILMENT_KINDS,
    FulfilmentEvent,
    FulfilmentStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    Refund,
    fulfillable_q,
)


def order_search(
    *,
    status: str = "",
    payment_method: str = "",
    school_id: int | None = None,
    class_id: int | None = None,
    query: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    tz=None,
):
    """Orders matching the list's filters; dates are whole days in ``tz`` (the studio's)."""
    orders = Order.objects.all()
    if status:
        orders = orders.filter(status=status)
    if payment_method:
        orders = orders.filter(payment_method=payment_method)
    child_filter = Q()
    if school_id:
        child_filter &= Q(lines__child__school_class__school_id=school_id)
    if class_id:
        child_filter &= Q(lines__child__school_class_id=class_id)
    query = " ".join((query or "").split())
    if query:
        text = Q(number__icontains=query) | Q(email__icontains=query)
        for word in query.split():
            text |= Q(lines__child__first_name__icontains=word) | Q(
                lines__child__last_name__icontains=word
            )
        child_filter &= text
    if child_filter:
        orders = orders.filter(pk__in=Order.objects.filter(child_filter).values("pk"))
    tz = tz or timezone.get_current_timezone()
    if date_from:
        start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=tz)
        orders = orders.filter(created_at__gte=start)
    if date_to:
        end = datetime.datetime.combine(date_to, datetime.time.min, tzinfo=tz)
        orders = orders.filter(created_at__lt=end + datetime.timedelta(days=1))
    return orders.order_by("-created_at", "-pk")


def order_page_url(*, order: Order, studio=None, request=None) -> str:
    """The parent's own order page, absolute on the studio's host (for e-mails and Stripe)."""
    return studio_url(
        studio=studio or current_studio(), path=order.get_absolute_url(), request=request
    )


def order_for_staff(*, pk: int) -> Order:
    return Order.objects.select_related("parent").get(pk=pk)


def order_lines(order: Order):
    return order.lines.select_related("child__school_class__school", "photo").prefetch_related(
        "lab_entries__batch"
    )


def _label(choices, value: str) -> str:
    try:
        return choices(value).label if value else ""
    except ValueError:
        return value


_NOTE_PATTERNS = [
    (re.compile(r"^payment (?P<amount>[\d.]+) (?P<currency>[A-Z]{3})$"), "payment"),
    (
        re.compile(
            r"^overpaid by (?P<amount>[\d.]+) (?P<currency>[A-Z]{3}): refund the difference$"
        ),
        "overpaid",
    ),
]


def order_event_note(note: str) -> str:
    """A history note (stored in English) in the reader's language, amounts as money."""
    fixed = {"created": pgettext("order", "created"), "nothing to pay": _("nothing to pay")}
    if note in fixed:
        return str(fixed[note])
    for pattern, kind in _NOTE_PATTERNS:
        match = pattern.match(note)
        if match:
            amount = format_money(Decimal(match["amount"]), match["currency"])
            if kind == "payment":
                return _("payment %(amount)s") % {"amount": amount}
            return _("overpaid by %(amount)s: refund the difference") % {"amount": amount}
    return note


def order_history(order: Order) -> list[dict]:
    """Order events and fulfilment events, oldest first, for the detail page."""
    items = [
        {
            "at": event.created_at,
            "actor": event.actor,
            "what": _label(OrderStatus, event.to_status),
            "from": _label(OrderStatus, event.from_status),
            "note": order_event_note(event.note),
            "line": None,
        }
        for event in order.events.select_related("actor")
    ]
    items += [
        {
            "at": event.created_at,
            "actor": event.actor,
            "what": _label(FulfilmentStatus, event.to_status),
            "from": _label(FulfilmentStatus, event.from_status),
            "note": event.tracking_number,
            "line": event.line,
        }
        for event in FulfilmentEvent.objects.filter(line__order=order).select_related(
            "actor", "line"
        )
    ]
    return sorted(items, key=lambda item: item["at"])


# --- deliveries to school ----------------------------------------------------------------


@dataclass
class SchoolLabel:
    order: Order
    child: object
    item_count: int


@dataclass
class ClassGroup:
    school_name: str
    class_name: str
    teacher: str
    labels: list[SchoolLabel] = field(default_factory=list)


def school_delivery_groups(*, school_id: int | None = None) -> list[ClassGroup]:
    """Paid orders delivered to school, one label per order and child, grouped by school and
    class (the child's), for packing and handing out. Lines picked up already are left out."""
    lines = (
        OrderLine.objects.filter(
            fulfillable_q("order__"),
            order__delivery__method="school",
            kind__in=FULFILMENT_KINDS,
        )
        .exclude(fulfilment_status=FulfilmentStatus.PICKED_UP)
        .select_related("order", "child__school_class__school")
        .order_by("order__number", "pk")
    )
    if school_id:
        lines = lines.filter(child__school_class__school_id=school_id)
    labels: dict[tuple, SchoolLabel] = {}
    groups: dict[tuple, ClassGroup] = {}
    for line in lines:
        child = line.child
        school_class = child.school_class if child else None
        group_key = (
            school_class.school.name if school_class else "",
            school_class.name if school_class else "",
            school_class.pk if school_class else 0,
        )
        if group_key not in groups:
            groups[group_key] = ClassGroup(
                school_name=group_key[0],
                class_name=group_key[1],
                teacher=school_class.teacher if school_class else "",
            )
        key = (line.order_id, child.pk if child else 0)
        if key not in labels:
            labels[key] = SchoolLabel(order=line.order, child=child, item_count=0)
            groups[group_key].labels.append(labels[key])
        labels[key].item_count += line.quantity
    ordered = sorted(groups.items(), key=lambda item: (item[0][0] == "", item[0][:2]))
    for _key, group in ordered:
        group.labels.sort(
            key=lambda label: (label.child.last_name if label.child else "", label.order.number)
        )
    return [group for _key, group in ordered]


# --- dashboard ---------------------------------------------------------------------------


def _day_bounds(day: datetime.date, tz) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def orders_today_summary(*, currency: str, tz, now: datetime.datetime | None = None) -> dict:
    """Today (in the studio's time zone): orders placed, revenue (confirmed payments minus
    refunds recorded today) and the balance still unpaid on open orders."""
    now = now or timezone.now()
    start, end = _day_bounds(now.astimezone(tz).date(), tz)
    zero = Decimal("0")
    paid = (
        Payment.objects.confirmed()
        .filter(
            currency=currency,
            confirmed_at__gte=start,
            confirmed_at__lt=end,
        )
        .aggregate(s=Sum("amount"))["s"]
        or zero
    )
    refunded = (
        Refund.objects.filter(
            order__currency=currency, created_at__gte=start, created_at__lt=end
        ).aggregate(s=Sum("amount"))["s"]
        or zero
    )
    outstanding = (
        Order.objects.payable()
        .filter(currency=currency)
        .aggregate(s=Sum(F("total") - F("paid_total")))["s"]
        or zero
    )
    return {
        "orders_today": Order.objects.filter(created_at__gte=start, created_at__lt=end).count(),
        "revenue_today": paid - refunded,
        "outstanding": outstanding,
        "currency": currency,
    }
