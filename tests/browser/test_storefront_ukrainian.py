"""A parent on a 390 px phone switches the storefront of an English-speaking studio to
Ukrainian, enters the code from the card, sees the gallery and fills the cart: every step in
Ukrainian, money in Ukrainian notation. Screenshots: ``test-output/screenshots/uk-phone-01-code.png`` and
``purchase-phone-uk-0[23]-*.png``.
"""

import pytest
from playwright.sync_api import expect

from studio.access import codes
from tests.browser import test_parent_purchase as purchase

pytestmark = pytest.mark.browser

shop_day = purchase.shop_day  # the purchase test's picture day, price sheet and studio
shot = purchase.shot


def test_a_parent_shops_in_ukrainian_on_a_phone(
    shop_day, web_server, context_factory, screenshot_dir
):
    base = f"http://{shop_day['studio'].host}:{web_server}"
    page = context_factory("phone").new_page()
    assert page.viewport_size["width"] == 390

    # --- 1. The studio speaks English; the parent picks Ukrainian in the footer. ----------
    page.goto(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switcher = page.locator("#language-select")
    expect(switcher.locator("option[value=uk]")).to_have_text("Українська")
    switcher.select_option("uk")
    expect(page.locator("html")).to_have_attribute("lang", "uk")

    # --- 2. Code entry, in Ukrainian. -----------------------------------------------------
    page.get_by_label("Код доступу").fill(codes.display(shop_day["code"]))
    expect(page.get_by_role("link", name="Загубили картку? Знайти мій код")).to_be_visible()
    page.screenshot(path=screenshot_dir / "uk-phone-01-code.png", full_page=True)
    page.get_by_role("button", name="Відкрити галерею").click()

    # --- 3. The gallery: the child's section, the package priced the Ukrainian way. -------
    expect(page).to_have_url(f"{base}/gallery/")
    expect(page.get_by_role("heading", name="Ваші фотографії")).to_be_visible()
    lena = page.locator("section.gallery-section").filter(
        has=page.get_by_role("heading", name="Lena Orlova")
    )
    expect(page.get_by_role("heading", name="Клас 2A")).to_be_visible()  # the class photos
    expect(lena.locator(".gallery-grid img")).to_have_count(3)
    package = lena.locator("form.package").filter(has_text="All photos")
    expect(package).to_contain_text("20,00\xa0EUR")
    shot(page, screenshot_dir, "uk-02-gallery")
    package.get_by_role("button", name="Додати до кошика").click()
    expect(page.locator("ul.messages li.success")).to_have_text("Додано до кошика: All photos.")

    # --- 4. The cart. ---------------------------------------------------------------------
    page.locator("nav .cart-link").click()
    expect(page).to_have_url(f"{base}/cart/")
    expect(page.get_by_role("heading", name="Ваш кошик")).to_be_visible()
    expect(page.locator(".cart-line")).to_have_count(1)
    expect(page.locator(".totals .grand").last).to_have_text("20,00\xa0EUR")
    expect(page.get_by_role("link", name="Оформити замовлення")).to_be_visible()
    shot(page, screenshot_dir, "uk-03-cart")

    # Nothing wider than the phone: no sideways scrolling in the longer Ukrainian labels.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
