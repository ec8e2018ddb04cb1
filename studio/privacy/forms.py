from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ConsentDecision


class ConsentTextForm(forms.Form):
    body = forms.CharField(
        label=_("Consent text"),
        max_length=4000,
        widget=forms.Textarea({"rows": 8}),
        help_text=_(
            "What families agree to when they give consent. Publishing makes a new version; "
            "decisions already recorded keep the version they saw."
        ),
    )


class ConsentRecordForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=ConsentDecision.choices)
    note = forms.CharField(
        label=_("How it was given"),
        max_length=300,
        required=False,
        help_text=_("For example: paper form signed by the mother on 3 September."),
    )
