"""Races on the books, with real transactions on two connections that both commit: a refund
landing while a period closes, a staff refund and Stripe's webhook for the same refund, the
same refund or payment reported twice at once. In each, one side holds its transaction open
until the other is seen waiting on a lock (pg_stat_activity), so the race really happens.

The test's rows are committed (no ``db`` fixture), in francs so what the books keep (they
refuse DELETE) never meets another test's sums; the clean-up removes them past the triggers."""

import threading
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.models import StripeEvent
from studio.ledger import accounts, postings
from studio.ledger.models import LedgerPeriod, LedgerTransaction, PeriodBalance, TransactionKind
from studio.ledger.selectors import balance_minor
from studio.ledger.services import last_closed_end, period_close
from studio.orders.models import Order, Payment, Refund
from studio.orders.services import LineInput, order_create, payment_record_offline, refund_record

CURRENCY = "CHF"
ACCOUNT = "acct_alpha_race"


# ----------------------------------------------------------------------------- helpers


def _waiting(wait_event: str, timeout: float = 5.0) -> bool:
    """Whether another connection of this database waits on a lock of that kind ("advisory"
    for the ledger's lock; "transactionid" or "tuple" for a row another holds)."""
    events = ("transactionid", "tuple") if wait_event == "row" else (wait_event,)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else frozen for the transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND wait_event = ANY(%s) AND pid <> pg_backend_pid()",
                [list(events)],
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def _race(schema: str, first, second, *, waits_on: str) -> dict:
    """Runs ``first`` in a transaction held open until ``second`` (started once ``first``
    returned) waits on a lock; then both commit. Returns their outcomes, errors included."""
    first_done, outcome = threading.Event(), {}

    def run_first():
        try:
            with schema_context(schema), transaction.atomic():
                outcome["first"] = first()
                first_done.set()
                outcome["second_waited"] = _waiting(waits_on)
        except Exception as error:  # reported by the test, not lost in the thread
            outcome["first"] = error
        finally:
            first_done.set()
            connections.close_all()

    def run_second():
        first_done.wait(10)
        try:
            with schema_context(schema):
                outcome["second"] = second()
        except Exception as error:
            outcome["second"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "a side never finished"
    for side in ("first", "second"):
        assert not isinstance(outcome.get(side), Exception), outcome.get(side)
    assert outcome["second_waited"], "the second side did not wait for the first"
    return outcome


def _forget(schema: str, orders=(), periods=(), events=()) -> None:
    """Removes what a test committed; the books refuse DELETE, so past their triggers."""
    with schema_context(schema):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            order_ids = [order.pk for order in orders]
            txn_ids = list(
                LedgerTransaction.objects.filter(order_id__in=order_ids).values_list(
                    "pk", flat=True
                )
            )
            cursor.execute(
                "DELETE FROM ledger_ledgerentry WHERE transaction_id = ANY(%s)", [txn_ids]
            )
            cursor.execute("DELETE FROM ledger_ledgertransaction WHERE id = ANY(%s)", [txn_ids])
            period_ids = [period.pk for period in periods]
            cursor.execute(
                "DELETE FROM ledger_periodbalance WHERE period_id = ANY(%s)", [period_ids]
            )
            cursor.execute("DELETE FROM ledger_ledgerperiod WHERE id = ANY(%s)", [period_ids])
            cursor.execute("SET LOCAL session_replication_role = origin")
        Refund.objects.filter(order_id__in=order_ids).delete()
        Payment.objects.filter(order_id__in=order_ids).delete()
        for order in Order.objects.filter(pk__in=order_ids):
            parent = order.parent
            order.delete()
            if parent is not None:
                parent.delete()
    StripeEvent.objects.filter(event_id__in=list(events)).delete()


def _paid_offline_order(total: str) -> Order:
    amount = Decimal(total)
    order = order_create(
        lines=[LineInput("Print", "print", 1, amount, amount, amount)],
        currency=CURRENCY,
        email="race@x.test",
        payment_method="cash",
        idempotency_key=f"race-{uuid.uuid4().hex}",
    )
    payment_record_offline(order=order, amount=amount, method="cash", actor=None)
    return Order.objects.get(pk=order.pk)


def _ledger(order: Order, kind: str) -> list[LedgerTransaction]:
    return list(LedgerTransaction.objects.filter(order_id=order.pk, kind=kind))


# ----------------------------------------------------------------------------- a period closes


@pytest.mark.parametrize("first", ["close", "refund"])
def test_a_refund_landing_while_a_period_closes_is_counted_in_one_period(
    live_studios, committed, first
):
    """The close holds the ledger's lock alone: a refund posted meanwhile waits and lands
    after the period's end (the closed period never holds it). A refund posted first holds
    the lock shared: the close waits for it, and the period then includes it."""
    alpha = live_studios["alpha"]
    cash = None
    with committed(), schema_context(alpha.schema):
        order = _paid_offline_order("30.00")
        cash = accounts.account(accounts.CASH)
        before = balance_minor(cash, CURRENCY)
        starts_at = last_closed_end() or timezone.now() - timedelta(days=1)

    def close():
        return period_close(
            starts_at=starts_at, ends_at=timezone.now(), label=f"Race {first}", actor=None
        )

    def refund():
        return refund_record(order=order, amount=Decimal("12.50"), reason="damaged print")

    def refund_posted():
        """The refund with its posting inside the held transaction (as its after-commit
        event would post it): the ledger's lock is held shared until it commits."""
        made = refund()
        postings.refund_post(refund=made)
        return made

    with committed():
        outcome = {}
        try:
            if first == "close":
                outcome = _race(alpha.schema, close, refund, waits_on="advisory")
                period = outcome["first"]
            else:
                outcome = _race(alpha.schema, refund_posted, close, waits_on="advisory")
                period = outcome["second"]
            with schema_context(alpha.schema):
                (txn,) = _ledger(order, TransactionKind.REFUND)
                snapshot = PeriodBalance.objects.get(period=period, account=cash, currency=CURRENCY)
                after = balance_minor(cash, CURRENCY)
                assert Refund.objects.filter(order=order).count() == 1
                assert Order.objects.get(pk=order.pk).refunded_total == Decimal("12.50")
        finally:
            periods = [outcome[side] for side in ("first", "second") if side in outcome]
            _forget(
                alpha.schema,
                orders=[order],
                periods=[p for p in periods if isinstance(p, LedgerPeriod)],
            )

    assert after == before - 1250
    if first == "close":
        assert txn.occurred_at >= period.ends_at
        assert snapshot.closing_minor == before  # the closed period does not hold it
    else:
        assert txn.occurred_at < period.ends_at
        assert snapshot.closing_minor == before - 1250  # the period includes it
