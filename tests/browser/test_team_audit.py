"""An owner on a phone changes a photographer's role on the team page, then finds the change
in the audit log filtered by kind and by person, in English and in Russian, against the real
web server.

Screenshots: ``test-output/screenshots/team-audit-phone-*.png``.
"""

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from tests.browser.test_operator_console import log_in_staff

pytestmark = pytest.mark.browser

PERSON = "pat.browser@alpha.test"


def shot(page: Page, screenshot_dir, step: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"team-audit-phone-{step}.png", full_page=True)


@pytest.fixture
def photographer(live_studios, committed):
    """A photographer in alpha; they and the audit entries the test makes go afterwards."""
    from saas_platform.accounts.models import Role, User
    from studio.audit.models import AuditEntry

    alpha = live_studios["alpha"]
    with committed(), schema_context(alpha.schema):
        last_entry = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        User.objects.filter(email=PERSON).delete()
        User.objects.create_user(
            email=PERSON, password=None, role=Role.PHOTOGRAPHER, full_name="Pat Lens"
        )
    yield alpha
    with committed(), schema_context(alpha.schema):
        User.objects.filter(email=PERSON).delete()
        AuditEntry.objects.filter(id__gt=last_entry).delete()


def test_an_owner_changes_a_role_and_reads_it_in_the_log_on_a_phone(
    photographer, web_server, context_factory, screenshot_dir, committed
):
    from saas_platform.accounts.models import User

    alpha = photographer
    base = f"http://{alpha.host}:{web_server}"
    page = context_factory("phone").new_page()
    log_in_staff(page, base, alpha.owner_email)

    # --- 1. The team page: each person's role can be changed where it is shown. -----------
    page.goto(f"{base}/staff/team/")
    role = page.get_by_label("Role of Pat Lens")
    expect(role).to_have_value("photographer")
    shot(page, screenshot_dir, "01-team")
    role.select_option("manager")
    row = page.locator("li", has=role)
    row.get_by_role("button", name="Change role").click()
    expect(page.get_by_text("Pat Lens is now Manager.")).to_be_visible()
    expect(page.get_by_label("Role of Pat Lens")).to_have_value("manager")
    shot(page, screenshot_dir, "02-changed")
    with committed(), schema_context(alpha.schema):
        assert User.objects.get(email=PERSON).role == "manager"

    # --- 2. The log, narrowed to that kind of change and to the owner. --------------------
    page.goto(f"{base}/staff/audit/")
    page.get_by_label("Kind").select_option("staff_role_changed")
    page.get_by_role("button", name="Filter").click()
    entries = page.locator("tr.audit-entry")
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text(f"Staff member's role changed: {PERSON}")
    expect(entries.first).to_contain_text("Role: Photographer → Manager")
    shot(page, screenshot_dir, "03-log")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the log scrolls sideways on a phone ({width}px)"

    # --- 3. The same entry in Russian. -----------------------------------------------------
    page.locator("#language-select").select_option("ru")
    expect(entries.first).to_contain_text("Изменена роль сотрудника")
    expect(entries.first).to_contain_text("Роль: Фотограф → Менеджер")
    shot(page, screenshot_dir, "04-log-ru")
