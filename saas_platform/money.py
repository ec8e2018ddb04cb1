"""Money is a Decimal with an ISO 4217 currency; this module formats and rounds it."""

import functools
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision
from django.utils import translation


def currency_exponent(currency: str) -> int:
    """Digits after the decimal point (EUR 2, JPY 0); the minor unit at the Stripe boundary."""
    return get_currency_precision(currency.upper())


def quantize(amount: Decimal, currency: str) -> Decimal:
    """The one rounding rule: half up, to the currency's precision."""
    return Decimal(amount).quantize(Decimal(1).scaleb(-currency_exponent(currency)), ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    """12.34 EUR → 1234; 1200 JPY → 1200 (JPY has no minor unit); 1.235 KWD → 1235."""
    exponent = currency_exponent(currency)
    return int((Decimal(amount) * (10**exponent)).quantize(Decimal(1), ROUND_HALF_UP))


def from_minor(amount: int, currency: str) -> Decimal:
    return Decimal(int(amount)).scaleb(-currency_exponent(currency))


def format_money(amount: Decimal, currency: str, language: str | None = None) -> str:
    locale = translation.to_locale(language or translation.get_language() or "en")
    return _formatted(quantize(amount, currency), currency.upper(), locale)


@functools.lru_cache(maxsize=8192)
def _formatted(amount: Decimal, currency: str, locale: str) -> str:
    """Babel takes a third of a millisecond per amount; a gallery page shows the same few
    prices over and over."""
    return format_currency(amount, currency, locale=locale)
