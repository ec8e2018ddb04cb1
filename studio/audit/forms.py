from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditKind
from .selectors import audit_actors


class AuditFilterForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", _("Everyone"))] + [
            (person.pk, str(person)) for person in audit_actors()
        ]
        self.fields["kind"].choices = [("", _("Everything"))] + list(AuditKind.choices)
