"""A price sheet's automatic discounts: quantity tiers, early-birds, free items per child
and the sibling discount. ``pricing.price_cart`` applies them; coupons, which a parent
enters, are in ``coupons``."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from studio.audit.models import AuditKind
from studio.catalogue.kinds import ProductKind
from studio.catalogue.models import (
    EarlyBird,
    FreeItem,
    PriceSheet,
    Product,
    QuantityTier,
    SiblingDiscount,
)
from studio.catalogue.services.audit import record_added, record_changed, record_removed
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


def _tier_values(tier: QuantityTier) -> dict:
    return {
        "product": tier.product,
        "product_kind": tier.product_kind,
        "min_quantity": tier.min_quantity,
        "percent_off": tier.percent_off,
    }


def _early_bird_values(rule: EarlyBird) -> dict:
    return {"until": rule.until, "percent_off": rule.percent_off}


def _free_item_values(rule: FreeItem) -> dict:
    return {
        "product": rule.product,
        "product_kind": rule.product_kind,
        "quantity_per_child": rule.quantity_per_child,
    }


@transaction.atomic
def quantity_tier_create(
    *,
    sheet: PriceSheet,
    min_quantity: int,
    percent_off,
    product=None,
    product_kind: str = "",
    actor=None,
) -> QuantityTier:
    product, product_kind = _product_or_kind(product, product_kind)
    min_quantity = clean_positive_int(min_quantity, "min_quantity")
    same = QuantityTier.objects.filter(sheet=sheet, min_quantity=min_quantity)
    if same.filter(product=product, product_kind=product_kind).exists():
        raise invalid(
            "min_quantity", _("There already is a discount from this quantity."), "duplicate"
        )
    tier = QuantityTier.objects.create(
        sheet=sheet,
        product=product,
        product_kind=product_kind,
        min_quantity=min_quantity,
        percent_off=clean_percent(percent_off),
    )
    record_added(
        actor=actor, kind=AuditKind.DISCOUNT_ADDED, subject=sheet.name, values=_tier_values(tier)
    )
    return tier


@transaction.atomic
def early_bird_create(*, sheet: PriceSheet, until: datetime, percent_off, actor=None) -> EarlyBird:
    until = clean_aware(until, "until")
    if until is None:
        raise invalid("until", _("This field is required."), "required")
    rule = EarlyBird.objects.create(
        sheet=sheet, until=until, percent_off=clean_percent(percent_off)
    )
    record_added(
        actor=actor,
        kind=AuditKind.DISCOUNT_ADDED,
        subject=sheet.name,
        values=_early_bird_values(rule),
    )
    return rule


@transaction.atomic
def free_item_create(
    *,
    sheet: PriceSheet,
    quantity_per_child: int = 1,
    product=None,
    product_kind: str = "",
    actor=None,
) -> FreeItem:
    product, product_kind = _product_or_kind(product, product_kind)
    rule = FreeItem.objects.create(
        sheet=sheet,
        product=product,
        product_kind=product_kind,
        quantity_per_child=clean_positive_int(quantity_per_child, "quantity_per_child"),
    )
    record_added(
        actor=actor,
        kind=AuditKind.DISCOUNT_ADDED,
        subject=sheet.name,
        values=_free_item_values(rule),
    )
    return rule


@transaction.atomic
def sibling_discount_set(*, sheet: PriceSheet, percent_off, actor=None) -> SiblingDiscount | None:
    """Sets the sheet's sibling discount; ``None`` or 0 removes it."""
    percent = None if percent_off is None else clean_percent(percent_off)
    old = SiblingDiscount.objects.filter(sheet=sheet).values_list("percent_off", flat=True)
    before = {"percent_off": old.first()}
    discount = None
    if not percent:
        SiblingDiscount.objects.filter(sheet=sheet).delete()
    else:
        discount, _created = SiblingDiscount.objects.update_or_create(
            sheet=sheet, defaults={"percent_off": percent}
        )
    record_changed(
        actor=actor,
        kind=AuditKind.SIBLING_DISCOUNT_CHANGED,
        subject=sheet.name,
        before=before,
        after={"percent_off": old.first()},  # as stored: 10 reads back as 10.00
    )
    return discount


def _removed(actor, model, pk, values_of) -> None:
    """Deletes the rule (gone already: nothing to do) and records what it was."""
    rule = model.objects.select_related("sheet").filter(pk=pk).first()
    if rule is None:
        return
    values = values_of(rule)
    rule.delete()
    record_removed(
        actor=actor, kind=AuditKind.DISCOUNT_REMOVED, subject=rule.sheet.name, values=values
    )


@transaction.atomic
def quantity_tier_delete(*, tier: QuantityTier, actor=None) -> None:
    _removed(actor, QuantityTier, tier.pk, _tier_values)


@transaction.atomic
def early_bird_delete(*, early_bird: EarlyBird, actor=None) -> None:
    _removed(actor, EarlyBird, early_bird.pk, _early_bird_values)


@transaction.atomic
def free_item_delete(*, free_item: FreeItem, actor=None) -> None:
    _removed(actor, FreeItem, free_item.pk, _free_item_values)
