"""Every catalogue change is in the studio's audit log: one entry per change, naming who made
it and what changed from what to what; a save that changes nothing records nothing."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from saas_platform.accounts.models import Role, User
from studio.audit.models import AuditEntry, AuditKind
from studio.catalogue.models import PriceSheet, Product, QuantityTier
from studio.catalogue.services import coupons, discounts, packages, price_sheets, products
from tests.conftest import logged_in_client

D = Decimal


@pytest.fixture
def manager(in_alpha):
    return User.objects.create_user(
        email="mia@alpha.test", password="pw", role=Role.MANAGER, full_name="Mia"
    )


def log() -> list[tuple]:
    """The entries written so far (in the current schema), oldest first; then forgets them."""
    rows = list(
        AuditEntry.objects.order_by("id").values_list("actor_email", "kind", "subject", "changes")
    )
    AuditEntry.objects.all().delete()
    return rows


def change(field, old, new) -> dict:
    return {"field": field, "old": old, "new": new}


def test_products_and_their_options(manager):
    product = products.product_create(kind="print", name="Print", print_size="10×15", actor=manager)
    added = log()
    products.product_update(product=product, name="Print 10x15", actor=manager)
    renamed = log()
    products.product_update(product=product, name="Print 10x15", print_size="10x15", actor=manager)
    unchanged = log()
    product = products.product_update(product=product, active=False, actor=manager)
    archived = log()
    option = products.product_option_create(
        product=product, name="Glossy", price_delta="0.50", actor=manager
    )
    option_added = log()
    products.product_option_update(option=option, price_delta="0.75", actor=manager)
    products.product_option_update(option=option, price_delta="0.75", actor=manager)  # no-op
    option_changed = log()
    spare = products.product_create(kind="album", name="Spare")  # by the system: no actor
    assert log() == [("", AuditKind.PRODUCT_ADDED, "Spare", [
        change("kind", None, "album"), change("name", None, "Spare"),
        change("requires_photo", None, False), change("active", None, True),
    ])]  # fmt: skip
    products.product_delete(product=spare, actor=manager)
    deleted = log()

    who = "mia@alpha.test"
    assert added == [
        (who, AuditKind.PRODUCT_ADDED, "Print", [
            change("kind", None, "print"),
            change("name", None, "Print"),
            change("print_size", None, "10x15"),
            change("requires_photo", None, True),
            change("active", None, True),
        ])
    ]  # fmt: skip
    assert renamed == [
        (who, AuditKind.PRODUCT_CHANGED, "Print 10x15", [change("name", "Print", "Print 10x15")])
    ]
    assert unchanged == []
    assert archived == [
        (who, AuditKind.PRODUCT_CHANGED, "Print 10x15", [change("active", True, False)])
    ]
    assert option_added == [
        (who, AuditKind.PRODUCT_OPTION_ADDED, "Print 10x15: Glossy", [
            change("name", None, "Glossy"),
            change("price_delta", None, "0.50"),
            change("active", None, True),
        ])
    ]  # fmt: skip
    assert option_changed == [
        (who, AuditKind.PRODUCT_OPTION_CHANGED, "Print 10x15: Glossy", [
            change("price_delta", "0.50", "0.75")
        ])
    ]  # fmt: skip
    assert deleted == [
        (who, AuditKind.PRODUCT_DELETED, "Spare", [
            change("kind", "album", None),
            change("name", "Spare", None),
            change("requires_photo", False, None),
            change("active", True, None),
        ])
    ]  # fmt: skip


def test_a_refused_change_records_nothing(manager):
    product = products.product_create(kind="digital", name="File", actor=manager)
    sheet = price_sheets.price_sheet_create(name="2027", actor=manager)
    price_sheets.price_sheet_item_set(sheet=sheet, product=product, price="5", actor=manager)
    log()

    with pytest.raises(ValidationError, match="It has a price on"):
        products.product_delete(product=product, actor=manager)
    with pytest.raises(ValidationError, match="price_"):
        price_sheets.price_sheet_prices_set(sheet=sheet, prices={product: "5.005"}, actor=manager)

    assert log() == []


def test_price_sheets_their_prices_and_where_they_sell(manager, school, shoot):
    digital = products.product_create(kind="digital", name="Digital file")
    album = products.product_create(kind="album", name="Photo book")
    log()

    sheet = price_sheets.price_sheet_create(name="2027", school=school, actor=manager)
    created = log()
    sheet = price_sheets.price_sheet_update(sheet=sheet, name="Autumn 2027", actor=manager)
    price_sheets.price_sheet_update(sheet=sheet, name="Autumn 2027", actor=manager)
    renamed = log()
    price_sheets.price_sheet_prices_set(
        sheet=sheet, prices={digital: "5", album: D("30")}, actor=manager
    )
    priced = log()
    price_sheets.price_sheet_prices_set(
        sheet=sheet, prices={digital: "5.00", album: None}, actor=manager
    )
    repriced = log()
    price_sheets.price_sheet_prices_set(sheet=sheet, prices={digital: "5", album: None})
    unchanged = log()
    price_sheets.price_sheet_item_set(sheet=sheet, product=album, price="25", actor=manager)
    price_sheets.price_sheet_item_remove(sheet=sheet, product=album, actor=manager)
    one_by_one = log()
    price_sheets.price_sheet_attach(sheet=sheet, shoot=shoot, actor=manager)
    price_sheets.price_sheet_attach(sheet=sheet, shoot=shoot, actor=manager)  # already there
    attached = log()
    price_sheets.price_sheet_detach(shoot=shoot, actor=manager)
    price_sheets.price_sheet_detach(shoot=shoot, actor=manager)  # nothing left to detach
    detached = log()
    copy = price_sheets.price_sheet_duplicate(sheet=sheet, name="Spring 2028", actor=manager)
    duplicated = log()

    who = "mia@alpha.test"
    assert created == [
        (who, AuditKind.PRICE_SHEET_ADDED, "2027", [
            change("name", None, "2027"),
            change("currency", None, sheet.currency),
            change("school", None, "Oak Primary"),
        ])
    ]  # fmt: skip
    assert renamed == [
        (who, AuditKind.PRICE_SHEET_RENAMED, "Autumn 2027", [change("name", "2027", "Autumn 2027")])
    ]
    assert priced == [
        (who, AuditKind.PRICES_CHANGED, "Autumn 2027", [
            change("Digital file", None, "5.00"),
            change("Photo book", None, "30.00"),
        ])
    ]  # fmt: skip
    assert repriced == [
        (who, AuditKind.PRICES_CHANGED, "Autumn 2027", [change("Photo book", "30.00", None)])
    ]
    assert unchanged == []
    assert one_by_one == [
        (who, AuditKind.PRICES_CHANGED, "Autumn 2027", [change("Photo book", None, "25.00")]),
        (who, AuditKind.PRICES_CHANGED, "Autumn 2027", [change("Photo book", "25.00", None)]),
    ]
    assert attached == [
        (who, AuditKind.PRICE_SHEET_ATTACHED, str(shoot), [change("sheet", None, "Autumn 2027")])
    ]
    assert detached == [
        (who, AuditKind.PRICE_SHEET_DETACHED, str(shoot), [change("sheet", "Autumn 2027", None)])
    ]
    assert duplicated == [
        (who, AuditKind.PRICE_SHEET_DUPLICATED, "Spring 2028", [
            change("copy_of", None, "Autumn 2027"),
            change("name", None, "Spring 2028"),
        ])
    ]  # fmt: skip
    assert copy.items.count() == 1


def test_packages(manager, catalogue):
    sheet = price_sheets.price_sheet_create(name="2027")
    log()

    bundle = packages.package_create(
        sheet=sheet,
        name="Family pack",
        kind="bundle",
        price="20",
        items=[packages.PackageItemInput(product=catalogue["print"], quantity=3)],
        actor=manager,
    )
    added = log()
    packages.package_update(
        package=bundle,
        price="18",
        items=[
            packages.PackageItemInput(product=catalogue["print"], quantity=3),
            packages.PackageItemInput(product=catalogue["digital"], class_photo=True),
        ],
        actor=manager,
    )
    changed = log()
    packages.package_update(package=bundle, price="18.00", name="Family pack", actor=manager)
    unchanged = log()

    who = "mia@alpha.test"
    assert added == [
        (who, AuditKind.PACKAGE_ADDED, "2027: Family pack", [
            change("name", None, "Family pack"),
            change("kind", None, "bundle"),
            change("price", None, "20.00"),
            change("active", None, True),
            change("items", None, "3 × Print 10x15"),
        ])
    ]  # fmt: skip
    assert changed == [
        (who, AuditKind.PACKAGE_CHANGED, "2027: Family pack", [
            change("price", "20.00", "18.00"),
            change("items", "3 × Print 10x15", "3 × Print 10x15, 1 × Digital file (class photo)"),
        ])
    ]  # fmt: skip
    assert unchanged == []


def test_discounts(manager, catalogue):
    sheet = price_sheets.price_sheet_create(name="2027")
    log()
    until = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

    tier = discounts.quantity_tier_create(
        sheet=sheet, min_quantity=3, percent_off="10", product_kind="print", actor=manager
    )
    early = discounts.early_bird_create(sheet=sheet, until=until, percent_off=15, actor=manager)
    free = discounts.free_item_create(sheet=sheet, product=catalogue["digital"], actor=manager)
    added = log()
    discounts.quantity_tier_delete(tier=tier, actor=manager)
    discounts.quantity_tier_delete(tier=tier, actor=manager)  # gone already
    discounts.early_bird_delete(early_bird=early, actor=manager)
    discounts.free_item_delete(free_item=free, actor=manager)
    removed = log()
    discounts.sibling_discount_set(sheet=sheet, percent_off="10", actor=manager)
    discounts.sibling_discount_set(sheet=sheet, percent_off=D("10.00"), actor=manager)
    discounts.sibling_discount_set(sheet=sheet, percent_off=None, actor=manager)
    discounts.sibling_discount_set(sheet=sheet, percent_off=0, actor=manager)  # none already
    sibling = log()

    who, added_, removed_ = "mia@alpha.test", AuditKind.DISCOUNT_ADDED, AuditKind.DISCOUNT_REMOVED
    assert [(e[0], e[1], e[2]) for e in added] == [(who, added_, "2027")] * 3
    assert added[0][3] == [
        change("product_kind", None, "print"),
        change("min_quantity", None, 3),
        change("percent_off", None, "10"),
    ]
    assert added[1][3] == [
        change("until", None, timezone.localtime(until).strftime("%Y-%m-%d %H:%M")),
        change("percent_off", None, "15"),
    ]
    assert added[2][3] == [
        change("product", None, "Digital file"),
        change("quantity_per_child", None, 1),
    ]
    assert [e[1] for e in removed] == [removed_] * 3
    assert removed[0][3] == [
        change("product_kind", "print", None),
        change("min_quantity", 3, None),
        change("percent_off", "10.00", None),
    ]
    assert sibling == [
        (who, AuditKind.SIBLING_DISCOUNT_CHANGED, "2027", [change("percent_off", None, "10.00")]),
        (who, AuditKind.SIBLING_DISCOUNT_CHANGED, "2027", [change("percent_off", "10.00", None)]),
    ]
    assert not QuantityTier.objects.exists()


def test_coupons(manager):
    coupon = coupons.coupon_create(code="autumn10", kind="percent", value="10", actor=manager)
    added = log()
    coupons.coupon_update(coupon=coupon, value="10", max_uses=None, actor=manager)
    unchanged = log()
    coupons.coupon_update(coupon=coupon, active=False, max_uses=50, actor=manager)
    changed = log()

    who = "mia@alpha.test"
    assert added == [
        (who, AuditKind.COUPON_ADDED, "AUTUMN10", [
            change("code", None, "AUTUMN10"),
            change("kind", None, "percent"),
            change("value", None, "10"),
            change("active", None, True),
        ])
    ]  # fmt: skip
    assert unchanged == []
    assert changed == [
        (who, AuditKind.COUPON_CHANGED, "AUTUMN10", [
            change("max_uses", None, 50),
            change("active", True, False),
        ])
    ]  # fmt: skip


def test_the_editor_records_under_the_signed_in_person(alpha, manager, catalogue):
    client = logged_in_client(alpha, manager)
    product = catalogue["print"]
    sheet = price_sheets.price_sheet_create(name="2027")
    log()

    client.post(f"/staff/catalogue/products/{product.pk}/archive/", {"archive": "1"})
    client.post(f"/staff/catalogue/sheets/{sheet.pk}/sibling/", {"sibling-percent_off": "5"})
    client.post(f"/staff/catalogue/sheets/{sheet.pk}/sibling/", {"sibling-percent_off": "5"})

    assert [(e[0], e[1]) for e in log()] == [
        ("mia@alpha.test", AuditKind.PRODUCT_CHANGED),
        ("mia@alpha.test", AuditKind.SIBLING_DISCOUNT_CHANGED),
    ]
    assert not Product.objects.get(pk=product.pk).active
    assert PriceSheet.objects.get(pk=sheet.pk).sibling_discount.percent_off == D("5.00")
