"""Editing a price sheet in the catalogue editor never changes an order already placed:
order lines keep the prices, discounts and names they were placed with; only carts priced
afterwards see the new prices."""

from decimal import Decimal

from django_tenants.utils import schema_context

from saas_platform.accounts.models import User
from studio.orders.models import Order
from tests.conftest import logged_in_client

from .conftest import parent_with, sign_in
from .test_shop import add, anna_id


def snapshot(order: Order):
    return (
        order.subtotal,
        order.discount_total,
        order.total,
        [
            (line.description, line.quantity, line.unit_price, line.gross, line.net,
             line.adjustments, line.product_id, line.package_id)
            for line in order.lines.order_by("id")
        ],
    )  # fmt: skip


def test_editing_the_sheet_leaves_placed_orders_as_they_were(shop):
    studio, cat = shop["studio"], shop["catalogue"]
    client = parent_with(shop, shop["codes"]["Anna"])
    anna = anna_id(shop)
    add(client, shop["photos"]["anna1"], cat.print10, child=anna, quantity=5)
    client.post(
        "/cart/add-package/",
        {"package": cat.all_digital.pk, "child": anna, "shoot": shop["photos"]["anna1"].shoot_id},
    )
    sign_in(client, "mum@example.com", next_url="/checkout/")
    key = client.get("/checkout/").context["form"].initial["key"]
    client.post(
        "/checkout/",
        {"key": key, "name": "Maria", "delivery_method": "school", "payment_method": "cash"},
    )
    with schema_context(studio.schema):
        order = Order.objects.get()
        before = snapshot(order)
        owner = User.objects.get(email=studio.owner_email)
    # 5 prints at 2.00 with 10 % off from 5 prints, and the "all photos" package at 20.00
    assert (before[0], before[2]) == (Decimal("30.00"), Decimal("29.00"))

    staff = logged_in_client(studio, owner)
    sheet = f"/staff/catalogue/sheets/{cat.sheet.pk}/"
    prices = {
        f"prices-price_{product.pk}": price
        for product, price in (
            (cat.print10, "3.50"),
            (cat.digital, "9"),
            (cat.print20, "12"),
            (cat.album, "40"),
        )
    }
    assert staff.post(sheet + "prices/", prices).status_code == 302
    staff.post(
        sheet + f"packages/{cat.all_digital.pk}/",
        {"name": "Everything", "price": "35", "active": "on"},
    )
    staff.post(sheet + "sibling/", {"sibling-percent_off": "50"})
    staff.post(
        sheet + "tiers/new/",
        {"tier-target": "kind:print", "tier-min_quantity": "2", "tier-percent_off": "50"},
    )
    staff.post(f"/staff/catalogue/products/{cat.print10.pk}/archive/", {"archive": "1"})

    with schema_context(studio.schema):
        order.refresh_from_db()
        assert snapshot(order) == before
        assert order.lines.get(package__isnull=False).description == "All photos as digital files"
    # a new cart is priced as the sheet is now
    add(client, shop["photos"]["anna2"], cat.digital, child=anna)
    assert "€9.00" in client.get("/cart/").content.decode()
