"""The bridge from the catalogue's rows to ``pricing.price_cart``, which is pure and knows
no models: the rules of a picture day's price sheet as plain values."""

from dataclasses import replace
from datetime import datetime

from django.utils.translation import gettext as _

from studio.catalogue.models import PriceSheet, ProductOption, SiblingDiscount
from studio.catalogue.pricing import (
    EarlyBirdRule,
    FreeItemRule,
    LateFeeRule,
    OptionPrice,
    PackagePrice,
    PricingRules,
    ProductPrice,
    TierRule,
)
from studio.catalogue.selectors import coupon_by_code, price_sheet_for
from studio.catalogue.services.coupons import coupon_rule, normalise_coupon_code


def pricing_rules_for(*, shoot, coupon_code: str | None, now: datetime) -> PricingRules | None:
    """Everything ``pricing.price_cart`` needs to price a cart of ``shoot``, or ``None`` when
    the picture day has no price sheet (with its late fee when ``now`` is late). Only active products, options and packages are on
    sale; early-birds already over at ``now`` are left out. The coupon is looked up whatever
    the case of ``coupon_code``; its validity is judged by the pricing."""
    sheet = price_sheet_for(shoot=shoot)
    if sheet is None:
        return None
    rules = pricing_rules_for_sheet(sheet=sheet, coupon_code=coupon_code, now=now)
    return replace(rules, late_fee=late_fee_rule(shoot=shoot, now=now))


def late_fee_rule(*, shoot, now: datetime) -> LateFeeRule | None:
    """The picture day's late fee when an order placed at ``now`` is late (after the sales
    deadline, before the end of late orders), else ``None``."""
    if not shoot.late_orders_open(now) or not shoot.late_fee:
        return None
    label = _("Late fee: %(picture_day)s") % {"picture_day": shoot.name}
    return LateFeeRule(amount=shoot.late_fee, label=label[:200])


def pricing_rules_for_sheet(
    *, sheet: PriceSheet, coupon_code: str | None, now: datetime
) -> PricingRules:
    """The rules of ``sheet`` itself (the staff's preview prices a sheet not yet attached)."""
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
