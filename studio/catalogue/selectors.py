"""Reads of the catalogue."""

from django.db.models import Q

from tenants.selectors import current_studio

from .models import Coupon, PriceSheet, PriceSheetAttachment, Product


def price_sheet_for(*, shoot) -> PriceSheet | None:
    """The sheet a picture day sells with: its own, else its school's, else none."""
    found = {
        ("shoot" if attachment.shoot_id else "school"): attachment.sheet
        for attachment in PriceSheetAttachment.objects.select_related("sheet").filter(
            Q(shoot=shoot) | Q(school_id=shoot.school_id)
        )
    }
    return found.get("shoot") or found.get("school")


def coupon_by_code(*, code: str) -> Coupon | None:
    """The coupon with ``code``, whatever its case and surrounding spaces."""
    code = (code or "").strip()
    if not code:
        return None
    return Coupon.objects.filter(code__iexact=code).first()


def studio_currency() -> str:
    """The currency of the studio whose schema is active."""
    return current_studio().currency.upper()


def sellable_products(*, sheet: PriceSheet):
    """Products a sheet may price and discount: those on sale, and archived ones it still
    prices (the editor's choices and the API's check are the same set)."""
    on_sale = Product.objects.filter(active=True)
    return (on_sale | Product.objects.filter(sheet_items__sheet=sheet)).distinct()
