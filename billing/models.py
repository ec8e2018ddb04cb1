"""What studios buy from the platform (public schema): plans, the per-studio usage table,
every Stripe event received, and the licence log."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from saas_platform.money import quantize


class PlanKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly fee")
    YEARLY = "yearly", _("Yearly fee")
    REVENUE_SHARE = "revenue_share", _("Revenue share")


class Plan(models.Model):
    code = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=PlanKind.choices)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    revenue_share_percent = models.DecimalField(
        _("revenue share, %"), max_digits=5, decimal_places=2, default=0
    )
    max_schools = models.PositiveIntegerField(_("schools"), null=True, blank=True)
    max_staff = models.PositiveIntegerField(_("staff seats"), null=True, blank=True)
    max_storage_gb = models.PositiveIntegerField(_("storage, GB"), null=True, blank=True)
    max_photos_per_season = models.PositiveIntegerField(
        _("photos per season"), null=True, blank=True
    )
    stripe_price_id = models.CharField(
        _("Stripe price"),
        max_length=64,
        blank=True,
        help_text=_("The recurring price on the platform's Stripe account (fixed-fee plans)."),
    )
    is_public = models.BooleanField(_("shown on the pricing page"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "price"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self):
        return self.name

    @property
    def is_subscription(self) -> bool:
        return self.kind in (PlanKind.MONTHLY, PlanKind.YEARLY)

    def platform_share(self, amount: Decimal, currency: str) -> Decimal:
        """The platform's revenue share of ``amount``, rounded like every amount in
        ``currency``; zero unless this is a revenue-share plan."""
        if self.kind != PlanKind.REVENUE_SHARE or not self.revenue_share_percent:
            return Decimal("0")
        percent = Decimal(str(self.revenue_share_percent))
        return quantize(Decimal(amount) * percent / Decimal(100), currency)

    def limit(self, resource: str):
        return getattr(self, f"max_{resource}")


class StudioUsage(models.Model):
    """Per-studio figures gathered by a periodic task, so platform pages never query every
    studio's schema on a page view."""

    studio = models.OneToOneField("tenants.Studio", on_delete=models.CASCADE, related_name="usage")
    schools = models.PositiveIntegerField(default=0)
    classes = models.PositiveIntegerField(default=0)
    students = models.PositiveIntegerField(default=0)
    staff = models.PositiveIntegerField(default=0)
    last_login_at = models.DateTimeField(null=True, blank=True)
    collected_at = models.DateTimeField()

    def __str__(self):
        return f"usage of {self.studio_id}"


class StudioSalesSnapshot(models.Model):
    """One row per studio, overwritten by the studio-side task
    ``studio.plan.tasks.sales_snapshot_collect_for_studio``; the console reads only this."""

    studio = models.OneToOneField(
        "tenants.Studio", on_delete=models.CASCADE, related_name="sales_snapshot"
    )
    currency = models.CharField(max_length=3, default="EUR")
    orders_season = models.PositiveIntegerField(_("orders this season"), default=0)
    gmv_season = models.DecimalField(
        _("GMV this season"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    orders_today = models.PositiveIntegerField(_("orders today"), default=0)
    gmv_today = models.DecimalField(
        _("GMV today"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    platform_revenue_season = models.DecimalField(
        _("platform revenue this season"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    platform_revenue_today = models.DecimalField(
        _("platform revenue today"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    photos = models.PositiveIntegerField(_("photos"), default=0)
    storage_bytes = models.BigIntegerField(_("storage"), default=0)
    staff = models.PositiveIntegerField(_("staff"), default=0)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"))

    def __str__(self):
        return f"sales of {self.studio_id}"


class StripeEvent(models.Model):
    """Every Stripe webhook event we accepted, recorded by its id before it is acted on:
    Stripe delivers at least once, so a second delivery finds its row and is ignored."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    account = models.CharField(max_length=64, blank=True)
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.type} {self.event_id}"


class LicenceEvent(models.Model):
    """Every change of a studio's licence status, with why and who: the audit trail the
    operator and the studio read when a storefront stopped selling."""

    studio = models.ForeignKey(
        "tenants.Studio", on_delete=models.CASCADE, related_name="licence_events"
    )
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    reason = models.CharField(max_length=300, blank=True)
    # "stripe:<event id>", "operator:<e-mail>", "system", "owner:<e-mail>"
    source = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.studio_id}: {self.from_status} → {self.to_status}"


class NoticeKind(models.TextChoices):
    TRIAL_ENDING = "trial_ending", _("Trial ends soon")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    SUSPENDED = "suspended", _("Suspended")


class LicenceNotice(models.Model):
    """An e-mail sent to a studio's owner about its licence, once per occasion (``key``: the
    trial's end, the grace period, the suspension's event)."""

    studio = models.ForeignKey(
        "tenants.Studio", on_delete=models.CASCADE, related_name="licence_notices"
    )
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    key = models.CharField(max_length=64)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["studio", "kind", "key"], name="licence_notice_once")
        ]

    def __str__(self):
        return f"{self.kind} to {self.studio_id} ({self.key})"
