"""A fake Stripe for the card payment tests, and studios connected to it."""

import pytest

from tests.fakestripe import FakeStripe

WEBHOOK_SECRET = "whsec_test_pictureday"


@pytest.fixture(scope="session")
def fake_stripe():
    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture
def stripe_on(settings, fake_stripe):
    """The platform's Stripe keys, pointing at the fake (emptied for each test)."""
    settings.STRIPE_SECRET_KEY = "sk_test_platform"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake_stripe.url
    fake_stripe.reset()
    return fake_stripe


def connect(fixture, account: str):
    from tenants.models import StripeAccountStatus

    fixture.studio.stripe_account_id = account
    fixture.studio.stripe_account_status = StripeAccountStatus.READY
    fixture.studio.save()
    return fixture


@pytest.fixture
def card_alpha(alpha, stripe_on):
    return connect(alpha, "acct_alpha_test")


@pytest.fixture
def card_beta(beta, stripe_on):
    return connect(beta, "acct_beta_test")
