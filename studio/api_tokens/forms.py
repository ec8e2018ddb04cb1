from django import forms
from django.utils.translation import gettext_lazy as _

from saas_platform.accounts.models import Role


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “Lightroom uploader”."),
    )
    role = forms.ChoiceField(
        label=_("Acts as"), help_text=_("The token can do what this role can do, no more.")
    )

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in roles]
