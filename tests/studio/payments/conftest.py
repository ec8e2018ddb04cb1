"""A fake Stripe for the card payment tests, and studios connected to it."""

import pytest

from tests.conftest import STRIPE_TEST_SECRET_KEY, STRIPE_TEST_WEBHOOK_SECRET

# ``fake_stripe`` is the session's, from tests/conftest.py (the web server talks to it too).
WEBHOOK_SECRET = STRIPE_TEST_WEBHOOK_SECRET


@pytest.fixture
def stripe_on(settings, fake_stripe):
    """The platform's Stripe keys, pointing at the fake (emptied for each test)."""
    settings.STRIPE_SECRET_KEY = STRIPE_TEST_SECRET_KEY
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
