"""A studio signs up on the bare domain and lands, logged in, on its own subdomain.

Drives the real stack (gunicorn + the test database) in Chromium, on a phone and on a
desktop, and leaves screenshots of every step in ``test-output/screenshots/``.
"""

from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "Lens-and-light-2025"
SIGN_UP_TIMEOUT_MS = 60_000


def shot(page: Page, screenshot_dir, viewport: str, step: str) -> None:
    page.screenshot(path=screenshot_dir / f"signup-{viewport}-{step}.png", full_page=True)


def fill_sign_up(page: Page, *, studio_name: str, subdomain: str, email: str) -> None:
    page.get_by_label("Studio name", exact=True).fill(studio_name)
    page.get_by_label("Subdomain", exact=True).fill(subdomain)
    page.get_by_label("Country", exact=True).select_option("DE")
    expect(page.locator("#country-proposal")).to_have_text(
        "Proposed: currency EUR, language English, time zone Europe/Berlin."
    )
    page.get_by_label("Your name", exact=True).fill("Anna Lindqvist")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)


def expect_dashboard(page: Page, *, studio_url: str, studio_name: str) -> None:
    expect(page).to_have_url(f"{studio_url}/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text(studio_name)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_sign_up_lands_the_owner_logged_in_on_the_new_subdomain(
    web_server, context_factory, screenshot_dir, viewport
):
    port = web_server
    bare_url = f"http://localhost:{port}"
    slug = f"snap{uuid4().hex[:6]}"
    studio_url = f"http://{slug}.localhost:{port}"
    studio_name = f"Sunny Days Photography {slug[-6:].upper()}"
    email = f"anna@{slug}.test"

    context = context_factory(viewport)
    page = context.new_page()

    # Landing page on the bare domain.
    page.goto(f"{bare_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Run your school photo season in one place"
    )
    # The stylesheet is applied (the screenshots are for looking at the design).
    expect(page.locator("header.topbar .container")).to_have_css("display", "flex")
    shot(page, screenshot_dir, viewport, "01-landing")

    # The hero's call to action opens the sign-up form.
    page.get_by_role("link", name="Create your studio").click()
    expect(page).to_have_url(f"{bare_url}/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your studio")

    if viewport == "phone":
        # A reserved subdomain is refused with the reason shown under the field.
        fill_sign_up(page, studio_name=studio_name, subdomain="admin", email=email)
        page.get_by_role("button", name="Create studio").click()
        expect(page).to_have_url(f"{bare_url}/signup/")
        subdomain_field = page.locator(".field").filter(has=page.get_by_label("Subdomain"))
        error = subdomain_field.locator(".errorlist")
        expect(error).to_be_visible()
        expect(error).to_contain_text("“admin” is reserved. Please choose another.")
        expect(page.get_by_label("Subdomain", exact=True)).to_have_value("admin")
        shot(page, screenshot_dir, viewport, "02-signup-reserved-subdomain")

    fill_sign_up(page, studio_name=studio_name, subdomain=slug, email=email)
    expect(page.get_by_label("Subdomain", exact=True)).to_have_value(slug)
    shot(page, screenshot_dir, viewport, "03-signup-filled")
    # Making the studio's schema takes seconds (more on a busy machine); the click lasts
    # until the server answers.
    page.get_by_role("button", name="Create studio").click(timeout=SIGN_UP_TIMEOUT_MS)
    expect(page).to_have_url(f"{studio_url}/staff/", timeout=SIGN_UP_TIMEOUT_MS)

    # The one-time token carries the owner, logged in, to the new subdomain.
    expect_dashboard(page, studio_url=studio_url, studio_name=studio_name)
    expect(page.get_by_text("Welcome to your studio!")).to_be_visible()
    shot(page, screenshot_dir, viewport, "04-dashboard-after-signup")

    # The session cookie belongs to the studio's host only, never to the bare domain.
    studio_cookies = {c["name"] for c in context.cookies(f"{studio_url}/")}
    assert "sessionid" in studio_cookies, studio_cookies
    bare_cookies = {c["name"] for c in context.cookies(f"{bare_url}/")}
    assert "sessionid" not in bare_cookies, bare_cookies

    # Log out: back on the studio's login page.
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{studio_url}/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    shot(page, screenshot_dir, viewport, "05-login-after-logout")

    # Log in again with the e-mail and password chosen at sign-up.
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect_dashboard(page, studio_url=studio_url, studio_name=studio_name)
    shot(page, screenshot_dir, viewport, "06-dashboard-after-login")

    assert "sessionid" not in {c["name"] for c in context.cookies(f"{bare_url}/")}
