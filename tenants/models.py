"""Studios and their hosts (public schema)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class StudioStatus(models.TextChoices):
    TRIAL = "trial", _("Trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Payment overdue")
    SUSPENDED = "suspended", _("Suspended")
    BLOCKED = "blocked", _("Blocked")


class StripeAccountStatus(models.TextChoices):
    NOT_CONNECTED = "not_connected", _("Not connected")
    PENDING = "pending", _("Onboarding not finished")
    READY = "ready", _("Ready for card payments")


class Studio(TenantMixin):
    """A photography studio: one PostgreSQL schema, one subdomain (``slug``)."""

    name = models.CharField(_("studio name"), max_length=120)
    slug = models.SlugField(_("subdomain"), max_length=40, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=StudioStatus.choices, default=StudioStatus.TRIAL
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    licence_valid_until = models.DateTimeField(_("licence valid until"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    language = models.CharField(_("default language"), max_length=10, default="en")
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    brand_color = models.CharField(_("brand colour"), max_length=7, default="#2563eb")
    # Stored in the studio's own media (``<schema>/branding/...``) by
    # ``studio.settings.services``; never uploaded from the public schema.
    logo = models.ImageField(_("logo"), upload_to="branding/", blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    support_text = models.TextField(
        _("support text"),
        blank=True,
        max_length=500,
        help_text=_("Shown to parents at the foot of the storefront, e.g. opening hours."),
    )
    legal_name = models.CharField(
        _("legal name"), max_length=200, blank=True, help_text=_("Printed on invoices.")
    )
    legal_address = models.TextField(
        _("legal address"), blank=True, max_length=500, help_text=_("Printed on invoices.")
    )
    watermark_text = models.CharField(
        _("watermark text"),
        max_length=60,
        blank=True,
        help_text=_("Tiled across every preview parents see; the studio name when empty."),
    )
    # A PNG in the studio's own media (``<schema>/watermark/...``, never served as a file);
    # when set it replaces the text. Stored and checked by ``studio.settings.services``.
    watermark_image = models.FileField(_("watermark image"), upload_to="watermark/", blank=True)
    watermark_opacity = models.PositiveSmallIntegerField(
        _("watermark opacity"),
        default=45,
        validators=[MinValueValidator(10), MaxValueValidator(80)],
        help_text=_("Per cent, 10–80."),
    )
    accept_bank_transfer = models.BooleanField(_("accept bank transfers"), default=True)
    accept_cash = models.BooleanField(_("accept cash to the class coordinator"), default=True)
    bank_details = models.TextField(
        _("bank details"),
        blank=True,
        help_text=_("Account holder, IBAN/account number, bank: printed on invoices."),
    )
    cash_instructions = models.TextField(
        _("cash instructions"),
        blank=True,
        help_text=_("Who collects cash and when, e.g. the class coordinator at pick-up."),
    )
    owner_email = models.EmailField(_("owner e-mail"), blank=True)
    # Parents pay by card into the studio's own Stripe account (a direct charge on a
    # connected account); the platform takes its plan's revenue share as an application fee.
    stripe_account_id = models.CharField(_("Stripe account"), max_length=64, blank=True)
    stripe_account_status = models.CharField(
        _("Stripe account status"),
        max_length=20,
        choices=StripeAccountStatus.choices,
        default=StripeAccountStatus.NOT_CONNECTED,
    )
    plan = models.ForeignKey(
        "billing.Plan",
        verbose_name=_("plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="studios",
    )
    # The platform's own subscription (Stripe Billing on the platform account, not Connect).
    stripe_customer_id = models.CharField(_("Stripe customer"), max_length=64, blank=True)
    stripe_subscription_id = models.CharField(_("Stripe subscription"), max_length=64, blank=True)
    grace_until = models.DateTimeField(_("payment grace period until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=dj_timezone.now)
    # Set by ``migrate_platform`` when this studio's schema failed to migrate (its hosts then
    # answer 503 "under maintenance" instead of erroring on the new code), cleared once a run
    # migrates it.
    maintenance_since = models.DateTimeField(_("under maintenance since"), null=True, blank=True)
    # A default in the database too: the previous release inserts studios without it (expand).
    maintenance_reason = models.TextField(_("maintenance reason"), blank=True, db_default="")

    auto_create_schema = True
    auto_drop_schema = True

    class Meta:
        verbose_name = _("studio")
        verbose_name_plural = _("studios")
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_account_id"],
                condition=~models.Q(stripe_account_id=""),
                name="studio_stripe_account_unique",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_read_only(self) -> bool:
        """Staff may look but not change anything while the licence is suspended."""
        return self.status in (StudioStatus.SUSPENDED, StudioStatus.BLOCKED)

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        from django_tenants.utils import schema_exists

        from .provisioning import clone_base_schema

        if check_if_exists and schema_exists(self.schema_name):
            return False
        if sync_schema and clone_base_schema(
            schema_name=self.schema_name, clone_mode=self.clone_mode, verbosity=verbosity
        ):
            return True
        return super().create_schema(check_if_exists, sync_schema, verbosity)

    def platform_share(self, amount, currency: str) -> Decimal:
        """The platform's cut of ``amount`` under the studio's plan: the one rule both the
        application fee charged on card payments and the console's revenue figures use."""
        return self.plan.platform_share(amount, currency) if self.plan_id else Decimal("0")

    @property
    def is_selling(self) -> bool:
        """A lapsed or blocked licence keeps the data but stops the storefront; a failed
        payment does not, during its grace period."""
        if self.status in (StudioStatus.SUSPENDED, StudioStatus.BLOCKED):
            return False
        if self.status == StudioStatus.PAST_DUE:
            return self.grace_until is None or self.grace_until > dj_timezone.now()
        return self.licence_valid_until is None or self.licence_valid_until > dj_timezone.now()


class DomainStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for verification")
    ACTIVE = "active", _("Active")


class Domain(DomainMixin):
    """A host that serves a studio: ``<slug>.<BASE_DOMAIN>`` (made at sign-up, active), or a
    custom domain the owner added, which routes nothing until ownership is verified."""

    status = models.CharField(
        _("status"), max_length=10, choices=DomainStatus.choices, default=DomainStatus.ACTIVE
    )
    verification_token = models.CharField(max_length=64, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    check_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class SpareSchema(models.Model):
    """A studio schema made ahead of time (copied from the base schema and migrated) that a
    sign-up renames to the new studio's schema (``tenants.spares``). Never a studio: no
    ``Studio`` row and no host, so nothing that lists studios sees it."""

    schema_name = models.CharField(max_length=63, unique=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    def __str__(self):
        return self.schema_name
