from django import forms
from django.utils.translation import gettext_lazy as _

DELIVERY_CHOICES = [
    ("school", _("With the class to the school (free)")),
    ("home", _("To my home address")),
]


class CheckoutForm(forms.Form):
    key = forms.UUIDField(widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Your name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    delivery_method = forms.ChoiceField(
        label=_("Delivery of prints"), choices=DELIVERY_CHOICES, widget=forms.RadioSelect
    )
    address = forms.CharField(
        label=_("Street and house number"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    city = forms.CharField(
        label=_("Town or city"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "country-name"}),
    )
    payment_method = forms.ChoiceField(label=_("How will you pay?"), widget=forms.RadioSelect)

    DELIVERY_FIELDS = ("delivery_method", "address", "city", "postcode", "country")

    def __init__(self, *args, providers, needs_delivery: bool | None, **kwargs):
        """``needs_delivery`` None: not known yet (a posted form, whose delivery the checkout
        service checks against the cart it prices): the delivery fields are taken, none
        required."""
        super().__init__(*args, **kwargs)
        self.fields["payment_method"].choices = [
            (p.identifier, f"{p.verbose_name}: {p.description}") for p in providers
        ]
        if len(providers) == 1:
            self.fields["payment_method"].initial = providers[0].identifier
        if needs_delivery is None:
            self.fields["delivery_method"].required = False
        elif not needs_delivery:
            self.delivery_drop()

    def delivery_drop(self) -> None:
        """Nothing to deliver (digital files only): no delivery questions."""
        for name in self.DELIVERY_FIELDS:
            self.fields.pop(name, None)
