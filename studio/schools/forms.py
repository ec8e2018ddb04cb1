"""Forms of the staff pages. They validate input; the services decide and write."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from saas_platform.accounts.models import User

from .models import School, SchoolClass
from .roster import (
    MAX_BYTES,
    invalid_emails,
    invalid_phones,
    parse_school_year,
    split_emails,
    split_phones,
)
from .selectors import principal_choices_for


class PrincipalChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class SchoolForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    commission_percent = forms.DecimalField(
        label=_("Commission"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        initial=Decimal("0"),
        localize=True,
        help_text=_("The school’s share of its sales, from 0 to 100%."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    principals = PrincipalChoiceField(
        label=_("Principals"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Principals see this school’s classes and students, read-only."),
    )

    def __init__(self, *args, school: School | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["principals"]
        field.queryset = principal_choices_for(school=school)
        if not field.queryset.exists():
            field.help_text = _("No users with the principal role yet.")

    @classmethod
    def initial_for(cls, school: School) -> dict:
        return {
            "name": school.name,
            "address": school.address,
            "contact_email": school.contact_email,
            "contact_phone": school.contact_phone,
            "commission_percent": school.commission_percent,
            "principals": list(school.principals.all()),
        }


def _clean_school_year(value: str) -> str:
    school_year = parse_school_year(value)
    if school_year is None:
        raise ValidationError(
            _("Enter the school year as YYYY-YYYY with consecutive years, e.g. %(example)s."),
            params={"example": "2026-2027"},
            code="school_year",
        )
    return school_year


class SchoolClassForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=50, help_text=_("For example 11A."), strip=True
    )
    school_year = forms.CharField(
        label=_("School year"), max_length=20, help_text=_("For example 2026-2027.")
    )
    teacher = forms.CharField(
        label=_("Teacher"),
        max_length=200,
        required=False,
        strip=True,
        help_text=_("Printed on the labels of prints delivered to school."),
    )

    def clean_school_year(self) -> str:
        return _clean_school_year(self.cleaned_data["school_year"])


class StudentForm(forms.Form):
    school_class = forms.ModelChoiceField(
        label=_("Class"), queryset=SchoolClass.objects.none(), empty_label=None
    )
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    external_id = forms.CharField(
        label=_("External id"),
        max_length=64,
        required=False,
        help_text=_("Roster id or barcode; unique within the school."),
    )
    parent_emails = forms.CharField(
        label=_("Parent e-mails"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separate several addresses with commas or new lines."),
    )
    parent_phones = forms.CharField(
        label=_("Parent phones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separate several numbers with commas or new lines."),
    )
    do_not_publish = forms.BooleanField(
        label=_("Do not publish"),
        required=False,
        help_text=_("Photos of this child never appear in any gallery."),
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = school.classes.order_by("-school_year", "name")

    @classmethod
    def initial_for(cls, student) -> dict:
        return {
            "school_class": student.school_class_id,
            "first_name": student.first_name,
            "last_name": student.last_name,
            "external_id": student.external_id,
            "parent_emails": "\n".join(student.parent_emails),
            "parent_phones": "\n".join(student.parent_phones),
            "do_not_publish": student.do_not_publish,
        }

    def clean_parent_emails(self) -> list[str]:
        emails = split_emails(self.cleaned_data["parent_emails"])
        bad = invalid_emails(emails)
        if bad:
            raise ValidationError(
                _("Not valid e-mail addresses: %(values)s."),
                params={"values": ", ".join(bad)},
                code="invalid_emails",
            )
        return emails

    def clean_parent_phones(self) -> list[str]:
        phones = split_phones(self.cleaned_data["parent_phones"])
        bad = invalid_phones(phones)
        if bad:
            raise ValidationError(
                _("Not valid phone numbers: %(values)s."),
                params={"values": ", ".join(bad)},
                code="invalid_phones",
            )
        return phones


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)s MB; split it."),
                params={"size": MAX_BYTES // 1024**2},
                code="too_big",
            )
        return upload
