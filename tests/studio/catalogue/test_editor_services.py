"""What the catalogue editor adds to the services: deleting a product only when nothing uses
it, duplicating a sheet for a new season, removing discounts, and the priced sample cart."""

import pytest
from django.core.exceptions import ValidationError

from studio.catalogue.kinds import PackageKind, ProductKind
from studio.catalogue.models import EarlyBird, FreeItem, PriceSheet, Product, QuantityTier
from studio.catalogue.services.discounts import (
    early_bird_create,
    early_bird_delete,
    free_item_create,
    free_item_delete,
    quantity_tier_create,
    quantity_tier_delete,
    sibling_discount_set,
)
from studio.catalogue.services.packages import PackageItemInput, package_create
from studio.catalogue.services.preview import SampleCart, price_sheet_preview
from studio.catalogue.services.price_sheets import (
    price_sheet_attach,
    price_sheet_create,
    price_sheet_duplicate,
    price_sheet_item_set,
    price_sheet_prices_set,
)
from studio.catalogue.services.products import product_delete
from tests.studio.catalogue.support import NOW, D


def test_a_product_nothing_uses_is_deleted(catalogue):
    product_delete(product=catalogue["album"])

    assert not Product.objects.filter(pk=catalogue["album"].pk).exists()


def test_a_product_on_a_sheet_or_in_a_package_is_refused_with_the_reason(catalogue):
    sheet = price_sheet_create(name="Standard")
    price_sheet_item_set(sheet=sheet, product=catalogue["print"], price="2")
    package_create(
        sheet=sheet,
        name="Bundle",
        kind=PackageKind.BUNDLE,
        price="10",
        items=[PackageItemInput(product=catalogue["big"], quantity=2)],
    )

    with pytest.raises(ValidationError) as on_sheet:
        product_delete(product=catalogue["print"])
    with pytest.raises(ValidationError) as in_package:
        product_delete(product=catalogue["big"])

    assert on_sheet.value.code == in_package.value.code == "in_use"
    assert on_sheet.value.messages == [
        "It has a price on: Standard. Archive it instead: it stays on past orders."
    ]
    assert in_package.value.messages == [
        "It is in the packages: Bundle. Archive it instead: it stays on past orders."
    ]
    assert Product.objects.filter(pk__in=[catalogue["print"].pk, catalogue["big"].pk]).count() == 2


def test_a_product_a_discount_names_is_refused(catalogue):
    sheet = price_sheet_create(name="Standard")
    quantity_tier_create(sheet=sheet, min_quantity=3, percent_off="5", product=catalogue["album"])

    with pytest.raises(ValidationError) as error:
        product_delete(product=catalogue["album"])

    assert error.value.code == "in_use"
    assert QuantityTier.objects.filter(sheet=sheet).count() == 1


def test_a_duplicate_copies_prices_packages_and_discounts_but_no_attachment(catalogue, school):
    sheet = price_sheet_create(name="2026", school=school)
    price_sheet_item_set(sheet=sheet, product=catalogue["print"], price="2.50")
    price_sheet_item_set(sheet=sheet, product=catalogue["digital"], price="5")
    package_create(
        sheet=sheet,
        name="Class photo + 5 prints",
        kind=PackageKind.BUNDLE,
        price="15",
        items=[
            PackageItemInput(product=catalogue["print"], quantity=1, class_photo=True),
            PackageItemInput(product=catalogue["print"], quantity=5),
        ],
    )
    quantity_tier_create(sheet=sheet, min_quantity=5, percent_off="10", product_kind="print")
    early_bird_create(sheet=sheet, until=NOW, percent_off="15")
    free_item_create(sheet=sheet, product=catalogue["digital"])
    sibling_discount_set(sheet=sheet, percent_off="10")

    copy = price_sheet_duplicate(sheet=sheet, name="2027")

    assert (copy.name, copy.currency) == ("2027", "EUR")
    assert {(i.product_id, i.price) for i in copy.items.all()} == {
        (catalogue["print"].pk, D("2.50")),
        (catalogue["digital"].pk, D("5.00")),
    }
    package = copy.packages.get()
    assert (package.name, package.price) == ("Class photo + 5 prints", D("15.00"))
    assert sorted((i.quantity, i.class_photo) for i in package.items.all()) == [
        (1, True),
        (5, False),
    ]
    assert [(t.product_kind, t.min_quantity, t.percent_off) for t in copy.quantity_tiers.all()] == [
        ("print", 5, D("10.00"))
    ]
    assert [(e.until, e.percent_off) for e in copy.early_birds.all()] == [(NOW, D("15.00"))]
    assert [f.product_id for f in copy.free_items.all()] == [catalogue["digital"].pk]
    assert copy.sibling_discount.percent_off == D("10.00")
    assert not copy.attachments.exists()
    # the original is untouched and still the school's
    assert sheet.items.count() == 2 and sheet.packages.count() == 1
    assert school.price_sheet_attachment.sheet == sheet
    assert PriceSheet.objects.count() == 2


def test_discounts_are_removed_one_by_one(catalogue):
    sheet = price_sheet_create(name="Standard")
    tier = quantity_tier_create(sheet=sheet, min_quantity=5, percent_off="10", product_kind="print")
    bird = early_bird_create(sheet=sheet, until=NOW, percent_off="15")

    free = free_item_create(sheet=sheet, product_kind="digital")

    quantity_tier_delete(tier=tier)
    early_bird_delete(early_bird=bird)
    free_item_delete(free_item=free)

    assert not QuantityTier.objects.exists() and not EarlyBird.objects.exists()
    assert not FreeItem.objects.exists()


def test_the_preview_prices_a_family_with_the_sheets_discounts(catalogue, shoot):
    sheet = price_sheet_create(name="Standard")
    price_sheet_attach(sheet=sheet, shoot=shoot)
    price_sheet_item_set(sheet=sheet, product=catalogue["print"], price="2")
    quantity_tier_create(
        sheet=sheet, min_quantity=5, percent_off="10", product_kind=ProductKind.PRINT
    )
    sibling_discount_set(sheet=sheet, percent_off="10")
    package = package_create(
        sheet=sheet, name="All photos", kind=PackageKind.ALL_DIGITAL, price="20"
    )

    priced = price_sheet_preview(
        sheet=sheet,
        sample=SampleCart(
            children=2, product_id=catalogue["print"].pk, quantity=3, package_id=package.pk
        ),
        now=NOW,
    )

    # 2 × (3 × 2.00 + 20.00) = 52.00; 6 prints reach the 10 % tier: −0.60 each child;
    # the second child pays 10 % less on 5.40 + 20.00: −2.54
    assert priced.subtotal == D("52.00")
    assert priced.total == D("52.00") - D("1.20") - D("2.54")
    assert len(priced.lines) == 4


def test_the_preview_leaves_out_what_the_sheet_does_not_sell(catalogue):
    sheet = price_sheet_create(name="Empty")

    priced = price_sheet_preview(
        sheet=sheet, sample=SampleCart(children=9, product_id=catalogue["print"].pk), now=NOW
    )

    assert (priced.lines, priced.total) == ((), D("0"))


def test_many_prices_are_set_all_or_none(catalogue):
    sheet = price_sheet_create(name="Standard")
    price_sheet_item_set(sheet=sheet, product=catalogue["album"], price="30")

    with pytest.raises(ValidationError) as error:
        price_sheet_prices_set(
            sheet=sheet,
            prices={catalogue["print"]: "2", catalogue["big"]: "2.505", catalogue["album"]: None},
        )
    untouched = {(i.product_id, i.price) for i in sheet.items.all()}
    price_sheet_prices_set(sheet=sheet, prices={catalogue["print"]: "2", catalogue["album"]: None})

    assert error.value.message_dict == {
        f"price_{catalogue['big'].pk}": ["EUR amounts have at most 2 decimals."]
    }
    assert untouched == {(catalogue["album"].pk, D("30.00"))}
    assert {(i.product_id, i.price) for i in sheet.items.all()} == {
        (catalogue["print"].pk, D("2.00"))
    }
