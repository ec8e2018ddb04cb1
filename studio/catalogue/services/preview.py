"""A sample cart priced by ``pricing.price_cart`` with a price sheet's rules, for the staff's
price sheet page: "a family with 2 children buying 3 prints each pays …"."""

from dataclasses import dataclass
from datetime import datetime

from studio.catalogue.models import PriceSheet
from studio.catalogue.pricing import CartInput, CartLine, PricedCart, price_cart
from studio.catalogue.services.pricing_rules import pricing_rules_for_sheet

MAX_CHILDREN = 5
MAX_QUANTITY = 99


@dataclass(frozen=True)
class SampleCart:
    children: int = 1
    product_id: int | None = None
    quantity: int = 1
    package_id: int | None = None
    coupon_code: str = ""


def price_sheet_preview(*, sheet: PriceSheet, sample: SampleCart, now: datetime) -> PricedCart:
    """Each of ``sample.children`` children buys ``quantity`` of the product (of one sample
    photo of theirs) and the package when one is chosen; a product or package the sheet does
    not sell is left out. Priced at ``now`` with the sheet's discounts and the coupon."""
    rules = pricing_rules_for_sheet(sheet=sheet, coupon_code=sample.coupon_code or None, now=now)
    products = {p.product_id: p for p in rules.products}
    packages = {p.package_id for p in rules.packages}
    children = max(1, min(sample.children, MAX_CHILDREN))
    quantity = max(1, min(sample.quantity, MAX_QUANTITY))
    lines = []
    for child in range(1, children + 1):
        product = products.get(sample.product_id)
        if product is not None:
            photo = child * 1000 if product.requires_photo else None
            lines.append(
                CartLine(
                    line_id=f"{child}-product",
                    child_id=child,
                    product_id=product.product_id,
                    photo_id=photo,
                    quantity=quantity,
                )
            )
        if sample.package_id in packages:
            lines.append(
                CartLine(line_id=f"{child}-package", child_id=child, package_id=sample.package_id)
            )
    return price_cart(
        cart=CartInput(lines=tuple(lines)), rules=rules, now=now, currency=sheet.currency
    )
