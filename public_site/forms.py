from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tenants.countries import country_choices
from tenants.services import subdomain_check_available


class StudioSignUpForm(forms.Form):
    studio_name = forms.CharField(label=_("Studio name"), max_length=120)
    subdomain = forms.CharField(
        label=_("Subdomain"),
        max_length=40,
        help_text=_("3–40 Latin letters, digits or hyphens. Your studio’s address."),
        widget=forms.TextInput(
            attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=[("", "—")],
        help_text=_(
            "We propose your currency, language and time zone from it; change them any time "
            "under Settings."
        ),
    )
    owner_name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices()]

    def clean_subdomain(self):
        return subdomain_check_available(slug=self.cleaned_data["subdomain"])

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            try:
                password_validation.validate_password(password)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned
