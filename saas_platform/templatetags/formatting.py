from decimal import Decimal

from django import template

from saas_platform.money import format_money, from_minor

register = template.Library()


@register.filter
def money(amount, currency):
    """``{{ price|money:studio.currency }}`` → "€1,234.50" in English, "1 234,50 €" in Russian."""
    if amount in (None, ""):
        return ""
    return format_money(Decimal(amount), currency)


@register.filter
def minor_money(amount_minor, currency):
    """An amount in minor units (the ledger's cents) as money: ``{{ 1250|minor_money:"EUR" }}``
    → "€12.50"."""
    if amount_minor in (None, ""):
        return ""
    return format_money(from_minor(int(amount_minor), currency), currency)
