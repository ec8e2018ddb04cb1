"""A studio's books: a small double-entry ledger, append-only in the database itself.

Every movement of money (a payment, a refund, the platform's fee, a school's commission, a
photographer's pay, a payout) is one ``LedgerTransaction`` whose ``LedgerEntry`` legs sum to
zero in one currency. Amounts are integers in the currency's minor unit (cents, yen, fils),
so sums are exact. Debits are positive, credits negative. Rows are never updated or deleted:
a mistake is corrected by a reversing transaction; triggers (migration 0002) refuse UPDATE and
DELETE and check at commit that each transaction balances.

Why not django-hordak: its accounts and legs are built on django-money and an MPTT tree, its
balance is a scan of all legs, and it allows legs to be edited and deleted; here amounts stay
the Decimal-and-currency rule of ``saas_platform.money`` at the edges, every row is immutable,
and closed periods keep balance snapshots so a balance never reads all history.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import formats
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


class Account(models.Model):
    """One account of the chart (``accounts.CHART``); per school and per person for what is
    owed to them. Made on first use."""

    code = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=AccountKind.choices)
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.code


class TransactionKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")
    DISCOUNT = "discount", _("Discount")
    PLATFORM_FEE = "platform_fee", _("Platform fee")
    PLATFORM_INVOICE = "platform_invoice", _("Platform invoice")
    COMMISSION = "commission", _("Commission")
    COMMISSION_REVERSAL = "commission_reversal", _("Commission reversed")
    COMMISSION_PAYOUT = "commission_payout", _("Commission paid")
    PAY = "pay", _("Pay")
    PAY_REVERSAL = "pay_reversal", _("Pay reversed")
    PAY_ADJUSTMENT = "pay_adjustment", _("Pay adjustment")
    PAYOUT = "payout", _("Pay run")


class LedgerTransaction(models.Model):
    """One event that moved money, written once (``key`` makes a repeated event a no-op).

    References to orders, payments and refunds carry no database constraint: the books keep
    naming what they were about even if a test or an erasure removes it."""

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=30, choices=TransactionKind.choices)
    currency = models.CharField(max_length=3)
    occurred_at = models.DateTimeField(db_index=True)
    memo = models.CharField(max_length=300, blank=True)
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    payment = models.ForeignKey(
        "orders.Payment",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    refund = models.ForeignKey(
        "orders.Refund",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self):
        return self.key


class LedgerEntry(models.Model):
    """One leg: ``amount_minor`` debits (> 0) or credits (< 0) ``account``. ``occurred_at`` is
    the transaction's, copied so a balance per period reads one index. The line, picture day
    and school a leg is about let statements and reports say what it was for."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    occurred_at = models.DateTimeField()
    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    shoot = models.ForeignKey(
        "shoots.Shoot",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(
                fields=["account", "currency", "occurred_at"],
                include=["amount_minor"],
                name="ledger_entry_balance",
            )
        ]

    def __str__(self):
        return f"{self.account_id} {self.amount_minor} {self.currency}"


def period_title(label: str) -> str:
    """A month's label (``2026-11``) as its name and year in the active language."""
    try:
        month = datetime.datetime.strptime(label, "%Y-%m").date()
    except ValueError:
        return label
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


class LedgerPeriod(models.Model):
    """A closed stretch of time (a month or a season): nothing is posted into it any more,
    and each account's closing balance is kept (``PeriodBalance``)."""

    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    label = models.CharField(max_length=60)
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-ends_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="period_not_empty"
            )
        ]

    def __str__(self):
        return self.label

    @property
    def title(self) -> str:
        """The period as people read it: "November 2026" for a month, else its label."""
        return period_title(self.label)


class PeriodBalance(models.Model):
    """An account's movement in a closed period and its balance at the period's end."""

    period = models.ForeignKey(LedgerPeriod, on_delete=models.PROTECT, related_name="balances")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    opening_minor = models.BigIntegerField()
    debit_minor = models.BigIntegerField()
    credit_minor = models.BigIntegerField()
    closing_minor = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "account", "currency"], name="period_balance_once"
            )
        ]

    def __str__(self):
        return f"{self.period_id} {self.account_id} {self.closing_minor}"
