"""Staff pay: the rules that say what each fact earns, each person's bank details, and the
pay runs that paid them. What was earned and paid lives in the ledger (``staff_payable``
per person); these tables only say how to compute it and what a pay run did."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from saas_platform.accounts.models import Role


class PayRuleKind(models.TextChoices):
    PHOTO_SALE = "photo-sale", _("Per sold photo")
    RETOUCH = "retouch", _("Per approved retouch")
    SALES_PERCENT = "sales-percent", _("Percent of a picture day's net sales")
    PICTURE_DAY = "picture-day", _("Fixed per picture day")
    DAY_RATE = "day-rate", _("Day rate")


# Whom a role-wide rule can be for: the people who earn by the photo, the retouch or the day.
PAID_ROLES = [
    (Role.PHOTOGRAPHER.value, Role.PHOTOGRAPHER.label),
    (Role.RETOUCHER.value, Role.RETOUCHER.label),
    (Role.MANAGER.value, Role.MANAGER.label),
]


class PayRule(models.Model):
    """What one kind of fact earns, for a role or one person (a person's rule overrides
    their role's), from ``effective_from`` until a later rule of the same scope takes over.
    ``amount`` is money per unit (per photo, retouch, picture day, day) or, for the sales
    percent, the percentage; ``print_amount`` is a sold print's rate when it differs."""

    kind = models.CharField(_("kind"), max_length=20, choices=PayRuleKind.choices)
    role = models.CharField(_("role"), max_length=20, choices=PAID_ROLES, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    effective_from = models.DateField(_("effective from"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=3)
    print_amount = models.DecimalField(
        _("print rate"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "role", "person_id", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="") & Q(person__isnull=False))
                | (~Q(role="") & Q(person__isnull=True)),
                name="pay_rule_role_or_person",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="pay_rule_amount_not_negative"),
            models.UniqueConstraint(
                fields=["kind", "role", "person", "effective_from"],
                name="pay_rule_once_per_day",
                nulls_distinct=False,
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.person_id or self.role} {self.effective_from}"


class StaffPayProfile(models.Model):
    """Where a person's pay goes (one per person in this studio)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pay_profile"
    )
    account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    bank_account = models.CharField(_("IBAN or account number"), max_length=64, blank=True)

    def __str__(self):
        return f"{self.person_id} {self.bank_account}"


class PayRun(models.Model):
    """One pay run: everyone owed money for work up to ``period_end`` was paid."""

    period_end = models.DateField(_("period end"))
    currency = models.CharField(max_length=3)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"pay run {self.pk} ({self.period_end})"

    @property
    def reference_prefix(self) -> str:
        return f"PAY-{self.period_end:%Y%m%d}-{self.pk}"


class PayRunLine(models.Model):
    """One person paid by a run; what the bank transfer file says."""

    run = models.ForeignKey(PayRun, on_delete=models.PROTECT, related_name="lines")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    bank_account = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=3)
    reference = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "person"], name="pay_run_line_once")]

    def __str__(self):
        return self.reference
