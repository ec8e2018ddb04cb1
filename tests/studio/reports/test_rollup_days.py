"""The sales sums are kept day by day: a page with nothing changed reads no sold lines again,
and a change to one day's orders (a payment, a refund) recomputes that day alone."""

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from studio.orders.models import Order
from studio.orders.services import refund_record
from studio.reports import rollup
from studio.reports.selectors import Period


def period() -> Period:
    today = timezone.localdate()
    return Period(today - timedelta(days=29), today, "EUR")


def days_read(captured) -> list[str]:
    """The statements that read sold lines (each names the days it was asked for)."""
    return [q["sql"] for q in captured.captured_queries if "GROUPING SETS" in q["sql"]]


def test_an_unchanged_month_reads_no_sold_lines_and_a_refund_reads_its_day_again(alpha, sales, run):
    with schema_context(alpha.schema):
        with CaptureQueriesContext(connection) as first:
            before = rollup.sales_rollup(period())
        assert len(days_read(first)) == 1
        assert before["total"][0]["revenue"] == Decimal("102.00")

        with CaptureQueriesContext(connection) as again:
            assert rollup.sales_rollup(period()) == before
        assert days_read(again) == []  # every day from the cache

        # The 20-days-old order is paid in full: its day alone is read again.
        old_day, today = timezone.localdate() - timedelta(days=20), timezone.localdate()
        Order.objects.filter(email="mum5@x.test").update(paid_total=Decimal("25"))
        with CaptureQueriesContext(connection) as paid:
            rollup.sales_rollup(period())
        [statement] = days_read(paid)
        assert str(old_day) in statement and str(today) not in statement

        # The 50.00 order at Elm (placed today) is refunded 20: today alone is read again.
        elm = Order.objects.get(email="dad6@x.test")
        run(refund_record, order=elm, amount=Decimal("20"), reason="damaged")
        with CaptureQueriesContext(connection) as refunded:
            after = rollup.sales_rollup(period())
        [statement] = days_read(refunded)
        assert str(today) in statement and str(old_day) not in statement
        assert after["total"][0]["revenue"] == Decimal("82.00") + Decimal("25.00")
        by_school = {row["school_id"]: row for row in after["school"]}
        assert by_school[sales.elm.pk]["revenue"] == Decimal("30.00")
        assert by_school[sales.elm.pk]["families"] == 1


def test_a_school_filter_and_another_studio_have_sums_of_their_own(alpha, beta, sales):
    with schema_context(alpha.schema):
        whole = rollup.sales_rollup(period())
        oak = rollup.sales_rollup(
            Period(period().first_day, period().last_day, "EUR", sales.oak.pk)
        )
    with schema_context(beta.schema):
        elsewhere = rollup.sales_rollup(period())
    assert whole["total"][0]["revenue"] == Decimal("102.00")
    assert oak["total"][0]["revenue"] == Decimal("52.00")
    assert elsewhere["total"] == []
