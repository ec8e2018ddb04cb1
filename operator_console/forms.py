from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import Plan
from saas_platform.accounts.forms import EmailAuthenticationForm
from tenants.models import StudioStatus


class StudioFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any"))] + StudioStatus.choices
    )
    plan = forms.ChoiceField(label=_("Plan"), required=False)
    expiring = forms.BooleanField(label=_("Licence ends within 7 days"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name, subdomain or owner e-mail")
        self.fields["plan"].choices = [("", _("Any")), ("none", _("No plan"))] + [
            (str(plan.pk), plan.name) for plan in Plan.objects.all()
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.TextInput)


class LicenceExtendForm(ReasonForm):
    until = forms.DateField(
        label=_("Licence valid until"), widget=forms.DateInput({"type": "date"})
    )
    field_order = ["until", "reason"]


class PlanChangeForm(ReasonForm):
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.all(), required=False, empty_label=_("No plan")
    )
    field_order = ["plan", "reason"]


class StudioDeleteForm(ReasonForm):
    """The subdomain typed again, so a studio is never scheduled for deletion by a slip."""

    confirm = forms.CharField(label=_("Type the studio’s subdomain to confirm"), max_length=40)

    def __init__(self, *args, studio=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.studio = studio

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip().lower()
        if self.studio is None or value != self.studio.slug:
            raise forms.ValidationError(_("That is not this studio’s subdomain."))
        return value


class ConsoleLoginForm(EmailAuthenticationForm):
    """Platform operators only: staff users of the public schema without a studio role."""

    error_messages = {
        "invalid_login": _("That e-mail and password do not match an operator account."),
        "inactive": _("This account is inactive."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_staff or user.role:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
