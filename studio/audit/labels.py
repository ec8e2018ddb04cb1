"""How the log names what changed: entries store field names and plain values as written
(so an entry reads the same after a translation changes); the page shows them in the
reader's language. A field without a label here (a product's name on a price list) is shown
as stored."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

FIELD_LABELS = {
    # studio settings
    "name": _("Name"),
    "brand_color": _("Brand colour"),
    "currency": _("Currency"),
    "language": _("Language"),
    "timezone": _("Time zone"),
    "contact_email": _("Contact e-mail"),
    "contact_phone": _("Contact phone"),
    "support_text": _("Support text"),
    "legal_name": _("Legal name"),
    "legal_address": _("Legal address"),
    "watermark_text": _("Watermark text"),
    "watermark_opacity": _("Watermark opacity"),
    "watermark_image": _("Watermark image"),
    "logo": _("Logo"),
    # payment settings
    "accept_bank_transfer": _("Bank transfer"),
    "bank_details": _("Bank details"),
    "accept_cash": _("Cash"),
    "cash_instructions": _("Cash instructions"),
    # team and tokens
    "role": _("Role"),
    "is_active": pgettext_lazy("audit field", "Active"),
    "main address": _("Main address"),
    # the catalogue
    "kind": pgettext_lazy("audit field", "Kind"),
    "print_size": _("Print size"),
    "active": pgettext_lazy("audit field", "On sale"),
    "price": _("Price"),
    "price_delta": _("Extra price"),
    "description": _("Description"),
    "items": _("Contents"),
    "sheet": _("Price sheet"),
    "copy_of": _("Copy of"),
    "school": _("School"),
    "shoot": _("Picture day"),
    "product": _("Product"),
    "product_kind": _("Kind of product"),
    "min_quantity": _("From quantity"),
    "percent_off": _("Percent off"),
    "until": _("Until"),
    "quantity_per_child": _("Free per child"),
    "rule": pgettext_lazy("audit field", "Discount"),
    "code": _("Code"),
    "value": _("Value"),
    "min_subtotal": _("Minimum order"),
    "valid_from": _("Valid from"),
    "valid_until": _("Valid until"),
    "max_uses": _("Maximum uses"),
    # privacy: what an erasure removed, consent
    "photos_deleted": _("Photos deleted"),
    "group_photos_untagged": _("Group and shared photos untagged"),
    "access_codes_deleted": _("Access codes deleted"),
    "order_lines_kept": _("Order lines kept without the name"),
    "downloads_revoked": _("Downloads withdrawn"),
    "publish_consent": _("Consent to publish"),
    "version": _("Version"),
    "orders_anonymised": _("Orders anonymised"),
}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))
