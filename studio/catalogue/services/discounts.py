"""A price sheet's automatic discounts: quantity tiers, early-birds, free items per child
and the sibling discount. ``pricing.price_cart`` applies them; coupons, which a parent
enters, are in ``coupons``."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from studio.catalogue.kinds import ProductKind
from studio.catalogue.models import (
    EarlyBird,
    FreeItem,
    PriceSheet,
    Product,
    QuantityTier,
    SiblingDiscount,
)
from studio.catalogue.services.validation import (
    clean_aware,
    clean_percent,
    clean_positive_int,
    invalid,
)


def _product_or_kind(product, product_kind: str) -> tuple[Product | None, str]:
    product_kind = product_kind or ""
    if (product is None) == (product_kind == ""):
        raise invalid("product", _("Choose a product or a kind of product, not both."), "target")
    if product_kind and product_kind not in ProductKind.values:
        raise invalid("product_kind", _("Unknown kind of product."), "invalid")
    return product, product_kind


@transaction.atomic
def quantity_tier_create(
    *, sheet: PriceSheet, min_quantity: int, percent_off, product=None, product_kind: str = ""
) -> QuantityTier:
    product, product_kind = _product_or_kind(product, product_kind)
    min_quantity = clean_positive_int(min_quantity, "min_quantity")
    same = QuantityTier.objects.filter(sheet=sheet, min_quantity=min_quantity)
    if same.filter(product=product, product_kind=product_kind).exists():
        raise invalid(
            "min_quantity", _("There already is a discount from this quantity."), "duplicate"
        )
    return QuantityTier.objects.create(
        sheet=sheet,
        product=product,
        product_kind=product_kind,
        min_quantity=min_quantity,
        percent_off=clean_percent(percent_off),
    )


@transaction.atomic
def early_bird_create(*, sheet: PriceSheet, until: datetime, percent_off) -> EarlyBird:
    until = clean_aware(until, "until")
    if until is None:
        raise invalid("until", _("This field is required."), "required")
    return EarlyBird.objects.create(
        sheet=sheet, until=until, percent_off=clean_percent(percent_off)
    )


@transaction.atomic
def free_item_create(
    *, sheet: PriceSheet, quantity_per_child: int = 1, product=None, product_kind: str = ""
) -> FreeItem:
    product, product_kind = _product_or_kind(product, product_kind)
    return FreeItem.objects.create(
        sheet=sheet,
        product=product,
        product_kind=product_kind,
        quantity_per_child=clean_positive_int(quantity_per_child, "quantity_per_child"),
    )


@transaction.atomic
def sibling_discount_set(*, sheet: PriceSheet, percent_off) -> SiblingDiscount | None:
    """Sets the sheet's sibling discount; ``None`` or 0 removes it."""
    percent = None if percent_off is None else clean_percent(percent_off)
    if not percent:
        SiblingDiscount.objects.filter(sheet=sheet).delete()
        return None
    discount, _created = SiblingDiscount.objects.update_or_create(
        sheet=sheet, defaults={"percent_off": percent}
    )
    return discount


@transaction.atomic
def quantity_tier_delete(*, tier: QuantityTier) -> None:
    QuantityTier.objects.filter(pk=tier.pk).delete()


@transaction.atomic
def early_bird_delete(*, early_bird: EarlyBird) -> None:
    EarlyBird.objects.filter(pk=early_bird.pk).delete()


@transaction.atomic
def free_item_delete(*, free_item: FreeItem) -> None:
    FreeItem.objects.filter(pk=free_item.pk).delete()
