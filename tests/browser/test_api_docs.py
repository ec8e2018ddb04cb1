"""The API docs (Swagger UI) on a phone, from the studio's own server only: every request
the page makes outside the studio's host is blocked and counted, and the docs still render
the schema, the new operations included.

Screenshot: ``test-output/screenshots/api-docs-phone.png``.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_api_docs_work_on_a_phone_without_a_cdn(
    live_studios, web_server, phone_context, screenshot_dir
):
    alpha = live_studios["alpha"]
    base = f"http://{alpha.host}:{web_server}"
    page = phone_context.new_page()
    outside = []

    def only_the_studio(route):
        if urlsplit(route.request.url).hostname == alpha.host:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_studio)
    page.goto(f"{base}/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Pictureday API")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.screenshot(path=screenshot_dir / "api-docs-phone.png", full_page=False)
    # Swagger UI renders the operations as the reader scrolls down to them.
    refund = page.locator(".opblock-summary-path", has_text="/api/orders/{id}/refund/")
    for _ in range(200):
        if refund.count():
            break
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(100)
    refund.scroll_into_view_if_needed()
    expect(refund).to_be_visible()
    refund.click()  # opens the operation: its documented answers, 409 included
    expect(page.locator(".opblock.is-open .response-col_status", has_text="409")).to_be_visible()
    page.screenshot(path=screenshot_dir / "api-docs-phone-refund.png", full_page=False)
    assert outside == []
