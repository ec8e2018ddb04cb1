"""A parent on a phone after the sales deadline, while late orders are open: the card's link
still opens the gallery, which says orders are late and what the fee is; the cart shows the
notice, the fee as its own line and a total with it. Screenshots in
``test-output/screenshots/late-order-phone-*.png``."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tests.browser.test_parent_purchase import shop_day  # noqa: F401

pytestmark = pytest.mark.browser


def test_a_late_parent_sees_the_notice_and_the_fee_in_the_cart_on_a_phone(
    shop_day,  # noqa: F811
    web_server,
    context_factory,
    screenshot_dir,
    committed,
):
    from studio.shoots.services import shoot_update

    alpha = shop_day["studio"]
    now = timezone.now()
    with committed(), schema_context(alpha.schema):
        shoot_update(
            shoot=shop_day["shoot"],
            sales_deadline=now - datetime.timedelta(hours=1),
            late_orders_until=now + datetime.timedelta(days=2),
            late_fee=Decimal("3.50"),
        )
    base = f"http://{alpha.host}:{web_server}"
    page = context_factory("phone").new_page()

    page.goto(f"{base}/?code={shop_day['code']}")
    expect(page).to_have_url(f"{base}/gallery/")
    notice = page.locator(".late-notice")
    expect(notice).to_contain_text("Orders are late: a late fee of €3.50 applies until")
    page.screenshot(path=screenshot_dir / "late-order-phone-01-gallery.png")

    lena = page.locator("section.gallery-section").filter(
        has=page.get_by_role("heading", name="Lena Orlova")
    )
    lena.locator("form.package").filter(has_text="All photos").get_by_role(
        "button", name="Add to cart"
    ).click()
    page.locator("nav .cart-link").click()
    expect(page).to_have_url(f"{base}/cart/")

    expect(page.locator(".late-notice")).to_contain_text("a late fee of €3.50 applies until")
    totals = page.locator(".totals")
    expect(totals.locator(".late-fee").first).to_have_text(f"Late fee: {shop_day['shoot'].name}")
    expect(totals.locator(".late-fee").last).to_have_text("€3.50")
    expect(totals.locator(".grand").last).to_have_text("€23.50")  # 20.00 + 3.50
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=screenshot_dir / "late-order-phone-02-cart.png", full_page=True)
