"""Pricing a cart: one pure function, one order of application, one rounding rule.

``price_cart(cart=..., rules=..., now=..., currency=...)`` takes plain dataclasses and returns
a ``PricedCart``; it reads no database and no clock (``services.pricing_rules_for`` builds the
rules from a price sheet, the caller passes ``now``). Every line shows its unit price,
quantity, gross, the adjustments applied to it (negative amounts, with a label for the cart
page) and its net.

Order of application. Each step works on every line's *running net*: its gross minus the
adjustments of the earlier steps.

0. **Gross.** A product line's unit price is the product's price on the sheet plus the extra
   prices of its options; a package line's unit price is the package's price.
   ``gross = unit price × quantity``.
1. **Packages.** A child's "all photos as digital files" package includes every digital file
   of that child in the same cart: those lines get an "included in package" adjustment of
   their whole gross. Package lines are not touched by steps 2 and 3.
2. **Free items.** For each free-item rule (in the order given), each child gets
   ``quantity_per_child`` units free among their product lines matching the rule (one product,
   or every product of a kind): the cheapest units first, ties in cart order; a free unit is
   its whole unit price, options included; units that already cost nothing are skipped.
   Lines without a child get no free items.
3. **Quantity tiers.** Units of product lines are counted over the whole cart (every child):
   per product and per kind; units included in a package (step 1) are not counted, free units
   are. Each product line gets the single best tier it reaches: the highest percent among the
   tiers of its product reached by its product's count and the tiers of its kind reached by
   its kind's count. Tiers never stack.
4. **Early-bird.** If ``now`` is strictly before the ``until`` of one or more early-bird
   rules, the highest of their percentages applies to every line.
5. **Sibling discount.** With two or more children in the cart, the child whose lines have
   the highest running net pays in full (ties: the child first in the cart); every line of
   every other child gets the sibling percent.
6. **Coupon.** Applies when active, ``valid_from <= now < valid_until`` (either end may be
   open), used fewer than ``max_uses`` times, and the cart's subtotal (the sum of the gross
   amounts, before any discount) is at least its minimum. A percent coupon applies to every
   line. A fixed amount (capped at the running total) is split across the lines in
   proportion to their running net, in whole minor units of the currency (largest remainder,
   ties in cart order), so the shares add up to exactly the coupon. There are no order-level
   amounts: every discount lives on a line, so a line's net is what it really cost (refunds
   and school commissions per line stay exact).
7. **Late fee.** When ``rules.late_fee`` is given (an order of a picture day placed after its
   sales deadline, during its late orders), the cart gets one more line, after every
   discount and untouched by them: kind ``late_fee``, line id ``LATE_FEE_LINE_ID``, no
   child, quantity 1, its gross and net the fee rounded like a unit price. ``price_cart`` is
   called once per picture day, so an order pays it once per picture day in it. A fee that
   rounds to zero adds no line; the coupon's minimum is judged on the subtotal before it.

Rounding rule. Every amount is rounded once, when it is computed, half up to the currency's
precision with ``saas_platform.money.quantize`` (EUR 0.01, JPY 1): unit prices on entry, and
each percent adjustment as ``quantize(running net × percent / 100)`` per line (on the line,
not per unit: 3 × 9.99 with 10 % off is 29.97 − 3.00). Nothing is rounded again: a line's
net, the subtotal, the discount total and the total are sums of rounded amounts, so the
lines' nets add up to the total and ``subtotal − discount_total == total`` exactly. An
adjustment never exceeds the running net of its line, so no line and no total is ever below
zero. Adjustments that round to zero are left out.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from saas_platform.money import currency_exponent, quantize

from .kinds import CouponKind, PackageKind, ProductKind

ZERO = Decimal("0")
HUNDRED = Decimal("100")


class PricingError(ValueError):
    """The cart refers to something the rules do not sell, or is malformed."""


# ---------------------------------------------------------------- input


@dataclass(frozen=True)
class CartLine:
    """One line of a cart: a product (of ``photo_id`` when it is of one photo) or a package."""

    line_id: Hashable
    child_id: int | None
    product_id: int | None = None
    package_id: int | None = None
    photo_id: int | None = None
    quantity: int = 1
    option_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class CartInput:
    lines: tuple[CartLine, ...] = ()


@dataclass(frozen=True)
class ProductPrice:
    product_id: int
    name: str
    kind: str
    price: Decimal
    requires_photo: bool = False


@dataclass(frozen=True)
class OptionPrice:
    option_id: int
    product_id: int
    name: str
    delta: Decimal


@dataclass(frozen=True)
class PackagePrice:
    package_id: int
    name: str
    kind: str
    price: Decimal


@dataclass(frozen=True)
class TierRule:
    """Exactly one of ``product_id`` and ``product_kind``."""

    min_quantity: int
    percent: Decimal
    product_id: int | None = None
    product_kind: str | None = None


@dataclass(frozen=True)
class FreeItemRule:
    """Exactly one of ``product_id`` and ``product_kind``."""

    quantity_per_child: int
    product_id: int | None = None
    product_kind: str | None = None


@dataclass(frozen=True)
class EarlyBirdRule:
    until: datetime
    percent: Decimal


@dataclass(frozen=True)
class CouponRule:
    code: str
    kind: str  # CouponKind
    value: Decimal
    min_subtotal: Decimal | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    max_uses: int | None = None
    uses: int = 0
    active: bool = True


@dataclass(frozen=True)
class LateFeeRule:
    amount: Decimal
    label: str


@dataclass(frozen=True)
class PricingRules:
    products: tuple[ProductPrice, ...] = ()
    options: tuple[OptionPrice, ...] = ()
    packages: tuple[PackagePrice, ...] = ()
    tiers: tuple[TierRule, ...] = ()
    free_items: tuple[FreeItemRule, ...] = ()
    early_birds: tuple[EarlyBirdRule, ...] = ()
    sibling_percent: Decimal | None = None
    coupon: CouponRule | None = None
    # The code the parent typed: with ``coupon`` None it was not found.
    coupon_code: str = ""
    # The sheet's currency when the rules come from one; must then match ``currency``.
    currency: str = ""
    # Step 7: the picture day's late fee, when the order is late.
    late_fee: LateFeeRule | None = None


# ---------------------------------------------------------------- output


class AdjustmentKind(enum.StrEnum):
    PACKAGE = "package"
    FREE_ITEM = "free_item"
    QUANTITY_TIER = "quantity_tier"
    EARLY_BIRD = "early_bird"
    SIBLING = "sibling"
    COUPON = "coupon"


class CouponStatus(enum.StrEnum):
    APPLIED = "applied"
    UNKNOWN = "unknown"
    INACTIVE = "inactive"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    USED_UP = "used_up"
    BELOW_MINIMUM = "below_minimum"


def coupon_status_message(status: CouponStatus) -> str:
    return {
        CouponStatus.APPLIED: _("The coupon is applied."),
        CouponStatus.UNKNOWN: _("There is no coupon with this code."),
        CouponStatus.INACTIVE: _("This coupon is no longer available."),
        CouponStatus.NOT_YET_VALID: _("This coupon is not valid yet."),
        CouponStatus.EXPIRED: _("This coupon has expired."),
        CouponStatus.USED_UP: _("This coupon has been used up."),
        CouponStatus.BELOW_MINIMUM: _("The order is below this coupon's minimum."),
    }[status]


@dataclass(frozen=True)
class Adjustment:
    kind: AdjustmentKind
    label: str
    amount: Decimal  # negative


@dataclass(frozen=True)
class PricedLine:
    line_id: Hashable
    child_id: int | None
    product_id: int | None
    package_id: int | None
    photo_id: int | None
    kind: str  # a ProductKind, or "package"
    name: str
    option_names: tuple[str, ...]
    quantity: int
    unit_price: Decimal
    gross: Decimal
    adjustments: tuple[Adjustment, ...]
    net: Decimal

    @property
    def discount(self) -> Decimal:
        return self.gross - self.net

    def adjustment_pairs(self) -> tuple[tuple[str, Decimal], ...]:
        """``(label, amount)`` pairs, as order lines keep them."""
        return tuple((a.label, a.amount) for a in self.adjustments)


@dataclass(frozen=True)
class PricedCart:
    currency: str
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    total: Decimal
    coupon_code: str = ""
    coupon_status: CouponStatus | None = None
    # The adjustments of all lines added up per kind and label, in the order of application,
    # for the cart's summary.
    summary: tuple[Adjustment, ...] = ()

    @property
    def coupon_message(self) -> str:
        return coupon_status_message(self.coupon_status) if self.coupon_status else ""


# ---------------------------------------------------------------- the function

PACKAGE_LINE_KIND = "package"
LATE_FEE_LINE_KIND = "late_fee"
LATE_FEE_LINE_ID = "late_fee"


@dataclass
class _Line:
    index: int
    source: CartLine
    kind: str
    name: str
    option_names: tuple[str, ...]
    unit_price: Decimal
    gross: Decimal
    is_package: bool
    covered: bool = False  # included in an all-digital package (step 1)
    free_units: int = 0
    adjustments: list[Adjustment] = field(default_factory=list)

    @property
    def net(self) -> Decimal:
        return self.gross + sum((a.amount for a in self.adjustments), ZERO)

    def take(self, kind: AdjustmentKind, label: str, amount: Decimal) -> None:
        """Records ``amount`` off (positive, already rounded), never more than the net."""
        amount = min(amount, self.net)
        if amount > 0:
            self.adjustments.append(Adjustment(kind, label, -amount))


def _percent_text(percent: Decimal) -> str:
    return format(Decimal(percent).normalize(), "f")


def _percent_off(line: _Line, percent: Decimal, currency: str) -> Decimal:
    return quantize(line.net * Decimal(percent) / HUNDRED, currency)


def coupon_check(coupon: CouponRule, *, now: datetime) -> CouponStatus:
    """Whether the coupon may be used at ``now`` (the minimum order aside)."""
    if not coupon.active:
        return CouponStatus.INACTIVE
    if coupon.valid_from is not None and now < coupon.valid_from:
        return CouponStatus.NOT_YET_VALID
    if coupon.valid_until is not None and now >= coupon.valid_until:
        return CouponStatus.EXPIRED
    if coupon.max_uses is not None and coupon.uses >= coupon.max_uses:
        return CouponStatus.USED_UP
    return CouponStatus.APPLIED


def _check_rules(rules: PricingRules, currency: str) -> None:
    if rules.currency and rules.currency.upper() != currency.upper():
        raise PricingError(f"rules are in {rules.currency}, the cart in {currency}")
    for name, items, key in (
        ("product", rules.products, "product_id"),
        ("option", rules.options, "option_id"),
        ("package", rules.packages, "package_id"),
    ):
        ids = [getattr(item, key) for item in items]
        if len(ids) != len(set(ids)):
            raise PricingError(f"duplicate {name} ids in the rules")
    for rule in (*rules.tiers, *rules.free_items):
        if (rule.product_id is None) == (rule.product_kind is None):
            raise PricingError(f"{rule!r} needs exactly one of product_id and product_kind")


def _build_lines(
    cart: CartInput, rules: PricingRules, currency: str
) -> tuple[list[_Line], dict[int, PackagePrice]]:
    products = {p.product_id: p for p in rules.products}
    options = {o.option_id: o for o in rules.options}
    packages = {p.package_id: p for p in rules.packages}
    seen_ids: set = set()
    lines = []
    for index, source in enumerate(cart.lines):
        if source.line_id in seen_ids:
            raise PricingError(f"line id {source.line_id!r} appears twice")
        seen_ids.add(source.line_id)
        if not isinstance(source.quantity, int) or source.quantity < 1:
            raise PricingError(f"line {source.line_id!r}: quantity must be at least 1")
        if (source.product_id is None) == (source.package_id is None):
            raise PricingError(f"line {source.line_id!r}: a product or a package, not both")
        if source.package_id is not None:
            package = packages.get(source.package_id)
            if package is None:
                raise PricingError(f"line {source.line_id!r}: package not on sale")
            if source.option_ids:
                raise PricingError(f"line {source.line_id!r}: packages take no options")
            unit_price = quantize(package.price, currency)
            kind, name, option_names, is_package = PACKAGE_LINE_KIND, package.name, (), True
        else:
            product = products.get(source.product_id)
            if product is None:
                raise PricingError(f"line {source.line_id!r}: product not on sale")
            if product.requires_photo and source.photo_id is None:
                raise PricingError(f"line {source.line_id!r}: which photo?")
            if len(set(source.option_ids)) != len(source.option_ids):
                raise PricingError(f"line {source.line_id!r}: an option appears twice")
            chosen = [options.get(option_id) for option_id in source.option_ids]
            if any(o is None or o.product_id != product.product_id for o in chosen):
                raise PricingError(f"line {source.line_id!r}: option not on sale for it")
            unit_price = quantize(product.price + sum((o.delta for o in chosen), ZERO), currency)
            kind, name, is_package = product.kind, product.name, False
            option_names = tuple(o.name for o in chosen)
        if unit_price < 0:
            raise PricingError(f"line {source.line_id!r}: negative price")
        lines.append(
            _Line(
                index=index,
                source=source,
                kind=kind,
                name=name,
                option_names=option_names,
                unit_price=unit_price,
                gross=unit_price * source.quantity,
                is_package=is_package,
            )
        )
    return lines, packages


def _apply_packages(lines: list[_Line], packages: dict[int, PackagePrice]) -> None:
    covering: dict[int, str] = {}
    for line in lines:
        package = packages.get(line.source.package_id) if line.is_package else None
        if package and package.kind == PackageKind.ALL_DIGITAL and line.source.child_id:
            covering.setdefault(line.source.child_id, package.name)
    for line in lines:
        name = covering.get(line.source.child_id) if line.source.child_id else None
        if name and not line.is_package and line.kind == ProductKind.DIGITAL:
            line.covered = True
            label = _("Included in “%(package)s”") % {"package": name}
            line.take(AdjustmentKind.PACKAGE, label, line.net)


def _matches(rule: TierRule | FreeItemRule, line: _Line) -> bool:
    if line.is_package or line.covered:
        return False
    if rule.product_id is not None:
        return line.source.product_id == rule.product_id
    return line.kind == rule.product_kind


def _apply_free_items(lines: list[_Line], rules: tuple[FreeItemRule, ...]) -> None:
    for rule in rules:
        by_child: dict[int, list[_Line]] = {}
        for line in lines:
            if line.source.child_id is not None and _matches(rule, line):
                by_child.setdefault(line.source.child_id, []).append(line)
        for child_lines in by_child.values():
            left = rule.quantity_per_child
            given: Counter[int] = Counter()
            for line in sorted(child_lines, key=lambda ln: (ln.unit_price, ln.index)):
                if left == 0:
                    break
                if line.unit_price <= 0:
                    continue
                units = min(left, line.source.quantity - line.free_units)
                if units > 0:
                    line.free_units += units
                    given[line.index] += units
                    left -= units
            for line in child_lines:
                units = given[line.index]
                if units:
                    label = ngettext("%(count)d free item", "%(count)d free items", units) % {
                        "count": units
                    }
                    line.take(AdjustmentKind.FREE_ITEM, label, line.unit_price * units)


def _apply_tiers(lines: list[_Line], tiers: tuple[TierRule, ...], currency: str) -> None:
    if not tiers:
        return
    per_product: Counter = Counter()
    per_kind: Counter = Counter()
    for line in lines:
        if not line.is_package and not line.covered:
            per_product[line.source.product_id] += line.source.quantity
            per_kind[line.kind] += line.source.quantity
    for line in lines:
        reached = [
            tier.percent
            for tier in tiers
            if _matches(tier, line)
            and (
                per_product[line.source.product_id]
                if tier.product_id is not None
                else per_kind[line.kind]
            )
            >= tier.min_quantity
        ]
        if reached:
            percent = max(reached)
            label = _("Quantity discount −%(percent)s %%") % {"percent": _percent_text(percent)}
            line.take(AdjustmentKind.QUANTITY_TIER, label, _percent_off(line, percent, currency))


def _apply_percent_to_all(
    lines: list[_Line], kind: AdjustmentKind, label: str, percent: Decimal, currency: str
) -> None:
    for line in lines:
        line.take(kind, label, _percent_off(line, percent, currency))


def _apply_sibling(lines: list[_Line], percent: Decimal | None, currency: str) -> None:
    if not percent:
        return
    order: list[int] = []
    nets: dict[int, Decimal] = {}
    for line in lines:
        child = line.source.child_id
        if child is None:
            continue
        if child not in nets:
            order.append(child)
            nets[child] = ZERO
        nets[child] += line.net
    if len(order) < 2:
        return
    first = max(order, key=lambda child: (nets[child], -order.index(child)))
    label = _("Sibling discount −%(percent)s %%") % {"percent": _percent_text(percent)}
    for line in lines:
        if line.source.child_id is not None and line.source.child_id != first:
            line.take(AdjustmentKind.SIBLING, label, _percent_off(line, percent, currency))


def _split_fixed(lines: list[_Line], amount: Decimal, label: str, currency: str) -> None:
    """Shares of ``amount`` in whole minor units, in proportion to each line's net."""
    unit = Decimal(1).scaleb(-currency_exponent(currency))
    nets = [int(line.net / unit) for line in lines]
    total = sum(nets)
    units = min(int(quantize(amount, currency) / unit), total)
    if units <= 0:
        return
    shares, remainders = [], []
    for index, net in enumerate(nets):
        share, remainder = divmod(units * net, total)
        shares.append(share)
        remainders.append((-remainder, index))
    for _remainder, index in sorted(remainders)[: units - sum(shares)]:
        shares[index] += 1
    for line, share in zip(lines, shares, strict=True):
        line.take(AdjustmentKind.COUPON, label, share * unit)


def _apply_coupon(
    lines: list[_Line], rules: PricingRules, now: datetime, subtotal: Decimal, currency: str
) -> tuple[str, CouponStatus | None]:
    coupon = rules.coupon
    if coupon is None:
        code = rules.coupon_code.strip().upper()
        return code, (CouponStatus.UNKNOWN if code else None)
    status = coupon_check(coupon, now=now)
    minimum = coupon.min_subtotal
    if status == CouponStatus.APPLIED and minimum and subtotal < quantize(minimum, currency):
        status = CouponStatus.BELOW_MINIMUM
    if status != CouponStatus.APPLIED:
        return coupon.code, status
    if coupon.kind == CouponKind.PERCENT:
        label = _("Coupon %(code)s −%(percent)s %%") % {
            "code": coupon.code,
            "percent": _percent_text(coupon.value),
        }
        _apply_percent_to_all(lines, AdjustmentKind.COUPON, label, coupon.value, currency)
    elif coupon.kind == CouponKind.FIXED:
        _split_fixed(lines, coupon.value, _("Coupon %(code)s") % {"code": coupon.code}, currency)
    else:
        raise PricingError(f"unknown coupon kind {coupon.kind!r}")
    return coupon.code, status


def _summary(lines: list[_Line]) -> tuple[Adjustment, ...]:
    totals: dict[tuple[AdjustmentKind, str], Decimal] = {}
    for line in lines:
        for adjustment in line.adjustments:
            key = (adjustment.kind, adjustment.label)
            totals[key] = totals.get(key, ZERO) + adjustment.amount
    steps = list(AdjustmentKind)
    ordered = sorted(totals.items(), key=lambda item: steps.index(item[0][0]))
    return tuple(Adjustment(kind, label, amount) for (kind, label), amount in ordered)


def price_cart(*, cart: CartInput, rules: PricingRules, now: datetime, currency: str) -> PricedCart:
    """Prices ``cart`` under ``rules`` at ``now`` (aware); see the module's docstring."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise PricingError("now must be an aware datetime")
    currency = currency.upper()
    _check_rules(rules, currency)
    lines, packages = _build_lines(cart, rules, currency)
    subtotal = sum((line.gross for line in lines), ZERO)

    _apply_packages(lines, packages)
    _apply_free_items(lines, rules.free_items)
    _apply_tiers(lines, rules.tiers, currency)
    live = [rule.percent for rule in rules.early_birds if now < rule.until]
    if live:
        percent = max(live)
        label = _("Early-bird discount −%(percent)s %%") % {"percent": _percent_text(percent)}
        _apply_percent_to_all(lines, AdjustmentKind.EARLY_BIRD, label, percent, currency)
    _apply_sibling(lines, rules.sibling_percent, currency)
    coupon_code, coupon_status = _apply_coupon(lines, rules, now, subtotal, currency)

    priced = tuple(
        PricedLine(
            line_id=line.source.line_id,
            child_id=line.source.child_id,
            product_id=line.source.product_id,
            package_id=line.source.package_id,
            photo_id=line.source.photo_id,
            kind=line.kind,
            name=line.name,
            option_names=line.option_names,
            quantity=line.source.quantity,
            unit_price=line.unit_price,
            gross=line.gross,
            adjustments=tuple(line.adjustments),
            net=line.net,
        )
        for line in lines
    )
    fee = quantize(rules.late_fee.amount, currency) if rules.late_fee else ZERO
    if fee < 0:
        raise PricingError("a late fee cannot be negative")
    if fee > 0 and lines:
        priced += (
            PricedLine(
                line_id=LATE_FEE_LINE_ID,
                child_id=None,
                product_id=None,
                package_id=None,
                photo_id=None,
                kind=LATE_FEE_LINE_KIND,
                name=rules.late_fee.label,
                option_names=(),
                quantity=1,
                unit_price=fee,
                gross=fee,
                adjustments=(),
                net=fee,
            ),
        )
        subtotal += fee
    total = sum((line.net for line in priced), ZERO)
    return PricedCart(
        currency=currency,
        lines=priced,
        subtotal=quantize(subtotal, currency),
        discount_total=quantize(subtotal - total, currency),
        total=quantize(total, currency),
        coupon_code=coupon_code,
        coupon_status=coupon_status,
        summary=_summary(lines),
    )
