"""Checkout under a rush: the order number's counter row is locked until the checkout commits,
so every other checkout of the studio queues on it (``benchmarks/rush.py`` saw up to 7
backends waiting). It is taken last: after it only the counter, the order's number and a
coupon's redemption are written."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from saas_platform.accounts.models import Role, User
from studio.catalogue.services.coupons import coupon_create
from studio.catalogue.services.price_sheets import (
    price_sheet_attach,
    price_sheet_create,
    price_sheet_item_set,
)
from studio.catalogue.services.products import product_create
from studio.orders.models import Order
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.services import shoot_create
from studio.storefront.models import Cart, CartItem
from studio.storefront.services import CheckoutDetails, checkout_place

COUNTER_LOCK = re.compile(r'FROM "orders_ordernumbercounter".*FOR UPDATE', re.S)
ALLOWED_AFTER_LOCK = re.compile(
    r'^((UPDATE|INSERT INTO) "orders_ordernumbercounter"|UPDATE "orders_order" SET "number"'
    r'|SELECT .* FROM "catalogue_coupon|UPDATE "catalogue_coupon"'
    r'|INSERT INTO "catalogue_couponredemption"|SAVEPOINT|RELEASE SAVEPOINT)',
    re.S,
)


def cart_with_an_album(*, coupon: str = "") -> tuple[Cart, User]:
    school = School.objects.create(name="Lock school")
    child = Student.objects.create(
        school_class=SchoolClass.objects.create(school=school, name="1L", school_year="2026-2027"),
        first_name="L",
        last_name="K",
    )
    shoot = shoot_create(school=school, name="Lock day", date="2026-10-02")
    sheet = price_sheet_create(name="Lock sheet")
    price_sheet_attach(sheet=sheet, school=school)
    album = product_create(kind="album", name="Lock album")
    price_sheet_item_set(sheet=sheet, product=album, price="30")
    parent = User.objects.create_user(email="lock@example.com", role=Role.PARENT)
    cart = Cart.objects.create(parent=parent, coupon_code=coupon)
    CartItem.objects.create(cart=cart, shoot=shoot, child=child, product=album, quantity=1)
    return cart, parent


def place(cart, parent):
    details = CheckoutDetails(
        email=parent.email, name="L", phone="", payment_method="cash", delivery_method="school"
    )
    with CaptureQueriesContext(connection) as captured:
        order = checkout_place(cart=cart, parent=parent, details=details, key=cart.checkout_key)
    return order, [q["sql"] for q in captured.captured_queries]


def after_the_counter_lock(sql: list[str]) -> list[str]:
    at = next(i for i, q in enumerate(sql) if COUNTER_LOCK.search(q))
    return sql[at + 1 :]


def test_the_order_number_is_taken_last_in_a_checkout(in_alpha):
    in_alpha.studio.accept_cash = True
    in_alpha.studio.save()
    cart, parent = cart_with_an_album()

    order, sql = place(cart, parent)

    late = after_the_counter_lock(sql)
    assert [q for q in late if not ALLOWED_AFTER_LOCK.match(q)] == []
    assert any(q.startswith('UPDATE "orders_order" SET "number"') for q in late)
    order.refresh_from_db()
    assert re.fullmatch(r"\d{4}-\d{6}", order.number)
    assert not cart.items.exists()


def test_with_a_coupon_only_its_redemption_follows_the_lock(in_alpha):
    in_alpha.studio.accept_cash = True
    in_alpha.studio.save()
    coupon_create(code="LOCK-5", kind="fixed", value="5", max_uses=1)
    cart, parent = cart_with_an_album(coupon="LOCK-5")

    order, sql = place(cart, parent)

    late = after_the_counter_lock(sql)
    assert [q for q in late if not ALLOWED_AFTER_LOCK.match(q)] == []
    assert any(q.startswith('INSERT INTO "catalogue_couponredemption"') for q in late)
    assert Order.objects.get(pk=order.pk).discount_total == 5
