"""Staff order pages: who may use them, another studio's ids, filters and actions."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.orders.lab import lab_batch_create
from studio.orders.models import (
    FulfilmentStatus,
    LabBatch,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
)
from tests.conftest import host_client, logged_in_client, push_id_sequences

from .conftest import make_shop, place_order

PAGES = {
    "list": ("get", "/staff/orders/"),
    "detail": ("get", "/staff/orders/{order}/"),
    "payment": ("post", "/staff/orders/{order}/payment/"),
    "refund": ("post", "/staff/orders/{order}/refund/"),
    "move": ("post", "/staff/orders/{order}/move/"),
    "fulfilment": ("post", "/staff/orders/{order}/fulfilment/"),
    "bulk": ("post", "/staff/orders/bulk/"),
    "labels": ("get", "/staff/orders/school-delivery/"),
    "batches": ("get", "/staff/orders/lab-batches/"),
    "batch": ("get", "/staff/orders/lab-batches/{batch}/"),
    "download": ("get", "/staff/orders/lab-batches/{batch}/download/"),
}
OBJECT_PAGES = [name for name, (_m, url) in PAGES.items() if "{" in url]

MATRIX = """
page        owner manager photographer retoucher principal parent
list         200    200       403         403       403      403
detail       200    200       403         403       403      403
payment      400    400       403         403       403      403
refund       400    400       403         403       403      403
move         400    400       403         403       403      403
fulfilment   400    400       403         403       403      403
bulk         302    302       403         403       403      403
labels       200    200       403         403       403      403
batches      200    200       403         403       403      403
batch        200    200       403         403       403      403
download     200    200       403         403       403      403
"""


def _matrix():
    header, *rows = [line.split() for line in MATRIX.strip().splitlines()]
    return [(row[0], role, int(status)) for row in rows for role, status in zip(header[1:], row[1:], strict=True)]  # fmt: skip


def client_for(studio, role: str, email: str | None = None):
    with schema_context(studio.schema):
        user = User.objects.create_user(
            email=email or f"{role}-orders-views@alpha.test", password="pw-123456", role=role
        )
    return logged_in_client(studio, user)


@pytest.fixture
def world(alpha, media_in_tmp):
    """A paid order with a lab batch in alpha."""
    with schema_context(alpha.schema):
        shop = make_shop()
        order = place_order(shop)
        batch = lab_batch_create(order_ids=[order.pk], actor=shop.manager).batch
    return {"shop": shop, "order": order.pk, "batch": batch.pk}


def _url(page, ids):
    method, url = PAGES[page]
    return method, url.format(**ids)


@pytest.mark.parametrize(("page", "role", "status"), _matrix())
def test_who_may_use_the_order_pages(alpha, world, page, role, status):
    client = client_for(alpha, role)
    method, url = _url(page, world)

    response = getattr(client, method)(url)

    assert response.status_code == status


def test_anonymous_visitors_are_sent_to_log_in(alpha, world):
    response = host_client(alpha.host).get(f"/staff/orders/{world['order']}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("page", OBJECT_PAGES)
def test_another_studios_orders_and_batches_are_not_found(alpha, beta, world, page):
    with schema_context(beta.schema):
        push_id_sequences([Order, OrderLine, LabBatch])
        shop = make_shop()
        order = place_order(shop)
        batch = lab_batch_create(order_ids=[order.pk], actor=shop.manager).batch
        ids = {"order": order.pk, "batch": batch.pk}
    client = client_for(alpha, Role.OWNER)
    method, url = _url(page, ids)

    response = getattr(client, method)(url, {"amount": "1", "reason": "x", "to": "completed"})

    assert response.status_code == 404


def test_bulk_actions_ignore_another_studios_order_ids(alpha, beta, world):
    with schema_context(beta.schema):
        push_id_sequences([Order, OrderLine, LabBatch])
        order = place_order(make_shop())
    client = client_for(alpha, Role.OWNER)

    response = client.post(
        "/staff/orders/bulk/", {"orders": [order.pk], "action": "export"}, follow=True
    )

    assert "Choose at least one order." in response.content.decode()
    with schema_context(beta.schema):
        assert not LabBatch.objects.exists()


@pytest.fixture
def orders(in_alpha, media_in_tmp):
    shop = make_shop()
    first = place_order(shop, email="first@example.com", paid=False)
    second = place_order(shop, email="second@example.com", delivery={"method": "school"})
    only_masha = place_order(
        shop,
        email="masha@example.com",
        lines=[line for line in [_masha_line(shop)]],
        paid=False,
    )
    return shop, first, second, only_masha


def _masha_line(shop):
    from studio.orders.services import LineInput

    return LineInput(
        description="Print 10×15",
        kind="print",
        quantity=1,
        unit_price=Decimal("3"),
        gross=Decimal("3"),
        net=Decimal("3"),
        child_id=shop.masha.pk,
        photo_id=shop.photo_masha.pk,
    )


def _listed(alpha, **params) -> list[str]:
    with schema_context(alpha.schema):
        user = User.objects.filter(role=Role.OWNER).first()
    response = logged_in_client(alpha, user).get("/staff/orders/", params)
    assert response.status_code == 200
    return re.findall(
        r'name="orders" value="\d+"> <a [^>]*>([\d-]+)</a>', response.content.decode()
    )


def test_the_list_filters_by_status_payment_school_class_search_and_date(alpha, orders):
    shop, first, second, masha = orders
    numbers = lambda *o: sorted(x.number for x in o)  # noqa: E731

    assert sorted(_listed(alpha)) == numbers(first, second, masha)
    assert _listed(alpha, status="paid") == [second.number]
    assert sorted(_listed(alpha, payment_method="bank_transfer")) == numbers(first, second, masha)
    assert _listed(alpha, payment_method="cash") == []
    assert sorted(_listed(alpha, school=shop.school.pk)) == numbers(first, second, masha)
    assert sorted(_listed(alpha, school_class=shop.class_a.pk)) == numbers(first, second)
    assert _listed(alpha, q="second@") == [second.number]
    assert _listed(alpha, q=masha.number) == [masha.number]
    assert sorted(_listed(alpha, q="Petrov")) == numbers(first, second)
    assert sorted(_listed(alpha, q="orlova")) == numbers(first, second, masha)
    today = first.created_at.date().isoformat()
    assert len(_listed(alpha, date_from=today, date_to=today)) == 3
    assert _listed(alpha, date_from="2001-01-01", date_to="2001-01-02") == []


def test_a_double_submitted_payment_form_records_one_payment(
    alpha, orders, run_tasks, django_capture_on_commit_callbacks
):
    shop, first, *_ = orders
    client = client_for(alpha, Role.MANAGER, "cashier@alpha.test")
    page = client.get(f"/staff/orders/{first.pk}/").content.decode()
    token = re.search(r'name="token" value="([0-9a-f-]+)"', page)[1]
    data = {"amount": "10.00", "method": "cash", "reference": "envelope 7", "token": token}

    with django_capture_on_commit_callbacks(execute=True):
        one = client.post(f"/staff/orders/{first.pk}/payment/", data)
    with django_capture_on_commit_callbacks(execute=True):
        two = client.post(f"/staff/orders/{first.pk}/payment/", data)

    assert (one.status_code, two.status_code) == (302, 302)
    first.refresh_from_db()
    assert first.paid_total == Decimal("10.00")
    assert first.status == OrderStatus.PARTIALLY_PAID
    payment = Payment.objects.get(order=first)
    assert (payment.reference, payment.recorded_by.email) == ("envelope 7", "cashier@alpha.test")
    assert len(mail.outbox) == 1
    detail = client.get(f"/staff/orders/{first.pk}/").content.decode()
    assert "envelope 7" in detail
    assert "<td>Cash</td>" in detail  # the method's name, not its id
    assert re.search(r'name="token" value="([0-9a-f-]+)"', detail)[1] != token


def test_bad_input_on_the_actions_is_explained(alpha, orders):
    shop, first, second, _ = orders
    client = client_for(alpha, Role.OWNER, "boss@alpha.test")

    too_much = client.post(
        f"/staff/orders/{first.pk}/payment/",
        {"amount": "999", "method": "cash", "token": "8c1a7f0e-2b4d-4f5e-9a6b-0c1d2e3f4a5b"},
    )
    too_much_refund = client.post(
        f"/staff/orders/{second.pk}/refund/",
        {"amount": "100", "reason": "damaged", "token": "5c1a7f0e-2b4d-4f5e-9a6b-0c1d2e3f4a5b"},
    )
    cancel_paid = client.post(f"/staff/orders/{second.pk}/move/", {"to": "cancelled"})
    no_lines = client.post(f"/staff/orders/{second.pk}/fulfilment/", {"to": "processing"})

    assert too_much.status_code == 400
    assert "still due" in too_much.content.decode()
    assert "You can refund up to €17.00" in too_much_refund.content.decode()
    assert "Refund the payments before cancelling." in cancel_paid.content.decode()
    assert "Choose at least one print." in no_lines.content.decode()
    assert not Payment.objects.filter(order=first).exists()


def test_refund_move_and_fulfilment_from_the_detail_page(alpha, orders):
    shop, _, second, _ = orders
    client = client_for(alpha, Role.OWNER, "boss2@alpha.test")
    ivan_line = second.lines.get(kind="print", child=shop.ivan)

    client.post(f"/staff/orders/{second.pk}/move/", {"to": "in_fulfilment"})
    client.post(
        f"/staff/orders/{second.pk}/fulfilment/", {"to": "processing", "lines": [ivan_line.pk]}
    )
    refund = {"amount": "3", "reason": "damaged", "token": "6c1a7f0e-2b4d-4f5e-9a6b-0c1d2e3f4a5b"}
    client.post(f"/staff/orders/{second.pk}/refund/", refund)
    client.post(f"/staff/orders/{second.pk}/refund/", refund)  # the double submit

    second.refresh_from_db()
    ivan_line.refresh_from_db()
    assert not second.lines.filter(refunded=True).exists()  # no line named: none closed
    assert (second.status, second.refunded_total) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("3.00"),
    )
    assert ivan_line.fulfilment_status == FulfilmentStatus.PROCESSING
    page = client.get(f"/staff/orders/{second.pk}/").content.decode()
    assert "damaged" in page and "Processing" in page and "In fulfilment" in page


def test_export_and_bulk_fulfilment_from_the_list(alpha, orders):
    shop, first, second, _ = orders
    client = client_for(alpha, Role.MANAGER, "packer@alpha.test")

    export = client.post(
        "/staff/orders/bulk/", {"orders": [first.pk, second.pk], "action": "export"}
    )
    batch = LabBatch.objects.get()
    assert export["Location"] == f"/staff/orders/lab-batches/{batch.pk}/"
    assert list(batch.entries.values_list("line__order", flat=True)) == [second.pk, second.pk]
    client.post("/staff/orders/bulk/", {"orders": [second.pk], "action": "fulfil", "to": "ready"})
    assert set(second.lines.filter(kind="print").values_list("fulfilment_status", flat=True)) == {
        FulfilmentStatus.READY
    }
    download = client.get(f"/staff/orders/lab-batches/{batch.pk}/download/")
    assert download["Content-Type"] == "application/zip"
    assert len(b"".join(download.streaming_content)) == int(download["Content-Length"])


def test_school_labels_group_orders_by_school_and_class(alpha, orders):
    shop, _, second, _ = orders
    client = client_for(alpha, Role.MANAGER, "labels@alpha.test")

    # the page's body only: "4B" may well turn up in the head's random tokens
    page = client.get("/staff/orders/school-delivery/").content.decode().split("<main>", 1)[1]

    assert page.count(second.number) == 2  # one label per child
    assert "Mrs Ivanova" in page
    assert (
        page.index("3A") < page.index("Ivan Petrov") < page.index("4B") < page.index("Masha Orlova")
    )
    assert "2 items" in page and "1 item" in page


def test_a_refund_can_name_the_lines_it_pays_back(alpha, orders):
    shop, _, second, _ = orders
    client = client_for(alpha, Role.OWNER, "boss-lines@alpha.test")
    line = second.lines.filter(net__gt=0).first()
    page = client.get(f"/staff/orders/{second.pk}/").content.decode()
    assert f'name="lines" value="{line.pk}"' in page

    client.post(
        f"/staff/orders/{second.pk}/refund/",
        {
            "amount": "1",
            "reason": "wrong print",
            "token": "9c1a7f0e-2b4d-4f5e-9a6b-0c1d2e3f4a5b",
            "lines": [line.pk],
        },
    )

    line.refresh_from_db()
    assert line.refunded is True
    assert list(second.lines.filter(refunded=True)) == [line]


def test_staff_record_the_rest_of_a_partly_paid_order_after_a_partial_refund(alpha, orders):
    """The stuck order of issue 11: 10 paid, 3 refunded, 7 still due of 17."""
    shop, first, *_ = orders
    client = client_for(alpha, Role.OWNER, "boss3@alpha.test")
    pay = {"method": "cash", "token": "1d1a7f0e-2b4d-4f5e-9a6b-0c1d2e3f4a5b"}
    client.post(f"/staff/orders/{first.pk}/payment/", {**pay, "amount": "10"})
    refund = {"amount": "3", "reason": "late", "token": "2d1a7f0e-2b4d-4f5e-9a6b-0c1d2e3f4a5b"}
    client.post(f"/staff/orders/{first.pk}/refund/", refund)
    first.refresh_from_db()
    assert (first.status, first.balance_due) == (OrderStatus.PARTIALLY_REFUNDED, Decimal("7.00"))

    page = client.get(f"/staff/orders/{first.pk}/").content.decode()
    assert "Record a payment" in page
    response = client.post(
        f"/staff/orders/{first.pk}/payment/",
        {**pay, "amount": "7.00", "token": "3d1a7f0e-2b4d-4f5e-9a6b-0c1d2e3f4a5b"},
    )

    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.paid_total, first.refunded_total, first.balance_due) == (
        Decimal("17.00"),
        Decimal("3.00"),
        Decimal("0.00"),
    )
    assert first.is_fulfillable
    assert "Record a payment" not in client.get(f"/staff/orders/{first.pk}/").content.decode()


def test_a_refused_payment_says_why_on_the_page(alpha, orders):
    shop, first, second, _ = orders
    client = client_for(alpha, Role.OWNER, "boss4@alpha.test")
    assert client.post(f"/staff/orders/{first.pk}/move/", {"to": "cancelled"}).status_code == 302
    assert "Record a payment" not in client.get(f"/staff/orders/{first.pk}/").content.decode()

    cancelled = client.post(
        f"/staff/orders/{first.pk}/payment/",
        {"amount": "5", "method": "cash", "token": "4d1a7f0e-2b4d-4f5e-9a6b-0c1d2e3f4a5b"},
    )
    paid_already = client.post(
        f"/staff/orders/{second.pk}/payment/",
        {"amount": "5", "method": "cash", "token": "5d1a7f0e-2b4d-4f5e-9a6b-0c1d2e3f4a5b"},
    )

    assert cancelled.status_code == 400
    assert "This order can no longer be paid." in cancelled.content.decode()
    assert paid_already.status_code == 400
    assert "Nothing is due on this order." in paid_already.content.decode()
    assert not Payment.objects.filter(order__in=[first, second], provider="cash").exists()


def test_an_order_in_fulfilment_partly_refunded_shows_both(alpha, orders):
    shop, _, second, _ = orders
    client = client_for(alpha, Role.OWNER, "boss5@alpha.test")
    client.post(f"/staff/orders/{second.pk}/move/", {"to": "in_fulfilment"})
    refund = {"amount": "2", "reason": "goodwill", "token": "6d1a7f0e-2b4d-4f5e-9a6b-0c1d2e3f4a5b"}
    client.post(f"/staff/orders/{second.pk}/refund/", refund)

    page = client.get(f"/staff/orders/{second.pk}/").content.decode()

    head = page[page.index('<div class="head">') : page.index('<div class="grid stats">')]
    assert "Partially refunded" in head and 'id="order-progress">In fulfilment' in head
