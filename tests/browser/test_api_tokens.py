"""An owner on a phone creates an API token, sees it once, uses it from a script and revokes
it, against the real web server: the token's value is on the page that answers the form and
nowhere after; a plain HTTP client with the studio's Host header reaches the API with it
(and the page then shows when it was last used); once revoked the API answers 401.

Every step leaves a screenshot in ``test-output/screenshots/api-tokens-phone-*.png``.
"""

import http.client
import json

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from tests.browser.test_operator_console import log_in_staff

pytestmark = pytest.mark.browser

TOKEN_NAME = "Lightroom uploader (browser test)"


def shot(page: Page, screenshot_dir, step: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"api-tokens-phone-{step}.png", full_page=True)


def api_get(port: int, host: str, path: str, token: str) -> tuple[int, dict]:
    """A script's request: the studio's host in the Host header, the token as a bearer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "GET", path, headers={"Host": f"{host}:{port}", "Authorization": f"Bearer {token}"}
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


@pytest.fixture
def clean_tokens(live_studios, committed):
    """Alpha's tokens and audit entries made by the test are deleted afterwards."""
    from saas_platform.accounts.models import ApiToken
    from studio.audit.models import AuditEntry

    alpha = live_studios["alpha"]
    with committed(), schema_context(alpha.schema):
        last_entry = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    yield alpha
    with committed(), schema_context(alpha.schema):
        ApiToken.objects.filter(name=TOKEN_NAME).delete()
        AuditEntry.objects.filter(id__gt=last_entry).delete()


def test_an_owner_creates_uses_and_revokes_an_api_token_on_a_phone(
    clean_tokens, web_server, context_factory, screenshot_dir, committed
):
    from saas_platform.accounts.models import ApiToken

    alpha = clean_tokens
    base = f"http://{alpha.host}:{web_server}"
    page = context_factory("phone").new_page()

    # --- 1. The staff menu leads to the tokens page. ---------------------------------------
    log_in_staff(page, base, alpha.owner_email)
    page.locator("nav.nav").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page).to_have_url(f"{base}/staff/tokens/")
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    shot(page, screenshot_dir, "01-empty")

    # --- 2. Create a manager token: its value is shown, once. ------------------------------
    page.get_by_label("Name").fill(TOKEN_NAME)
    page.get_by_label("Acts as").select_option("manager")
    page.get_by_role("button", name="Create token").click()
    created = page.locator("#new-token")
    expect(created).to_contain_text(f"Token “{TOKEN_NAME}” created")
    raw = page.locator("#new-token-value").inner_text().strip()
    assert raw.startswith("pd_") and len(raw) == 46
    expect(created).to_contain_text(f'curl -H "Authorization: Bearer {raw}" {base}/api/schools/')
    row = page.locator("tr.token", has_text=TOKEN_NAME)
    expect(row).to_contain_text("Manager")
    expect(row.locator(".last-used")).to_have_text("never")
    # nothing on the page is wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, screenshot_dir, "02-created")

    page.goto(f"{base}/staff/tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    assert raw not in page.content()
    with committed(), schema_context(alpha.schema):
        token = ApiToken.objects.get(name=TOKEN_NAME)
    assert (token.role, token.revoked_at) == ("manager", None)

    # --- 3. A script uses it. ---------------------------------------------------------------
    assert api_get(web_server, alpha.host, "/api/me/", raw) == (
        200,
        {"email": alpha.owner_email, "role": "manager", "studio": "alpha"},
    )
    status, schools = api_get(web_server, alpha.host, "/api/schools/", raw)
    assert status == 200 and "results" in schools
    page.reload()
    expect(row.locator(".last-used")).not_to_have_text("never")
    shot(page, screenshot_dir, "03-used")

    # --- 4. Revoke it: gone from the list, refused by the API. -----------------------------
    row.get_by_role("button", name="Revoke").click()
    expect(page).to_have_url(f"{base}/staff/tokens/")
    expect(page.locator("main")).to_contain_text(f"Token “{TOKEN_NAME}” revoked.")
    expect(page.locator("tr.token", has_text=TOKEN_NAME)).to_have_count(0)
    shot(page, screenshot_dir, "04-revoked")
    assert api_get(web_server, alpha.host, "/api/me/", raw) == (
        401,
        {"detail": "Invalid or revoked token."},
    )

    # --- 5. The owner's audit log has both. ------------------------------------------------
    page.locator("nav.nav").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Audit log").click()
    entries = page.locator("tr.audit-entry")
    expect(entries.filter(has_text=f"API token revoked: {TOKEN_NAME}")).to_have_count(1)
    expect(entries.filter(has_text=f"API token created: {TOKEN_NAME}")).to_have_count(1)
    shot(page, screenshot_dir, "05-audit-log")
