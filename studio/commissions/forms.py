"""Forms of the commission pages: they read input; the services decide."""

import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Agreement, Basis, ProductKind
from .services import Terms


def _decimal(label, **kwargs):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0"),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        **kwargs,
    )


class AgreementForm(forms.Form):
    basis = forms.ChoiceField(
        label=_("Commission"), choices=Basis.choices, widget=forms.RadioSelect
    )
    percent = _decimal(_("Percent of net sales"), max_digits=5, decimal_places=2)
    fixed_amount = _decimal(_("Amount per paid order"), max_digits=12, decimal_places=2)
    tier_percent = _decimal(_("Percent up to the threshold"), max_digits=5, decimal_places=2)
    tier_up_to = _decimal(_("Threshold (cumulative net sales)"), max_digits=12, decimal_places=2)
    tier_above = _decimal(_("Percent above the threshold"), max_digits=5, decimal_places=2)
    kinds = forms.MultipleChoiceField(
        label=_("Products that count"),
        choices=ProductKind.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[kind.value for kind in ProductKind],
    )
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        label=_("Valid to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for an agreement without an end date."),
    )

    def terms(self) -> Terms:
        data = self.cleaned_data
        tiers = ()
        if data["basis"] == Basis.TIERED:
            if None in (data.get("tier_percent"), data.get("tier_up_to"), data.get("tier_above")):
                raise ValidationError({"tier_up_to": _("Fill in both percents and the threshold.")})
            tiers = (
                {"up_to": data["tier_up_to"], "percent": data["tier_percent"]},
                {"up_to": None, "percent": data["tier_above"]},
            )
        return Terms(
            basis=data["basis"],
            kinds=data["kinds"],
            valid_from=data["valid_from"],
            valid_to=data.get("valid_to"),
            percent=data.get("percent"),
            fixed_amount=data.get("fixed_amount"),
            tiers=tiers,
        )

    @classmethod
    def initial_for(cls, agreement: Agreement) -> dict:
        initial = {
            "basis": agreement.basis,
            "percent": agreement.percent,
            "fixed_amount": agreement.fixed_amount,
            "kinds": agreement.kinds,
            "valid_from": agreement.valid_from,
            "valid_to": agreement.valid_to,
        }
        if agreement.basis == Basis.TIERED and len(agreement.tiers) >= 2:
            initial["tier_percent"] = Decimal(agreement.tiers[0]["percent"])
            initial["tier_up_to"] = Decimal(agreement.tiers[0]["up_to"])
            initial["tier_above"] = Decimal(agreement.tiers[-1]["percent"])
        return initial


class ScanForm(forms.Form):
    scan = forms.FileField(
        label=_("Signed scan"),
        help_text=_("PDF or JPEG, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg"}),
    )


class PayoutForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    paid_on = forms.DateField(
        label=_("Date"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label=_("Bank reference"), max_length=100, required=False)
    # One payout per form shown: a double submit records it once.
    key = forms.CharField(widget=forms.HiddenInput, max_length=64, initial=lambda: uuid.uuid4().hex)


class MonthCloseForm(forms.Form):
    month = forms.ChoiceField(label=_("Month"))

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(value, label) for value, label in months]
