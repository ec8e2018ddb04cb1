"""A studio's owner sets up what parents can buy, on a phone (390 px), against the real web
server: creates a print, a price sheet with its price and an "all photos" package, attaches
the sheet to a school, and reads the priced sample cart on the sheet's page.

Every step leaves a screenshot in ``test-output/screenshots/catalogue-phone-*.png``.
"""

from uuid import uuid4

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from tests.browser.test_operator_console import log_in_staff

pytestmark = pytest.mark.browser


def shot(page: Page, screenshot_dir, step: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"catalogue-phone-{step}.png", full_page=True)


@pytest.fixture
def school(live_studios, committed):
    """A school of alpha's (committed, for the web server); what the test makes is removed."""
    from studio.catalogue.models import PriceSheet, Product
    from studio.schools.models import School

    alpha = live_studios["alpha"]
    tag = uuid4().hex[:6]
    with committed(), schema_context(alpha.schema):
        school = School.objects.create(name=f"Oak Primary {tag}")
    yield {"studio": alpha, "school": school, "tag": tag}
    with committed(), schema_context(alpha.schema):
        PriceSheet.objects.filter(name__endswith=tag).delete()
        Product.objects.filter(name__endswith=tag).delete()
        School.objects.filter(pk=school.pk).delete()


def test_an_owner_prices_a_print_and_a_package_for_a_school_on_a_phone(
    school, web_server, phone_context, screenshot_dir, committed
):
    alpha, tag = school["studio"], school["tag"]
    base = f"http://{alpha.host}:{web_server}"
    page = phone_context.new_page()
    log_in_staff(page, base, alpha.owner_email)

    page.get_by_role("link", name="Catalogue").click()
    expect(page.get_by_role("heading", name="Catalogue", exact=True)).to_be_visible()
    shot(page, screenshot_dir, "1-catalogue")

    # a product
    page.get_by_role("link", name="Add a product").click()
    page.get_by_label("Kind").select_option("print")
    page.get_by_label("Name").fill(f"Print 13x18 {tag}")
    page.get_by_label("Print size").fill("13x18")
    shot(page, screenshot_dir, "2-product")
    page.get_by_role("button", name="Add product").click()
    expect(page.locator(".messages")).to_contain_text(f"Product “Print 13x18 {tag}” added.")

    # a price sheet with the product's price
    page.get_by_role("link", name="Catalogue").first.click()
    page.get_by_role("link", name="Add a price sheet").click()
    page.get_by_label("Name").fill(f"Season 2027 {tag}")
    page.get_by_role("button", name="Add price sheet").click()
    expect(page.get_by_role("heading", name=f"Season 2027 {tag}")).to_be_visible()
    page.get_by_label(f"Print 13x18 {tag}", exact=True).fill("2.50")
    page.get_by_role("button", name="Save prices").click()
    expect(page.locator(".messages")).to_contain_text("Prices saved.")

    # an "all photos" package
    page.get_by_text("Add a package", exact=True).click()
    package_form = page.locator("form[action$='/packages/new/']")
    package_form.get_by_label("Name").fill("All photos")
    package_form.get_by_label("Kind").select_option("all_digital")
    package_form.get_by_label("Price").fill("20")
    package_form.get_by_role("button", name="Add package").click()
    expect(page.locator(".messages")).to_contain_text("Package “All photos” added.")

    # attached to the school
    attach_form = page.locator("form[action$='/attach/']")
    attach_form.get_by_label("School").select_option(label=school["school"].name)
    attach_form.get_by_role("button", name="Attach").click()
    expect(page.locator(".messages")).to_contain_text(
        f"{school['school'].name} now sells with this price sheet."
    )
    expect(page.locator("#sells-at + .card")).to_contain_text(school["school"].name)
    shot(page, screenshot_dir, "3-sheet")

    # the preview: 2 children, 3 prints and the package each: 2 × (7.50 + 20.00)
    preview = page.locator(".preview form")
    preview.get_by_label("Children").fill("2")
    preview.get_by_label("Each buys").select_option(label=f"Print 13x18 {tag}")
    preview.get_by_label("Quantity").fill("3")
    preview.get_by_label("And the package").select_option(label="All photos")
    preview.get_by_role("button", name="Price it").click()
    result = page.get_by_test_id("preview-result")
    expect(result).to_contain_text("A family with 2 children pays €55.00.")
    result.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "catalogue-phone-4-preview.png")

    # nothing is wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with committed(), schema_context(alpha.schema):
        from studio.catalogue.selectors import price_sheet_for
        from studio.shoots.services import shoot_create

        shoot = shoot_create(school=school["school"], name=f"Day {tag}", date="2027-03-01")
        assert price_sheet_for(shoot=shoot).name == f"Season 2027 {tag}"
        shoot.delete()
