from django import forms
from django.core.exceptions import ValidationError

from .models import CampaignKind, CampaignSettings
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
        ]


class MessageTemplateForm(forms.Form):
    subject = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}))

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


class SendForm(forms.Form):
    kind = forms.ChoiceField(choices=CampaignKind.choices)
