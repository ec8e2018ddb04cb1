"""Price sheets: a currency and a price per product, attached to a school or to a picture
day (the picture day's sheet wins; see ``selectors.price_sheet_for``)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from studio.catalogue.models import (
    EarlyBird,
    FreeItem,
    Package,
    PackageItem,
    PriceSheet,
    PriceSheetAttachment,
    PriceSheetItem,
    Product,
    QuantityTier,
    SiblingDiscount,
)
from studio.catalogue.selectors import studio_currency
from studio.catalogue.services.validation import clean_money, clean_name, invalid


def _target(school, shoot) -> dict:
    """The attachment's lookup: exactly one of ``school`` and ``shoot``."""
    if (school is None) == (shoot is None):
        raise invalid("school", _("Attach the sheet to a school or a picture day."), "target")
    return {"school": school} if school is not None else {"shoot": shoot}


@transaction.atomic
def price_sheet_create(*, name: str, school=None, shoot=None) -> PriceSheet:
    """A sheet in the studio's currency, attached to ``school`` or ``shoot`` when given."""
    sheet = PriceSheet.objects.create(name=clean_name(name), currency=studio_currency())
    if school is not None or shoot is not None:
        price_sheet_attach(sheet=sheet, school=school, shoot=shoot)
    return sheet


@transaction.atomic
def price_sheet_update(*, sheet: PriceSheet, name: str) -> PriceSheet:
    sheet = PriceSheet.objects.select_for_update().get(pk=sheet.pk)
    sheet.name = clean_name(name)
    sheet.save(update_fields=["name"])
    return sheet


@transaction.atomic
def price_sheet_attach(*, sheet: PriceSheet, school=None, shoot=None) -> PriceSheetAttachment:
    """Makes ``sheet`` the one of ``school`` or of ``shoot``, replacing any other."""
    attachment, _created = PriceSheetAttachment.objects.update_or_create(
        **_target(school, shoot), defaults={"sheet": sheet}
    )
    return attachment


@transaction.atomic
def price_sheet_detach(*, school=None, shoot=None) -> bool:
    deleted, _rows = PriceSheetAttachment.objects.filter(**_target(school, shoot)).delete()
    return bool(deleted)


@transaction.atomic
def price_sheet_item_set(*, sheet: PriceSheet, product: Product, price) -> PriceSheetItem:
    """The price of ``product`` on ``sheet`` (added, or changed)."""
    item, _created = PriceSheetItem.objects.update_or_create(
        sheet=sheet, product=product, defaults={"price": clean_money(price, sheet.currency)}
    )
    return item


def price_sheet_prices_set(*, sheet: PriceSheet, prices: dict) -> None:
    """Sets many prices at once, all or none: ``prices`` maps a product to its price, or to
    ``None`` to take it off the sheet. A refused price raises a ``ValidationError`` keyed by
    ``price_<product id>`` for every product whose price was refused, and nothing changes."""
    errors = {}
    with transaction.atomic():
        for product, price in prices.items():
            try:
                if price is None:
                    price_sheet_item_remove(sheet=sheet, product=product)
                else:
                    price_sheet_item_set(sheet=sheet, product=product, price=price)
            except ValidationError as error:
                errors[f"price_{product.pk}"] = error.messages
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def price_sheet_item_remove(*, sheet: PriceSheet, product: Product) -> bool:
    deleted, _rows = PriceSheetItem.objects.filter(sheet=sheet, product=product).delete()
    return bool(deleted)


@transaction.atomic
def price_sheet_duplicate(*, sheet: PriceSheet, name: str) -> PriceSheet:
    """A copy of ``sheet`` for a new season: its prices, packages with their contents,
    quantity tiers, early-birds, free items and sibling discount, in the same currency.
    The copy is attached to nothing (attach it where it sells); coupons are studio-wide and
    stay as they are."""
    sheet = PriceSheet.objects.get(pk=sheet.pk)
    copy = PriceSheet.objects.create(name=clean_name(name), currency=sheet.currency)
    PriceSheetItem.objects.bulk_create(
        PriceSheetItem(sheet=copy, product_id=item.product_id, price=item.price)
        for item in sheet.items.all()
    )
    for package in sheet.packages.prefetch_related("items"):
        package_copy = Package.objects.create(
            sheet=copy,
            name=package.name,
            description=package.description,
            kind=package.kind,
            price=package.price,
            active=package.active,
        )
        PackageItem.objects.bulk_create(
            PackageItem(
                package=package_copy,
                product_id=item.product_id,
                quantity=item.quantity,
                class_photo=item.class_photo,
            )
            for item in package.items.all()
        )
    QuantityTier.objects.bulk_create(
        QuantityTier(
            sheet=copy,
            product_id=tier.product_id,
            product_kind=tier.product_kind,
            min_quantity=tier.min_quantity,
            percent_off=tier.percent_off,
        )
        for tier in sheet.quantity_tiers.all()
    )
    EarlyBird.objects.bulk_create(
        EarlyBird(sheet=copy, until=rule.until, percent_off=rule.percent_off)
        for rule in sheet.early_birds.all()
    )
    FreeItem.objects.bulk_create(
        FreeItem(
            sheet=copy,
            product_id=rule.product_id,
            product_kind=rule.product_kind,
            quantity_per_child=rule.quantity_per_child,
        )
        for rule in sheet.free_items.all()
    )
    sibling = SiblingDiscount.objects.filter(sheet=sheet).first()
    if sibling is not None:
        SiblingDiscount.objects.create(sheet=copy, percent_off=sibling.percent_off)
    return copy
