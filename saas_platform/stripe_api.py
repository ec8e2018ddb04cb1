"""The Stripe boundary: one configured client, and amounts in the currency's minor unit.

Every call on a studio's behalf carries ``stripe_account`` (a direct charge on its connected
account) and, when it creates something, an idempotency key derived from our own ids, so a
retried request never charges or refunds twice.
"""

from decimal import ROUND_HALF_UP, Decimal

import stripe
from django.conf import settings

from saas_platform.money import currency_exponent


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


def to_minor(amount: Decimal, currency: str) -> int:
    """12.34 EUR → 1234; 1200 JPY → 1200 (JPY has no minor unit)."""
    exponent = currency_exponent(currency)
    return int((Decimal(amount) * (10**exponent)).quantize(Decimal(1), ROUND_HALF_UP))


def from_minor(amount: int, currency: str) -> Decimal:
    return Decimal(int(amount)).scaleb(-currency_exponent(currency))
