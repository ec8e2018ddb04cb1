"""E-mails to the parent who placed an order: payment received, print status changes, and
payment reminders. In the parent's language and the studio's time zone, from a Celery task
after the change is committed (a rolled-back payment must not be announced)."""

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _lazy

from saas_platform.accounts.models import DELETED_EMAIL_DOMAIN
from saas_platform.money import format_money
from studio.core.emails import Action, parent_email_send, parent_language
from tenants.models import Studio
from tenants.selectors import current_studio

from .models import FulfilmentEvent, FulfilmentStatus, Order, OrderLine, Payment
from .selectors import order_page_url

FIRST_REMINDER_AFTER = datetime.timedelta(days=3)
REMINDER_EVERY = datetime.timedelta(days=7)
DEADLINE_REMINDER_BEFORE = datetime.timedelta(days=2)
# The daily run drifts by seconds; a week minus this still counts as a week.
RUN_SLACK = datetime.timedelta(hours=1)


def _language(studio: Studio, order: Order) -> str:
    return parent_language(studio=studio, email=order.email, parent=order.parent)


def _send(*, studio: Studio, order: Order, template: str, context: dict, language: str) -> None:
    link = order_page_url(studio=studio, order=order)
    with translation.override(language):
        context = {
            "order": order,
            "link": link,
            "balance_due": format_money(order.balance_due, order.currency),
            "total": format_money(order.total, order.currency),
            **context,
        }
    parent_email_send(
        studio=studio,
        to=[order.email],
        template=f"orders/email/{template}",
        context=context,
        language=language,
        action=Action(_lazy("View your order"), link),
    )


def payment_received_send(*, payment_id: str) -> bool:
    payment = (
        Payment.objects.confirmed().select_related("order__parent").filter(pk=payment_id).first()
    )
    if payment is None:
        return False
    studio = current_studio()
    language = _language(studio, payment.order)
    with translation.override(language):
        amount = format_money(payment.amount, payment.currency)
    _send(
        studio=studio,
        order=payment.order,
        template="payment_received",
        context={"payment": payment, "amount": amount},
        language=language,
    )
    return True


def fulfilment_email_send(*, event_ids: list[int]) -> bool:
    """One message about the lines of one order that just changed status."""
    events = list(
        FulfilmentEvent.objects.select_related("line__order", "line__child")
        .filter(pk__in=event_ids)
        .order_by("pk")
    )
    if not events:
        return False
    order = events[0].line.order
    studio = current_studio()
    language = _language(studio, order)
    with translation.override(language):
        changes = [
            {
                "line": event.line,
                "status": str(FulfilmentStatus(event.to_status).label),
                "tracking_number": event.tracking_number,
            }
            for event in events
        ]
    statuses = {event.to_status for event in events}
    _send(
        studio=studio,
        order=order,
        template="fulfilment",
        context={
            "changes": changes,
            "shipped": FulfilmentStatus.SHIPPED in statuses,
            "status": changes[0]["status"] if len(statuses) == 1 else "",
        },
        language=language,
    )
    return True


def reminders_due(*, now: datetime.datetime):
    """(periodic, before the deadline): unpaid orders to remind now."""
    # a parent who deleted their account is not reminded (their address is a placeholder)
    unpaid = Order.objects.payable().exclude(email__endswith="@" + DELETED_EMAIL_DOMAIN)
    periodic = unpaid.filter(created_at__lte=now - FIRST_REMINDER_AFTER + RUN_SLACK).exclude(
        last_reminded_at__gt=now - REMINDER_EVERY + RUN_SLACK
    )
    closing = OrderLine.objects.filter(
        order=OuterRef("pk"),
        photo__shoot__sales_deadline__gt=now,
        photo__shoot__sales_deadline__lte=now + DEADLINE_REMINDER_BEFORE,
    )
    before_deadline = unpaid.filter(Exists(closing), deadline_reminded_at__isnull=True)
    return periodic, before_deadline


def order_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Reminds parents of unpaid orders: 3 days after the order and weekly after that, and
    once 2 days before the sales deadline of its photos. Each order is reminded under its row
    lock and the time recorded with it, so overlapping runs never send one twice. A parent
    due both reminders on the same day gets only the deadline one."""
    now = now or timezone.now()
    studio = current_studio()
    periodic, before_deadline = reminders_due(now=now)
    deadline_ids = set(before_deadline.values_list("pk", flat=True))
    periodic_ids = set(periodic.values_list("pk", flat=True))
    sent = 0
    for order_id in sorted(deadline_ids | periodic_ids):
        with transaction.atomic():
            periodic, before_deadline = reminders_due(now=now)
            deadline = order_id in deadline_ids
            queryset = before_deadline if deadline else periodic
            order = queryset.select_for_update(skip_locked=True).filter(pk=order_id).first()
            if order is None:
                continue
            sales_deadline = None
            if deadline:
                sales_deadline = (
                    order.lines.filter(photo__shoot__sales_deadline__gt=now)
                    .order_by("photo__shoot__sales_deadline")
                    .values_list("photo__shoot__sales_deadline", flat=True)
                    .first()
                )
            _send(
                studio=studio,
                order=order,
                template="reminder",
                context={"deadline": sales_deadline},
                language=_language(studio, order),
            )
            order.last_reminded_at = now
            fields = ["last_reminded_at"]
            if deadline:
                order.deadline_reminded_at = now
                fields.append("deadline_reminded_at")
            order.save(update_fields=fields)
            sent += 1
    return sent
