"""Schools' commission agreements, what each paid order line earned a school under one, the
payouts made to schools and the statements of closed periods.

Money itself lives in the ledger (``studio.ledger``): an accrual is Dr COMMISSIONS / Cr the
school's ``commission_payable`` account, a reversal the opposite, a payout Dr payable / Cr
BANK. The rows here say *why* (which agreement, which base) and keep what must not change:
a closed period's statement is stored once and the database refuses to rewrite it (triggers
in migration 0002, like the ledger's).
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from .storage import private_storage


class Basis(models.TextChoices):
    PERCENT = "percent", _("Percent of net sales")
    PER_ORDER = "per_order", _("Fixed amount per paid order")
    TIERED = "tiered", _("Tiered by sales volume")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    SIGNED = "signed", _("Signed")
    EXPIRED = "expired", _("Expired")


class ProductKind(models.TextChoices):
    DIGITAL = "digital", _("Digital")
    PRINT = "print", _("Prints")
    ALBUM = "album", _("Albums")
    PACKAGE = "package", _("Packages")


def _scan_path(instance, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"commissions/agreements/{instance.pk}/scan-{uuid.uuid4().hex}.{extension}"


class Agreement(models.Model):
    """What a school earns on its sales, between two dates. Only a signed agreement valid on
    the payment date earns anything; it is edited only while a draft."""

    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="commission_agreements"
    )
    basis = models.CharField(_("commission"), max_length=10, choices=Basis.choices)
    percent = models.DecimalField(
        _("percent"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    fixed_amount = models.DecimalField(
        _("amount per order"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # [{"up_to": "1000.00", "percent": "10"}, {"up_to": null, "percent": "15"}]: marginal
    # bands of the school's cumulative net sales under this agreement.
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    currency = models.CharField(max_length=3)
    kinds = ArrayField(
        models.CharField(max_length=10, choices=ProductKind.choices),
        verbose_name=_("products that count"),
        default=list,
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    scan = models.FileField(storage=private_storage, upload_to=_scan_path, blank=True)
    scan_uploaded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "-pk"]

    def __str__(self):
        return f"{self.school} {self.valid_from}"

    @property
    def policy_school(self):
        return self.school

    @property
    def number(self) -> str:
        return f"A-{self.pk:05d}"


class Accrual(models.Model):
    """One order line's commission under an agreement: the base it was worked out on (the
    line's net) and the amount posted. Tiered agreements read the running total of bases."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="accruals")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    order_line = models.OneToOneField(
        "orders.OrderLine", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    currency = models.CharField(max_length=3)
    net = models.DecimalField(max_digits=12, decimal_places=2)
    commission_minor = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.order_line_id} {self.commission_minor}"


class RefundReversal(models.Model):
    """A refund whose commission was given back, and the lines it named: a later refund
    names only lines marked refunded since, and the same event heard twice does nothing."""

    refund = models.OneToOneField(
        "orders.Refund", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    named_line_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    reversed_minor = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.refund_id} {self.reversed_minor}"


class Payout(models.Model):
    """Money paid to a school, once per submitted form (``key``)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=64, unique=True)
    currency = models.CharField(max_length=3)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("date"))
    reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-paid_on", "-pk"]

    def __str__(self):
        return f"{self.school_id} {self.amount} {self.paid_on}"


class Statement(models.Model):
    """A school's commission statement for a closed ledger period, made once: the totals,
    a snapshot of its lines (what the CSV is written from) and the PDF's bytes. The database
    refuses UPDATE and DELETE, so a download is the same file forever."""

    period = models.ForeignKey("ledger.LedgerPeriod", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    language = models.CharField(max_length=10)
    opening_minor = models.BigIntegerField()
    accrued_minor = models.BigIntegerField()
    reversed_minor = models.BigIntegerField()
    paid_minor = models.BigIntegerField()
    closing_minor = models.BigIntegerField()
    snapshot = models.JSONField()
    pdf = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period__ends_at", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "school", "currency"], name="commission_statement_once"
            )
        ]

    def __str__(self):
        return f"{self.school_id} {self.period_id}"

    @property
    def policy_school(self):
        return self.school
