"""The fake Stripe for the platform-fee invoices."""

from tests.studio.payments.conftest import stripe_on  # noqa: F401
