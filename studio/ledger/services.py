"""Writing to the books: ``transaction_post`` is the only way in, ``period_close`` the only
way a period ends. Both take the studio's ledger lock (a PostgreSQL advisory lock keyed by
the schema): posts share it, a close holds it alone, so a refund landing while a month closes
waits and then lands in the next period, never inside the closed one."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Account, LedgerEntry, LedgerPeriod, LedgerTransaction

_LOCK_SQL = "SELECT pg_advisory_xact_lock{shared}(hashtext(current_schema() || ':ledger'))"


@dataclass(frozen=True)
class Leg:
    account: Account
    amount_minor: int  # > 0 debit, < 0 credit
    order_line_id: int | None = None
    shoot_id: int | None = None


def _lock(*, shared: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL.format(shared="_shared" if shared else ""))


def transaction_post(
    *,
    key: str,
    kind: str,
    currency: str,
    legs: list[Leg],
    memo: str = "",
    order_id: int | None = None,
    payment_id=None,
    refund_id=None,
    created_by=None,
) -> LedgerTransaction | None:
    """Writes one balanced transaction once per ``key`` (a repeated event returns the first
    one). Legs of zero are dropped; nothing to write returns ``None``."""
    legs = [leg for leg in legs if leg.amount_minor]
    if sum(leg.amount_minor for leg in legs) != 0:
        raise ValueError(f"ledger transaction {key} does not balance: {legs}")
    if not legs:
        return LedgerTransaction.objects.filter(key=key).first()
    # No savepoint: nothing here is expected to fail, and if it does the caller's transaction
    # (or this one, when there is none) fails whole.
    with transaction.atomic(savepoint=False):
        _lock(shared=True)
        now = timezone.now()  # read under the lock: never inside a period closed meanwhile
        fields = {
            "key": key,
            "kind": kind,
            "currency": currency,
            "occurred_at": now,
            "memo": memo[:300],
            "order_id": order_id,
            "payment_id": payment_id,
            "refund_id": refund_id,
            "created_by_id": getattr(created_by, "pk", None),
        }
        txn_id = _insert_once(fields)
        if txn_id is None:  # posted before, or at this moment by another process
            return LedgerTransaction.objects.get(key=key)
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                transaction_id=txn_id,
                account=leg.account,
                amount_minor=leg.amount_minor,
                currency=currency,
                occurred_at=now,
                order_line_id=leg.order_line_id,
                shoot_id=leg.shoot_id,
            )
            for leg in legs
        )
    row = {"id": txn_id, **fields}
    names = [field.attname for field in LedgerTransaction._meta.concrete_fields]
    return LedgerTransaction.from_db(connection.alias, names, [row[name] for name in names])


def _insert_once(fields: dict) -> int | None:
    """The transaction's row, or ``None`` when its key is already there: one statement that
    waits for a concurrent insert of the same key instead of failing on it."""
    columns = ", ".join(f'"{name}"' for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{LedgerTransaction._meta.db_table}" ({columns}) '
            f'VALUES ({placeholders}) ON CONFLICT ("key") DO NOTHING RETURNING "id"',
            list(fields.values()),
        )
        row = cursor.fetchone()
    return row[0] if row else None


def last_closed_end() -> datetime | None:
    return LedgerPeriod.objects.order_by("-ends_at").values_list("ends_at", flat=True).first()


@transaction.atomic
def period_close(*, starts_at: datetime, ends_at: datetime, label: str, actor=None):
    """Closes ``[starts_at, ends_at)``: keeps every account's balance at its end. Periods
    follow one another without gaps or overlaps, and only one that has ended can close."""
    _lock(shared=False)
    previous_end = last_closed_end()
    if previous_end is not None and starts_at != previous_end:
        raise ValidationError(
            _("The next period to close starts on %(date)s.")
            % {"date": timezone.localtime(previous_end).strftime("%Y-%m-%d %H:%M")},
            code="gap",
        )
    if ends_at <= starts_at:
        raise ValidationError(_("A period must end after it starts."), code="empty")
    if ends_at > timezone.now():
        raise ValidationError(_("A period can close only once it has ended."), code="open")
    period = LedgerPeriod.objects.create(
        starts_at=starts_at, ends_at=ends_at, label=label, closed_at=timezone.now(), closed_by=actor
    )
    _snapshot_balances(period)
    return period


def _snapshot_balances(period: LedgerPeriod) -> None:
    """One row per account and currency that has a balance or moved: the opening from the
    previous period's snapshot (or, for the first period, everything before it), the
    period's debits and credits read from the index."""
    previous = _previous_period_id(period)
    if previous is not None:
        opening = """SELECT account_id, currency, closing_minor AS amount
                     FROM ledger_periodbalance WHERE period_id = %(previous)s"""
    else:
        opening = """SELECT account_id, currency, SUM(amount_minor) AS amount
                     FROM ledger_ledgerentry WHERE occurred_at < %(starts)s
                     GROUP BY account_id, currency"""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH opening AS ({opening}),
            moved AS (
                SELECT account_id, currency,
                       SUM(GREATEST(amount_minor, 0)) AS debit,
                       SUM(GREATEST(-amount_minor, 0)) AS credit
                FROM ledger_ledgerentry
                WHERE occurred_at >= %(starts)s AND occurred_at < %(ends)s
                GROUP BY account_id, currency
            )
            INSERT INTO ledger_periodbalance
                (period_id, account_id, currency, opening_minor, debit_minor, credit_minor,
                 closing_minor)
            SELECT %(period)s, account_id, currency,
                   COALESCE(opening.amount, 0), COALESCE(moved.debit, 0),
                   COALESCE(moved.credit, 0),
                   COALESCE(opening.amount, 0) + COALESCE(moved.debit, 0)
                       - COALESCE(moved.credit, 0)
            FROM opening FULL OUTER JOIN moved USING (account_id, currency)
            """,
            {
                "period": period.pk,
                "previous": previous,
                "starts": period.starts_at,
                "ends": period.ends_at,
            },
        )


def _previous_period_id(period: LedgerPeriod) -> int | None:
    return (
        LedgerPeriod.objects.filter(ends_at=period.starts_at).values_list("pk", flat=True).first()
    )
