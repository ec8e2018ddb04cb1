"""Products (digital file, print of a size, album, other) and their options, which every
price sheet of the studio prices."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from studio.audit.models import AuditKind
from studio.catalogue.kinds import PHOTO_KINDS, ProductKind
from studio.catalogue.models import (
    PRINT_SIZE_PATTERN,
    FreeItem,
    PackageItem,
    Product,
    ProductOption,
    QuantityTier,
)
from studio.catalogue.selectors import studio_currency
from studio.catalogue.services.audit import record_added, record_changed, record_removed, snapshot
from studio.catalogue.services.galleries import shown_in_galleries
from studio.catalogue.services.validation import clean_money, clean_name, invalid

PRODUCT_FIELDS = ("kind", "name", "print_size", "requires_photo", "active")
OPTION_FIELDS = ("name", "price_delta", "active")


def _print_size(value: str) -> str:
    """Sizes are typed as ``10x15``, ``10X15`` or ``10×15``; they are stored one way."""
    return value.strip().lower().replace("×", "x")


def _product_shape(kind: str, print_size: str, requires_photo: bool) -> None:
    if kind not in ProductKind.values:
        raise invalid("kind", _("Unknown kind of product."), "invalid")
    if kind == ProductKind.PRINT and not re.fullmatch(PRINT_SIZE_PATTERN, print_size):
        raise invalid("print_size", _("Give the print size in centimetres, e.g. 10x15."), "size")
    if kind != ProductKind.PRINT and print_size:
        raise invalid("print_size", _("Only prints have a size."), "size")
    if kind in PHOTO_KINDS and not requires_photo:
        raise invalid(
            "requires_photo", _("Digital files and prints are always of one photo."), "photo"
        )


@shown_in_galleries
@transaction.atomic
def product_create(
    *,
    kind: str,
    name: str,
    print_size: str = "",
    requires_photo: bool | None = None,
    active: bool = True,
    actor=None,
) -> Product:
    """``requires_photo`` defaults to true for digital files and prints, false otherwise.
    ``actor`` (here and in every write below) is who the audit log names; none for the
    system (the demo's seed)."""
    print_size = _print_size(print_size or "")
    if requires_photo is None:
        requires_photo = kind in PHOTO_KINDS
    _product_shape(kind, print_size, requires_photo)
    product = Product.objects.create(
        kind=kind,
        name=clean_name(name),
        print_size=print_size,
        requires_photo=requires_photo,
        active=active,
    )
    record_added(
        actor=actor,
        kind=AuditKind.PRODUCT_ADDED,
        subject=product.name,
        values=snapshot(product, PRODUCT_FIELDS),
    )
    return product


@shown_in_galleries
@transaction.atomic
def product_update(
    *,
    product: Product,
    name: str | None = None,
    print_size: str | None = None,
    requires_photo: bool | None = None,
    active: bool | None = None,
    actor=None,
) -> Product:
    """Changes what is given; archiving is ``active=False`` (orders keep the product)."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    before = snapshot(product, PRODUCT_FIELDS)
    if name is not None:
        product.name = clean_name(name)
    if print_size is not None:
        product.print_size = _print_size(print_size)
    if requires_photo is not None:
        product.requires_photo = requires_photo
    if active is not None:
        product.active = active
    _product_shape(product.kind, product.print_size, product.requires_photo)
    product.save()
    record_changed(
        actor=actor,
        kind=AuditKind.PRODUCT_CHANGED,
        subject=product.name,
        before=before,
        after=snapshot(product, PRODUCT_FIELDS),
    )
    return product


def _option_name(product_id: int, name: str, exclude_pk=None) -> str:
    """A product's options have distinct names, whatever their case."""
    name = clean_name(name, max_length=100)
    clash = ProductOption.objects.filter(product_id=product_id, name__iexact=name)
    if clash.exclude(pk=exclude_pk).exists():
        raise invalid("name", _("This product already has this option."), "duplicate")
    return name


@shown_in_galleries
@transaction.atomic
def product_option_create(
    *, product: Product, name: str, price_delta=Decimal("0"), active: bool = True, actor=None
) -> ProductOption:
    option = ProductOption.objects.create(
        product=product,
        name=_option_name(product.pk, name),
        price_delta=clean_money(price_delta, studio_currency(), "price_delta"),
        active=active,
    )
    record_added(
        actor=actor,
        kind=AuditKind.PRODUCT_OPTION_ADDED,
        subject=f"{product.name}: {option.name}",
        values=snapshot(option, OPTION_FIELDS),
    )
    return option


@shown_in_galleries
@transaction.atomic
def product_option_update(
    *,
    option: ProductOption,
    name: str | None = None,
    price_delta=None,
    active: bool | None = None,
    actor=None,
) -> ProductOption:
    option = (
        ProductOption.objects.select_related("product")
        .select_for_update(of=("self",))
        .get(pk=option.pk)
    )
    before = snapshot(option, OPTION_FIELDS)
    if name is not None:
        option.name = _option_name(option.product_id, name, exclude_pk=option.pk)
    if price_delta is not None:
        option.price_delta = clean_money(price_delta, studio_currency(), "price_delta")
    if active is not None:
        option.active = active
    option.save()
    record_changed(
        actor=actor,
        kind=AuditKind.PRODUCT_OPTION_CHANGED,
        subject=f"{option.product.name}: {option.name}",
        before=before,
        after=snapshot(option, OPTION_FIELDS),
    )
    return option


def product_uses(product: Product) -> list[str]:
    """Why ``product`` cannot be deleted: the price sheets, packages and discounts that name
    it. Orders that sold it are found when deleting (their lines protect it)."""
    reasons = []
    sheets = sorted({item.sheet.name for item in product.sheet_items.select_related("sheet")})
    if sheets:
        reasons.append(_("It has a price on: %(sheets)s.") % {"sheets": ", ".join(sheets)})
    packages = sorted(
        {
            item.package.name
            for item in PackageItem.objects.filter(product=product).select_related("package")
        }
    )
    if packages:
        reasons.append(_("It is in the packages: %(names)s.") % {"names": ", ".join(packages)})
    if (
        QuantityTier.objects.filter(product=product).exists()
        or FreeItem.objects.filter(product=product).exists()
    ):
        reasons.append(_("A discount of a price sheet is for this product."))
    return reasons


@shown_in_galleries
@transaction.atomic
def product_delete(*, product: Product, actor=None) -> None:
    """Deletes a product nothing uses. One on a price sheet, in a package or discount, or
    already sold (an order line points at it) is refused with the reason: archive it
    instead (``product_update(active=False)``), so history keeps what was sold."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    reasons = product_uses(product)
    if reasons:
        raise ValidationError(
            " ".join([*reasons, _("Archive it instead: it stays on past orders.")]),
            code="in_use",
        )
    values = snapshot(product, PRODUCT_FIELDS)
    try:
        with transaction.atomic():
            product.delete()
    except ProtectedError:
        raise ValidationError(
            _("It has already been sold, and orders keep what they sold. Archive it instead."),
            code="sold",
        ) from None
    record_removed(
        actor=actor, kind=AuditKind.PRODUCT_DELETED, subject=values["name"], values=values
    )
