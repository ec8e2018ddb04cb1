"""A published picture day with a price sheet, shared by the shop's tests."""

from decimal import Decimal

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from studio.demo.shop import DemoPrices, demo_catalogue_seed
from studio.shoots.models import Shoot
from tests.studio.storefront.test_gallery import parent_with, published  # noqa: F401

# The demo's catalogue at the prices these tests count with, without sibling discount or coupon.
SHOP_PRICES = DemoPrices(
    digital="5",
    print_small="2",
    album="30",
    all_digital="20",
    bundle="15",
    sibling_percent=None,
    coupon_code=None,
)


@pytest.fixture
def shop(published):  # noqa: F811 - the fixture imported above
    """Digital €5, print 10×15 €2 (glossy +€0.50, 5+ prints −10 %), album €30, all digital
    €20, "class photo + 5 prints" €15; bank details set."""
    studio = published["studio"]
    with schema_context(studio.schema):
        catalogue = demo_catalogue_seed(
            school=Shoot.objects.get().school, name="Standard", prices=SHOP_PRICES
        )
    studio.studio.bank_details = "Acme Photo Ltd\nIBAN DE00 1234 5678"
    studio.studio.save()
    return {
        **published,
        "catalogue": catalogue,
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
