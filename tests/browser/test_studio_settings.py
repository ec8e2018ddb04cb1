"""An owner brands the studio on a phone: opens Settings from the menu, uploads a logo and
picks a colour (a too-light one is refused first), and the storefront shows both; then
types a watermark text, moves its opacity and uploads a PNG watermark, watching the sample
preview follow.

Screenshots: ``test-output/screenshots/settings-phone-*.png``.
"""

import io

import pytest
from django_tenants.utils import get_public_schema_name, schema_context
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.test_operator_console import log_in_staff

pytestmark = pytest.mark.browser

FIELDS = (
    "name",
    "brand_color",
    "logo",
    "contact_email",
    "support_text",
    "watermark_text",
    "watermark_image",
    "watermark_opacity",
)


def shot(page: Page, screenshot_dir, step: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"settings-phone-{step}.png", full_page=True)


@pytest.fixture
def alpha_restored(live_studios, committed):
    from studio.settings.models import WatermarkRerender
    from tenants.models import Studio
    from tenants.selectors import host_cache_forget

    alpha = live_studios["alpha"]
    with committed(), schema_context(get_public_schema_name()):
        before = Studio.objects.filter(pk=alpha.studio.pk).values(*FIELDS).get()
    with committed(), schema_context(alpha.schema):
        last_job = WatermarkRerender.objects.order_by("-pk").values_list("pk", flat=True).first()
    yield alpha
    with committed(), schema_context(get_public_schema_name()):
        Studio.objects.filter(pk=alpha.studio.pk).update(**before)
        host_cache_forget(hostnames=[alpha.host])
    with committed(), schema_context(alpha.schema):  # the re-renders our changes queued
        WatermarkRerender.objects.filter(pk__gt=last_job or 0).delete()


def logo_file(tmp_path):
    image = Image.new("RGBA", (360, 120), (0, 0, 0, 0))
    image.paste((124, 45, 18, 255), (0, 0, 120, 120))
    image.paste((250, 200, 40, 255), (130, 30, 360, 90))
    path = tmp_path / "studio-logo.png"
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def watermark_file(tmp_path):
    """A transparent PNG with a teal ring: unmistakable on the sample photo."""
    image = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    for inset, colour in ((0, (0, 150, 140, 255)), (30, (0, 0, 0, 0))):
        image.paste(colour, (inset, inset, 200 - inset, 200 - inset))
    path = tmp_path / "watermark.png"
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def preview_loaded(page: Page, contains: str = "") -> bytes:
    """The sample preview's pixels once the image with ``contains`` in its URL has loaded."""
    page.wait_for_function(
        """(part) => { const img = document.getElementById("watermark-preview");
        return img.complete && img.naturalWidth > 0 && img.src.includes(part); }""",
        arg=contains,
    )
    return page.locator("#watermark-preview").screenshot()


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

    # The watermark: the sample follows the text and the opacity as they change.
    page.goto(f"{base}/staff/settings/studio/")
    page.locator("#watermark-preview").scroll_into_view_if_needed()
    saved = preview_loaded(page)
    page.get_by_label("Watermark text").fill("ALPHA PROOF")
    typed = preview_loaded(page, "text=ALPHA+PROOF")
    assert typed != saved
    page.locator("#id_watermark_opacity").fill("80")
    expect(page.locator("#watermark-opacity-value")).to_have_text("80")
    stronger = preview_loaded(page, "opacity=80")
    assert stronger != typed
    page.locator("#watermark-preview").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "settings-phone-05-watermark-typed.png")

    # A PNG watermark replaces the text once saved.
    page.get_by_label("Watermark image", exact=True).set_input_files(watermark_file(tmp_path))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages li").first).to_contain_text("Studio settings saved.")
    expect(page.get_by_label("Remove the image and use the text")).to_be_visible()
    page.locator("#watermark-preview").scroll_into_view_if_needed()
    with_image = preview_loaded(page)
    assert with_image not in (saved, typed, stronger)
    page.screenshot(path=screenshot_dir / "settings-phone-06-watermark-image.png")
    # ticking "remove" previews the text again, before saving
    page.get_by_label("Remove the image and use the text").check()
    assert preview_loaded(page, "image=0") != with_image
