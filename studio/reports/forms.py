from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from studio.schools.models import School

from .exports import DATASETS
from .selectors import Period, default_period

# A period longer than this would make the daily table and chart unreadable (and slow).
MAX_DAYS = 731

CSV_DELIMITERS = [
    ("comma", _("Comma (,)")),
    ("semicolon", _("Semicolon (;) and decimal comma — Russian and Ukrainian spreadsheets")),
]
CSV_ENCODINGS = [("utf-8", _("UTF-8")), ("cp1251", _("Windows-1251"))]


class PeriodForm(forms.Form):
    """From and to (inclusive days in the studio's time zone), and the CSV format."""

    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    delimiter = forms.ChoiceField(label=_("CSV delimiter"), choices=CSV_DELIMITERS, required=False)
    encoding = forms.ChoiceField(label=_("CSV encoding"), choices=CSV_ENCODINGS, required=False)

    def __init__(self, *args, currencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.currencies = list(currencies)
        if len(self.currencies) > 1:
            self.fields["currency"] = forms.ChoiceField(
                label=_("Currency"), choices=[(c, c) for c in self.currencies], required=False
            )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise ValidationError(_("The period ends before it starts."), code="order")
            if (end - start).days > MAX_DAYS:
                raise ValidationError(_("Choose a period of at most two years."), code="long")
        return data

    def period(self) -> Period:
        """The chosen period (the last 30 days by default, or when the form has errors)."""
        currency = self.currencies[0] if self.currencies else ""
        school_id = None
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("currency"):
            currency = data["currency"]
        if data.get("school"):
            school_id = data["school"].pk
        fallback = default_period(currency, school_id)
        start = data.get("start")
        end = data.get("end") or (
            min(start + timedelta(days=29), timezone.localdate()) if start else None
        )
        if end and not start:
            start = end - timedelta(days=29)
        if not start:
            return fallback
        return Period(start, max(end, start), currency, school_id)

    def csv_options(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "delimiter": data.get("delimiter") or "comma",
            "encoding": data.get("encoding") or "utf-8",
        }


class ReportFilterForm(PeriodForm):
    school = forms.ModelChoiceField(
        label=_("School"),
        queryset=School.objects.none(),
        required=False,
        empty_label=_("All schools"),
    )

    field_order = ["start", "end", "school", "currency", "delimiter", "encoding"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = School.objects.order_by("name")
        self.order_fields(self.field_order)


class ExportForm(PeriodForm):
    dataset = forms.ChoiceField(label=_("File"), choices=list(DATASETS.items()))

    field_order = ["dataset", "start", "end", "delimiter", "encoding"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
