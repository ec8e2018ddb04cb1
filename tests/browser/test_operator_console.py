"""A platform operator uses the console, on a desktop and on a phone, against the real web
server: signs in on the bare domain's admin login, finds studio alpha, blocks it with a reason
(alpha's owner sees the reason on the dashboard and the storefront stops taking orders),
unblocks it, reads both actions in the audit log, and opens the analytics charts.

Every step leaves a screenshot in ``test-output/screenshots/console-<viewport>-*.png``.
"""

import datetime
from uuid import uuid4

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context
from playwright.sync_api import Page, expect

from tests.browser.test_photo_pipeline import expect_message
from tests.conftest import OWNER_PASSWORD

pytestmark = pytest.mark.browser

OPERATOR_PASSWORD = "operator pass 2026"
STUDIO_FIELDS = ("status", "status_reason", "licence_valid_until", "grace_until", "plan_id")


def shot(page: Page, screenshot_dir, viewport: str, step: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"console-{viewport}-{step}.png", full_page=True)


def log_in_staff(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next=/staff/")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/staff/")


@pytest.fixture
def operator(live_studios, committed):
    """A platform operator (public schema), two days of platform figures for the charts, and
    alpha's licence as it was: all put back afterwards (other tests share alpha)."""
    from billing.models import LicenceEvent
    from operator_console.models import AuditLog, PlatformDailyStat
    from operator_console.services import platform_daily_stat_record
    from saas_platform.accounts.models import User
    from tenants.models import Studio
    from tenants.selectors import host_cache_forget

    alpha = live_studios["alpha"]
    email = f"operator-{uuid4().hex[:6]}@pictureday.test"
    today = timezone.now().date()
    days = [today - datetime.timedelta(days=1), today]
    with committed(), schema_context(get_public_schema_name()):
        user = User.objects.create_user(
            email=email, password=OPERATOR_PASSWORD, is_staff=True, role=""
        )
        studio = Studio.objects.get(pk=alpha.studio.pk)
        saved = {field: getattr(studio, field) for field in STUDIO_FIELDS}
        last_event = LicenceEvent.objects.order_by("-id").values_list("id", flat=True).first()
        existing_stats = set(
            PlatformDailyStat.objects.filter(date__in=days).values_list("date", flat=True)
        )
        for day in days:
            if day not in existing_stats:
                platform_daily_stat_record(day=day)
    yield {"email": email, "studio": alpha}

    with committed(), schema_context(get_public_schema_name()):
        AuditLog.objects.filter(actor_email=email).delete()
        LicenceEvent.objects.filter(studio_id=alpha.studio.pk, id__gt=last_event or 0).delete()
        PlatformDailyStat.objects.filter(date__in=set(days) - existing_stats).delete()
        # a plain delete would also look for the user in tenant-only tables
        User.objects.filter(pk=user.pk)._raw_delete(using="default")
        Studio.objects.filter(pk=alpha.studio.pk).update(**saved)
        host_cache_forget(hostnames=[alpha.host])


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_operator_blocks_and_unblocks_a_studio_and_reads_the_analytics(
    operator, viewport, web_server, context_factory, screenshot_dir, committed
):
    from operator_console.models import AuditLog

    alpha = operator["studio"]
    console = f"http://{settings.BASE_DOMAIN}:{web_server}"
    studio_base = f"http://{alpha.host}:{web_server}"
    page = context_factory(viewport).new_page()

    # --- 1. The console's login on the bare domain, then its studio list. ----------------
    page.goto(f"{console}/console/")
    expect(page).to_have_url(f"{console}/console/login/?next=/console/")
    page.locator("#id_username").fill(operator["email"])
    page.locator("#id_password").fill(OPERATOR_PASSWORD)
    page.locator("input[type=submit], button[type=submit]").click()
    expect(page).to_have_url(f"{console}/console/")
    rows = page.locator("table tbody tr")
    expect(rows.filter(has_text="alpha")).not_to_have_count(0)
    expect(rows.filter(has_text="beta")).not_to_have_count(0)
    shot(page, screenshot_dir, viewport, "01-studios")

    # --- 2. Search for alpha: beta is gone from the list. ---------------------------------
    page.get_by_label("Search").fill("alpha")
    page.get_by_role("button", name="Filter").click()
    expect(rows.filter(has_text="beta")).to_have_count(0)
    expect(rows).to_have_count(1)
    shot(page, screenshot_dir, viewport, "02-search")
    rows.get_by_role("link", name=alpha.studio.name).click()
    expect(page).to_have_url(f"{console}/console/studios/{alpha.studio.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(alpha.studio.name)
    shot(page, screenshot_dir, viewport, "03-studio")

    # --- 3. Block with a reason. ----------------------------------------------------------
    reason = f"Unpaid invoice {uuid4().hex[:4]}"
    block = page.locator("form").filter(has=page.get_by_role("heading", name="Block"))
    block.get_by_label("Reason").fill(reason)
    block.get_by_role("button", name="Block").click()
    expect_message(page, "Studio blocked.")
    expect(page.locator(".head .badge")).to_have_text("Blocked")
    shot(page, screenshot_dir, viewport, "04-blocked")

    # --- 4. Alpha's owner sees the reason; the storefront refuses. ------------------------
    staff = context_factory(viewport).new_page()
    log_in_staff(staff, studio_base, alpha.owner_email)
    expect(staff.locator("main .notice")).to_have_count(1)
    expect(staff.locator("main .notice")).to_contain_text("blocked your studio")
    expect(staff.locator("main .notice")).to_contain_text(reason)
    shot(staff, screenshot_dir, viewport, "05-staff-dashboard-blocked")
    shop = context_factory(viewport).new_page()
    shop.goto(f"{studio_base}/")
    expect(shop.locator(".notice")).to_contain_text("This shop is not taking orders")
    expect(shop.get_by_role("button", name="Open gallery")).to_have_count(0)
    shot(shop, screenshot_dir, viewport, "06-storefront-blocked")

    # --- 5. Unblock with a reason: the audit log lists both. ------------------------------
    unblock = page.locator("form").filter(has=page.get_by_role("heading", name="Unblock"))
    unblock.get_by_label("Reason").fill("Invoice paid")
    unblock.get_by_role("button", name="Unblock").click()
    expect_message(page, "Studio unblocked.")
    expect(page.locator(".head .badge")).not_to_have_text("Blocked")
    audit = page.locator("table tbody tr").filter(has_text=operator["email"])
    expect(audit).to_have_count(2)
    expect(audit.nth(0)).to_contain_text("Invoice paid")
    expect(audit.nth(1)).to_contain_text(reason)
    page.get_by_role("heading", name="Audit log").scroll_into_view_if_needed()
    shot(page, screenshot_dir, viewport, "07-unblocked-audit")
    with committed(), schema_context(get_public_schema_name()):
        actions = list(
            AuditLog.objects.filter(actor_email=operator["email"])
            .order_by("id")
            .values_list("action", "reason")
        )
    assert actions == [("block", reason), ("unblock", "Invoice paid")]
    shop.reload()
    expect(shop.get_by_role("button", name="Open gallery")).to_be_visible()

    # --- 6. Analytics: the charts are drawn. ----------------------------------------------
    page.get_by_role("link", name="Analytics").click()
    expect(page).to_have_url(f"{console}/console/analytics/")
    expect(page.locator("main svg[role=img]")).to_have_count(5)
    for title in ("Sign-ups per week", "Active studios", "MRR"):
        expect(page.locator(f"svg[aria-label='{title}']")).to_be_visible()
    # the labels keep a readable size at 390 px too, and the charts fill their cards
    for label in page.locator(".chart-axis span, .chart-top").all():
        assert float(label.evaluate("e => getComputedStyle(e).fontSize")[:-2]) >= 13
    for chart in page.locator("main svg[role=img]").all():
        box = chart.bounding_box()
        assert box["height"] == 140 and box["width"] >= 300
    shot(page, screenshot_dir, viewport, "08-analytics")
