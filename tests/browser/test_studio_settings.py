"""An owner brands the studio on a phone: opens Settings from the menu, uploads a logo and
picks a colour (a too-light one is refused first), and the storefront shows both.

Screenshots: ``test-output/screenshots/settings-phone-*.png``.
"""

import io

import pytest
from django_tenants.utils import get_public_schema_name, schema_context
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.test_operator_console import log_in_staff

pytestmark = pytest.mark.browser

FIELDS = ("name", "brand_color", "logo", "contact_email", "support_text")


def shot(page: Page, screenshot_dir, step: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"settings-phone-{step}.png", full_page=True)


@pytest.fixture
def alpha_restored(live_studios, committed):
    from tenants.models import Studio
    from tenants.selectors import host_cache_forget

    alpha = live_studios["alpha"]
    with committed(), schema_context(get_public_schema_name()):
        before = Studio.objects.filter(pk=alpha.studio.pk).values(*FIELDS).get()
    yield alpha
    with committed(), schema_context(get_public_schema_name()):
        Studio.objects.filter(pk=alpha.studio.pk).update(**before)
        host_cache_forget(hostnames=[alpha.host])


def logo_file(tmp_path):
    image = Image.new("RGBA", (360, 120), (0, 0, 0, 0))
    image.paste((124, 45, 18, 255), (0, 0, 120, 120))
    image.paste((250, 200, 40, 255), (130, 30, 360, 90))
    path = tmp_path / "studio-logo.png"
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_an_owner_uploads_a_logo_and_picks_a_colour_on_a_phone(
    alpha_restored, web_server, context_factory, screenshot_dir, tmp_path
):
    alpha = alpha_restored
    base = f"http://{alpha.host}:{web_server}"
    page = context_factory("phone").new_page()
    log_in_staff(page, base, alpha.owner_email)

    page.locator("nav.nav").get_by_role("link", name="Settings", exact=True).click()
    page.locator("a.settings-link").filter(has=page.get_by_role("heading", name="Studio")).click()
    expect(page).to_have_url(f"{base}/staff/settings/studio/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Studio settings")
    shot(page, screenshot_dir, "01-page")

    # A light yellow would leave white button text unreadable: refused, with the reason.
    page.get_by_label("Brand colour").fill("#fde047")
    page.get_by_label("Contact e-mail").fill("hello@alpha.test")
    page.get_by_label("Support text for parents").fill("Questions? We answer within a day.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field").filter(has_text="Brand colour")).to_contain_text(
        "White text on this colour is hard to read"
    )
    shot(page, screenshot_dir, "02-colour-refused")

    page.get_by_label("Brand colour").fill("#7c2d12")
    page.get_by_label("Logo", exact=True).set_input_files(logo_file(tmp_path))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages li").first).to_contain_text("Studio settings saved.")
    header_logo = page.locator("header .brand img")
    expect(header_logo).to_be_visible()
    shot(page, screenshot_dir, "03-saved")

    # The storefront, as a parent sees it: logo in the header, brand colour, contact.
    parent = context_factory("phone").new_page()
    parent.goto(f"{base}/")
    logo = parent.locator("header .brand img")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.naturalWidth") > 0  # the image really loads
    assert "/media/studio_alpha/branding/" in logo.get_attribute("src")
    brand = parent.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()"
    )
    assert brand == "#7c2d12"
    expect(parent.locator("footer")).to_contain_text("Questions? We answer within a day.")
    expect(parent.locator("footer")).to_contain_text("hello@alpha.test")
    shot(parent, screenshot_dir, "04-storefront")
