"""The operators' view of the platform (public schema): figures gathered per studio by a
periodic task, so console pages never enter a studio's schema, and the audit of what
operators did."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlatformDailyStat(models.Model):
    """One row per (UTC) day for the analytics charts; today's row is refreshed until the
    day is over. Amounts are summed across studios as they are (no currency conversion)."""

    date = models.DateField(unique=True)
    signups = models.PositiveIntegerField(default=0)
    active_studios = models.PositiveIntegerField(default=0)
    mrr = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    gmv = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    platform_revenue = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return str(self.date)


class AuditAction(models.TextChoices):
    LICENCE_EXTEND = "licence_extend", _("Licence extended")
    BLOCK = "block", _("Blocked")
    UNBLOCK = "unblock", _("Unblocked")
    PLAN_CHANGE = "plan_change", _("Plan changed")
    SUPPORT_LOGIN = "support_login", _("Opened as support")
    DELETION_SCHEDULED = "deletion_scheduled", _("Deletion scheduled")
    DELETION_CANCELLED = "deletion_cancelled", _("Deletion cancelled")


class AuditLog(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_email = models.EmailField()
    studio = models.ForeignKey(
        "tenants.Studio", on_delete=models.CASCADE, related_name="audit_entries"
    )
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    reason = models.TextField(_("reason"))
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.action} on {self.studio_id}"


class NoticeKind(models.TextChoices):
    SIGNUP = "signup", _("New sign-up")
    EXPIRING = "expiring", _("Licence expiring")
    LAPSED = "lapsed", _("Licence lapsed")


class OperatorNotice(models.Model):
    """An e-mail sent to the operators, recorded so that each event is told once. ``key``
    names the event (the licence end for licence notices), so a renewed licence that runs
    out again is told again."""

    studio = models.ForeignKey("tenants.Studio", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    key = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["studio", "kind", "key"], name="operator_notice_once")
        ]

    def __str__(self):
        return f"{self.kind} {self.studio_id}"


class StudioDeletion(models.Model):
    """An operator's decision to delete a studio after a grace period. The row outlives the
    studio (``studio`` becomes empty) as the record of what was deleted, when and why; it
    keeps the slug and schema, no personal data."""

    studio = models.ForeignKey(
        "tenants.Studio", on_delete=models.SET_NULL, null=True, related_name="deletions"
    )
    studio_name = models.CharField(max_length=120)
    slug = models.CharField(max_length=40)
    schema_name = models.CharField(max_length=63)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_by_email = models.EmailField()
    reason = models.TextField(_("reason"))
    requested_at = models.DateTimeField(auto_now_add=True)
    delete_after = models.DateTimeField(_("deleted after"))
    warned_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by_email = models.EmailField(blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # What the deletion removed: Stripe objects, files, cache keys; the last error if a run
    # failed (the next run tries again).
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["studio"],
                condition=models.Q(cancelled_at__isnull=True, deleted_at__isnull=True),
                name="one_pending_deletion_per_studio",
            )
        ]

    def __str__(self):
        return f"deletion of {self.slug}"

    @property
    def is_pending(self) -> bool:
        return self.cancelled_at is None and self.deleted_at is None
