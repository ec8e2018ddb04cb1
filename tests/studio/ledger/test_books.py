"""The ledger: every payment, refund and fee written once as a balanced transaction, rows
that the database itself refuses to change, periods that close into snapshots."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from studio.ledger import accounts, selectors
from studio.ledger.models import (
    LedgerEntry,
    LedgerPeriod,
    LedgerTransaction,
    PeriodBalance,
    period_title,
)
from studio.ledger.services import Leg, last_closed_end, period_close, transaction_post
from studio.orders.models import APPLICATION_FEE_KEY, Payment
from studio.orders.services import (
    LineInput,
    order_create,
    payment_confirm,
    payment_create,
    payment_record_offline,
    refund_record,
)
from studio.orders.signals import payment_confirmed
from tests.conftest import ledger_backdate


def new_order(key, total="20.00", currency="EUR", discount="0"):
    amount = Decimal(total)
    return order_create(
        lines=[LineInput("Print", "print", 1, amount + Decimal(discount), amount, amount)],
        currency=currency,
        email="mum@x.test",
        payment_method="bank_transfer",
        idempotency_key=key,
        discount_total=Decimal(discount),
    )


@pytest.fixture
def books(in_alpha, django_capture_on_commit_callbacks, run_tasks):
    """Runs ``fn`` and the events its commit sends (the ledger's receivers among them)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def bal(code, currency):
    """Each test books in a currency of its own: rows the browser and worker tests commit (in
    EUR) stay in the test database, as the books never forget."""
    return selectors.balance(accounts.account(code), currency)


def test_an_offline_payment_is_posted_once_with_the_platforms_share_owed(books, revenue_share):
    order = new_order("ledger-offline", currency="SEK")
    payment = books(
        payment_record_offline,
        order=order,
        amount=Decimal("20.00"),
        method="bank_transfer",
        actor=None,
        reference="TR-1",
    )
    assert bal(accounts.BANK, "SEK") == Decimal("20.00")
    assert bal(accounts.SALES, "SEK") == Decimal("-20.00")
    assert bal(accounts.PLATFORM_FEES, "SEK") == Decimal("1.60")
    assert bal(accounts.PLATFORM_FEES_PAYABLE, "SEK") == Decimal("-1.60")

    # The event heard again (a retried task, a second receiver run) writes nothing more.
    before = LedgerEntry.objects.count()
    books(lambda: payment_confirmed.send(sender=None, order=order, payment=payment))
    books(payment_confirm, payment=payment)
    assert LedgerEntry.objects.count() == before


def test_a_card_payment_takes_the_fee_stripe_charged_from_the_stripe_balance(books):
    order = new_order("ledger-card", total="33.33", currency="NOK")
    payment = payment_create(order=order, provider="stripe")
    Payment.objects.filter(pk=payment.pk).update(provider_data={APPLICATION_FEE_KEY: 250})
    books(payment_confirm, payment=Payment.objects.get(pk=payment.pk))
    assert bal(accounts.STRIPE, "NOK") == Decimal("33.33") - Decimal("2.50")
    assert bal(accounts.PLATFORM_FEES, "NOK") == Decimal("2.50")
    assert bal(accounts.PLATFORM_FEES_PAYABLE, "NOK") == Decimal("0")


def test_refunds_leave_the_account_the_money_came_into_and_discounts_show_beside_sales(books):
    order = new_order("ledger-refund", total="30.00", discount="5.00", currency="DKK")
    books(payment_record_offline, order=order, amount=Decimal("30"), method="cash", actor=None)
    books(refund_record, order=order, amount=Decimal("12.50"), reason="damaged print")

    assert bal(accounts.CASH, "DKK") == Decimal("17.50")
    assert bal(accounts.SALES, "DKK") == Decimal("-35.00")  # gross
    assert bal(accounts.DISCOUNTS, "DKK") == Decimal("5.00")
    assert bal(accounts.REFUNDS, "DKK") == Decimal("12.50")
    summary = selectors.summary("DKK")
    assert (summary.received, summary.refunded, summary.discounts) == (3000, 1250, 500)
    assert summary.received - summary.refunded == (
        summary.studio_revenue + summary.commissions + summary.staff_pay + summary.platform_fees
    )


def test_amounts_without_cents_and_with_three_decimals_stay_exact(books):
    jpy = new_order("ledger-jpy", total="1500", currency="JPY")
    books(payment_record_offline, order=jpy, amount=Decimal("1500"), method="cash", actor=None)
    assert LedgerEntry.objects.filter(currency="JPY", amount_minor=1500).exists()
    kwd = new_order("ledger-kwd", total="1.235", currency="KWD")
    books(payment_record_offline, order=kwd, amount=Decimal("1.235"), method="cash", actor=None)
    kwd.refresh_from_db()
    assert kwd.paid_total == Decimal("1.235")  # the order keeps its fils, not 1.24
    assert selectors.balance(accounts.account(accounts.CASH), "KWD") == Decimal("1.235")


def test_a_transaction_that_does_not_balance_is_refused_before_and_at_commit(in_alpha):
    cash, sales = accounts.account(accounts.CASH), accounts.account(accounts.SALES)
    with pytest.raises(ValueError):
        transaction_post(
            key="unbalanced", kind="payment", currency="EUR", legs=[Leg(cash, 5), Leg(sales, -4)]
        )
    # Written past the service, the database refuses it when the transaction commits.
    with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
        txn = LedgerTransaction.objects.create(
            key="raw", kind="payment", currency="EUR", occurred_at=timezone.now()
        )
        LedgerEntry.objects.create(
            transaction=txn,
            account=cash,
            amount_minor=5,
            currency="EUR",
            occurred_at=txn.occurred_at,
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT does


def test_the_database_refuses_to_update_or_delete_the_books(books):
    order = new_order("ledger-immutable")
    books(payment_record_offline, order=order, amount=Decimal("20"), method="cash", actor=None)
    entry = LedgerEntry.objects.filter(transaction__order_id=order.pk).first()
    for sql in (
        "UPDATE ledger_ledgerentry SET amount_minor = 1 WHERE id = %s",
        "DELETE FROM ledger_ledgerentry WHERE id = %s",
        "UPDATE ledger_ledgertransaction SET memo = 'x' WHERE id = %s",
    ):
        target = entry.transaction_id if "transaction SET" in sql else entry.pk
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [target])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()


def test_the_other_studio_has_books_of_its_own(books, beta):
    order = new_order("ledger-alpha-only")
    books(payment_record_offline, order=order, amount=Decimal("20"), method="cash", actor=None)
    assert LedgerEntry.objects.exists()
    with schema_context(beta.schema):
        assert not LedgerEntry.objects.filter(transaction__order_id=order.pk).exists()
        now = timezone.now()
        period_close(starts_at=now - timedelta(days=2), ends_at=now, label="beta's")
        with (  # the triggers are in every studio's schema
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("DELETE FROM ledger_ledgerperiod")


def test_a_closed_period_keeps_its_balances_and_later_money_lands_after_it(books):
    order = new_order("ledger-close", total="40.00", currency="CHF")
    books(payment_record_offline, order=order, amount=Decimal("40"), method="cash", actor=None)
    now = timezone.now()
    ledger_backdate(order.pk, now - timedelta(hours=48))
    periods_before = LedgerPeriod.objects.count()
    start = last_closed_end() or now - timedelta(days=10)
    end = now - timedelta(hours=1)
    with pytest.raises(ValidationError):
        period_close(starts_at=start, ends_at=now + timedelta(days=1), label="not over yet")
    period = period_close(starts_at=start, ends_at=end, label="closed")
    cash = accounts.account(accounts.CASH)
    snapshot = PeriodBalance.objects.get(period=period, account=cash, currency="CHF")
    assert (snapshot.opening_minor, snapshot.debit_minor, snapshot.closing_minor) == (
        0,
        4000,
        4000,
    )
    with pytest.raises(ValidationError):  # the next period starts where this one ended
        period_close(starts_at=start, ends_at=end, label="again")

    books(refund_record, order=order, amount=Decimal("10"), reason="late")
    refund_leg = LedgerEntry.objects.get(
        transaction__kind="refund", transaction__order_id=order.pk, account=cash
    )
    assert refund_leg.occurred_at >= end  # never inside the closed period
    assert selectors.balance(cash, "CHF") == Decimal("30.00")
    assert selectors.balance(cash, "CHF", until=end) == Decimal("40.00")
    assert LedgerPeriod.objects.count() == periods_before + 1


def test_a_month_reads_as_its_name_in_the_readers_language():
    with translation.override("en"):
        assert period_title("2026-11") == "November 2026"
    with translation.override("ru"):
        assert period_title("2026-11") == "Ноябрь 2026"
    assert period_title("season 2026") == "season 2026"  # not a month: as it was named
