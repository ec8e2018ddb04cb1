"""The studio's audit log: who changed which setting, when, from what to what. Append-only:
services write it through ``audit_record``; nothing edits or deletes an entry."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    PAYMENT_SETTINGS_CHANGED = "payment_settings_changed", _("Payment settings changed")
    STAFF_INVITED = "staff_invited", _("Staff member invited")
    STAFF_DEACTIVATED = "staff_deactivated", _("Staff member switched off")
    API_TOKEN_CREATED = "api_token_created", _("API token created")
    API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
    DOMAIN_ADDED = "domain_added", _("Domain added")
    DOMAIN_VERIFIED = "domain_verified", _("Domain verified")
    DOMAIN_MADE_MAIN = "domain_made_main", _("Main address changed")
    DOMAIN_REMOVED = "domain_removed", _("Domain removed")
    STUDIO_SETTINGS_CHANGED = "studio_settings_changed", _("Studio settings changed")
    STAFF_ROLE_CHANGED = "staff_role_changed", _("Staff member's role changed")
    STAFF_REACTIVATED = "staff_reactivated", _("Staff member switched back on")
    PRODUCT_ADDED = "product_added", _("Product added")
    PRODUCT_CHANGED = "product_changed", _("Product changed")
    PRODUCT_DELETED = "product_deleted", _("Product deleted")
    PRODUCT_OPTION_ADDED = "product_option_added", _("Product option added")
    PRODUCT_OPTION_CHANGED = "product_option_changed", _("Product option changed")
    PRICE_SHEET_ADDED = "price_sheet_added", _("Price sheet added")
    PRICE_SHEET_RENAMED = "price_sheet_renamed", _("Price sheet renamed")
    PRICE_SHEET_DUPLICATED = "price_sheet_duplicated", _("Price sheet duplicated")
    PRICES_CHANGED = "prices_changed", _("Prices changed")
    PRICE_SHEET_ATTACHED = "price_sheet_attached", _("Price sheet attached")
    PRICE_SHEET_DETACHED = "price_sheet_detached", _("Price sheet detached")
    PACKAGE_ADDED = "package_added", _("Package added")
    PACKAGE_CHANGED = "package_changed", _("Package changed")
    DISCOUNT_ADDED = "discount_added", _("Discount added")
    DISCOUNT_REMOVED = "discount_removed", _("Discount removed")
    SIBLING_DISCOUNT_CHANGED = "sibling_discount_changed", _("Sibling discount changed")
    COUPON_ADDED = "coupon_added", _("Coupon added")
    COUPON_CHANGED = "coupon_changed", _("Coupon changed")
    PAY_ADJUSTED = "pay_adjusted", _("Staff pay adjusted")
    CHILD_ERASED = "child_erased", _("Child erased")
    CONSENT_RECORDED = "consent_recorded", _("Consent to publish recorded")
    CONSENT_TEXT_PUBLISHED = "consent_text_published", _("Consent text published")
    PARENT_ACCOUNT_DELETED = "parent_account_deleted", _("Parent account deleted")
    DATA_EXPORT_STARTED = "data_export_started", _("Full data export started")
    DATA_EXPORT_DOWNLOADED = "data_export_downloaded", _("Full data export downloaded")


class AuditEntry(models.Model):
    """``changes`` is a list of ``{"field": name, "old": value, "new": value}``."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # kept as written, so an entry still names its author if the account is ever deleted
    actor_email = models.EmailField(blank=True)
    kind = models.CharField(_("kind"), max_length=40, choices=AuditKind.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.kind} {self.subject} by {self.actor_email}"
