from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from saas_platform.accounts.models import Role, User
from studio.schools.models import School

from .models import Shoot
from .services import late_orders_error


class ShootForm(forms.ModelForm):
    school = forms.ModelChoiceField(queryset=School.objects.all(), label=_("School"))
    photographers = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(
            role__in=[Role.PHOTOGRAPHER, Role.MANAGER, Role.OWNER], is_active=True
        ),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Photographers"),
    )

    class Meta:
        model = Shoot
        fields = [
            "school",
            "name",
            "date",
            "sales_deadline",
            "late_orders_until",
            "late_fee",
            "photographers",
            "notes",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "sales_deadline": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "late_orders_until": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["late_fee"].required = False  # empty: no fee

    def clean_late_fee(self):
        return self.cleaned_data.get("late_fee") or Decimal("0")

    def clean(self):
        data = super().clean()
        error = late_orders_error(
            sales_deadline=data.get("sales_deadline"),
            late_orders_until=data.get("late_orders_until"),
        )
        if error:
            self.add_error("late_orders_until", error)
        return data


class ShootEditForm(ShootForm):
    """The same fields without the school: a picture day stays with its school."""

    class Meta(ShootForm.Meta):
        fields = [name for name in ShootForm.Meta.fields if name != "school"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["school"]
        self.fields["notes"].widget.attrs["rows"] = 3
