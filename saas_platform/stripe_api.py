"""The Stripe boundary: one configured client, and amounts in the currency's minor unit.

Every call on a studio's behalf carries ``stripe_account`` (a direct charge on its connected
account) and, when it creates something, an idempotency key derived from our own ids, so a
retried request never charges or refunds twice.
"""

import stripe
from django.conf import settings

from saas_platform.money import from_minor, to_minor  # noqa: F401  (Stripe speaks minor units)


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def client() -> stripe.StripeClient:
    """A client for the platform's key; ``STRIPE_API_BASE`` redirects it (the tests' fake)."""
    if settings.STRIPE_API_BASE:
        # The module-level setting too, for code that uses stripe's resource classes.
        stripe.api_base = settings.STRIPE_API_BASE
        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={
                "api": settings.STRIPE_API_BASE,
                "connect": settings.STRIPE_API_BASE,
            },
            max_network_retries=0,
        )
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=2)
