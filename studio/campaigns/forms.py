from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from studio.sms.selectors import sms_configured

from .models import CampaignChannels, CampaignKind, CampaignSettings
from .wording import placeholders_check


class CampaignSettingsForm(forms.ModelForm):
    class Meta:
        model = CampaignSettings
        fields = [
            "auto_photos_online",
            "reminder_days_before",
            "remind_on_last_day",
            "last_chance",
            "last_chance_days_after",
            "late_fee",
            "channels",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not sms_configured():  # SMS is offered once the studio can send texts
            field = self.fields["channels"]
            field.choices = [(CampaignChannels.EMAIL, CampaignChannels.EMAIL.label)]
            field.help_text = _("Set up an SMS provider (Settings → SMS) to send texts too.")


class MessageTemplateForm(forms.Form):
    subject = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}))
    sms = forms.CharField(
        label=_("SMS text"),
        required=False,
        max_length=480,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The link and “STOP to opt out” are added. Empty: the default text."),
    )

    def _checked(self, name):
        value = self.cleaned_data[name]
        try:
            placeholders_check(value)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return value

    def clean_subject(self):
        return self._checked("subject")

    def clean_body(self):
        return self._checked("body")

    def clean_sms(self):
        return self._checked("sms")


class SendForm(forms.Form):
    kind = forms.ChoiceField(choices=CampaignKind.choices)
