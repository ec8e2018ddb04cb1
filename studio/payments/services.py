"""The studio's offline payment settings."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tenants.models import Studio

FIELDS = ("accept_bank_transfer", "bank_details", "accept_cash", "cash_instructions")


def payment_settings_update(*, studio: Studio, **values) -> Studio:
    """Bank transfers need bank details to print on invoices; at least one way to pay."""
    for name in FIELDS:
        if name in values:
            setattr(studio, name, values[name])
    if studio.accept_bank_transfer and not studio.bank_details.strip():
        raise ValidationError(
            {"bank_details": _("Enter the bank details parents transfer the money to.")}
        )
    if not (studio.accept_bank_transfer or studio.accept_cash):
        raise ValidationError(_("Keep at least one way for parents to pay."))
    studio.save(update_fields=list(FIELDS))
    return studio
