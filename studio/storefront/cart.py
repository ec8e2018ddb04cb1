"""Pricing the cart: the items grouped by price sheet (a family may buy from two schools),
each group priced by ``studio.catalogue.pricing.price_cart``. Items that can no longer be
sold (a photo withdrawn, a product taken off the sheet) are left out and named."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from studio.catalogue.kinds import PackageKind, ProductKind
from studio.catalogue.pricing import (
    LATE_FEE_LINE_ID,
    CartInput,
    CartLine,
    CouponStatus,
    PricedLine,
    PricingRules,
    coupon_status_message,
    price_cart,
)
from studio.catalogue.selectors import studio_currency
from studio.catalogue.services.pricing_rules import pricing_rules_for
from studio.photos.models import PhotoStatus
from studio.preorders.selectors import preorder_is_open

from .models import Cart, CartItem

ZERO = Decimal("0")
# Kinds that travel to the parent: the checkout asks for delivery when one is in the cart.
SHIPPED_KINDS = frozenset({ProductKind.PRINT, ProductKind.ALBUM, ProductKind.OTHER})


@dataclass
class CartRow:
    item: CartItem
    priced: PricedLine


@dataclass
class FeeRow:
    """A picture day's late fee in the cart: one per late picture day."""

    shoot: object  # Shoot
    priced: PricedLine


@dataclass
class ChildGroup:
    child: object  # Student or None (class photos bought alone)
    rows: list[CartRow] = field(default_factory=list)


@dataclass
class PricedCartView:
    currency: str
    rows: list[CartRow] = field(default_factory=list)
    fees: list[FeeRow] = field(default_factory=list)
    subtotal: Decimal = ZERO
    discount_total: Decimal = ZERO
    total: Decimal = ZERO
    coupon_code: str = ""
    coupon_message: str = ""
    coupon_applied: bool = False
    dropped: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.rows

    @property
    def items_subtotal(self) -> Decimal:
        """The subtotal without the late fees, which the summary shows one by one."""
        return self.subtotal - sum((fee.priced.gross for fee in self.fees), ZERO)

    @property
    def groups(self) -> list[ChildGroup]:
        by_child: dict = {}
        for row in self.rows:
            key = row.item.child_id
            if key not in by_child:
                by_child[key] = ChildGroup(row.item.child)
            by_child[key].rows.append(row)
        return list(by_child.values())

    @property
    def needs_delivery(self) -> bool:
        return any(
            row.priced.kind in SHIPPED_KINDS
            or (
                row.item.package_id
                and row.item.package.kind == PackageKind.BUNDLE
                and any(i.product.kind in SHIPPED_KINDS for i in row.item.package.items.all())
            )
            for row in self.rows
        )

    @property
    def item_count(self) -> int:
        return sum(row.item.quantity for row in self.rows)


def cart_items(cart: Cart) -> list[CartItem]:
    return list(
        cart.items.select_related(
            "shoot", "child__school_class", "photo", "product", "package"
        ).prefetch_related("package__items__product")
    )


def _still_for_sale(item: CartItem, rules: PricingRules | None) -> str | None:
    """Why an item cannot be sold any more, or None."""
    if item.photo_id and (
        item.photo.status != PhotoStatus.READY or (item.child and item.child.is_hidden)
    ):
        return _("a photo that is no longer in the gallery")
    if rules is None:
        return _("a picture day that is not on sale")
    # A bundle still waiting for its photos is a pre-order: sold only while they are open.
    waits_for_photos = (
        item.package_id
        and item.photo_id is None
        and item.package.kind == PackageKind.BUNDLE
        and any(not i.class_photo and i.product.requires_photo for i in item.package.items.all())
    )
    if waits_for_photos and not preorder_is_open(shoot=item.shoot):
        return _("a pre-order that has closed")
    if item.product_id and item.product_id not in {p.product_id for p in rules.products}:
        return item.product.name
    if item.package_id and item.package_id not in {p.package_id for p in rules.packages}:
        return item.package.name
    return None


def _cart_line(item: CartItem, rules: PricingRules) -> CartLine:
    on_sale = {o.option_id for o in rules.options if o.product_id == item.product_id}
    return CartLine(
        line_id=item.pk,
        child_id=item.child_id,
        product_id=item.product_id,
        package_id=item.package_id,
        photo_id=item.photo_id,
        quantity=item.quantity,
        option_ids=tuple(o for o in item.option_ids if o in on_sale),
    )


def cart_price(*, cart: Cart, now, items: list[CartItem] | None = None) -> PricedCartView:
    """Prices every sellable item. The coupon applies to one group of items: the largest one
    it is valid for (a fixed coupon must not count twice)."""
    currency = studio_currency()
    items = cart_items(cart) if items is None else items
    view = PricedCartView(currency=currency, coupon_code=cart.coupon_code)
    by_shoot: dict[int, list[CartItem]] = defaultdict(list)
    for item in items:
        by_shoot[item.shoot_id].append(item)
    priced_groups = []
    for shoot_items in by_shoot.values():
        shoot = shoot_items[0].shoot
        rules = pricing_rules_for(shoot=shoot, coupon_code=cart.coupon_code or None, now=now)
        sellable = []
        for item in shoot_items:
            reason = _still_for_sale(item, rules)
            if reason:
                view.dropped.append(reason)
            else:
                sellable.append(item)
        if sellable:
            priced_groups.append((rules, sellable))
    results = [
        price_cart(
            cart=CartInput(tuple(_cart_line(i, rules) for i in sellable)),
            rules=rules,
            now=now,
            currency=currency,
        )
        for rules, sellable in priced_groups
    ]
    applied = [i for i, r in enumerate(results) if r.coupon_status == CouponStatus.APPLIED]
    keep = max(applied, key=lambda i: results[i].subtotal) if applied else None
    for index, (rules, sellable) in enumerate(priced_groups):
        if index != keep and results[index].coupon_status == CouponStatus.APPLIED:
            results[index] = price_cart(
                cart=CartInput(tuple(_cart_line(i, rules) for i in sellable)),
                rules=replace(rules, coupon=None, coupon_code=""),
                now=now,
                currency=currency,
            )
        by_id = {item.pk: item for item in sellable}
        result = results[index]
        for line in result.lines:
            if line.line_id == LATE_FEE_LINE_ID:
                view.fees.append(FeeRow(sellable[0].shoot, line))
            else:
                view.rows.append(CartRow(by_id[line.line_id], line))
        view.subtotal += result.subtotal
        view.discount_total += result.discount_total
        view.total += result.total
    if cart.coupon_code:
        view.coupon_applied = keep is not None
        statuses = [r.coupon_status for r in results if r.coupon_status]
        status = CouponStatus.APPLIED if keep is not None else (statuses or [None])[0]
        view.coupon_message = coupon_status_message(status) if status else ""
    return view
