"""Packages on a price sheet: a bundle's contents, the shapes refused, unique names."""

import pytest
from django.core.exceptions import ValidationError

from studio.catalogue.models import PackageItem
from studio.catalogue.services.packages import PackageItemInput, package_create, package_update
from studio.catalogue.services.price_sheets import price_sheet_create
from tests.studio.catalogue.support import D, codes


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
