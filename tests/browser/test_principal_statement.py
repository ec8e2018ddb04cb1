"""A school's principal, on a phone, signs in, opens their school from the dashboard, sees
its sales and commission and downloads the closed month's statement (the same PDF the
studio stored). The other school of the studio is not listed.

Screenshots: ``test-output/screenshots/principal-phone-*.png``.
"""

import datetime
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from saas_platform.accounts.models import Role, User
from studio.commissions import services
from studio.commissions.models import Accrual, Agreement, Payout, Statement
from studio.ledger.models import (
    Account,
    LedgerEntry,
    LedgerPeriod,
    LedgerTransaction,
    PeriodBalance,
)
from studio.ledger.services import period_close
from studio.orders.models import Order, Payment
from studio.orders.services import LineInput, order_create, payment_record_offline
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot
from tests.browser.test_operator_console import log_in_staff
from tests.conftest import OWNER_PASSWORD

pytestmark = pytest.mark.browser


def shot(page: Page, screenshot_dir, step: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"principal-phone-{step}.png", full_page=True)


def _max_ids(models) -> dict:
    return {
        model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in models
    }


@pytest.fixture
def school_with_a_statement(live_studios, committed, run_tasks):
    """Committed for the web server: two schools, a signed 10 % agreement and a paid order of
    the principal's school, a closed period with its statement; all removed afterwards (the
    books past their triggers, as only a test may)."""
    ledger = [LedgerEntry, LedgerTransaction, PeriodBalance, LedgerPeriod, Account]
    alpha = live_studios["alpha"]
    tag = uuid4().hex[:6]
    with committed(), schema_context(alpha.schema):
        before = _max_ids(ledger)
        school = School.objects.create(name=f"Gymnasium {tag}")
        other = School.objects.create(name=f"Lyceum {tag}")
        school_class = SchoolClass.objects.create(school=school, name="4A", school_year="2026-2027")
        child = Student.objects.create(school_class=school_class, first_name="Anna", last_name="K")
        shoot = Shoot.objects.create(
            school=school, name="Spring portraits", date=datetime.date(2026, 4, 2)
        )
        agreement = services.agreement_create(
            school=school,
            terms=services.Terms(
                basis="percent",
                percent=Decimal("10"),
                kinds=["print", "digital"],
                valid_from=timezone.localdate() - datetime.timedelta(days=60),
            ),
        )
        services.agreement_move(agreement=agreement, to="sent")
        services.agreement_move(agreement=agreement, to="signed")
        order = order_create(
            lines=[
                LineInput(
                    "Portrait 13×18",
                    "print",
                    1,
                    Decimal("24.00"),
                    Decimal("24.00"),
                    Decimal("24.00"),
                    child_id=child.pk,
                    shoot_id=shoot.pk,
                ),
                LineInput(
                    "All photos",
                    "digital",
                    1,
                    Decimal("30.00"),
                    Decimal("30.00"),
                    Decimal("30.00"),
                    child_id=child.pk,
                    shoot_id=shoot.pk,
                ),
            ],
            currency=alpha.studio.currency,
            email=f"parent-{tag}@x.test",
            payment_method="cash",
            idempotency_key=f"principal-{tag}",
        )
        payment_record_offline(order=order, amount=order.total, method="cash", actor=None)
        with connection.cursor() as cursor:  # the sale happened two days ago
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(
                "UPDATE ledger_ledgerentry SET occurred_at = occurred_at - interval '2 days' WHERE id > %s",
                [before[LedgerEntry]],
            )
            cursor.execute("SET session_replication_role = origin")
        last_end = (
            LedgerPeriod.objects.order_by("-ends_at").values_list("ends_at", flat=True).first()
        )
        now = timezone.now()
        period = period_close(
            starts_at=last_end or now - datetime.timedelta(days=20),
            ends_at=now - datetime.timedelta(hours=1),
            label=f"Test {tag}",
        )
        statement = services.statement_get(period=period, school=school)
        principal = User.objects.create_user(
            email=f"head-{tag}@alpha.test",
            password=OWNER_PASSWORD,
            role=Role.PRINCIPAL,
            full_name="Head Teacher",
        )
        school.principals.add(principal)
    yield {
        "alpha": alpha,
        "principal": principal,
        "school": school,
        "other": other,
        "statement": statement,
    }
    with committed(), schema_context(alpha.schema):
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
            Statement.objects.filter(school__in=[school, other]).delete()
            for model in ledger:
                model.objects.filter(pk__gt=before[model]).delete()
            cursor.execute("SET session_replication_role = origin")
        Accrual.objects.filter(school=school).delete()
        Payout.objects.filter(school=school).delete()
        Agreement.objects.filter(school__in=[school, other]).delete()
        Payment.objects.filter(order=order).delete()
        Order.objects.filter(pk=order.pk).delete()
        shoot.delete()
        child.delete()
        school_class.delete()
        school.delete()
        other.delete()
        principal.delete()


def test_a_principal_downloads_the_statement_on_a_phone(
    school_with_a_statement, web_server, context_factory, screenshot_dir
):
    data = school_with_a_statement
    alpha, school = data["alpha"], data["school"]
    base = f"http://{alpha.host}:{web_server}"
    page = context_factory("phone").new_page()
    log_in_staff(page, base, data["principal"].email)
    shot(page, screenshot_dir, "01-dashboard")

    page.locator("main").get_by_role("link", name="My schools").click()
    expect(page).to_have_url(f"{base}/staff/my-schools/")
    expect(page.locator("main")).to_contain_text(school.name)
    expect(page.locator("main")).not_to_contain_text(data["other"].name)
    page.get_by_role("link", name=school.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(school.name)
    main = page.locator("main")
    expect(main).to_contain_text("4A")
    expect(main).to_contain_text("Spring portraits")
    expect(main).not_to_contain_text("@x.test")  # no parent's e-mail
    # 10 % of 54.00, accrued and due
    expect(main.locator(".stats")).to_contain_text("5.40")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways
    shot(page, screenshot_dir, "02-school")

    with page.expect_download() as info:
        page.get_by_role("link", name="PDF", exact=True).first.click()
    download = info.value
    path = download.path()
    content = Path(path).read_bytes()
    assert content == bytes(data["statement"].pdf)
    assert download.suggested_filename.endswith(".pdf")
    shot(page, screenshot_dir, "03-downloaded")


def test_the_owner_pays_the_school_on_a_phone(
    school_with_a_statement, web_server, context_factory, screenshot_dir
):
    data = school_with_a_statement
    alpha, school = data["alpha"], data["school"]
    base = f"http://{alpha.host}:{web_server}"
    page = context_factory("phone").new_page()
    log_in_staff(page, base, alpha.owner_email)
    page.locator("nav.nav summary", has_text="Money").click()
    page.locator("nav.nav").get_by_role("link", name="Commissions").click()
    expect(page).to_have_url(f"{base}/staff/commissions/")
    shot(page, screenshot_dir, "10-owner-list")
    page.get_by_role("link", name=school.name).click()
    expect(page.locator("#due")).to_have_text("€5.40")
    page.get_by_label("Amount").fill("5.00")
    page.get_by_label("Bank reference").fill("PP-1")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator(".messages li").first).to_contain_text("Payment to the school recorded.")
    expect(page.locator("#due")).to_have_text("€0.40")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, screenshot_dir, "11-owner-paid")


def test_the_owner_drafts_and_sends_a_tiered_agreement_on_a_phone(
    school_with_a_statement, web_server, context_factory, screenshot_dir
):
    data = school_with_a_statement
    alpha, other = data["alpha"], data["other"]
    base = f"http://{alpha.host}:{web_server}"
    page = context_factory("phone").new_page()
    log_in_staff(page, base, alpha.owner_email)
    page.goto(f"{base}/staff/commissions/schools/{other.pk}/")
    expect(page.locator("main")).to_contain_text("No agreement yet")
    page.get_by_role("link", name="New agreement").click()
    page.get_by_label("Tiered by sales volume").check()
    page.get_by_label("Percent up to the threshold").fill("10")
    page.get_by_label("Threshold (cumulative net sales)").fill("1000")
    page.get_by_label("Percent above the threshold").fill("15")
    page.get_by_label("Albums").uncheck()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, screenshot_dir, "20-agreement-form")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages li").first).to_contain_text("Agreement saved as a draft.")
    agreement = page.locator(".agreement")
    expect(agreement).to_contain_text("10% up to €1,000.00, 15% above that — on the school’s")
    expect(agreement).to_contain_text("Digital, Prints, Packages")
    page.get_by_role("button", name="Mark as sent").click()
    expect(agreement.locator(".badge")).to_have_text("Sent")
    expect(page.get_by_role("button", name="Mark as signed")).to_be_visible()
    shot(page, screenshot_dir, "21-agreement-sent")
