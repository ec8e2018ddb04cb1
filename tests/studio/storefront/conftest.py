"""A published picture day with a price sheet, shared by the shop's tests."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from studio.catalogue.kinds import PackageKind, ProductKind
from studio.catalogue.services.discounts import quantity_tier_create
from studio.catalogue.services.packages import PackageItemInput, package_create
from studio.catalogue.services.price_sheets import (
    price_sheet_attach,
    price_sheet_create,
    price_sheet_item_set,
)
from studio.catalogue.services.products import product_create, product_option_create
from studio.shoots.models import Shoot
from tests.studio.storefront.test_gallery import parent_with, published  # noqa: F401


@dataclass
class Catalogue:
    digital: object
    print10: object
    glossy: object
    album: object
    all_digital: object
    bundle: object


@pytest.fixture
def shop(published):  # noqa: F811 - the fixture imported above
    """Digital €5, print 10×15 €2 (glossy +€0.50, 5+ prints −10 %), album €30, all digital
    €20, "class photo + 5 prints" €15; bank details set."""
    studio = published["studio"]
    with schema_context(studio.schema):
        shoot = Shoot.objects.get()
        sheet = price_sheet_create(name="Standard")
        price_sheet_attach(sheet=sheet, school=shoot.school)
        digital = product_create(kind=ProductKind.DIGITAL, name="Digital file")
        print10 = product_create(kind=ProductKind.PRINT, name="Print 10×15", print_size="10x15")
        glossy = product_option_create(product=print10, name="Glossy", price_delta="0.50")
        album = product_create(kind=ProductKind.ALBUM, name="Album")
        for product, price in ((digital, "5"), (print10, "2"), (album, "30")):
            price_sheet_item_set(sheet=sheet, product=product, price=price)
        quantity_tier_create(sheet=sheet, min_quantity=5, percent_off="10", product=print10)
        all_digital = package_create(
            sheet=sheet, name="All photos", kind=PackageKind.ALL_DIGITAL, price="20"
        )
        bundle = package_create(
            sheet=sheet,
            name="Class photo + 5 prints",
            kind=PackageKind.BUNDLE,
            price="15",
            items=[
                PackageItemInput(product=print10, quantity=1, class_photo=True),
                PackageItemInput(product=print10, quantity=5),
            ],
        )
    studio.studio.bank_details = "Acme Photo Ltd\nIBAN DE00 1234 5678"
    studio.studio.save()
    return {
        **published,
        "catalogue": Catalogue(digital, print10, glossy, album, all_digital, bundle),
    }


def sign_in(client, email: str, *, next_url: str = "/account/"):
    """Signs a parent in the way they do: e-mail, then the code from the e-mail."""
    mail.outbox.clear()
    response = client.post("/account/sign-in/", {"email": email, "next": next_url})
    assert response.status_code == 302, response.content[:500]
    code = next(word for word in mail.outbox[-1].body.split() if word.isdigit() and len(word) == 6)
    response = client.post("/account/sign-in/code/", {"code": code, "next": next_url})
    assert response.status_code == 302, response.content[:500]
    return response


def money(value: str) -> Decimal:
    return Decimal(value)
