"""Orders, payments and refunds over the API: the staff order pages' rules, through the same
services."""

import uuid
from decimal import Decimal

from saas_platform.accounts.models import Role
from studio.orders.models import Order, OrderProgress, Payment, Refund
from tests.studio.orders.conftest import place_order

from .conftest import api_client, user_with


def test_orders_list_with_money_and_filters(alpha, shop):
    paid = place_order(shop, email="paid@example.com")
    unpaid = place_order(shop, email="unpaid@example.com", paid=False)
    client = api_client(alpha, shop.manager)

    everything = client.get("/api/orders/").json()
    waiting = client.get("/api/orders/?status=pending_payment").json()
    by_mail = client.get("/api/orders/?q=unpaid").json()

    assert everything["count"] == 2
    assert [o["number"] for o in waiting["results"]] == [unpaid.number]
    assert [o["number"] for o in by_mail["results"]] == [unpaid.number]
    assert paid.number in [o["number"] for o in everything["results"]]
    row = next(o for o in everything["results"] if o["id"] == unpaid.pk)
    assert (row["total"], row["paid_total"], row["balance_due"], row["payment_state"]) == (
        "17.00",
        "0.00",
        "17.00",
        "unpaid",
    )


def test_a_bad_filter_is_400(alpha, shop):
    client = api_client(alpha, shop.manager)

    response = client.get("/api/orders/?status=lost&date_from=yesterday")

    assert response.status_code == 400
    assert set(response.json()) == {"status", "date_from"}


def test_order_detail_has_lines_payments_and_fulfilment(alpha, shop):
    order = place_order(shop)
    client = api_client(alpha, shop.manager)

    data = client.get(f"/api/orders/{order.pk}/").json()

    assert [(line["kind"], line["net"], line["fulfilment_status"]) for line in data["lines"]] == [
        ("print", "10.00", "accepted"),
        ("print", "3.00", "accepted"),
        ("digital", "4.00", ""),
    ]
    assert [(p["provider"], p["amount"], p["status"]) for p in data["payments"]] == [
        ("bank_transfer", "17.00", "confirmed")
    ]
    assert data["refunds"] == []


def test_record_an_offline_payment_once_per_key(alpha, shop, django_capture_on_commit_callbacks):
    order = place_order(shop, paid=False)
    client = api_client(alpha, shop.manager)
    body = {
        "amount": "10",
        "method": "cash",
        "reference": "9B",
        "idempotency_key": str(uuid.uuid4()),
    }

    first = client.post(f"/api/orders/{order.pk}/payments/", body, format="json")
    again = client.post(f"/api/orders/{order.pk}/payments/", body, format="json")
    too_much = client.post(
        f"/api/orders/{order.pk}/payments/", {"amount": "8", "method": "cash"}, format="json"
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"]
    assert Payment.objects.filter(order=order, provider="cash").count() == 1
    assert too_much.status_code == 400
    assert list(too_much.json()) == ["amount"]
    order.refresh_from_db()
    assert order.paid_total == Decimal("10.000")


def test_paying_a_settled_order_is_409(alpha, shop):
    order = place_order(shop)
    client = api_client(alpha, shop.manager)

    response = client.post(
        f"/api/orders/{order.pk}/payments/", {"amount": "1", "method": "cash"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["detail"] == "Nothing is due on this order."


def test_move_follows_the_order_rules(alpha, shop):
    unpaid = place_order(shop, paid=False)
    paid = place_order(shop)
    client = api_client(alpha, shop.manager)

    refused = client.post(f"/api/orders/{unpaid.pk}/move/", {"to": "in_fulfilment"}, format="json")
    moved = client.post(f"/api/orders/{paid.pk}/move/", {"to": "in_fulfilment"}, format="json")
    cancel_paid = client.post(f"/api/orders/{paid.pk}/move/", {"to": "cancelled"}, format="json")

    assert refused.status_code == 409
    assert "not paid in full" in refused.json()["detail"]
    assert moved.status_code == 200
    assert moved.json()["progress"] == OrderProgress.IN_FULFILMENT
    assert cancel_paid.status_code == 409
    assert cancel_paid.json()["detail"] == "Refund the payments before cancelling."


def test_fulfilment_moves_prints_and_reports_the_rest(alpha, shop):
    order = place_order(shop)
    client = api_client(alpha, shop.manager)
    first, second = order.lines.filter(kind="print").order_by("pk")

    moved = client.post(
        f"/api/orders/{order.pk}/fulfilment/",
        {"to": "processing", "lines": [first.pk]},
        format="json",
    )
    mixed = client.post(f"/api/orders/{order.pk}/fulfilment/", {"to": "printing"}, format="json")
    digital_only = client.post(
        f"/api/orders/{order.pk}/fulfilment/",
        {"to": "printing", "lines": [order.lines.get(kind="digital").pk]},
        format="json",
    )

    assert moved.json() == {"moved": [first.pk], "failed": []}
    assert mixed.json()["moved"] == [first.pk, second.pk]
    assert digital_only.status_code == 400
    assert list(digital_only.json()) == ["lines"]


def test_refund_gives_back_at_most_what_is_held(alpha, shop):
    order = place_order(shop)
    client = api_client(alpha, shop.manager)
    line = order.lines.get(kind="digital")

    refund = client.post(
        f"/api/orders/{order.pk}/refund/",
        {"amount": "4", "reason": "Wrong photo", "lines": [line.pk]},
        format="json",
    )
    too_much = client.post(
        f"/api/orders/{order.pk}/refund/", {"amount": "14", "reason": "All"}, format="json"
    )
    refunded_line_again = client.post(
        f"/api/orders/{order.pk}/refund/",
        {"amount": "1", "reason": "x", "lines": [line.pk]},
        format="json",
    )

    assert refund.status_code == 201
    assert refund.json()["amount"] == "4.00"
    assert too_much.status_code == 409
    assert "You can refund up to" in too_much.json()["detail"]
    assert refunded_line_again.status_code == 400
    assert Refund.objects.filter(order=order).count() == 1
    line.refresh_from_db()
    assert line.refunded


def test_payments_list_and_filter(alpha, shop):
    paid = place_order(shop)
    place_order(shop, paid=False)
    client = api_client(alpha, shop.manager)

    listed = client.get("/api/payments/").json()
    by_order = client.get(f"/api/payments/?order={paid.pk}").json()
    one = client.get(f"/api/payments/{listed['results'][0]['id']}/").json()

    assert listed["count"] == 1
    assert by_order["results"][0]["order_number"] == paid.number
    assert one["amount"] == "17.00"


def test_photographers_and_principals_see_no_orders(alpha, shop):
    order = place_order(shop)
    for role in (Role.PHOTOGRAPHER, Role.PRINCIPAL, Role.RETOUCHER, Role.PARENT):
        client = api_client(alpha, user_with(role))
        assert client.get("/api/orders/").status_code == 403
        assert client.get(f"/api/orders/{order.pk}/").status_code == 403
        assert client.get("/api/payments/").status_code == 403
    assert Order.objects.count() == 1
