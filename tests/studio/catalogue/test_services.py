"""The catalogue in a studio's schema: validation, constraints, which sheet a picture day sells
with, coupons redeemed under a lock, and the rules built from the database."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django_tenants.utils import schema_context

from studio.catalogue.models import (
    Coupon,
    CouponRedemption,
    PackageItem,
    PriceSheetItem,
    Product,
    QuantityTier,
    SiblingDiscount,
)
from studio.catalogue.pricing import (
    AdjustmentKind,
    CartInput,
    CartLine,
    CouponStatus,
    price_cart,
)
from studio.catalogue.selectors import coupon_by_code, price_sheet_for
from studio.catalogue.services import (
    PackageItemInput,
    coupon_create,
    coupon_redeem,
    coupon_release,
    coupon_update,
    early_bird_create,
    free_item_create,
    package_create,
    package_update,
    price_sheet_attach,
    price_sheet_create,
    price_sheet_detach,
    price_sheet_item_remove,
    price_sheet_item_set,
    price_sheet_update,
    pricing_rules_for,
    product_create,
    product_option_create,
    product_option_update,
    product_update,
    quantity_tier_create,
    sibling_discount_set,
)
from studio.schools.models import School
from studio.shoots.services import shoot_create

D = Decimal
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def codes(error: ValidationError) -> dict:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


@pytest.fixture
def school(in_alpha):
    return School.objects.create(name="Oak Primary")


@pytest.fixture
def shoot(school):
    return shoot_create(school=school, name="Spring", date="2027-03-01")


@pytest.fixture
def catalogue(in_alpha):
    return {
        "digital": product_create(kind="digital", name="Digital file"),
        "print": product_create(kind="print", name="Print 10x15", print_size="10x15"),
        "big": product_create(kind="print", name="Print 20x30", print_size="20×30"),
        "album": product_create(kind="album", name="Photo book"),
    }


# --- products ------------------------------------------------------------------------------


def test_a_product_takes_its_defaults_from_its_kind(catalogue):
    assert [(p.kind, p.print_size, p.requires_photo, p.active) for p in catalogue.values()] == [
        ("digital", "", True, True),
        ("print", "10x15", True, True),
        ("print", "20x30", True, True),
        ("album", "", False, True),
    ]


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"kind": "print", "name": "Print"}, "print_size", "size"),
        ({"kind": "print", "name": "Print", "print_size": "10 by 15"}, "print_size", "size"),
        ({"kind": "print", "name": "Print", "print_size": "0x15"}, "print_size", "size"),
        ({"kind": "digital", "name": "File", "print_size": "10x15"}, "print_size", "size"),
        ({"kind": "digital", "name": "File", "requires_photo": False}, "requires_photo", "photo"),
        (
            {"kind": "print", "name": "P", "print_size": "9x13", "requires_photo": False},
            "requires_photo",
            "photo",
        ),
        ({"kind": "poster", "name": "Poster"}, "kind", "invalid"),
        ({"kind": "other", "name": "  "}, "name", "required"),
        ({"kind": "other", "name": "x" * 201}, "name", "max_length"),
    ],
)
def test_a_product_of_the_wrong_shape_is_refused(in_alpha, fields, field, code):
    with pytest.raises(ValidationError) as error:
        product_create(**fields)

    assert codes(error.value) == {field: [code]}
    assert Product.objects.count() == 0


def test_an_album_may_be_of_one_photo_and_a_product_can_be_switched_off(catalogue):
    album = product_update(product=catalogue["album"], requires_photo=True, name=" Book ")
    off = product_update(product=catalogue["print"], active=False)

    assert (album.name, album.requires_photo) == ("Book", True)
    assert off.active is False
    with pytest.raises(ValidationError):
        product_update(product=catalogue["digital"], requires_photo=False)


@pytest.mark.parametrize(
    ("kind", "print_size", "requires_photo"),
    [("print", "", True), ("digital", "10x15", True), ("digital", "", False)],
)
def test_the_database_refuses_what_the_services_refuse(in_alpha, kind, print_size, requires_photo):
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.create(
            kind=kind, name="X", print_size=print_size, requires_photo=requires_photo
        )


def test_options_add_a_price_that_is_never_negative_and_never_twice_the_same(catalogue):
    matte = product_option_create(
        product=catalogue["print"], name="Matte paper", price_delta="0.50"
    )
    frame = product_option_create(product=catalogue["big"], name="Frame", price_delta=D("15"))

    assert (matte.price_delta, frame.price_delta) == (D("0.50"), D("15.00"))
    with pytest.raises(ValidationError) as error:
        product_option_create(product=catalogue["print"], name="matte PAPER")
    assert codes(error.value) == {"name": ["duplicate"]}
    with pytest.raises(ValidationError) as error:
        product_option_create(product=catalogue["print"], name="Gloss", price_delta="-0.10")
    assert codes(error.value) == {"price_delta": ["negative"]}
    assert product_option_update(option=matte, price_delta="0.60", active=False).price_delta == D(
        "0.60"
    )


# --- price sheets --------------------------------------------------------------------------


def test_a_sheet_takes_the_studio_currency(in_alpha):
    euro = price_sheet_create(name="Standard")
    in_alpha.studio.currency = "JPY"
    in_alpha.studio.save()
    yen = price_sheet_create(name="Tokyo")

    assert (euro.currency, yen.currency) == ("EUR", "JPY")
    assert price_sheet_update(sheet=yen, name="Tokyo 2027").name == "Tokyo 2027"


@pytest.mark.parametrize(
    ("currency", "price", "code"),
    [
        ("EUR", "-0.01", "negative"),
        ("EUR", "2.505", "precision"),
        ("EUR", "100000000", "too_large"),
        ("EUR", 2.5, "invalid"),
        ("EUR", "two", "invalid"),
        ("EUR", "NaN", "invalid"),
        ("JPY", "10.50", "precision"),
    ],
)
def test_a_price_must_be_a_decimal_at_least_zero_in_the_currency_precision(
    catalogue, currency, price, code
):
    sheet = price_sheet_create(name="Sheet")
    sheet.currency = currency
    sheet.save()

    with pytest.raises(ValidationError) as error:
        price_sheet_item_set(sheet=sheet, product=catalogue["print"], price=price)

    assert codes(error.value) == {"price": [code]}


@pytest.mark.parametrize(
    ("currency", "price", "message"),
    [
        ("JPY", "10.5", "JPY amounts are whole numbers."),
        ("EUR", "0.001", "EUR amounts have at most 2 decimals."),
        ("KWD", "0.0001", "KWD amounts have at most 3 decimals."),
    ],
)
def test_a_price_too_precise_for_its_currency_says_why(catalogue, currency, price, message):
    sheet = price_sheet_create(name="Sheet")
    sheet.currency = currency
    sheet.save()

    with pytest.raises(ValidationError) as error:
        price_sheet_item_set(sheet=sheet, product=catalogue["print"], price=price)

    assert error.value.message_dict == {"price": [message]}


def test_a_price_is_set_once_per_product_and_changed_in_place(catalogue):
    sheet = price_sheet_create(name="Standard")

    price_sheet_item_set(sheet=sheet, product=catalogue["print"], price="2.5")
    price_sheet_item_set(sheet=sheet, product=catalogue["print"], price=D("2.90"))
    price_sheet_item_set(sheet=sheet, product=catalogue["digital"], price=0)

    assert list(sheet.items.values_list("product__name", "price")) == [
        ("Digital file", D("0.00")),
        ("Print 10x15", D("2.90")),
    ]
    assert price_sheet_item_remove(sheet=sheet, product=catalogue["digital"]) is True
    assert price_sheet_item_remove(sheet=sheet, product=catalogue["digital"]) is False
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceSheetItem.objects.create(sheet=sheet, product=catalogue["print"], price=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceSheetItem.objects.create(sheet=sheet, product=catalogue["album"], price=-1)


def test_a_picture_day_sells_with_its_own_sheet_else_its_schools_else_none(school, shoot):
    other_day = shoot_create(school=school, name="Autumn", date="2027-10-01")
    elsewhere = shoot_create(
        school=School.objects.create(name="Elm High"), name="Spring", date="2027-03-02"
    )
    assert price_sheet_for(shoot=shoot) is None

    standard = price_sheet_create(name="Standard", school=school)
    assert [price_sheet_for(shoot=s) for s in (shoot, other_day, elsewhere)] == [
        standard,
        standard,
        None,
    ]

    special = price_sheet_create(name="Spring special", shoot=shoot)
    assert [price_sheet_for(shoot=s) for s in (shoot, other_day)] == [special, standard]

    price_sheet_attach(sheet=special, school=school)  # replaces the school's sheet
    assert price_sheet_for(shoot=other_day) == special
    price_sheet_attach(sheet=standard, school=elsewhere.school)  # one sheet, many schools
    assert price_sheet_for(shoot=elsewhere) == standard

    assert price_sheet_detach(shoot=shoot) is True
    assert price_sheet_detach(shoot=shoot) is False
    assert price_sheet_for(shoot=shoot) == special  # now the school's
    price_sheet_detach(school=school)
    assert price_sheet_for(shoot=shoot) is None


def test_a_sheet_is_attached_to_a_school_or_a_picture_day_not_both(school, shoot):
    sheet = price_sheet_create(name="Standard")

    for target in ({}, {"school": school, "shoot": shoot}):
        with pytest.raises(ValidationError) as error:
            price_sheet_attach(sheet=sheet, **target)
        assert codes(error.value) == {"school": ["target"]}


# --- packages ------------------------------------------------------------------------------


def test_a_bundle_keeps_its_contents_and_they_can_be_replaced(catalogue):
    sheet = price_sheet_create(name="Standard")

    bundle = package_create(
        sheet=sheet,
        name="Class photo + 5 prints",
        kind="bundle",
        price="19.90",
        items=[
            PackageItemInput(catalogue["print"], quantity=1, class_photo=True),
            PackageItemInput(catalogue["print"], quantity=5),
        ],
    )
    contents = list(bundle.items.values_list("product__name", "quantity", "class_photo"))
    package_update(
        package=bundle, price="24.90", items=[PackageItemInput(catalogue["big"], quantity=2)]
    )
    bundle.refresh_from_db()

    assert contents == [("Print 10x15", 1, True), ("Print 10x15", 5, False)]
    assert bundle.price == D("24.90")
    assert list(bundle.items.values_list("product__name", "quantity")) == [("Print 20x30", 2)]
    assert PackageItem.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "items", "field", "code"),
    [
        ("all_digital", [("digital", 1, False)], "items", "contents"),
        ("bundle", [], "items", "contents"),
        ("bundle", [("print", 0, False)], "items", "min_value"),
        ("bundle", [("album", 1, True)], "items", "class_photo"),
        ("box", [], "kind", "invalid"),
    ],
)
def test_a_package_of_the_wrong_shape_is_refused(catalogue, kind, items, field, code):
    sheet = price_sheet_create(name="Standard")

    with pytest.raises(ValidationError) as error:
        package_create(
            sheet=sheet,
            name="Offer",
            kind=kind,
            price="10",
            items=[PackageItemInput(catalogue[p], quantity=q, class_photo=c) for p, q, c in items],
        )

    assert codes(error.value) == {field: [code]}


def test_package_names_are_unique_per_sheet(in_alpha):
    one, two = price_sheet_create(name="One"), price_sheet_create(name="Two")
    package_create(sheet=one, name="All digital", kind="all_digital", price="29")
    package_create(sheet=two, name="All digital", kind="all_digital", price="25")

    with pytest.raises(ValidationError) as error:
        package_create(sheet=one, name="ALL DIGITAL", kind="all_digital", price="30")

    assert codes(error.value) == {"name": ["duplicate"]}


# --- discount rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "code"),
    [("-1", "percent"), ("100.01", "percent"), ("10.005", "precision"), (10.0, "invalid")],
)
def test_a_percentage_is_between_0_and_100_with_two_decimals(in_alpha, percent, code):
    sheet = price_sheet_create(name="Standard")

    for create in (
        lambda: quantity_tier_create(
            sheet=sheet, min_quantity=5, percent_off=percent, product_kind="print"
        ),
        lambda: early_bird_create(sheet=sheet, until=NOW, percent_off=percent),
        lambda: sibling_discount_set(sheet=sheet, percent_off=percent),
    ):
        with pytest.raises(ValidationError) as error:
            create()
        assert codes(error.value) == {"percent_off": [code]}


def test_rules_target_a_product_or_a_kind_and_tiers_are_unique(catalogue):
    sheet = price_sheet_create(name="Standard")
    quantity_tier_create(sheet=sheet, min_quantity=5, percent_off="10", product_kind="print")
    quantity_tier_create(sheet=sheet, min_quantity=5, percent_off="15", product=catalogue["print"])

    for bad in ({}, {"product": catalogue["print"], "product_kind": "print"}):
        with pytest.raises(ValidationError):
            quantity_tier_create(sheet=sheet, min_quantity=3, percent_off="5", **bad)
        with pytest.raises(ValidationError):
            free_item_create(sheet=sheet, **bad)
    with pytest.raises(ValidationError) as error:
        quantity_tier_create(sheet=sheet, min_quantity=5, percent_off="20", product_kind="print")
    assert codes(error.value) == {"min_quantity": ["duplicate"]}
    with pytest.raises(ValidationError) as error:
        free_item_create(sheet=sheet, product_kind="digital", quantity_per_child=0)
    assert codes(error.value) == {"quantity_per_child": ["min_value"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        QuantityTier.objects.create(
            sheet=sheet, min_quantity=2, percent_off=150, product_kind="print"
        )


def test_an_early_bird_needs_an_aware_instant_and_the_sibling_discount_is_one_per_sheet(
    in_alpha,
):
    sheet = price_sheet_create(name="Standard")

    with pytest.raises(ValidationError) as error:
        early_bird_create(sheet=sheet, until=datetime(2027, 3, 1), percent_off="10")
    assert codes(error.value) == {"until": ["naive"]}
    first = sibling_discount_set(sheet=sheet, percent_off="10")
    second = sibling_discount_set(sheet=sheet, percent_off="15")
    assert (first.pk, second.percent_off) == (second.pk, D("15"))
    assert sibling_discount_set(sheet=sheet, percent_off=None) is None
    assert not SiblingDiscount.objects.filter(sheet=sheet).exists()
    assert sibling_discount_set(sheet=sheet, percent_off=0) is None


# --- coupons -------------------------------------------------------------------------------


def test_a_coupon_code_is_stored_in_capitals_and_unique_whatever_its_case(in_alpha):
    coupon = coupon_create(code=" spring-10 ", kind="percent", value="10")

    with pytest.raises(ValidationError) as error:
        coupon_create(code="Spring-10", kind="fixed", value="5")

    assert coupon.code == "SPRING-10"
    assert codes(error.value) == {"code": ["duplicate"]}
    assert coupon_by_code(code="spring-10 ") == coupon
    assert coupon_by_code(code="SPRING") is None
    assert coupon_by_code(code="") is None
    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.create(code="spring-10", kind="percent", value=5)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"code": "AB"}, "code", "format"),
        ({"code": "AB CD"}, "code", "format"),
        ({"code": "-ABC"}, "code", "format"),
        ({"code": "ABC-"}, "code", "format"),
        ({"code": "AB_CD"}, "code", "format"),
        ({"code": "ÄBCD"}, "code", "format"),
        ({"code": "A" * 41}, "code", "format"),
        ({"kind": "gift"}, "kind", "invalid"),
        ({"value": "0"}, "value", "min_value"),
        ({"value": "100.5"}, "value", "percent"),
        ({"kind": "fixed", "value": "0"}, "value", "min_value"),
        ({"kind": "fixed", "value": "5.555"}, "value", "precision"),
        ({"min_subtotal": "-1"}, "min_subtotal", "negative"),
        ({"valid_from": NOW, "valid_until": NOW}, "valid_until", "window"),
        ({"valid_until": datetime(2027, 1, 1)}, "valid_until", "naive"),
        ({"max_uses": 0}, "max_uses", "min_value"),
    ],
)
def test_a_malformed_coupon_is_refused(in_alpha, fields, field, code):
    with pytest.raises(ValidationError) as error:
        coupon_create(**{"code": "SPRING", "kind": "percent", "value": "10", **fields})

    assert codes(error.value) == {field: [code]}
    assert Coupon.objects.count() == 0


def test_a_fixed_coupon_in_yen_has_no_cents(in_alpha):
    in_alpha.studio.currency = "JPY"
    in_alpha.studio.save()

    with pytest.raises(ValidationError):
        coupon_create(code="YEN", kind="fixed", value="500.50")
    assert coupon_create(code="YEN", kind="fixed", value="500").value == D("500")


def test_redeeming_counts_once_per_order_and_refuses_past_the_maximum(in_alpha):
    coupon = coupon_create(code="TWICE", kind="fixed", value="5", max_uses=2)

    first = coupon_redeem(coupon=coupon, order_ref="2027-000001")
    again = coupon_redeem(coupon=coupon, order_ref="2027-000001")
    coupon_redeem(coupon=coupon, order_ref="2027-000002")
    with pytest.raises(ValidationError) as error:
        coupon_redeem(coupon=coupon, order_ref="2027-000003")
    coupon.refresh_from_db()

    assert first == again
    assert error.value.code == "used_up"
    assert coupon.uses == 2
    assert list(CouponRedemption.objects.values_list("order_ref", flat=True)) == [
        "2027-000001",
        "2027-000002",
    ]
    assert coupon_release(coupon=coupon, order_ref="2027-000001") is True
    assert coupon_release(coupon=coupon, order_ref="2027-000001") is False
    assert coupon_redeem(coupon=coupon, order_ref="2027-000003").order_ref == "2027-000003"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"active": False}, "inactive"),
        ({"valid_until": NOW}, "expired"),
        ({"valid_from": NOW + timedelta(seconds=1)}, "not_yet_valid"),
    ],
)
def test_redeeming_refuses_a_coupon_not_valid_now(in_alpha, fields, code):
    coupon = coupon_create(code="SPRING", kind="percent", value="10", **fields)

    with pytest.raises(ValidationError) as error:
        coupon_redeem(coupon=coupon, order_ref="o-1", now=NOW)

    assert error.value.code == code
    assert Coupon.objects.get(pk=coupon.pk).uses == 0


def test_a_coupon_can_be_changed_but_not_below_its_uses(in_alpha):
    coupon = coupon_create(code="SPRING", kind="percent", value="10", max_uses=5)
    coupon_redeem(coupon=coupon, order_ref="o-1")
    coupon_redeem(coupon=coupon, order_ref="o-2")

    with pytest.raises(ValidationError) as error:
        coupon_update(coupon=coupon, max_uses=1)
    changed = coupon_update(coupon=coupon, kind="fixed", value="3", max_uses=None, active=False)

    assert codes(error.value) == {"max_uses": ["min_value"]}
    assert (changed.kind, changed.value, changed.max_uses, changed.uses, changed.active) == (
        "fixed",
        D("3.00"),
        None,
        2,
        False,
    )


def test_coupons_of_one_studio_do_not_exist_in_another(in_alpha, beta):
    coupon_create(code="ALPHA-ONLY", kind="percent", value="10")

    with schema_context(beta.schema):
        assert coupon_by_code(code="ALPHA-ONLY") is None
    assert coupon_by_code(code="alpha-only") is not None


def _in_threads(count, target):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(n):
        try:
            barrier.wait()
            results.append(target(n))
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


def test_parallel_checkouts_never_use_a_coupon_more_than_its_maximum(live_studios, committed):
    schema = live_studios["alpha"].schema
    with committed(), schema_context(schema):
        coupon = coupon_create(code="PARALLEL-RACE", kind="fixed", value="5", max_uses=2)

    def redeem(n):
        with schema_context(schema):
            return coupon_redeem(coupon=coupon, order_ref=f"race-{n}").order_ref

    with committed():
        try:
            results, errors = _in_threads(6, redeem)
            with schema_context(schema):
                coupon.refresh_from_db()
                assert len(results) == 2
                assert [e.code for e in errors] == ["used_up"] * 4
                assert coupon.uses == 2
                assert CouponRedemption.objects.filter(coupon=coupon).count() == 2
        finally:
            with schema_context(schema):
                CouponRedemption.objects.filter(coupon=coupon).delete()
                Coupon.objects.filter(pk=coupon.pk).delete()


# --- rules from the database ---------------------------------------------------------------


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
