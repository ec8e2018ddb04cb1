from django import forms
from django.utils.translation import gettext_lazy as _

from studio.schools.roster import normalise_phone


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class PhoneForm(forms.Form):
    """A parent's phone, read as the roster import reads numbers (the studio's country for
    numbers written without a country code), kept in E.164."""

    phone = forms.CharField(
        label=_("Your phone number"),
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, region: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region

    def clean_phone(self):
        number, why = normalise_phone(self.cleaned_data["phone"].strip(), self.region)
        if not number:
            raise forms.ValidationError(why)
        return number


class SignInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code from the e-mail"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "pattern": "[0-9 ]*",
            }
        ),
    )


class SmsSignInCodeForm(SignInCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("The 6-digit code from the SMS")
