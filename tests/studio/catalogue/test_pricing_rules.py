"""The rules built from the database for ``pricing.price_cart``: only what is on sale, a
bounded number of queries, and lines that add up."""

from datetime import timedelta

import pytest

from studio.catalogue.pricing import AdjustmentKind, CartInput, CartLine, CouponStatus, price_cart
from studio.catalogue.services.coupons import coupon_create
from studio.catalogue.services.discounts import (
    early_bird_create,
    free_item_create,
    quantity_tier_create,
    sibling_discount_set,
)
from studio.catalogue.services.packages import package_create
from studio.catalogue.services.price_sheets import price_sheet_create, price_sheet_item_set
from studio.catalogue.services.pricing_rules import pricing_rules_for
from studio.catalogue.services.products import (
    product_create,
    product_option_create,
    product_option_update,
)
from studio.schools.models import School
from studio.shoots.services import shoot_create
from tests.studio.catalogue.support import NOW, D


@pytest.fixture
def priced_shoot(shoot, catalogue):
    sheet = price_sheet_create(name="Standard", school=shoot.school)
    for key, price in (("digital", "9.99"), ("print", "2.50"), ("big", "7.50"), ("album", "35")):
        price_sheet_item_set(sheet=sheet, product=catalogue[key], price=price)
    retired = product_create(kind="other", name="Retired mug", active=False)
    price_sheet_item_set(sheet=sheet, product=retired, price="12")
    matte = product_option_create(product=catalogue["print"], name="Matte", price_delta="0.50")
    product_option_create(product=catalogue["print"], name="Old gloss", price_delta="0.20")
    product_option_update(option=catalogue["print"].options.get(name="Old gloss"), active=False)
    all_digital = package_create(sheet=sheet, name="All digital", kind="all_digital", price="29")
    package_create(sheet=sheet, name="Old offer", kind="all_digital", price="19", active=False)
    quantity_tier_create(sheet=sheet, min_quantity=5, percent_off="10", product_kind="print")
    free_item_create(sheet=sheet, product=catalogue["digital"])
    early_bird_create(sheet=sheet, until=NOW + timedelta(days=1), percent_off="5")
    early_bird_create(sheet=sheet, until=NOW - timedelta(days=1), percent_off="50")
    sibling_discount_set(sheet=sheet, percent_off="10")
    coupon_create(code="SPRING", kind="fixed", value="3", min_subtotal="20")
    return shoot, catalogue, matte, all_digital


def test_the_rules_come_from_the_sheet_with_only_what_is_on_sale(priced_shoot):
    shoot, catalogue, matte, all_digital = priced_shoot

    rules = pricing_rules_for(shoot=shoot, coupon_code="spring", now=NOW)

    assert rules.currency == "EUR"
    assert sorted((p.name, p.kind, p.price, p.requires_photo) for p in rules.products) == [
        ("Digital file", "digital", D("9.99"), True),
        ("Photo book", "album", D("35.00"), False),
        ("Print 10x15", "print", D("2.50"), True),
        ("Print 20x30", "print", D("7.50"), True),
    ]
    assert [(o.option_id, o.name, o.delta) for o in rules.options] == [
        (matte.pk, "Matte", D("0.50"))
    ]
    assert [(p.package_id, p.kind, p.price) for p in rules.packages] == [
        (all_digital.pk, "all_digital", D("29.00"))
    ]
    assert [(t.min_quantity, t.percent, t.product_kind) for t in rules.tiers] == [
        (5, D("10.00"), "print")
    ]
    assert [(f.quantity_per_child, f.product_id) for f in rules.free_items] == [
        (1, catalogue["digital"].pk)
    ]
    assert [e.percent for e in rules.early_birds] == [D("5.00")]
    assert rules.sibling_percent == D("10.00")
    assert (rules.coupon.code, rules.coupon.min_subtotal, rules.coupon_code) == (
        "SPRING",
        D("20.00"),
        "SPRING",
    )


def test_a_cart_priced_with_rules_from_the_database(priced_shoot, django_assert_max_num_queries):
    shoot, catalogue, matte, _all_digital = priced_shoot
    with django_assert_max_num_queries(18) as queries:  # django-tenants sets the search path
        rules = pricing_rules_for(shoot=shoot, coupon_code="SPRING", now=NOW)
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 9  # one per kind of rule, however many rules there are
    cart = CartInput(
        (
            CartLine("a", 1, product_id=catalogue["digital"].pk, photo_id=10),
            CartLine(
                "b",
                1,
                product_id=catalogue["print"].pk,
                photo_id=10,
                quantity=5,
                option_ids=(matte.pk,),
            ),
            CartLine("c", 2, product_id=catalogue["album"].pk),
        )
    )

    priced = price_cart(cart=cart, rules=rules, now=NOW, currency=rules.currency)

    # a: free. b: 15.00 − 1.50 tier − 0.68 early-bird (0.675) = 12.82. c: 35.00 − 1.75
    # early-bird = 33.25, so child 2 pays in full and b gets the sibling 1.28 (1.282) = 11.54.
    # Coupon 3.00 over 11.54 and 33.25: 0.77 (0.7729…) and 2.23 (2.2270…).
    assert {
        ln.line_id: [(a.kind, str(a.amount)) for a in ln.adjustments] for ln in priced.lines
    } == {
        "a": [(AdjustmentKind.FREE_ITEM, "-9.99")],
        "b": [
            (AdjustmentKind.QUANTITY_TIER, "-1.50"),
            (AdjustmentKind.EARLY_BIRD, "-0.68"),
            (AdjustmentKind.SIBLING, "-1.28"),
            (AdjustmentKind.COUPON, "-0.77"),
        ],
        "c": [
            (AdjustmentKind.EARLY_BIRD, "-1.75"),
            (AdjustmentKind.COUPON, "-2.23"),
        ],
    }
    assert (priced.subtotal, priced.discount_total, priced.total) == (
        D("59.99"),
        D("18.20"),
        D("41.79"),
    )
    assert priced.coupon_status == CouponStatus.APPLIED


def test_an_unknown_code_and_a_picture_day_without_a_sheet(priced_shoot, school):
    shoot = priced_shoot[0]
    unsold = shoot_create(school=School.objects.create(name="Birch"), name="X", date="2027-04-01")

    rules = pricing_rules_for(shoot=shoot, coupon_code=" Nope ", now=NOW)

    assert (rules.coupon, rules.coupon_code) == (None, "NOPE")
    assert pricing_rules_for(shoot=unsold, coupon_code=None, now=NOW) is None


def test_priced_lines_become_order_lines_that_add_up(priced_shoot):
    from studio.orders.services import LineInput, order_create

    shoot, catalogue, _matte, all_digital = priced_shoot
    rules = pricing_rules_for(shoot=shoot, coupon_code="SPRING", now=NOW)
    cart = CartInput(
        (
            CartLine("p", 1, package_id=all_digital.pk),
            CartLine("b", 1, product_id=catalogue["big"].pk, photo_id=3, quantity=3),
        )
    )
    priced = price_cart(cart=cart, rules=rules, now=NOW, currency=rules.currency)

    order = order_create(
        lines=[
            LineInput(
                description=ln.name,
                kind=ln.kind,
                quantity=ln.quantity,
                unit_price=ln.unit_price,
                gross=ln.gross,
                net=ln.net,
                adjustments=ln.adjustment_pairs(),
                product_id=ln.product_id,
                package_id=ln.package_id,
            )
            for ln in priced.lines
        ],
        currency=priced.currency,
        email="mum@example.test",
        payment_method="bank_transfer",
        idempotency_key="catalogue-order",
    )

    assert (order.subtotal, order.discount_total, order.total) == (
        priced.subtotal,
        priced.discount_total,
        priced.total,
    )
    assert sum(line.net for line in order.lines.all()) == order.total
