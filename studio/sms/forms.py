from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Provider


class SmsSettingsForm(forms.Form):
    provider = forms.ChoiceField(
        label=_("Provider"),
        choices=[("", _("None: no texts"))] + list(Provider.choices),
        required=False,
    )
    account_sid = forms.CharField(
        label=_("Twilio account SID"),
        max_length=64,
        required=False,
        help_text=_("Twilio only: starts with AC, on your Twilio console's front page."),
    )
    secret = forms.CharField(
        label=_("Auth token"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Twilio's auth token or TurboSMS's API token. Stored encrypted, never shown "
            "again; leave empty to keep the saved one."
        ),
    )
    sender = forms.CharField(
        label=_("Sender"),
        max_length=64,
        required=False,
        help_text=_(
            "Your Twilio number (+1…) or Messaging Service SID (MG…), or the sender name "
            "approved by TurboSMS."
        ),
    )


class TestSmsForm(forms.Form):
    phone = forms.CharField(
        label=_("Send a test SMS to"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("With the country code, e.g. +380501234567."),
    )
