"""Writes to the catalogue, coupon redemption, and the rules ``pricing.price_cart`` needs.

Money arrives as ``Decimal``, ``int`` or a numeric string, never ``float``; it must be at
least zero and fit the currency's precision (no cents in JPY). Percentages are 0–100 with at
most two decimals. Coupon codes are stored in capitals: ``A–Z``, ``0–9`` and ``-``.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from saas_platform.money import currency_exponent, quantize

from .kinds import PHOTO_KINDS, CouponKind, PackageKind, ProductKind
from .models import (
    COUPON_CODE_PATTERN,
    PRINT_SIZE_PATTERN,
    Coupon,
    CouponRedemption,
    EarlyBird,
    FreeItem,
    Package,
    PackageItem,
    PriceSheet,
    PriceSheetAttachment,
    PriceSheetItem,
    Product,
    ProductOption,
    QuantityTier,
    SiblingDiscount,
)
from .pricing import (
    CouponRule,
    CouponStatus,
    EarlyBirdRule,
    FreeItemRule,
    OptionPrice,
    PackagePrice,
    PricingRules,
    ProductPrice,
    TierRule,
    coupon_check,
    coupon_status_message,
)
from .selectors import coupon_by_code, price_sheet_for, studio_currency

MAX_MONEY = Decimal("99999999.99")  # DecimalField(max_digits=10, decimal_places=2)
_UNSET = object()


# ---------------------------------------------------------------- validation


def _invalid(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _decimal(value, field: str) -> Decimal:
    if isinstance(value, float | bool):
        raise _invalid(field, _("Enter the amount as a decimal number."), "invalid")
    try:
        amount = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _invalid(field, _("Enter a number."), "invalid") from None
    if not amount.is_finite():
        raise _invalid(field, _("Enter a number."), "invalid")
    return amount


def _money(value, currency: str, field: str = "price") -> Decimal:
    amount = _decimal(value, field)
    if amount < 0:
        raise _invalid(field, _("The amount cannot be negative."), "negative")
    if amount > MAX_MONEY:
        raise _invalid(field, _("The amount is too large."), "too_large")
    if quantize(amount, currency) != amount:
        digits = currency_exponent(currency)
        message = (
            _("%(currency)s amounts are whole numbers.")
            if digits == 0
            else ngettext(
                "%(currency)s amounts have at most %(digits)d decimal.",
                "%(currency)s amounts have at most %(digits)d decimals.",
                digits,
            )
        )
        raise _invalid(field, message % {"currency": currency, "digits": digits}, "precision")
    return quantize(amount, currency)


def _percent(value, field: str = "percent_off") -> Decimal:
    percent = _decimal(value, field)
    if not Decimal("0") <= percent <= Decimal("100"):
        raise _invalid(field, _("A percentage is between 0 and 100."), "percent")
    if percent != percent.quantize(Decimal("0.01")):
        raise _invalid(field, _("At most two decimals."), "precision")
    return percent


def _aware(value, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise _invalid(field, _("Give a date and time with its time zone."), "naive")
    return value


def _positive_int(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _invalid(field, _("Enter a whole number of at least 1."), "min_value")
    return value


def _name(value: str, field: str = "name", max_length: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        raise _invalid(field, _("This field is required."), "required")
    if len(value) > max_length:
        raise _invalid(field, _("This is too long."), "max_length")
    return value


def normalise_coupon_code(code: str) -> str:
    return (code or "").strip().upper()


def _coupon_code(code: str) -> str:
    code = normalise_coupon_code(code)
    if not re.fullmatch(COUPON_CODE_PATTERN, code):
        raise _invalid(
            "code",
            _("3 to 40 characters: letters A–Z, digits and hyphens, not at either end."),
            "format",
        )
    return code


def _product_or_kind(product, product_kind: str) -> tuple[Product | None, str]:
    product_kind = product_kind or ""
    if (product is None) == (product_kind == ""):
        raise _invalid("product", _("Choose a product or a kind of product, not both."), "target")
    if product_kind and product_kind not in ProductKind.values:
        raise _invalid("product_kind", _("Unknown kind of product."), "invalid")
    return product, product_kind


# ---------------------------------------------------------------- products


def _product_shape(kind: str, print_size: str, requires_photo: bool) -> None:
    if kind not in ProductKind.values:
        raise _invalid("kind", _("Unknown kind of product."), "invalid")
    if kind == ProductKind.PRINT and not re.fullmatch(PRINT_SIZE_PATTERN, print_size):
        raise _invalid("print_size", _("Give the print size in centimetres, e.g. 10x15."), "size")
    if kind != ProductKind.PRINT and print_size:
        raise _invalid("print_size", _("Only prints have a size."), "size")
    if kind in PHOTO_KINDS and not requires_photo:
        raise _invalid(
            "requires_photo", _("Digital files and prints are always of one photo."), "photo"
        )


@transaction.atomic
def product_create(
    *,
    kind: str,
    name: str,
    print_size: str = "",
    requires_photo: bool | None = None,
    active: bool = True,
) -> Product:
    """``requires_photo`` defaults to true for digital files and prints, false otherwise."""
    print_size = (print_size or "").strip().lower().replace("×", "x")
    if requires_photo is None:
        requires_photo = kind in PHOTO_KINDS
    _product_shape(kind, print_size, requires_photo)
    return Product.objects.create(
        kind=kind,
        name=_name(name),
        print_size=print_size,
        requires_photo=requires_photo,
        active=active,
    )


@transaction.atomic
def product_update(
    *,
    product: Product,
    name: str | None = None,
    print_size: str | None = None,
    requires_photo: bool | None = None,
    active: bool | None = None,
) -> Product:
    product = Product.objects.select_for_update().get(pk=product.pk)
    if name is not None:
        product.name = _name(name)
    if print_size is not None:
        product.print_size = print_size.strip().lower().replace("×", "x")
    if requires_photo is not None:
        product.requires_photo = requires_photo
    if active is not None:
        product.active = active
    _product_shape(product.kind, product.print_size, product.requires_photo)
    product.save()
    return product


@transaction.atomic
def product_option_create(
    *, product: Product, name: str, price_delta=Decimal("0")
) -> ProductOption:
    name = _name(name, max_length=100)
    if ProductOption.objects.filter(product=product, name__iexact=name).exists():
        raise _invalid("name", _("This product already has this option."), "duplicate")
    return ProductOption.objects.create(
        product=product,
        name=name,
        price_delta=_money(price_delta, studio_currency(), "price_delta"),
    )


@transaction.atomic
def product_option_update(
    *, option: ProductOption, name: str | None = None, price_delta=None, active: bool | None = None
) -> ProductOption:
    option = ProductOption.objects.select_for_update().get(pk=option.pk)
    if name is not None:
        option.name = _name(name, max_length=100)
        clash = ProductOption.objects.filter(product_id=option.product_id, name__iexact=option.name)
        if clash.exclude(pk=option.pk).exists():
            raise _invalid("name", _("This product already has this option."), "duplicate")
    if price_delta is not None:
        option.price_delta = _money(price_delta, studio_currency(), "price_delta")
    if active is not None:
        option.active = active
    option.save()
    return option


# ---------------------------------------------------------------- price sheets


def _one_target(school, shoot) -> None:
    if (school is None) == (shoot is None):
        raise _invalid("school", _("Attach the sheet to a school or a picture day."), "target")


@transaction.atomic
def price_sheet_create(*, name: str, school=None, shoot=None) -> PriceSheet:
    """A sheet in the studio's currency, attached to ``school`` or ``shoot`` when given."""
    sheet = PriceSheet.objects.create(name=_name(name), currency=studio_currency())
    if school is not None or shoot is not None:
        price_sheet_attach(sheet=sheet, school=school, shoot=shoot)
    return sheet


@transaction.atomic
def price_sheet_update(*, sheet: PriceSheet, name: str) -> PriceSheet:
    sheet = PriceSheet.objects.select_for_update().get(pk=sheet.pk)
    sheet.name = _name(name)
    sheet.save(update_fields=["name"])
    return sheet


@transaction.atomic
def price_sheet_attach(*, sheet: PriceSheet, school=None, shoot=None) -> PriceSheetAttachment:
    """Makes ``sheet`` the one of ``school`` or of ``shoot``, replacing any other."""
    _one_target(school, shoot)
    target = {"school": school} if school is not None else {"shoot": shoot}
    attachment, _created = PriceSheetAttachment.objects.update_or_create(
        **target, defaults={"sheet": sheet}
    )
    return attachment


@transaction.atomic
def price_sheet_detach(*, school=None, shoot=None) -> bool:
    _one_target(school, shoot)
    target = {"school": school} if school is not None else {"shoot": shoot}
    deleted, _rows = PriceSheetAttachment.objects.filter(**target).delete()
    return bool(deleted)


@transaction.atomic
def price_sheet_item_set(*, sheet: PriceSheet, product: Product, price) -> PriceSheetItem:
    """The price of ``product`` on ``sheet`` (added, or changed)."""
    item, _created = PriceSheetItem.objects.update_or_create(
        sheet=sheet, product=product, defaults={"price": _money(price, sheet.currency)}
    )
    return item


@transaction.atomic
def price_sheet_item_remove(*, sheet: PriceSheet, product: Product) -> bool:
    deleted, _rows = PriceSheetItem.objects.filter(sheet=sheet, product=product).delete()
    return bool(deleted)


# ---------------------------------------------------------------- packages


@dataclass(frozen=True)
class PackageItemInput:
    product: Product
    quantity: int = 1
    class_photo: bool = False


def _package_items(kind: str, items: Sequence[PackageItemInput]) -> list[PackageItemInput]:
    items = list(items)
    if kind == PackageKind.ALL_DIGITAL and items:
        raise _invalid(
            "items", _("“All photos as digital files” has no list of contents."), "contents"
        )
    if kind == PackageKind.BUNDLE and not items:
        raise _invalid("items", _("A bundle needs at least one item."), "contents")
    for item in items:
        _positive_int(item.quantity, "items")
        if item.class_photo and item.product.kind not in PHOTO_KINDS:
            raise _invalid(
                "items", _("The class photo comes as a digital file or a print."), "class_photo"
            )
    return items


def _unique_package_name(sheet_id: int, name: str, exclude_pk=None) -> None:
    clash = Package.objects.filter(sheet_id=sheet_id, name__iexact=name).exclude(pk=exclude_pk)
    if clash.exists():
        raise _invalid(
            "name", _("This price sheet already has a package of this name."), "duplicate"
        )


@transaction.atomic
def package_create(
    *,
    sheet: PriceSheet,
    name: str,
    kind: str,
    price,
    items: Sequence[PackageItemInput] = (),
    description: str = "",
    active: bool = True,
) -> Package:
    if kind not in PackageKind.values:
        raise _invalid("kind", _("Unknown kind of package."), "invalid")
    name = _name(name)
    _unique_package_name(sheet.pk, name)
    items = _package_items(kind, items)
    package = Package.objects.create(
        sheet=sheet,
        name=name,
        kind=kind,
        price=_money(price, sheet.currency),
        description=description.strip(),
        active=active,
    )
    _package_items_save(package, items)
    return package


def _package_items_save(package: Package, items) -> None:
    PackageItem.objects.bulk_create(
        PackageItem(
            package=package,
            product=item.product,
            quantity=item.quantity,
            class_photo=item.class_photo,
        )
        for item in items
    )


@transaction.atomic
def package_update(
    *,
    package: Package,
    name: str | None = None,
    price=None,
    description: str | None = None,
    active: bool | None = None,
    items: Sequence[PackageItemInput] | None = None,
) -> Package:
    """Changes what is given; ``items`` replaces the whole contents."""
    package = Package.objects.select_related("sheet").select_for_update().get(pk=package.pk)
    if name is not None:
        package.name = _name(name)
        _unique_package_name(package.sheet_id, package.name, exclude_pk=package.pk)
    if price is not None:
        package.price = _money(price, package.sheet.currency)
    if description is not None:
        package.description = description.strip()
    if active is not None:
        package.active = active
    package.save()
    if items is not None:
        items = _package_items(package.kind, items)
        package.items.all().delete()
        _package_items_save(package, items)
    return package


# ---------------------------------------------------------------- discount rules


@transaction.atomic
def quantity_tier_create(
    *, sheet: PriceSheet, min_quantity: int, percent_off, product=None, product_kind: str = ""
) -> QuantityTier:
    product, product_kind = _product_or_kind(product, product_kind)
    min_quantity = _positive_int(min_quantity, "min_quantity")
    same = QuantityTier.objects.filter(sheet=sheet, min_quantity=min_quantity)
    if same.filter(product=product, product_kind=product_kind).exists():
        raise _invalid(
            "min_quantity", _("There already is a discount from this quantity."), "duplicate"
        )
    return QuantityTier.objects.create(
        sheet=sheet,
        product=product,
        product_kind=product_kind,
        min_quantity=min_quantity,
        percent_off=_percent(percent_off),
    )


@transaction.atomic
def early_bird_create(*, sheet: PriceSheet, until: datetime, percent_off) -> EarlyBird:
    until = _aware(until, "until")
    if until is None:
        raise _invalid("until", _("This field is required."), "required")
    return EarlyBird.objects.create(sheet=sheet, until=until, percent_off=_percent(percent_off))


@transaction.atomic
def free_item_create(
    *, sheet: PriceSheet, quantity_per_child: int = 1, product=None, product_kind: str = ""
) -> FreeItem:
    product, product_kind = _product_or_kind(product, product_kind)
    return FreeItem.objects.create(
        sheet=sheet,
        product=product,
        product_kind=product_kind,
        quantity_per_child=_positive_int(quantity_per_child, "quantity_per_child"),
    )


@transaction.atomic
def sibling_discount_set(*, sheet: PriceSheet, percent_off) -> SiblingDiscount | None:
    """Sets the sheet's sibling discount; ``None`` or 0 removes it."""
    percent = None if percent_off is None else _percent(percent_off)
    if not percent:
        SiblingDiscount.objects.filter(sheet=sheet).delete()
        return None
    discount, _created = SiblingDiscount.objects.update_or_create(
        sheet=sheet, defaults={"percent_off": percent}
    )
    return discount


# ---------------------------------------------------------------- coupons


def _coupon_fields(
    *, kind: str, value, min_subtotal, valid_from, valid_until, max_uses, currency: str
) -> dict:
    if kind not in CouponKind.values:
        raise _invalid("kind", _("Unknown kind of coupon."), "invalid")
    value = (
        _percent(value, "value") if kind == CouponKind.PERCENT else _money(value, currency, "value")
    )
    if value <= 0:
        raise _invalid("value", _("The discount must be more than zero."), "min_value")
    valid_from = _aware(valid_from, "valid_from")
    valid_until = _aware(valid_until, "valid_until")
    if valid_from and valid_until and valid_from >= valid_until:
        raise _invalid("valid_until", _("The end must come after the start."), "window")
    if max_uses is not None:
        max_uses = _positive_int(max_uses, "max_uses")
    return {
        "kind": kind,
        "value": value,
        "min_subtotal": None
        if min_subtotal is None
        else _money(min_subtotal, currency, "min_subtotal"),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "max_uses": max_uses,
    }


def coupon_create(
    *,
    code: str,
    kind: str,
    value,
    min_subtotal=None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    max_uses: int | None = None,
    active: bool = True,
) -> Coupon:
    code = _coupon_code(code)
    fields = _coupon_fields(
        kind=kind,
        value=value,
        min_subtotal=min_subtotal,
        valid_from=valid_from,
        valid_until=valid_until,
        max_uses=max_uses,
        currency=studio_currency(),
    )
    duplicate = _invalid("code", _("There already is a coupon with this code."), "duplicate")
    if Coupon.objects.filter(code__iexact=code).exists():
        raise duplicate
    try:
        with transaction.atomic():
            return Coupon.objects.create(code=code, active=active, **fields)
    except IntegrityError:  # the same code created at the same moment
        raise duplicate from None


@transaction.atomic
def coupon_update(
    *,
    coupon: Coupon,
    kind: str | None = None,
    value=None,
    min_subtotal=_UNSET,
    valid_from=_UNSET,
    valid_until=_UNSET,
    max_uses=_UNSET,
    active: bool | None = None,
) -> Coupon:
    """Changes what is given (``None`` clears the optional limits). The code and the count of
    uses never change; a maximum below the uses so far is refused."""
    coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
    fields = _coupon_fields(
        kind=coupon.kind if kind is None else kind,
        value=coupon.value if value is None else value,
        min_subtotal=coupon.min_subtotal if min_subtotal is _UNSET else min_subtotal,
        valid_from=coupon.valid_from if valid_from is _UNSET else valid_from,
        valid_until=coupon.valid_until if valid_until is _UNSET else valid_until,
        max_uses=coupon.max_uses if max_uses is _UNSET else max_uses,
        currency=studio_currency(),
    )
    if fields["max_uses"] is not None and fields["max_uses"] < coupon.uses:
        raise _invalid(
            "max_uses",
            ngettext(
                "This coupon has already been used %(uses)d time.",
                "This coupon has already been used %(uses)d times.",
                coupon.uses,
            )
            % {"uses": coupon.uses},
            "min_value",
        )
    for name, value_ in fields.items():
        setattr(coupon, name, value_)
    if active is not None:
        coupon.active = active
    coupon.save()
    return coupon


def coupon_rule(coupon: Coupon) -> CouponRule:
    return CouponRule(
        code=coupon.code,
        kind=coupon.kind,
        value=coupon.value,
        min_subtotal=coupon.min_subtotal,
        valid_from=coupon.valid_from,
        valid_until=coupon.valid_until,
        max_uses=coupon.max_uses,
        uses=coupon.uses,
        active=coupon.active,
    )


@transaction.atomic
def coupon_redeem(
    *, coupon: Coupon, order_ref: str, now: datetime | None = None
) -> CouponRedemption:
    """Counts one use of ``coupon`` by the order ``order_ref``, under the coupon's row lock, so
    parallel checkouts never use it more than ``max_uses`` times. Redeeming again for the same
    order returns the first redemption and counts nothing. Refuses an inactive, expired, not
    yet valid or used-up coupon (the minimum order is checked when pricing the cart)."""
    order_ref = _name(order_ref, "order_ref", max_length=64)
    coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
    existing = CouponRedemption.objects.filter(coupon=coupon, order_ref=order_ref).first()
    if existing is not None:
        return existing
    status = coupon_check(coupon_rule(coupon), now=now or timezone.now())
    if status != CouponStatus.APPLIED:
        raise ValidationError(coupon_status_message(status), code=status.value)
    coupon.uses += 1
    coupon.save(update_fields=["uses"])
    return CouponRedemption.objects.create(coupon=coupon, order_ref=order_ref)


@transaction.atomic
def coupon_release(*, coupon: Coupon, order_ref: str) -> bool:
    """Gives back the use of a cancelled order; false when that order had not redeemed it."""
    coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
    deleted, _rows = CouponRedemption.objects.filter(coupon=coupon, order_ref=order_ref).delete()
    if not deleted:
        return False
    coupon.uses = max(coupon.uses - 1, 0)
    coupon.save(update_fields=["uses"])
    return True


# ---------------------------------------------------------------- rules for pricing


def pricing_rules_for(*, shoot, coupon_code: str | None, now: datetime) -> PricingRules | None:
    """Everything ``pricing.price_cart`` needs to price a cart of ``shoot``, or ``None`` when
    the picture day has no price sheet. Only active products, options and packages are on
    sale; early-birds already over at ``now`` are left out. The coupon is looked up whatever
    the case of ``coupon_code``; its validity is judged by the pricing."""
    sheet = price_sheet_for(shoot=shoot)
    if sheet is None:
        return None
    items = list(sheet.items.select_related("product").filter(product__active=True))
    product_ids = [item.product_id for item in items]
    options = ProductOption.objects.filter(product_id__in=product_ids, active=True)
    sibling = SiblingDiscount.objects.filter(sheet=sheet).first()
    coupon = coupon_by_code(code=coupon_code) if coupon_code else None
    return PricingRules(
        products=tuple(
            ProductPrice(
                product_id=item.product_id,
                name=item.product.name,
                kind=item.product.kind,
                price=item.price,
                requires_photo=item.product.requires_photo,
            )
            for item in items
        ),
        options=tuple(
            OptionPrice(
                option_id=option.pk,
                product_id=option.product_id,
                name=option.name,
                delta=option.price_delta,
            )
            for option in options
        ),
        packages=tuple(
            PackagePrice(package_id=p.pk, name=p.name, kind=p.kind, price=p.price)
            for p in sheet.packages.filter(active=True)
        ),
        tiers=tuple(
            TierRule(
                min_quantity=tier.min_quantity,
                percent=tier.percent_off,
                product_id=tier.product_id,
                product_kind=tier.product_kind or None,
            )
            for tier in sheet.quantity_tiers.all()
        ),
        free_items=tuple(
            FreeItemRule(
                quantity_per_child=rule.quantity_per_child,
                product_id=rule.product_id,
                product_kind=rule.product_kind or None,
            )
            for rule in sheet.free_items.all()
        ),
        early_birds=tuple(
            EarlyBirdRule(until=rule.until, percent=rule.percent_off)
            for rule in sheet.early_birds.filter(until__gt=now)
        ),
        sibling_percent=sibling.percent_off if sibling else None,
        coupon=coupon_rule(coupon) if coupon else None,
        coupon_code=normalise_coupon_code(coupon_code or ""),
        currency=sheet.currency,
    )
