from django import forms
from django.utils.translation import gettext_lazy as _

from .services import INVITABLE_ROLES


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    role = forms.ChoiceField(
        label=_("Role"), choices=[(role.value, role.label) for role in INVITABLE_ROLES]
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), choices=[(role.value, role.label) for role in INVITABLE_ROLES]
    )
