"""A photographer on a phone opens "My earnings" from the menu after a photo of theirs sold:
the statement shows what the sale earned them and nothing of anyone else's.

Screenshot: ``test-output/screenshots/my-earnings-phone.png``.
"""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from saas_platform.accounts.models import User
from studio.audit.models import AuditEntry
from studio.ledger.models import Account, LedgerTransaction
from studio.orders.models import Order, Payment
from studio.payroll.models import PayRule, PayRun, PayRunLine
from studio.payroll.models import PayRuleKind as K
from studio.photos.models import Photo
from tests.browser.test_operator_console import log_in_staff
from tests.conftest import OWNER_PASSWORD
from tests.studio.payroll.conftest import make_crew, rule, sell, sold

pytestmark = pytest.mark.browser


@pytest.fixture
def sale(live_studios, committed, media_in_tmp, run_tasks):
    """Alpha's crew, a rate, and a print and a digital file of the photographer's sold (all
    committed for the web server; removed afterwards, the books past their triggers)."""
    alpha = live_studios["alpha"]
    with committed(), schema_context(alpha.schema):
        crew = make_crew(alpha.owner_email)
        crew.photographer.set_password(OWNER_PASSWORD)
        crew.photographer.save()
        rule(K.PHOTO_SALE, "1.50", role="photographer", print_amount=Decimal("2.25"))
        rule(K.SALES_PERCENT, "10", person=crew.photographer)
        order = sell(sold(crew, ("print", 2, "12.00"), ("digital", 1, "9.00")))
    yield alpha, crew
    with committed(), schema_context(alpha.schema):
        people = [crew.photographer, crew.second, crew.manager, crew.retoucher, crew.principal]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            txns = list(
                LedgerTransaction.objects.filter(
                    Q(order_id=order.pk) | Q(entries__account__person__in=people)
                ).values_list("pk", flat=True)
            )
            cursor.execute("DELETE FROM ledger_ledgerentry WHERE transaction_id = ANY(%s)", [txns])
            cursor.execute("DELETE FROM ledger_ledgertransaction WHERE id = ANY(%s)", [txns])
            Account.objects.filter(person__in=people).delete()
            cursor.execute("SET LOCAL session_replication_role = origin")
        Payment.objects.filter(order=order).delete()
        Order.objects.filter(pk=order.pk).delete()
        PayRunLine.objects.filter(person__in=people).delete()
        PayRun.objects.filter(lines__isnull=True).delete()
        AuditEntry.objects.filter(kind="pay_adjusted").delete()
        PayRule.objects.all().delete()
        Photo.objects.filter(shoot=crew.shoot).delete()
        crew.shoot.delete()
        crew.school.delete()
        User.objects.filter(pk__in=[p.pk for p in people]).delete()


def test_a_photographer_opens_my_earnings_after_a_sale_on_a_phone(
    sale, web_server, phone_context, screenshot_dir
):
    alpha, crew = sale
    base = f"http://{alpha.host}:{web_server}"
    page = phone_context.new_page()
    log_in_staff(page, base, crew.photographer.email)

    nav = page.locator("nav.nav")
    expect(nav.get_by_role("link", name="Staff pay")).to_have_count(0)
    nav.get_by_role("link", name="My earnings").click()
    expect(page).to_have_url(f"{base}/staff/my-earnings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My earnings")
    # 2 prints × €2.25 + 1 file × €1.50, and 10 % of €21.00
    expect(page.locator("#earned")).to_have_text("€8.10")
    expect(page.locator("#closing")).to_have_text("€8.10")
    lines = page.locator("tr.statement-line")
    expect(lines).to_have_count(4)
    expect(lines.filter(has_text="Per sold photo").first).to_contain_text("€4.50")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / "my-earnings-phone.png", full_page=True)
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # the same page in Russian still fits the phone
    page.context.add_cookies([{"name": "django_language", "value": "ru", "url": base}])
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Мой заработок")
    page.screenshot(path=screenshot_dir / "my-earnings-phone-ru.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{base}/staff/pay/people/{crew.second.pk}/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Sofia")


def test_the_owner_adds_a_bonus_and_runs_pay_on_a_phone(
    sale, web_server, phone_context, screenshot_dir
):
    alpha, crew = sale
    base = f"http://{alpha.host}:{web_server}"
    page = phone_context.new_page()
    log_in_staff(page, base, alpha.owner_email)

    page.locator("nav.nav summary", has_text="Money").click()
    page.locator("nav.nav").get_by_role("link", name="Staff pay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff pay")
    pavel = page.locator("tr.pay-person").filter(has_text="Pavel")
    expect(pavel).to_contain_text("€8.10")
    page.screenshot(path=screenshot_dir / "staff-pay-phone-01-balances.png", full_page=True)

    pavel.get_by_role("link", name="Pavel").click()
    page.get_by_label("Amount").fill("20")
    page.get_by_label("Reason").fill("Extra school on Saturday")
    page.get_by_role("button", name="Record adjustment").click()
    expect(page.locator(".messages li").first).to_contain_text("Adjustment recorded.")
    expect(page.locator("#closing")).to_have_text("€28.10")
    page.screenshot(path=screenshot_dir / "staff-pay-phone-02-person.png", full_page=True)

    page.goto(f"{base}/staff/pay/runs/")
    page.get_by_role("button", name="Run pay").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pay run PAY-")
    expect(page.locator("tr.pay-run-line").filter(has_text="Pavel")).to_contain_text("€28.10")
    page.screenshot(path=screenshot_dir / "staff-pay-phone-03-run.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
