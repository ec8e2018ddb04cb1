"""Reading commissions: what each school has earned, been paid and is owed (from the
ledger), a closed period's statement figures, and the principal's view of a school's sales.

Amounts are minor units, positive for what the studio owes the school (the payable account
is a liability, so its ledger balance is negative)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from saas_platform.money import from_minor, quantize
from studio.access.models import AccessCode, AccessCodeKind
from studio.ledger import accounts
from studio.ledger.models import Account, LedgerEntry, LedgerPeriod, PeriodBalance, TransactionKind
from studio.orders.models import OrderLine, fulfillable_q
from studio.schools.models import School

from .models import Agreement, AgreementStatus, Payout, Statement

EARNED = (TransactionKind.COMMISSION, TransactionKind.COMMISSION_REVERSAL)


def _payable_code(school_id: int) -> str:
    return f"{accounts.COMMISSION_PAYABLE_PREFIX}{school_id}"


@dataclass
class SchoolFigures:
    school: School
    currency: str
    accrued: int = 0  # net of reversals
    paid: int = 0
    agreement: Agreement | None = None

    @property
    def due(self) -> int:
        return self.accrued - self.paid

    @property
    def accrued_amount(self) -> Decimal:
        return from_minor(self.accrued, self.currency)

    @property
    def paid_amount(self) -> Decimal:
        return from_minor(self.paid, self.currency)

    @property
    def due_amount(self) -> Decimal:
        return from_minor(self.due, self.currency)


def school_figures(*, schools, currency: str) -> list[SchoolFigures]:
    """Accrued, paid and due for each school, read from the ledger in one query."""
    schools = list(schools)
    rows = (
        LedgerEntry.objects.filter(
            currency=currency,
            account__code__in=[_payable_code(school.pk) for school in schools],
        )
        .values("account__school_id")
        .annotate(
            earned=Sum("amount_minor", filter=Q(transaction__kind__in=EARNED)),
            paid=Sum("amount_minor", filter=Q(transaction__kind=TransactionKind.COMMISSION_PAYOUT)),
        )
    )
    by_school = {row["account__school_id"]: row for row in rows}
    current = {}
    for agreement in Agreement.objects.filter(school__in=schools).order_by(
        "school_id", "-valid_from", "-pk"
    ):
        current.setdefault(agreement.school_id, agreement)
    figures = []
    for school in schools:
        row = by_school.get(school.pk, {})
        figures.append(
            SchoolFigures(
                school=school,
                currency=currency,
                accrued=-(row.get("earned") or 0),
                paid=row.get("paid") or 0,
                agreement=current.get(school.pk),
            )
        )
    return figures


def due_minor(*, school: School, currency: str) -> int:
    """What the studio owes the school now: its payable account's (credit) balance."""
    total = LedgerEntry.objects.filter(
        account__code=_payable_code(school.pk), currency=currency
    ).aggregate(total=Sum("amount_minor"))["total"]
    return -(total or 0)


def schools_with_commissions():
    """Schools whose payable account exists: those a statement can say anything about."""
    return School.objects.filter(
        pk__in=Account.objects.filter(code__startswith=accounts.COMMISSION_PAYABLE_PREFIX).values(
            "school_id"
        )
    ).order_by("name", "pk")


def agreements_of(*, school: School, principal_view: bool = False):
    agreements = Agreement.objects.filter(school=school)
    if principal_view:  # a draft is the studio's own work in progress
        agreements = agreements.exclude(status=AgreementStatus.DRAFT)
    return agreements.order_by("-valid_from", "-pk")


def payouts_of(*, school: School):
    return Payout.objects.filter(school=school).order_by("-paid_on", "-pk")


def closed_periods():
    """Newest first, each with ``last_moment``: a period ends at midnight of the day after
    it, so pages show this one's date as its last day (as the statement's PDF does)."""
    last_moment = ExpressionWrapper(
        F("ends_at") - timedelta(microseconds=1), output_field=DateTimeField()
    )
    return LedgerPeriod.objects.annotate(last_moment=last_moment).order_by("-ends_at")


def statements_of(*, school: School):
    return Statement.objects.filter(school=school).select_related("period")


# --- statements ----------------------------------------------------------------------------


@dataclass
class StatementFigures:
    period: LedgerPeriod
    school: School
    currency: str
    opening: int = 0
    accrued: int = 0
    reversed: int = 0
    paid: int = 0
    lines: list = field(default_factory=list)
    payouts: list = field(default_factory=list)

    @property
    def closing(self) -> int:
        return self.opening + self.accrued - self.reversed - self.paid

    def snapshot(self, *, studio, tz) -> dict:
        """Everything the statement shows, frozen: texts as they read when it was made."""

        def day(moment: datetime) -> str:
            return timezone.localtime(moment, tz).date().isoformat()

        return {
            "studio": studio.name,
            "school": self.school.name,
            "school_id": self.school.pk,
            "period": self.period.label,
            "starts": day(self.period.starts_at),
            # the last day inside the period (it ends at midnight of the next)
            "ends": day(self.period.ends_at - timedelta(microseconds=1)),
            "currency": self.currency,
            "opening": self.opening,
            "accrued": self.accrued,
            "reversed": self.reversed,
            "paid": self.paid,
            "closing": self.closing,
            "lines": [{**line, "date": day(line["date"])} for line in self.lines],
            "payouts": [{**payout, "date": day(payout["date"])} for payout in self.payouts],
        }


def statement_figures(*, period: LedgerPeriod, school: School, currency: str) -> StatementFigures:
    """The school's payable account in a closed period: opening and closing from the period's
    snapshot, the movement read leg by leg with the order line each leg is about."""
    figures = StatementFigures(period=period, school=school, currency=currency)
    account = Account.objects.filter(code=_payable_code(school.pk)).first()
    if account is None:
        return figures
    snapshot = PeriodBalance.objects.filter(
        period=period, account=account, currency=currency
    ).first()
    figures.opening = -(snapshot.opening_minor if snapshot else 0)
    entries = (
        LedgerEntry.objects.filter(
            account=account,
            currency=currency,
            occurred_at__gte=period.starts_at,
            occurred_at__lt=period.ends_at,
        )
        .select_related("transaction")
        .order_by("occurred_at", "pk")
    )
    entries = list(entries)
    lines = {
        line.pk: line
        for line in OrderLine.objects.filter(
            pk__in=[e.order_line_id for e in entries if e.order_line_id]
        ).select_related("order", "child__school_class", "shoot")
    }
    for entry in entries:
        kind = entry.transaction.kind
        if kind == TransactionKind.COMMISSION_PAYOUT:
            figures.paid += entry.amount_minor
            figures.payouts.append(
                {
                    "date": entry.occurred_at,
                    "reference": entry.transaction.memo,
                    "amount": entry.amount_minor,
                }
            )
            continue
        if kind == TransactionKind.COMMISSION:
            figures.accrued += -entry.amount_minor
        elif kind == TransactionKind.COMMISSION_REVERSAL:
            figures.reversed += entry.amount_minor
        else:
            continue
        line = lines.get(entry.order_line_id)
        figures.lines.append(
            {
                "date": entry.occurred_at,
                "order": line.order.number if line else "",
                "class": line.child.school_class.name if line and line.child_id else "",
                "picture_day": line.shoot.name if line and line.shoot_id else "",
                "description": line.description if line else entry.transaction.memo,
                "net": str(quantize(line.net, line.order.currency)) if line else "",
                "reversal": kind == TransactionKind.COMMISSION_REVERSAL,
                "commission": -entry.amount_minor,
            }
        )
    return figures


# --- the principal's view ------------------------------------------------------------------


def _sold_lines(school: School):
    """Lines of the school's orders paid in full (refunded in part or not) that were not
    refunded themselves: the orders' own rule, not their status label."""
    paid = fulfillable_q("order__")
    of_school = Q(child__school_class__school=school) | Q(child__isnull=True, shoot__school=school)
    return OrderLine.objects.filter(paid & of_school, refunded=False)


@dataclass(frozen=True)
class SalesRow:
    label: str
    detail: object  # the picture day's date
    orders: int
    net: Decimal
    buyers: int | None = None
    codes: int | None = None

    @property
    def participation(self) -> int | None:
        """Children whose family bought, per hundred children given a code."""
        if not self.codes:
            return None
        return round(100 * (self.buyers or 0) / self.codes)


def sales_by_class(*, school: School) -> list[SalesRow]:
    rows = (
        _sold_lines(school)
        .filter(child__isnull=False)
        .values("child__school_class_id", "child__school_class__name")
        .annotate(orders=Count("order", distinct=True), net=Sum("net"))
        .order_by("child__school_class__name")
    )
    return [
        SalesRow(row["child__school_class__name"], None, row["orders"], row["net"] or Decimal(0))
        for row in rows
    ]


def sales_by_picture_day(*, school: School) -> list[SalesRow]:
    """Per picture day: sales, and participation (children with a purchase ÷ children with
    an access code)."""
    rows = (
        _sold_lines(school)
        .filter(shoot__isnull=False)
        .values("shoot_id", "shoot__name", "shoot__date")
        .annotate(
            orders=Count("order", distinct=True),
            net=Sum("net"),
            buyers=Count("child", distinct=True),
        )
        .order_by("-shoot__date", "shoot_id")
    )
    codes = dict(
        AccessCode.objects.filter(
            shoot__school=school, kind=AccessCodeKind.STUDENT, student__isnull=False
        )
        .values("shoot_id")
        .annotate(children=Count("student", distinct=True))
        .values_list("shoot_id", "children")
    )
    return [
        SalesRow(
            row["shoot__name"],
            row["shoot__date"],
            row["orders"],
            row["net"] or Decimal(0),
            buyers=row["buyers"],
            codes=codes.get(row["shoot_id"], 0),
        )
        for row in rows
    ]


def participation(*, school: School) -> SalesRow:
    """The school overall: children whose family bought ÷ children given an access code."""
    buyers = _sold_lines(school).filter(child__isnull=False).values("child").distinct().count()
    codes = (
        AccessCode.objects.filter(
            shoot__school=school, kind=AccessCodeKind.STUDENT, student__isnull=False
        )
        .values("student")
        .distinct()
        .count()
    )
    totals = _sold_lines(school).aggregate(orders=Count("order", distinct=True), net=Sum("net"))
    return SalesRow(
        school.name, None, totals["orders"], totals["net"] or Decimal(0), buyers=buyers, codes=codes
    )
