"""The platform's share of cash and bank-transfer sales: owed in the studio's books as each
payment arrives, invoiced once a month through Stripe Billing on the studio's customer."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from billing.models import Plan, PlanKind
from studio.ledger import accounts
from studio.ledger.models import LedgerTransaction
from studio.ledger.selectors import balance
from studio.orders.services import LineInput, order_create, payment_record_offline
from studio.plan.platform_fees import (
    platform_fee_lines,
    platform_fees_invoice,
    platform_fees_owed_minor,
)
from studio.plan.tasks import platform_fees_invoice_all
from tenants.models import Studio
from tests.conftest import ledger_backdate


@pytest.fixture
def sharing_alpha(alpha, stripe_on):
    plan = Plan.objects.create(
        code="share-5", name="Share", kind=PlanKind.REVENUE_SHARE, revenue_share_percent=5
    )
    Studio.objects.filter(pk=alpha.studio.pk).update(plan=plan, currency="EUR")
    alpha.studio.refresh_from_db()
    return alpha


def _paid(books, key, amount, method="bank_transfer"):
    with books(execute=True):
        order = order_create(
            lines=[
                LineInput("Print", "print", 1, Decimal(amount), Decimal(amount), Decimal(amount))
            ],
            currency="EUR",
            email="mum@x.test",
            payment_method=method,
            idempotency_key=key,
        )
        payment_record_offline(order=order, amount=Decimal(amount), method=method, actor=None)
    return order


def test_last_months_share_is_invoiced_once_and_settled_in_the_books(
    sharing_alpha,
    stripe_on,
    django_capture_on_commit_callbacks,
    run_tasks,
):
    books = django_capture_on_commit_callbacks
    today = timezone.localdate()
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    in_last_month = timezone.now().replace(day=1) - datetime.timedelta(days=2)
    connection.set_schema(sharing_alpha.schema)
    try:
        earlier = _paid(books, "fees-1", "100.00")
        ledger_backdate(earlier.pk, in_last_month)
        _paid(books, "fees-2", "33.33", method="cash")  # this month: next invoice
        assert platform_fees_owed_minor("EUR") == 500 + 167
        assert [line.amount_minor for line in platform_fee_lines("EUR")] == [-167, -500]

        connection.set_schema_to_public()
        assert platform_fees_invoice_all() >= 1  # a task per studio, in its schema
        connection.set_schema(sharing_alpha.schema)
        posted = LedgerTransaction.objects.get(kind="platform_invoice")
        assert posted.key == f"platform_invoice:{last_month:%Y-%m}"
        assert platform_fees_owed_minor("EUR") == 167  # this month's stays owed
        assert balance(accounts.account(accounts.BANK), "EUR") == Decimal("100.00") - Decimal(
            "5.00"
        )
        # Run again (the beat every few hours, a retried task): nothing more at Stripe.
        platform_fees_invoice(
            studio=Studio.objects.get(pk=sharing_alpha.studio.pk), month=last_month
        )
    finally:
        connection.set_schema_to_public()

    (item_request,) = stripe_on.posts("/v1/invoiceitems")
    assert item_request["params"]["amount"] == "500"
    assert item_request["params"]["currency"] == "eur"
    assert item_request["params"]["metadata"]["period"] == f"{last_month:%Y-%m}"
    (invoice_request,) = stripe_on.posts("/v1/invoices")
    assert invoice_request["params"]["collection_method"] == "charge_automatically"
    assert posted.memo.startswith("in_")


def test_nothing_is_invoiced_without_offline_sales(sharing_alpha, stripe_on):
    connection.set_schema(sharing_alpha.schema)
    try:
        last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
        assert platform_fees_invoice(studio=sharing_alpha.studio, month=last_month) is None
    finally:
        connection.set_schema_to_public()
    assert stripe_on.posts("/v1/invoiceitems") == []
