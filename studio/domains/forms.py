from django import forms
from django.utils.translation import gettext_lazy as _


class DomainForm(forms.Form):
    domain = forms.CharField(
        label=_("Your domain"),
        max_length=253,
        help_text=_("For example photos.your-studio.com"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "url"}),
    )
