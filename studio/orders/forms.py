from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from studio.schools.models import School, SchoolClass

from .models import FulfilmentStatus, OrderProgress, OrderStatus

PAYMENT_METHODS = [
    ("bank_transfer", _("Bank transfer")),
    ("cash", _("Cash")),
]


class OrderFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Number, e-mail or child")}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *OrderStatus.choices]
    )
    payment_method = forms.ChoiceField(
        label=_("Payment"),
        required=False,
        choices=[("", _("Any payment")), *PAYMENT_METHODS, ("stripe", _("Card"))],
    )
    school = forms.ModelChoiceField(
        label=_("School"),
        required=False,
        queryset=School.objects.all(),
        empty_label=_("Any school"),
    )
    school_class = forms.ModelChoiceField(
        label=_("Class"),
        required=False,
        queryset=SchoolClass.objects.select_related("school").order_by(
            "school__name", "-school_year", "name"
        ),
        empty_label=_("Any class"),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.001"), max_digits=13, decimal_places=3
    )
    method = forms.ChoiceField(label=_("Method"), choices=PAYMENT_METHODS)
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=100,
        help_text=_("Bank reference, receipt number or who handed over the cash."),
    )
    token = forms.UUIDField(widget=forms.HiddenInput)


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal("0.001"), max_digits=13, decimal_places=3
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    token = forms.UUIDField(widget=forms.HiddenInput)
    lines = forms.TypedMultipleChoiceField(
        label=_("Refunded items (their downloads close)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, **kwargs)
        if order is not None:
            self.fields["lines"].choices = [
                (line.pk, f"{line.quantity} × {line.description}")
                for line in order.lines.all()
                if not line.refunded and line.net > 0
            ]


class MoveForm(forms.Form):
    """Its own ids: the lines' fulfilment form on the same page also has a ``to``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_move_%s")
        super().__init__(*args, **kwargs)

    to = forms.ChoiceField(
        label=_("Move to"),
        choices=[
            (OrderProgress.IN_FULFILMENT, OrderProgress.IN_FULFILMENT.label),
            (OrderProgress.COMPLETED, OrderProgress.COMPLETED.label),
            (OrderProgress.CANCELLED, _("Cancel the order")),
        ],
    )


class FulfilmentForm(forms.Form):
    to = forms.ChoiceField(label=_("Mark as"), choices=FulfilmentStatus.choices)
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        required=False,
        max_length=100,
        help_text=_("When shipped: sent to the parent."),
    )
