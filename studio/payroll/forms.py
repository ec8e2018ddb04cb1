import datetime
import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import PAID_ROLES, PayRuleKind
from .selectors import PAYABLE_ROLES


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PayRuleKind.choices)
    role = forms.ChoiceField(
        label=_("For everyone with the role"), choices=[("", "—"), *PAID_ROLES], required=False
    )
    person = forms.ModelChoiceField(
        label=_("Or for one person"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("A person's own rule overrides their role's."),
    )
    effective_from = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=12,
        decimal_places=3,
        min_value=0,
        help_text=_(
            "Per photo (a digital file), retouch, picture day or day; a percentage for sales."
        ),
    )
    print_amount = forms.DecimalField(
        label=_("Print rate"),
        max_digits=12,
        decimal_places=3,
        min_value=0,
        required=False,
        help_text=_("Per sold print, when it differs from a digital file's."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            get_user_model()
            .objects.filter(role__in=PAYABLE_ROLES, is_active=True)
            .order_by("full_name", "email")
        )
        self.fields["effective_from"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        if bool(data.get("role")) == bool(data.get("person")):
            raise ValidationError(_("Choose either a role or a person."))
        return data


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=12,
        decimal_places=3,
        help_text=_("A bonus is positive, a deduction negative."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].initial = uuid.uuid4().hex


class ProfileForm(forms.Form):
    account_holder = forms.CharField(label=_("Account holder"), max_length=200, required=False)
    bank_account = forms.CharField(label=_("IBAN or account number"), max_length=64, required=False)


class PayRunForm(forms.Form):
    period_end = forms.DateField(
        label=_("Pay for work up to"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_end"].initial = timezone.localdate()


class PeriodForm(forms.Form):
    """The statement's days, this month so far unless chosen; shown filled in either way."""

    starts = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data=None):
        today = timezone.localdate()
        filled = {"starts": today.replace(day=1).isoformat(), "ends": today.isoformat()}
        filled.update({k: v for k, v in (data or {}).items() if k in filled and v})
        super().__init__(filled)

    def period(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        ends = data.get("ends") or today
        starts = data.get("starts") or ends.replace(day=1)
        if starts > ends:
            starts, ends = ends, starts
        return starts, ends
