"""Products and their options: the shape each kind takes, and what the database refuses too."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from studio.catalogue.models import Product
from studio.catalogue.services.products import (
    product_create,
    product_option_create,
    product_option_update,
    product_update,
)
from tests.studio.catalogue.support import D, codes


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
