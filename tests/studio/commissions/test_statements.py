"""Statements of closed periods equal the ledger, are stored once and never change (a later
refund lands in the next period); payouts pay what is due and no more."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from studio.commissions import documents, services
from studio.commissions.models import Payout, Statement
from studio.ledger import accounts
from studio.ledger.models import LedgerEntry, PeriodBalance
from studio.ledger.services import period_close
from tests.studio.downloads.pdftext import pdf_text


def _backdate(hours):
    """Moves every leg written so far back in time (past the triggers, as a test only may)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE ledger_ledgerentry SET occurred_at = occurred_at - %s",
            [datetime.timedelta(hours=hours)],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")


def _close(label="closed"):
    now = timezone.now()
    return period_close(
        starts_at=now - datetime.timedelta(days=10),
        ends_at=now - datetime.timedelta(hours=1),
        label=label,
    )


def test_a_closed_statement_equals_the_ledger_and_never_changes_after_a_refund(world, pay, refund):
    world.agreement(percent=Decimal("10"))
    order = pay(world.order("30.00", "70.00"))
    services.payout_record(
        school=world.school,
        amount=Decimal("4.00"),
        paid_on=timezone.localdate(),
        reference="TR-77",
        key="payout-form-1",
    )
    _backdate(48)
    period = _close()

    statement = services.statement_get(period=period, school=world.school)
    payable = accounts.commission_payable(world.school.pk)
    balance = PeriodBalance.objects.get(period=period, account=payable, currency="EUR")
    assert (statement.opening_minor, statement.accrued_minor, statement.reversed_minor) == (
        0,
        1000,
        0,
    )
    assert statement.paid_minor == 400
    assert statement.closing_minor == -balance.closing_minor == 600
    assert [line["commission"] for line in statement.snapshot["lines"]] == [300, 700]
    first = statement.snapshot["lines"][0]
    assert (first["order"], first["class"], first["picture_day"], first["net"]) == (
        order.number,
        "3B",
        "Autumn portraits",
        "30.00",
    )
    pdf, csv = bytes(statement.pdf), documents.statement_csv(snapshot=statement.snapshot)
    assert pdf.startswith(b"%PDF")
    # The PDF sums the lines by picture day and class; the CSV lists each of them.
    text = pdf_text(pdf)
    assert "Autumn portraits" in text and "3B" in text
    assert "€10.00" in text and "€6.00" in text  # the commission accrued, then what is due
    assert order.number not in text
    assert order.number in csv.decode("utf-8-sig")

    # A refund after the close reverses in the next period; the closed statement is the same.
    refund(order, "100.00")
    reversals = LedgerEntry.objects.filter(transaction__kind="commission_reversal", account=payable)
    assert sorted(e.amount_minor for e in reversals) == [300, 700]
    assert all(e.occurred_at >= period.ends_at for e in reversals)
    assert world.due() == Decimal("-4.00")  # paid more than is now earned: the school owes 4
    again = services.statement_get(period=period, school=world.school)
    assert again.pk == statement.pk
    assert bytes(again.pdf) == pdf
    assert documents.statement_csv(snapshot=again.snapshot) == csv
    assert Statement.objects.count() == 1


def test_a_stored_statement_cannot_be_rewritten_or_deleted(world, pay):
    world.agreement()
    pay(world.order("10.00"))
    _backdate(48)
    statement = services.statement_get(period=_close(), school=world.school)
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Statement.objects.filter(pk=statement.pk).update(closing_minor=0)
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Statement.objects.filter(pk=statement.pk).delete()


def test_the_csv_has_a_bom_and_the_chosen_delimiter(world, pay):
    world.agreement()
    pay(world.order("10.00"))
    _backdate(48)
    statement = services.statement_get(period=_close(), school=world.school)
    comma = documents.statement_csv(snapshot=statement.snapshot)
    semicolon = documents.statement_csv(snapshot=statement.snapshot, delimiter=";")
    assert comma.startswith(b"\xef\xbb\xbf") and semicolon.startswith(b"\xef\xbb\xbf")
    assert b"Autumn portraits;Line 1;10,00;1,00;EUR" in semicolon
    assert b"Autumn portraits,Line 1,10.00,1.00,EUR" in comma


def test_a_payout_is_recorded_once_per_form_and_never_above_what_is_due(world, pay):
    world.agreement()
    pay(world.order("100.00"))
    args = {"school": world.school, "paid_on": timezone.localdate(), "reference": "TR-1"}
    services.payout_record(amount=Decimal("6.00"), key="form-a", **args)
    services.payout_record(amount=Decimal("6.00"), key="form-a", **args)  # double submit
    assert world.due() == Decimal("4.00")
    assert Payout.objects.count() == 1
    bank = LedgerEntry.objects.get(account=accounts.account(accounts.BANK))
    assert bank.amount_minor == -600
    with pytest.raises(ValidationError, match="up to"):
        services.payout_record(amount=Decimal("4.01"), key="form-b", **args)
    services.payout_record(amount=Decimal("4.00"), key="form-c", **args)
    assert world.due() == Decimal("0")


def test_closing_a_month_stores_every_schools_statement(world, pay):
    world.agreement()
    pay(world.order("10.00"))
    with connection.cursor() as cursor:  # the sale was in the previous month
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE ledger_ledgerentry SET occurred_at = date_trunc('month', now()) - interval '3 days'"
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    period = services.month_close(year=last_month.year, month=last_month.month)
    assert period.label == f"{last_month.year}-{last_month.month:02d}"
    statement = Statement.objects.get(period=period, school=world.school)
    assert statement.accrued_minor == 100
    with pytest.raises(ValidationError):
        services.month_close(year=last_month.year, month=last_month.month)


def test_the_readmes_worked_example(world, pay, refund):
    """README, "Commissions": tiers, a kind that does not count, a payout, a close, a refund
    after it."""
    world.agreement(
        basis="tiered",
        kinds=("print", "digital"),
        tiers=(
            {"up_to": Decimal("1000"), "percent": Decimal("10")},
            {"up_to": None, "percent": Decimal("15")},
        ),
    )
    pay(world.order("800.00"))
    mixed = world.order("250.00", "150.00")
    mixed.lines.filter(description="Line 2").update(kind="album")
    mixed = pay(mixed)
    pay(world.order("100.00"))
    assert world.due() == Decimal("122.50")
    services.payout_record(
        school=world.school,
        amount=Decimal("100"),
        paid_on=timezone.localdate(),
        reference="PP-17",
        key="readme",
    )
    _backdate(48)
    october = services.statement_get(period=_close("October"), school=world.school)
    assert (
        october.opening_minor,
        october.accrued_minor,
        october.reversed_minor,
        october.paid_minor,
        october.closing_minor,
    ) == (0, 12250, 0, 10000, 2250)
    pdf = bytes(october.pdf)
    print_line = mixed.lines.get(kind="print")
    refund(mixed, "250.00", line_ids=[print_line.pk])
    assert world.due() == Decimal("-5.00")
    assert bytes(services.statement_get(period=october.period, school=world.school).pdf) == pdf
