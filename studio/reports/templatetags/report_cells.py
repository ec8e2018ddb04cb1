from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import formats

from saas_platform.money import format_money
from studio.reports.tables import COUNT, DATE, DURATION, MONEY, PERCENT

register = template.Library()


@register.simple_tag
def report_cell(value, column, currency=""):
    """One cell of a report table in the reader's language."""
    if value is None or value == "":
        return "—"
    if column.kind == MONEY and currency:
        return format_money(Decimal(value), currency)
    if column.kind == COUNT:
        return intcomma(value)
    if column.kind in (PERCENT, DURATION):
        number = formats.number_format(value, decimal_pos=1, use_l10n=True)
        return f"{number}\u00a0%" if column.kind == PERCENT else number
    if column.kind == DATE:
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value
