from decimal import Decimal

from django import template

from saas_platform.money import format_money

register = template.Library()


@register.filter
def money(amount, currency):
    """``{{ price|money:studio.currency }}`` → "€1,234.50" in English, "1 234,50 €" in Russian."""
    if amount in (None, ""):
        return ""
    return format_money(Decimal(amount), currency)
