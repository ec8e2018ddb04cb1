"""Staff on a phone finish paying an order that was partly paid and partly refunded (the
order issue 11 found stuck): the page shows both badges and the payment form, the rest is
recorded, and a cancel that would keep money is refused with its reason on the page.

Screenshots in ``test-output/screenshots/staff-money-phone-*.png``."""

from decimal import Decimal
from uuid import uuid4

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from tests.browser.test_operator_console import log_in_staff

pytestmark = pytest.mark.browser


def shot(page: Page, screenshot_dir, step: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"staff-money-phone-{step}.png", full_page=True)


@pytest.fixture
def stuck_order(live_studios, committed):
    """In alpha (committed, for the web server): an order of €40 with €10 paid in cash and
    €4 of it refunded."""
    from studio.orders.models import Order, OrderEvent, Payment, Refund
    from studio.orders.services import (
        LineInput,
        order_create,
        payment_record_offline,
        refund_record,
    )

    alpha = live_studios["alpha"]
    amount = Decimal("40.00")
    with committed(), schema_context(alpha.schema):
        order = order_create(
            lines=[LineInput("Class album", "album", 1, amount, amount, amount)],
            currency="EUR",
            email=f"mum-{uuid4().hex[:6]}@example.com",
            payment_method="bank_transfer",
            idempotency_key=uuid4().hex,
        )
        payment_record_offline(order=order, amount=Decimal("10"), method="cash", actor=None)
        refund_record(order=order, amount=Decimal("4"), reason="torn cover")
    yield alpha, order
    with committed(), schema_context(alpha.schema):
        Refund.objects.filter(order=order).delete()
        Payment.objects.filter(order=order).delete()
        OrderEvent.objects.filter(order=order).delete()
        Order.objects.filter(pk=order.pk).delete()


def test_staff_finish_paying_a_partly_refunded_order_on_a_phone(
    stuck_order, web_server, phone_context, screenshot_dir
):
    alpha, order = stuck_order
    base = f"http://{alpha.host}:{web_server}"
    page = phone_context.new_page()
    log_in_staff(page, base, alpha.owner_email)
    page.goto(f"{base}/staff/orders/{order.pk}/")
    expect(page.locator(".head .badge")).to_have_text(["Partially refunded"])

    move = page.locator("form", has=page.get_by_role("heading", name="Order status"))
    move.get_by_label("Move to").select_option("cancelled")
    move.get_by_role("button", name="Change status").click()
    expect(page.locator("form .errorlist, form ul.errorlist").first).to_contain_text(
        "Refund the payments before cancelling."
    )
    shot(page, screenshot_dir, "1-cancel-refused")

    page.goto(f"{base}/staff/orders/{order.pk}/")
    payment = page.locator("form", has=page.get_by_role("heading", name="Record a payment"))
    expect(payment.get_by_label("Amount")).to_have_value("30.00")
    payment.get_by_label("Method").select_option("cash")
    shot(page, screenshot_dir, "2-record-the-rest")
    payment.get_by_role("button", name="Record payment").click()
    expect(page.locator("ul.messages li.success")).to_have_text("Payment recorded.")
    expect(page.get_by_role("heading", name="Record a payment")).to_have_count(0)

    move = page.locator("form", has=page.get_by_role("heading", name="Order status"))
    move.get_by_label("Move to").select_option("in_fulfilment")
    move.get_by_role("button", name="Change status").click()
    expect(page.locator(".head .badge")).to_have_text(["Partially refunded", "In fulfilment"])
    shot(page, screenshot_dir, "3-paid-in-fulfilment")
