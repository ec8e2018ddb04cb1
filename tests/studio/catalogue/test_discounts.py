"""A sheet's automatic discounts: percentages, what a rule targets, early-birds and the
sibling discount."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from studio.catalogue.models import QuantityTier, SiblingDiscount
from studio.catalogue.services.discounts import (
    early_bird_create,
    free_item_create,
    quantity_tier_create,
    sibling_discount_set,
)
from studio.catalogue.services.price_sheets import price_sheet_create
from tests.studio.catalogue.support import NOW, D, codes


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
