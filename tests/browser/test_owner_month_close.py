"""The owner closes last month on a phone: a school with a signed 10 % agreement and a
photographer paid per sold photo sold in that month. The owner closes the month, opens the
school's statement and pays the school, runs staff pay, and every page agrees with the
books: the statement's accrued = the commission on the commissions page = the ledger's
commissions for the month; the pay run's amount = the photographer's statement's paid; the
reports' books for the month show the same commissions and staff pay.

Screenshots: ``test-output/screenshots/month-close-phone-*.png``.
"""

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Locator, Page, expect

from saas_platform.accounts.models import User
from saas_platform.money import from_minor
from studio.audit.models import AuditEntry
from studio.commissions import services as commissions
from studio.commissions.models import Accrual, Agreement, Payout, Statement
from studio.ledger import selectors as ledger
from studio.ledger.models import (
    Account,
    LedgerEntry,
    LedgerPeriod,
    LedgerTransaction,
    PeriodBalance,
)
from studio.orders.models import Order, Payment
from studio.payroll import selectors as payroll
from studio.payroll.models import PayRule, PayRun, PayRunLine
from studio.payroll.models import PayRuleKind as K
from studio.photos.models import Photo
from tenants.selectors import studio_tzinfo
from tests.browser.test_operator_console import log_in_staff
from tests.conftest import ledger_backdate
from tests.studio.payroll.conftest import make_crew, rule, sell, sold

pytestmark = pytest.mark.browser

BOOKS = [LedgerEntry, LedgerTransaction, PeriodBalance, LedgerPeriod, Account]


def shot(page: Page, screenshot_dir, step: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"month-close-phone-{step}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways


def money(text: str) -> Decimal:
    """ "€1,234.50" or "−€2.00" as a Decimal (English formats)."""
    sign = -1 if text.strip().startswith(("-", "−")) else 1
    return sign * Decimal(re.sub(r"[^\d.]", "", text))


def amount_in(locator: Locator) -> Decimal:
    return money(locator.inner_text())


def _max_ids(models) -> dict:
    return {
        model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in models
    }


@pytest.fixture
def last_months_sales(live_studios, committed, media_in_tmp, run_tasks):
    """Committed for the web server: alpha's crew, a signed 10 % agreement of the crew's
    school (prints and files), a per-sold-photo rule for photographers and two paid orders of
    the photographer's photo, their books moved to the middle of last month; all removed
    afterwards (the books past their triggers, as only a test may)."""
    alpha = live_studios["alpha"]
    with committed(), schema_context(alpha.schema):
        before = _max_ids([*BOOKS, AuditEntry])
        tz = studio_tzinfo(alpha.studio)
        today = timezone.localdate(timezone=tz)
        month_start = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        sold_at = datetime.datetime.combine(
            month_start.replace(day=15), datetime.time(11, 30), tzinfo=tz
        )
        crew = make_crew(alpha.owner_email)
        agreement = commissions.agreement_create(
            school=crew.school,
            terms=commissions.Terms(
                basis="percent",
                percent=Decimal("10"),
                kinds=["print", "digital"],
                valid_from=month_start - datetime.timedelta(days=30),
            ),
        )
        commissions.agreement_move(agreement=agreement, to="sent")
        commissions.agreement_move(agreement=agreement, to="signed")
        rule(K.PHOTO_SALE, "1.50", role="photographer", print_amount=Decimal("2.25"))
        orders = [
            sell(sold(crew, ("print", 2, "12.00"), ("digital", 1, "9.00"))),
            sell(sold(crew, ("digital", 1, "15.00"))),
        ]
        for order in orders:  # the events have run (autocommit); the sales were last month
            with transaction.atomic():
                ledger_backdate(order.pk, sold_at)
    yield {"alpha": alpha, "crew": crew, "month_start": month_start, "tz": tz}
    with committed(), schema_context(alpha.schema):
        people = [crew.photographer, crew.second, crew.manager, crew.retoucher, crew.principal]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            Statement.objects.filter(school=crew.school).delete()
            for model in BOOKS:
                model.objects.filter(pk__gt=before[model]).delete()
            cursor.execute("SET LOCAL session_replication_role = origin")
        Accrual.objects.filter(school=crew.school).delete()
        Payout.objects.filter(school=crew.school).delete()
        Agreement.objects.filter(school=crew.school).delete()
        Payment.objects.filter(order__in=orders).delete()
        Order.objects.filter(pk__in=[o.pk for o in orders]).delete()
        PayRunLine.objects.filter(person__in=people).delete()
        PayRun.objects.filter(lines__isnull=True).delete()
        PayRule.objects.all().delete()
        AuditEntry.objects.filter(pk__gt=before[AuditEntry]).delete()
        Photo.objects.filter(shoot=crew.shoot).delete()
        crew.shoot.delete()
        crew.school.delete()
        User.objects.filter(pk__in=[p.pk for p in people]).delete()


def test_the_owner_closes_last_month_and_the_figures_agree_on_a_phone(
    last_months_sales, committed, web_server, phone_context, screenshot_dir
):
    data = last_months_sales
    alpha, crew, month_start = data["alpha"], data["crew"], data["month_start"]
    month_end = (month_start + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(
        days=1
    )
    base = f"http://{alpha.host}:{web_server}"
    page = phone_context.new_page()
    log_in_staff(page, base, alpha.owner_email)

    # 1. close last month
    page.locator("nav.nav summary", has_text="Money").click()  # the money pages' menu
    page.locator("nav.nav").get_by_role("link", name="Commissions").click()
    expect(page).to_have_url(f"{base}/staff/commissions/")
    page.get_by_role("link", name="Close a month").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close a month")
    page.get_by_label("Month").select_option(f"{month_start:%Y-%m}")
    shot(page, screenshot_dir, "01-close")
    page.get_by_role("button", name="Close the month").click()
    expect(page).to_have_url(f"{base}/staff/commissions/")
    expect(page.locator(".messages li").first).to_contain_text(
        f"{month_start:%B %Y} is closed; its statements are ready."
    )
    row = page.locator("main tbody tr").filter(has_text=crew.school.name)
    # 10 % of €21.00 + €15.00
    page_accrued = amount_in(row.locator("td[data-label='Accrued']"))
    assert page_accrued == Decimal("3.60")
    shot(page, screenshot_dir, "02-closed")

    # 2. the school's statement of the month, then pay the school what it is due
    row.get_by_role("link", name=crew.school.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(crew.school.name)
    statement = page.locator(".statements .statement").filter(has_text=f"{month_start:%B %Y}")
    # the month's own days, its last one included
    expect(statement).to_contain_text(f"1 {month_start:%b %Y} — {month_end.day} {month_end:%b %Y}")
    with page.expect_download() as info:
        statement.get_by_role("link", name="CSV", exact=True).click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_bytes().decode("utf-8-sig"))))
    totals = {r[0]: Decimal(r[6]) for r in rows if len(r) > 6 and r[0] and not r[1]}
    assert totals["Accrued"] == page_accrued
    assert totals["Closing balance (due)"] == page_accrued
    assert sum(Decimal(r[6]) for r in rows[1:] if len(r) > 6 and r[1]) == page_accrued
    due = amount_in(page.locator("#due"))
    assert due == totals["Closing balance (due)"]
    page.get_by_label("Amount").fill(str(due))
    page.get_by_label("Bank reference").fill("PP-CLOSE")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator(".messages li").first).to_contain_text("Payment to the school recorded.")
    expect(page.locator("#due")).to_have_text("€0.00")
    shot(page, screenshot_dir, "03-school-paid")

    # 3. pay the photographer for work up to the month's last day
    page.locator("nav.nav summary", has_text="Money").click()  # the money pages' menu
    page.locator("nav.nav").get_by_role("link", name="Staff pay").click()
    page.get_by_role("link", name="Pay runs").click()
    page.get_by_label("Pay for work up to").fill(month_end.isoformat())
    page.get_by_role("button", name="Run pay").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pay run PAY-")
    pavel_line = page.locator("tr.pay-run-line").filter(has_text="Pavel")
    expect(pavel_line).to_have_count(1)
    # 2 prints × €2.25 + 2 files × €1.50
    run_amount = amount_in(pavel_line.locator("td[data-label='Amount']"))
    assert run_amount == Decimal("7.50")
    shot(page, screenshot_dir, "04-pay-run")

    page.goto(f"{base}/staff/pay/people/{crew.photographer.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pavel")
    paid_card = page.locator("#statement-summary .card").filter(has_text="Paid")
    statement_paid = amount_in(paid_card.locator(".stat"))
    assert statement_paid == run_amount
    shot(page, screenshot_dir, "05-photographer")

    # 4. the reports' books for the month
    page.locator("nav.nav summary", has_text="Money").click()  # the money pages' menu
    page.locator("nav.nav").get_by_role("link", name="Reports", exact=True).click()
    page.get_by_label("From", exact=True).fill(month_start.isoformat())
    page.get_by_label("To", exact=True).fill(month_end.isoformat())
    page.get_by_role("button", name="Show").click()
    books = page.locator("#ledger_summary")
    expect(books).to_be_visible()

    def figure(name: str) -> Decimal:
        cell = books.locator("tbody tr").filter(has_text=name).locator("td.num")
        return amount_in(cell)

    report_commissions = figure("School commissions")
    report_staff_pay = figure("Staff pay")
    books.scroll_into_view_if_needed()
    shot(page, screenshot_dir, "06-reports")

    # and the books themselves
    with committed(), schema_context(alpha.schema):
        period = LedgerPeriod.objects.get(label=f"{month_start:%Y-%m}")
        currency = alpha.studio.currency
        summary = ledger.summary(currency, starts_at=period.starts_at, ends_at=period.ends_at)
        stored = Statement.objects.get(period=period, school=crew.school)
        today = timezone.localdate(timezone=data["tz"])
        st = payroll.statement(crew.photographer, starts=today.replace(day=1), ends=today)
    books_commissions = from_minor(summary.commissions, currency)
    assert books_commissions == page_accrued == totals["Accrued"] == report_commissions
    assert from_minor(stored.accrued_minor, currency) == page_accrued
    assert from_minor(summary.staff_pay, currency) == run_amount == report_staff_pay
    assert st.paid == statement_paid == run_amount
