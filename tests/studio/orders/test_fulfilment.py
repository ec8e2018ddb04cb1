"""Print fulfilment: one table of moves, only for paid orders, logged and e-mailed."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from studio.orders.fulfilment import (
    FULFILMENT_TRANSITIONS,
    line_fulfilment_move,
    lines_fulfilment_move,
)
from studio.orders.models import FulfilmentEvent, FulfilmentStatus, OrderLine

from .conftest import place_order

F = FulfilmentStatus
SCHOOL = {"method": "school"}


@pytest.mark.parametrize(("source", "target"), [(s, t) for s in F.values for t in F.values])
def test_every_fulfilment_move_is_checked_against_the_table(shop, source, target):
    # Picked up at school needs delivery to school, shipping needs delivery home.
    delivery = SCHOOL if target == F.PICKED_UP else None
    line = place_order(shop, delivery=delivery).lines.get(kind="print", child=shop.ivan)
    OrderLine.objects.filter(pk=line.pk).update(fulfilment_status=source)

    if target in FULFILMENT_TRANSITIONS[source]:
        line_fulfilment_move(line=line, to=target, actor=shop.manager)
        line.refresh_from_db()
        assert line.fulfilment_status == target
        event = FulfilmentEvent.objects.get(line=line)
        assert (event.from_status, event.to_status, event.actor) == (source, target, shop.manager)
    else:
        with pytest.raises(ValidationError, match="cannot go from"):
            line_fulfilment_move(line=line, to=target, actor=shop.manager)
        line.refresh_from_db()
        assert line.fulfilment_status == source
        assert not FulfilmentEvent.objects.filter(line=line).exists()


def test_new_print_and_album_lines_start_accepted_others_have_no_fulfilment(shop):
    order = place_order(shop, paid=False)

    assert sorted(order.lines.values_list("kind", "fulfilment_status")) == [
        ("digital", ""),
        ("print", F.ACCEPTED),
        ("print", F.ACCEPTED),
    ]


def test_unpaid_orders_and_digital_lines_do_not_move(shop):
    unpaid = place_order(shop, paid=False)
    paid = place_order(shop)

    with pytest.raises(ValidationError, match="is not paid"):
        line_fulfilment_move(
            line=unpaid.lines.filter(kind="print").first(), to=F.PROCESSING, actor=shop.manager
        )
    with pytest.raises(ValidationError, match="Only prints and albums"):
        line_fulfilment_move(
            line=paid.lines.get(kind="digital"), to=F.PROCESSING, actor=shop.manager
        )


def test_school_orders_are_picked_up_and_home_orders_shipped(shop):
    at_school = place_order(shop, delivery=SCHOOL).lines.filter(kind="print").first()
    at_home = place_order(shop).lines.filter(kind="print").first()
    OrderLine.objects.filter(pk__in=[at_school.pk, at_home.pk]).update(fulfilment_status=F.READY)

    with pytest.raises(ValidationError, match="mark it picked up"):
        line_fulfilment_move(line=at_school, to=F.SHIPPED, actor=shop.manager)
    with pytest.raises(ValidationError, match="not delivered to school"):
        line_fulfilment_move(line=at_home, to=F.PICKED_UP, actor=shop.manager)


def test_a_bulk_move_reports_the_lines_that_cannot_move_and_moves_the_rest(shop):
    order = place_order(shop)
    ivan, masha = order.lines.filter(kind="print").order_by("pk")
    OrderLine.objects.filter(pk=masha.pk).update(fulfilment_status=F.SHIPPED)

    result = lines_fulfilment_move(
        line_ids=[ivan.pk, masha.pk], to=F.PROCESSING, actor=shop.manager
    )

    assert [event.line_id for event in result.moved] == [ivan.pk]
    assert [(line.pk, "Shipped" in reason) for line, reason in result.failed] == [(masha.pk, True)]


def test_the_parent_gets_one_email_per_change_with_the_tracking_number_when_shipped(
    shop, run_tasks, django_capture_on_commit_callbacks
):
    order = place_order(shop, email="anna@example.com")
    lines = list(order.lines.filter(kind="print").order_by("pk"))
    OrderLine.objects.filter(order=order, kind="print").update(fulfilment_status=F.READY)

    with django_capture_on_commit_callbacks(execute=True):
        lines_fulfilment_move(
            line_ids=[line.pk for line in lines],
            to=F.SHIPPED,
            actor=shop.manager,
            tracking_number="  LV 123 456 ",
        )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.com"]
    assert order.number in message.subject
    assert "Shipped" in message.subject
    assert "tracking number LV 123 456" in message.body
    assert "Print 13×18 (Ivan Petrov): Shipped" in message.body
    assert f"/account/orders/{order.number}/" in message.body
    assert set(OrderLine.objects.filter(order=order, kind="print").values_list(
        "tracking_number", flat=True)) == {"LV 123 456"}  # fmt: skip
