"""Picture days: a school, a date, photographers and a sales deadline."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ShootStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UPLOADING = "uploading", _("Uploading")
    RETOUCHING = "retouching", _("Retouching")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")


class Shoot(models.Model):
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="shoots")
    name = models.CharField(_("name"), max_length=200)
    date = models.DateField(_("date"))
    photographers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="shoots", blank=True, verbose_name=_("photographers")
    )
    sales_deadline = models.DateTimeField(_("sales deadline"), null=True, blank=True)
    # Late orders: after the deadline, until this, parents still order and pay the late fee
    # once per order; the codes stay open until then.
    late_orders_until = models.DateTimeField(
        _("late orders until"),
        null=True,
        blank=True,
        help_text=_("Optional: parents may still order after the deadline, with the late fee."),
    )
    late_fee = models.DecimalField(
        _("late fee"),
        max_digits=13,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Added once per order placed after the sales deadline."),
    )
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("For the staff: where to meet, what to bring.")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ShootStatus.choices, default=ShootStatus.PLANNED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "name"]
        verbose_name = _("picture day")
        verbose_name_plural = _("picture days")

    def __str__(self):
        return f"{self.name} ({self.date})"

    @property
    def policy_shoot(self):
        return self

    @property
    def sales_close_at(self):
        """When the codes close: the sales deadline, or the end of late orders if later."""
        if self.sales_deadline is None:
            return None
        return max(self.sales_deadline, self.late_orders_until or self.sales_deadline)

    def late_orders_open(self, now) -> bool:
        """After the deadline and before ``late_orders_until``: orders pay the late fee."""
        return bool(
            self.sales_deadline
            and self.late_orders_until
            and self.sales_deadline <= now < self.late_orders_until
        )


class ShootTransition(models.Model):
    """Who moved a picture day to which status, and when."""

    shoot = models.ForeignKey(Shoot, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=ShootStatus.choices)
    to_status = models.CharField(max_length=20, choices=ShootStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.shoot_id}: {self.from_status} → {self.to_status}"
