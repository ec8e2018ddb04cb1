"""The checks every catalogue write makes on what it is given, in one place so a price, a
percentage or a name is refused with the same message wherever it is entered.

Money arrives as ``Decimal``, ``int`` or a numeric string, never ``float``; it must be at
least zero and fit the currency's precision (no cents in JPY). Percentages are 0–100 with at
most two decimals. Each check raises a ``ValidationError`` keyed by the field's name.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from saas_platform.money import currency_exponent, quantize

MAX_MONEY = Decimal("99999999.99")  # DecimalField(max_digits=10, decimal_places=2)


def invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _decimal(value, field: str) -> Decimal:
    if isinstance(value, float | bool):
        raise invalid(field, _("Enter the amount as a decimal number."), "invalid")
    try:
        amount = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise invalid(field, _("Enter a number."), "invalid") from None
    if not amount.is_finite():
        raise invalid(field, _("Enter a number."), "invalid")
    return amount


def clean_money(value, currency: str, field: str = "price") -> Decimal:
    amount = _decimal(value, field)
    if amount < 0:
        raise invalid(field, _("The amount cannot be negative."), "negative")
    if amount > MAX_MONEY:
        raise invalid(field, _("The amount is too large."), "too_large")
    if quantize(amount, currency) != amount:
        digits = currency_exponent(currency)
        message = (
            _("%(currency)s amounts are whole numbers.")
            if digits == 0
            else ngettext(
                "%(currency)s amounts have at most %(digits)d decimal.",
                "%(currency)s amounts have at most %(digits)d decimals.",
                digits,
            )
        )
        raise invalid(field, message % {"currency": currency, "digits": digits}, "precision")
    return quantize(amount, currency)


def clean_percent(value, field: str = "percent_off") -> Decimal:
    percent = _decimal(value, field)
    if not Decimal("0") <= percent <= Decimal("100"):
        raise invalid(field, _("A percentage is between 0 and 100."), "percent")
    if percent != percent.quantize(Decimal("0.01")):
        raise invalid(field, _("At most two decimals."), "precision")
    return percent


def clean_aware(value, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise invalid(field, _("Give a date and time with its time zone."), "naive")
    return value


def clean_positive_int(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid(field, _("Enter a whole number of at least 1."), "min_value")
    return value


def clean_name(value: str, field: str = "name", max_length: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        raise invalid(field, _("This field is required."), "required")
    if len(value) > max_length:
        raise invalid(field, _("This is too long."), "max_length")
    return value
