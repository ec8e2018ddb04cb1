"""Reading the books: balances (from the last closed period's snapshot plus what moved
since, so a balance never reads all history), statements of one account, the journal."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, Sum

from saas_platform.money import from_minor

from . import accounts
from .models import Account, LedgerEntry, LedgerPeriod, PeriodBalance


def month_bounds(year: int, month: int, tz) -> tuple[datetime, datetime]:
    """A calendar month in ``tz``: its first midnight and the next month's (the end excluded),
    as a period closes and a month is invoiced."""
    return datetime(year, month, 1, tzinfo=tz), datetime(
        year + month // 12, month % 12 + 1, 1, tzinfo=tz
    )


def balance_minor(account: Account, currency: str, *, until: datetime | None = None) -> int:
    """The account's balance (debit positive) before ``until`` (now when ``None``)."""
    periods = LedgerPeriod.objects.all()
    if until is not None:
        periods = periods.filter(ends_at__lte=until)
    last = periods.order_by("-ends_at").first()
    opening = 0
    entries = LedgerEntry.objects.filter(account=account, currency=currency)
    if last is not None:
        snapshot = PeriodBalance.objects.filter(
            period=last, account=account, currency=currency
        ).first()
        opening = snapshot.closing_minor if snapshot else 0
        entries = entries.filter(occurred_at__gte=last.ends_at)
    if until is not None:
        entries = entries.filter(occurred_at__lt=until)
    return opening + (entries.aggregate(total=Sum("amount_minor"))["total"] or 0)


def balance(account: Account, currency: str, *, until: datetime | None = None) -> Decimal:
    return from_minor(balance_minor(account, currency, until=until), currency)


@dataclass(frozen=True)
class Movement:
    debit_minor: int
    credit_minor: int

    @property
    def net_minor(self) -> int:
        return self.debit_minor - self.credit_minor


def movement(
    account_codes, currency: str, *, starts_at: datetime | None, ends_at: datetime | None
) -> Movement:
    """Debits and credits on the accounts (codes, or a code prefix ending in ':') in
    ``[starts_at, ends_at)``."""
    entries = LedgerEntry.objects.filter(currency=currency).filter(_codes_q(account_codes))
    if starts_at is not None:
        entries = entries.filter(occurred_at__gte=starts_at)
    if ends_at is not None:
        entries = entries.filter(occurred_at__lt=ends_at)
    totals = entries.aggregate(
        debit=Sum("amount_minor", filter=Q(amount_minor__gt=0)),
        credit=Sum("amount_minor", filter=Q(amount_minor__lt=0)),
    )
    return Movement(totals["debit"] or 0, -(totals["credit"] or 0))


def _codes_q(codes) -> Q:
    query = Q(pk__in=[])
    for code in codes:
        if code.endswith(":"):
            query |= Q(account__code__startswith=code)
        else:
            query |= Q(account__code=code)
    return query


@dataclass(frozen=True)
class Summary:
    """Where the money of a period went, in minor units. ``received − refunded`` always equals
    ``studio_revenue + commissions + staff_pay + platform_fees``: the books balance."""

    currency: str
    received: int
    refunded: int
    discounts: int
    platform_fees: int
    commissions: int
    staff_pay: int

    @property
    def studio_revenue(self) -> int:
        return (
            self.received - self.refunded - self.platform_fees - self.commissions - self.staff_pay
        )

    def amount(self, name: str) -> Decimal:
        return from_minor(getattr(self, name), self.currency)


def summary(
    currency: str, *, starts_at: datetime | None = None, ends_at: datetime | None = None
) -> Summary:
    def net(*codes):
        return movement(codes, currency, starts_at=starts_at, ends_at=ends_at).net_minor

    sales = -net(accounts.SALES)
    discounts = net(accounts.DISCOUNTS)
    return Summary(
        currency=currency,
        received=sales - discounts,
        refunded=net(accounts.REFUNDS),
        discounts=discounts,
        platform_fees=net(accounts.PLATFORM_FEES),
        commissions=net(accounts.COMMISSIONS),
        staff_pay=net(accounts.STAFF_PAY),
    )


def currencies() -> list[str]:
    return list(LedgerEntry.objects.values_list("currency", flat=True).distinct().order_by())


def journal(*, starts_at: datetime | None = None, ends_at: datetime | None = None):
    """Every leg in time order with its transaction and account: the accountant's journal."""
    entries = LedgerEntry.objects.select_related("transaction", "account", "account__school")
    if starts_at is not None:
        entries = entries.filter(occurred_at__gte=starts_at)
    if ends_at is not None:
        entries = entries.filter(occurred_at__lt=ends_at)
    return entries.order_by("occurred_at", "transaction_id", "id")
