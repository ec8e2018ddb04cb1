"""Forms of the catalogue editor. They read what was typed; the services judge it and write
(a price's precision in the sheet's currency, a coupon's window, a bundle's contents)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from studio.schools.models import School
from studio.shoots.models import Shoot

from .kinds import CouponKind, PackageKind, ProductKind
from .models import Product
from .services.preview import MAX_CHILDREN, MAX_QUANTITY

BUNDLE_ROWS = 3
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _money_field(label, *, required=True, help_text=""):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal("0"),
        max_digits=10,
        decimal_places=3,
        localize=True,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


def _percent_field(label=None, *, required=True):
    return forms.DecimalField(
        label=label or _("Percent off"),
        required=required,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


def _datetime_field(label, *, required=True):
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Product) -> str:
        return obj.name if obj.active else f"{obj.name} ({_('archived')})"


class ProductForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProductKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    print_size = forms.CharField(
        label=_("Print size"),
        max_length=9,
        required=False,
        help_text=_("Prints only, in centimetres, e.g. 10x15."),
    )

    def __init__(self, *args, product: Product | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if product is not None:  # what a product is never changes: orders sold it as such
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("The kind of a product cannot be changed.")


class OptionForm(forms.Form):
    name = forms.CharField(label=_("Option"), max_length=100, help_text=_("For example Matte."))
    price_delta = _money_field(_("Extra price"))
    active = forms.BooleanField(label=_("On sale"), required=False, initial=True)


class SheetNameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("For example 2027."))


class PricesForm(forms.Form):
    """One field per product: its price on the sheet; empty means not sold on it."""

    def __init__(self, *args, products, prices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.products = list(products)
        for product in self.products:
            field = _money_field(product.name, required=False)
            field.initial = prices.get(product.pk)
            self.fields[f"price_{product.pk}"] = field

    def rows(self):
        return [(product, self[f"price_{product.pk}"]) for product in self.products]

    def prices(self) -> dict:
        return {p: self.cleaned_data.get(f"price_{p.pk}") for p in self.products}


class AttachForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("School"), queryset=School.objects.order_by("name"), required=False
    )
    shoot = forms.ModelChoiceField(
        label=_("Picture day"),
        queryset=Shoot.objects.select_related("school").order_by("-date", "name"),
        required=False,
        help_text=_("A picture day's own price sheet wins over its school's."),
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("school")) == bool(data.get("shoot")):
            raise ValidationError(_("Choose a school or a picture day."), code="target")
        return data


class PackageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PackageKind.choices)
    price = _money_field(_("Price"))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    active = forms.BooleanField(label=_("On sale"), required=False, initial=True)

    def __init__(self, *args, products, package=None, **kwargs):
        super().__init__(*args, **kwargs)
        if package is not None:
            self.fields["kind"].disabled = True
        for row in range(1, BUNDLE_ROWS + 1):
            self.fields[f"item_product_{row}"] = ProductChoiceField(
                label=_("Product"), queryset=products, required=False
            )
            self.fields[f"item_quantity_{row}"] = forms.IntegerField(
                label=_("Quantity"), min_value=1, max_value=999, required=False, initial=1
            )
            self.fields[f"item_class_photo_{row}"] = forms.BooleanField(
                label=_("Of the class photo"), required=False
            )

    def item_rows(self):
        return [
            (
                self[f"item_product_{row}"],
                self[f"item_quantity_{row}"],
                self[f"item_class_photo_{row}"],
            )
            for row in range(1, BUNDLE_ROWS + 1)
        ]

    def items(self) -> list[tuple]:
        """(product, quantity, class photo) of the rows with a product."""
        return [
            (
                self.cleaned_data[f"item_product_{row}"],
                self.cleaned_data.get(f"item_quantity_{row}") or 1,
                self.cleaned_data.get(f"item_class_photo_{row}", False),
            )
            for row in range(1, BUNDLE_ROWS + 1)
            if self.cleaned_data.get(f"item_product_{row}")
        ]

    @staticmethod
    def initial_for(package) -> dict:
        initial = {
            "name": package.name,
            "kind": package.kind,
            "price": package.price,
            "description": package.description,
            "active": package.active,
        }
        for row, item in enumerate(package.items.all()[:BUNDLE_ROWS], start=1):
            initial[f"item_product_{row}"] = item.product_id
            initial[f"item_quantity_{row}"] = item.quantity
            initial[f"item_class_photo_{row}"] = item.class_photo
        return initial


class TierForm(forms.Form):
    target = forms.ChoiceField(label=_("For"))
    min_quantity = forms.IntegerField(label=_("From quantity"), min_value=1, max_value=9999)
    percent_off = _percent_field()

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [
            (f"kind:{value}", _("Every %(kind)s") % {"kind": str(label).lower()})
            for value, label in ProductKind.choices
        ] + [(f"product:{p.pk}", p.name) for p in products]
        self.products = {p.pk: p for p in products}

    def target_kwargs(self) -> dict:
        kind, _sep, value = self.cleaned_data["target"].partition(":")
        if kind == "kind":
            return {"product_kind": value}
        return {"product": self.products[int(value)]}


class FreeItemForm(TierForm):
    """What each child gets free: ``quantity_per_child`` of a product or of a kind."""

    min_quantity = None
    percent_off = None
    quantity_per_child = forms.IntegerField(label=_("Free per child"), min_value=1, max_value=99)


class EarlyBirdForm(forms.Form):
    until = _datetime_field(_("Orders placed before"))
    percent_off = _percent_field()


class SiblingForm(forms.Form):
    percent_off = _percent_field(_("Sibling discount"), required=False)


class CouponForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40, help_text=_("For example AUTUMN10."))
    kind = forms.ChoiceField(label=_("Kind"), choices=CouponKind.choices)
    value = _money_field(_("Value"), help_text=_("Percent off, or the amount off."))
    min_subtotal = _money_field(_("Minimum order"), required=False)
    valid_from = _datetime_field(_("Valid from"), required=False)
    valid_until = _datetime_field(_("Valid until"), required=False)
    max_uses = forms.IntegerField(
        label=_("Maximum uses"), min_value=1, required=False, help_text=_("Empty: no limit.")
    )


class PreviewForm(forms.Form):
    children = forms.IntegerField(
        label=_("Children"), min_value=1, max_value=MAX_CHILDREN, initial=2
    )
    product = forms.TypedChoiceField(label=_("Each buys"), coerce=int, required=False)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=3
    )
    package = forms.TypedChoiceField(label=_("And the package"), coerce=int, required=False)
    coupon = forms.CharField(label=_("Coupon"), max_length=40, required=False)

    def __init__(self, *args, products, packages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", "—")] + [(p.pk, p.name) for p in products]
        self.fields["package"].choices = [("", "—")] + [(p.pk, p.name) for p in packages]
