"""Price sheets: prices in the studio's currency and its precision, and which sheet a picture
day sells with."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from studio.catalogue.models import PriceSheetItem
from studio.catalogue.selectors import price_sheet_for
from studio.catalogue.services.price_sheets import (
    price_sheet_attach,
    price_sheet_create,
    price_sheet_detach,
    price_sheet_item_remove,
    price_sheet_item_set,
    price_sheet_update,
)
from studio.schools.models import School
from studio.shoots.services import shoot_create
from tests.studio.catalogue.support import D, codes


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
