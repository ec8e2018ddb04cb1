from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import codes

# Phones first: a big monospace field that capitalises as you type and does not autocorrect.
# The pattern only keeps out what can never be a code; the server forgives the rest.
CODE_INPUT_ATTRS = {
    "autocapitalize": "characters",
    "inputmode": "text",
    "autocomplete": "off",
    "autocorrect": "off",
    "spellcheck": "false",
    "enterkeyhint": "go",
    "placeholder": "XXXX-XXXX-XXXX",
    "pattern": r"[\s\-‐‑–—_.0-9A-Za-zА-Яа-яЁё]{12,30}",
    "style": (
        "font-size:1.4rem;min-height:56px;letter-spacing:.08em;text-transform:uppercase;"
        "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace"
    ),
}
FORMAT_ERROR = _(
    "An access code has 12 letters and digits, printed in three groups of four like "
    "7KQ2-M9XD-4HTP. Please check it against the card."
)


class _CodeField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=40,
            widget=forms.TextInput(
                attrs={**CODE_INPUT_ATTRS, "title": kwargs.get("help_text", "")}
            ),
            **kwargs,
        )

    def clean(self, value):
        value = super().clean(value)
        normalised = codes.parse(value)
        if normalised is None:
            raise ValidationError(FORMAT_ERROR, code="format")
        return normalised


class CodeForm(forms.Form):
    code = _CodeField(
        label=_("Access code"),
        help_text=_("12 letters and digits from the card, e.g. 7KQ2-M9XD-4HTP."),
    )


class FindMyCodeForm(forms.Form):
    class_code = _CodeField(
        label=_("Class code"),
        help_text=_("The code of your child’s class, from the class teacher or the class card."),
    )
    first_name = forms.CharField(
        label=_("Child’s first name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"}),
    )
    last_name = forms.CharField(
        label=_("Child’s last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"}),
    )
