"""Reading staff pay back from the ledger: one person's statement for a period (opening,
earned by kind, reversed, adjustments, paid, closing and every line) and everyone's
balances for the owner."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q

from saas_platform.accounts.models import Role
from saas_platform.money import from_minor
from studio.ledger import accounts
from studio.ledger.models import Account, LedgerEntry, TransactionKind
from studio.ledger.selectors import balance_minor

from .models import PayRule, PayRuleKind, StaffPayProfile
from .services import day_start, due_minor, studio_currency

T = TransactionKind
PAYABLE_ROLES = (Role.OWNER, Role.MANAGER, Role.PHOTOGRAPHER, Role.RETOUCHER)


@dataclass
class StatementLine:
    occurred_at: datetime.datetime
    kind: str  # a PayRuleKind value, or "reversal", "adjustment", "payout"
    label: str
    description: str
    amount: Decimal  # what it did to the balance owed: earned +, reversed / paid −


@dataclass
class Statement:
    person: object
    currency: str
    starts: datetime.date
    ends: datetime.date  # inclusive
    opening: Decimal
    earned: dict[str, Decimal] = field(default_factory=dict)  # by PayRuleKind label
    reversed: Decimal = Decimal(0)
    adjustments: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    closing: Decimal = Decimal(0)
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def earned_total(self) -> Decimal:
        return sum(self.earned.values(), Decimal(0))


def _staff_account(person) -> Account | None:
    return Account.objects.filter(code=f"{accounts.STAFF_PAYABLE_PREFIX}{person.pk}").first()


def _kind_of(entry: LedgerEntry) -> str:
    txn = entry.transaction
    if txn.kind == T.PAY:
        return txn.key.split(":")[1]
    return {T.PAY_REVERSAL: "reversal", T.PAY_ADJUSTMENT: "adjustment", T.PAYOUT: "payout"}.get(
        txn.kind, txn.kind
    )


def kind_label(kind: str) -> str:
    if kind in PayRuleKind.values:
        return str(PayRuleKind(kind).label)
    labels = {
        "reversal": T.PAY_REVERSAL.label,
        "adjustment": T.PAY_ADJUSTMENT.label,
        "payout": T.PAYOUT.label,
    }
    return str(labels.get(kind, kind))


def statement(person, *, starts: datetime.date, ends: datetime.date) -> Statement:
    """The person's pay from ``starts`` to ``ends`` (both days included, studio time)."""
    currency = studio_currency()
    start_at, end_at = day_start(starts), day_start(ends + datetime.timedelta(days=1))
    acc = _staff_account(person)
    if acc is None:
        return Statement(person, currency, starts, ends, opening=Decimal(0))
    opening = -balance_minor(acc, currency, until=start_at)
    result = Statement(person, currency, starts, ends, opening=from_minor(opening, currency))
    earned, reversed_, adjustments, paid = {}, 0, 0, 0
    entries = (
        LedgerEntry.objects.filter(
            account=acc, currency=currency, occurred_at__gte=start_at, occurred_at__lt=end_at
        )
        .select_related("transaction")
        .order_by("occurred_at", "id")
    )
    for entry in entries:
        kind = _kind_of(entry)
        owed = -entry.amount_minor
        if entry.transaction.kind == T.PAY:
            earned[kind] = earned.get(kind, 0) + owed
        elif kind == "reversal":
            reversed_ -= owed
        elif kind == "adjustment":
            adjustments += owed
        elif kind == "payout":
            paid -= owed
        result.lines.append(
            StatementLine(
                occurred_at=entry.occurred_at,
                kind=kind,
                label=kind_label(kind),
                description=entry.transaction.memo,
                amount=from_minor(owed, currency),
            )
        )
    result.earned = {
        kind_label(kind): from_minor(earned[kind], currency)
        for kind in PayRuleKind.values
        if kind in earned
    }
    result.reversed = from_minor(reversed_, currency)
    result.adjustments = from_minor(adjustments, currency)
    result.paid = from_minor(paid, currency)
    result.closing = from_minor(
        opening + sum(earned.values()) - reversed_ + adjustments - paid, currency
    )
    return result


@dataclass
class PersonBalance:
    person: object
    owed: Decimal
    due: Decimal  # what a pay run up to today would pay
    bank_account: str


def people():
    """Everyone who can be paid: staff of the paying roles, and anyone already owed."""
    owed_ids = Account.objects.filter(
        code__startswith=accounts.STAFF_PAYABLE_PREFIX, person__isnull=False
    ).values("person_id")
    return (
        get_user_model()
        .objects.filter(Q(role__in=PAYABLE_ROLES, is_active=True) | Q(pk__in=owed_ids))
        .order_by("full_name", "email")
    )


def balances(*, period_end: datetime.date) -> list[PersonBalance]:
    currency = studio_currency()
    profiles = {p.person_id: p for p in StaffPayProfile.objects.all()}
    rows = []
    for person in people():
        acc = _staff_account(person)
        owed = -balance_minor(acc, currency) if acc else 0
        due = due_minor(acc, currency, period_end=period_end) if acc else 0
        profile = profiles.get(person.pk)
        rows.append(
            PersonBalance(
                person=person,
                owed=from_minor(owed, currency),
                due=from_minor(max(due, 0), currency),
                bank_account=profile.bank_account if profile else "",
            )
        )
    return rows


def rules():
    return PayRule.objects.select_related("person").order_by(
        "kind", "person__full_name", "role", "-effective_from"
    )


def profile_of(person) -> StaffPayProfile | None:
    return StaffPayProfile.objects.filter(person=person).first()
