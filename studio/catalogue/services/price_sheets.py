"""Price sheets: a currency and a price per product, attached to a school or to a picture
day (the picture day's sheet wins; see ``selectors.price_sheet_for``)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from studio.audit.models import AuditKind
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
from studio.catalogue.services.audit import record_added, record_changed
from studio.catalogue.services.audit import snapshot as _snapshot
from studio.catalogue.services.galleries import shown_in_galleries
from studio.catalogue.services.validation import clean_money, clean_name, invalid


def _target(school, shoot) -> dict:
    """The attachment's lookup: exactly one of ``school`` and ``shoot``."""
    if (school is None) == (shoot is None):
        raise invalid("school", _("Attach the sheet to a school or a picture day."), "target")
    return {"school": school} if school is not None else {"shoot": shoot}


def _target_name(school, shoot) -> str:
    return str(school if school is not None else shoot)


@shown_in_galleries
@transaction.atomic
def price_sheet_create(*, name: str, school=None, shoot=None, actor=None) -> PriceSheet:
    """A sheet in the studio's currency, attached to ``school`` or ``shoot`` when given."""
    sheet = PriceSheet.objects.create(name=clean_name(name), currency=studio_currency())
    if school is not None or shoot is not None:
        _attach(sheet, school, shoot)
    record_added(
        actor=actor,
        kind=AuditKind.PRICE_SHEET_ADDED,
        subject=sheet.name,
        values={"name": sheet.name, "currency": sheet.currency, "school": school, "shoot": shoot},
    )
    return sheet


@shown_in_galleries
@transaction.atomic
def price_sheet_update(*, sheet: PriceSheet, name: str, actor=None) -> PriceSheet:
    sheet = PriceSheet.objects.select_for_update().get(pk=sheet.pk)
    before = _snapshot(sheet, ("name",))
    sheet.name = clean_name(name)
    sheet.save(update_fields=["name"])
    record_changed(
        actor=actor,
        kind=AuditKind.PRICE_SHEET_RENAMED,
        subject=sheet.name,
        before=before,
        after=_snapshot(sheet, ("name",)),
    )
    return sheet


def _attach(sheet, school, shoot) -> tuple[PriceSheetAttachment, str | None]:
    """Attaches; returns the attachment and the name of the sheet it replaced, if any."""
    target = _target(school, shoot)
    previous = PriceSheetAttachment.objects.filter(**target).select_related("sheet").first()
    attachment, _created = PriceSheetAttachment.objects.update_or_create(
        **target, defaults={"sheet": sheet}
    )
    return attachment, previous.sheet.name if previous else None


@shown_in_galleries
@transaction.atomic
def price_sheet_attach(
    *, sheet: PriceSheet, school=None, shoot=None, actor=None
) -> PriceSheetAttachment:
    """Makes ``sheet`` the one of ``school`` or of ``shoot``, replacing any other."""
    sheet = PriceSheet.objects.get(pk=sheet.pk)
    attachment, previous = _attach(sheet, school, shoot)
    record_changed(
        actor=actor,
        kind=AuditKind.PRICE_SHEET_ATTACHED,
        subject=_target_name(school, shoot),
        before={"sheet": previous},
        after={"sheet": sheet.name},
    )
    return attachment


@shown_in_galleries
@transaction.atomic
def price_sheet_detach(*, school=None, shoot=None, actor=None) -> bool:
    attachments = PriceSheetAttachment.objects.filter(**_target(school, shoot))
    previous = attachments.select_related("sheet").first()
    deleted, _rows = attachments.delete()
    if deleted:
        record_changed(
            actor=actor,
            kind=AuditKind.PRICE_SHEET_DETACHED,
            subject=_target_name(school, shoot),
            before={"sheet": previous.sheet.name},
            after={"sheet": None},
        )
    return bool(deleted)


def _price_of(sheet: PriceSheet, product: Product):
    item = PriceSheetItem.objects.filter(sheet=sheet, product=product).first()
    return item.price if item else None


def _item_set(sheet, product, price) -> PriceSheetItem:
    item, _created = PriceSheetItem.objects.update_or_create(
        sheet=sheet, product=product, defaults={"price": clean_money(price, sheet.currency)}
    )
    return item


def _item_remove(sheet, product) -> bool:
    deleted, _rows = PriceSheetItem.objects.filter(sheet=sheet, product=product).delete()
    return bool(deleted)


def _prices_record(actor, sheet, before: dict, products) -> None:
    """One entry for the prices that changed, named by product."""
    record_changed(
        actor=actor,
        kind=AuditKind.PRICES_CHANGED,
        subject=sheet.name,
        before={product.name: before[product.pk] for product in products},
        after={product.name: _price_of(sheet, product) for product in products},
    )


@shown_in_galleries
@transaction.atomic
def price_sheet_item_set(
    *, sheet: PriceSheet, product: Product, price, actor=None
) -> PriceSheetItem:
    """The price of ``product`` on ``sheet`` (added, or changed)."""
    before = {product.pk: _price_of(sheet, product)}
    item = _item_set(sheet, product, price)
    _prices_record(actor, sheet, before, [product])
    return item


@shown_in_galleries
def price_sheet_prices_set(*, sheet: PriceSheet, prices: dict, actor=None) -> None:
    """Sets many prices at once, all or none: ``prices`` maps a product to its price, or to
    ``None`` to take it off the sheet. A refused price raises a ``ValidationError`` keyed by
    ``price_<product id>`` for every product whose price was refused, and nothing changes.
    The audit log gets one entry with every price that changed."""
    errors = {}
    with transaction.atomic():
        before = {product.pk: _price_of(sheet, product) for product in prices}
        for product, price in prices.items():
            try:
                if price is None:
                    _item_remove(sheet, product)
                else:
                    _item_set(sheet, product, price)
            except ValidationError as error:
                errors[f"price_{product.pk}"] = error.messages
        if errors:
            transaction.set_rollback(True)
        else:
            _prices_record(actor, sheet, before, list(prices))
    if errors:
        raise ValidationError(errors)


@shown_in_galleries
@transaction.atomic
def price_sheet_item_remove(*, sheet: PriceSheet, product: Product, actor=None) -> bool:
    before = {product.pk: _price_of(sheet, product)}
    removed = _item_remove(sheet, product)
    _prices_record(actor, sheet, before, [product])
    return removed


@transaction.atomic
def price_sheet_duplicate(*, sheet: PriceSheet, name: str, actor=None) -> PriceSheet:
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
    record_added(
        actor=actor,
        kind=AuditKind.PRICE_SHEET_DUPLICATED,
        subject=copy.name,
        values={"copy_of": sheet.name, "name": copy.name},
    )
    return copy
