"""An owner serves the storefront at a domain of their own, on a phone: adds it from the
menu, sees the two DNS records, "creates" the TXT record (in the session's local DNS server,
which the web server asks), checks, and the domain is active, routes to the studio and may
become the main address; then removes it and it routes nothing.

Screenshots: ``test-output/screenshots/domain-phone-*.png``.
"""

import urllib.request
from urllib.error import HTTPError

import pytest
from django_tenants.utils import get_public_schema_name, schema_context
from playwright.sync_api import Page, expect

from tests.browser.test_operator_console import log_in_staff

pytestmark = pytest.mark.browser

HOST = "photos.alpha-studio-browser.example"


def shot(page: Page, screenshot_dir, step: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"domain-phone-{step}.png", full_page=True)


def fetch_on(port: int, host: str, path: str = "/") -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode()
    except HTTPError as error:
        return error.code, ""


def status_on(port: int, host: str, path: str = "/") -> int:
    return fetch_on(port, host, path)[0]


@pytest.fixture
def cleanup(live_studios, committed, fake_dns):
    from tenants.models import Domain
    from tenants.selectors import host_cache_forget

    yield live_studios["alpha"]
    fake_dns.txt.clear()
    with committed(), schema_context(get_public_schema_name()):
        Domain.objects.filter(domain=HOST).delete()
        Domain.objects.filter(domain=live_studios["alpha"].host).update(is_primary=True)
        host_cache_forget(hostnames=[HOST, live_studios["alpha"].host])


def test_an_owner_adds_verifies_uses_and_removes_a_custom_domain_on_a_phone(
    cleanup, web_server, fake_dns, context_factory, screenshot_dir, committed
):
    from tenants.models import Domain

    alpha = cleanup
    base = f"http://{alpha.host}:{web_server}"
    page = context_factory("phone").new_page()
    log_in_staff(page, base, alpha.owner_email)

    # --- 1. From the menu to the domains page; add the domain. ----------------------------
    page.locator("nav.nav").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Domains").click()
    expect(page).to_have_url(f"{base}/staff/settings/domains/")
    page.get_by_label("Your domain").fill(f"https://{HOST.upper()}/")
    page.get_by_role("button", name="Add", exact=True).click()
    card = page.locator("section.card").filter(has=page.get_by_role("heading", name=HOST))
    expect(card).to_contain_text("Waiting for verification")
    expect(card).to_contain_text(f"_pictureday.{HOST}")
    expect(card).to_contain_text(f"{alpha.host}")
    shot(page, screenshot_dir, "01-added")
    assert status_on(web_server, HOST) == 404  # pending: routes nothing

    # --- 2. "Create" the TXT record, then check now. ---------------------------------------
    with committed(), schema_context(get_public_schema_name()):
        token = Domain.objects.get(domain=HOST).verification_token
    expect(card).to_contain_text(f"pictureday-verification={token}")
    card.get_by_role("button", name="Check now").click()
    expect(page.locator(".messages li").first).to_contain_text("Not verified yet")
    fake_dns.txt[f"_pictureday.{HOST}"] = [f"pictureday-verification={token}"]
    fake_dns.asked.clear()
    card.get_by_role("button", name="Check now").click()
    expect(page.locator(".messages li").first).to_contain_text("Verified")
    expect(card).to_contain_text("Active")
    assert f"_pictureday.{HOST}" in fake_dns.asked  # the web server asked the DNS stub
    shot(page, screenshot_dir, "02-verified")
    status, storefront = fetch_on(web_server, HOST)
    assert status == 200  # the storefront at the custom domain: alpha's
    assert alpha.studio.name in storefront
    assert status_on(web_server, "web:8000", f"/tls/ask?domain={HOST}") == 200

    # --- 3. The main address, then removal. -----------------------------------------------
    card.get_by_role("button", name="Make main address").click()
    expect(card).to_contain_text("Main address")
    shot(page, screenshot_dir, "03-main-address")
    card.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("heading", name=HOST)).to_have_count(0)
    assert status_on(web_server, HOST) == 404
    assert status_on(web_server, "web:8000", f"/tls/ask?domain={HOST}") == 404
    with committed(), schema_context(get_public_schema_name()):
        assert Domain.objects.get(domain=alpha.host).is_primary is True
