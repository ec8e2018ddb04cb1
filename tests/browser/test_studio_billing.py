"""A studio's owner buys a fixed-fee plan on a phone, end to end, against the real web server
and the fake Stripe (``tests/fakestripe.py``): the billing page shows the licence and usage;
choosing the plan goes to the fake's stand-in for Checkout (subscription mode); paying comes
back to the billing page, which only thanks (coming back pays nothing). Stripe's signed
platform webhooks (``checkout.session.completed``, then a renewal's ``invoice.paid``) reach
the web server; on reload the licence is active, on that plan, paid until the new period end.

Every step leaves a screenshot in ``test-output/screenshots/billing-phone-*.png``.
"""

import json
import re
from uuid import uuid4

import pytest
from django.utils import translation
from django.utils.formats import date_format
from django_tenants.utils import get_public_schema_name, schema_context
from playwright.sync_api import Page, expect

from tests.browser.test_operator_console import log_in_staff
from tests.browser.test_parent_card_payment import deliver_webhook
from tests.fakestripe import event

pytestmark = pytest.mark.browser

STUDIO_FIELDS = (
    "status",
    "status_reason",
    "licence_valid_until",
    "grace_until",
    "plan_id",
    "stripe_customer_id",
    "stripe_subscription_id",
)


def shot(page: Page, screenshot_dir, step: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"billing-phone-{step}.png", full_page=True)


@pytest.fixture
def monthly_plan(live_studios, committed):
    """A public monthly plan with a Stripe price (committed, for the web server); alpha's
    licence and Stripe fields as they were, the plan and the licence history put back after."""
    from billing.models import LicenceEvent, Plan, PlanKind
    from tenants.models import Studio
    from tenants.selectors import host_cache_forget

    alpha = live_studios["alpha"]
    tag = uuid4().hex[:6]
    with committed(), schema_context(get_public_schema_name()):
        plan = Plan.objects.create(
            code=f"browser-{tag}",
            name=f"Studio Monthly {tag}",
            kind=PlanKind.MONTHLY,
            price="29.00",
            currency="EUR",
            max_schools=10,
            max_storage_gb=50,
            stripe_price_id=f"price_browser_{tag}",
            is_public=True,
            position=999,
        )
        studio = Studio.objects.get(pk=alpha.studio.pk)
        saved = {field: getattr(studio, field) for field in STUDIO_FIELDS}
        last_event = LicenceEvent.objects.order_by("-id").values_list("id", flat=True).first()
    events: list[str] = []
    yield {"studio": alpha, "plan": plan, "events": events}

    from billing.models import StripeEvent

    with committed(), schema_context(get_public_schema_name()):
        StripeEvent.objects.filter(event_id__in=events).delete()
        LicenceEvent.objects.filter(studio_id=alpha.studio.pk, id__gt=last_event or 0).delete()
        Studio.objects.filter(pk=alpha.studio.pk).update(**saved)
        Plan.objects.filter(pk=plan.pk).delete()
        host_cache_forget(hostnames=[alpha.host])


def test_an_owner_buys_a_monthly_plan_on_a_phone_and_the_webhooks_activate_it(
    monthly_plan, web_server, fake_stripe, context_factory, screenshot_dir, committed
):
    from tenants.models import Studio, StudioStatus

    alpha, plan = monthly_plan["studio"], monthly_plan["plan"]
    base = f"http://{alpha.host}:{web_server}"
    page = context_factory("phone").new_page()

    # --- 1. The billing page: licence, usage and the plans. -------------------------------
    log_in_staff(page, base, alpha.owner_email)
    page.goto(f"{base}/staff/billing/")
    expect(page.locator("#licence .badge")).to_have_text("Trial")
    expect(page.locator("#usage tbody tr")).to_have_count(4)
    card = page.locator("form.card").filter(has=page.get_by_role("heading", name=plan.name))
    expect(card.locator(".stat")).to_have_text("€29.00 / month")
    shot(page, screenshot_dir, "01-billing")

    # --- 2. Choose: the fake's Checkout page, in subscription mode. -----------------------
    card.get_by_role("button", name="Choose").click()
    expect(page).to_have_url(re.compile(re.escape(f"{fake_stripe.url}/pay/") + r"cs_test_\w+$"))
    session_id = page.url.rsplit("/", 1)[1]
    session = fake_stripe.session("", session_id)
    assert session["mode"] == "subscription"
    assert session["_params"]["line_items"][0]["price"] == plan.stripe_price_id
    shot(page, screenshot_dir, "02-stripe-checkout")

    # --- 3. Pay: back on the billing page, which only thanks. -----------------------------
    page.get_by_role("button", name="Pay").click()
    expect(page).to_have_url(f"{base}/staff/billing/?paid=1")
    expect(page.locator("main .notice[role=status]")).to_contain_text("Thank you.")
    expect(page.locator("#licence .badge")).to_have_text("Trial")
    shot(page, screenshot_dir, "03-back-from-stripe")

    # --- 4. Stripe's platform webhooks: the subscription starts, then renews. ------------
    subscription_id = fake_stripe.session("", session_id)["subscription"]
    for kind, obj, outcome in (
        ("checkout.session.completed", fake_stripe.session("", session_id), "active"),
        # the renewal moves the paid period on; the status stays
        ("invoice.paid", fake_stripe.invoice(subscription_id, paid=True), "active (no change)"),
    ):
        payload = event(kind, obj, account=None)
        monthly_plan["events"].append(json.loads(payload)["id"])
        assert deliver_webhook(web_server, payload) == (200, outcome)
    with committed(), schema_context(get_public_schema_name()):
        studio = Studio.objects.get(pk=alpha.studio.pk)
    assert (studio.status, studio.plan_id) == (StudioStatus.ACTIVE, plan.pk)
    assert studio.stripe_subscription_id == subscription_id
    assert int(studio.licence_valid_until.timestamp()) == fake_stripe.period_end(subscription_id)

    # --- 5. Reload: active, on the plan, paid until the period's end. --------------------
    page.goto(f"{base}/staff/billing/")
    from tenants.selectors import studio_tzinfo

    with translation.override("en"):
        until = date_format(
            studio.licence_valid_until.astimezone(studio_tzinfo(studio)), "DATE_FORMAT"
        )
    expect(page.locator("#licence .badge")).to_have_text("Active")
    expect(page.locator("#licence")).to_contain_text(plan.name)
    expect(page.locator("#licence")).to_contain_text(f"Paid until: {until}")
    expect(card.get_by_role("button", name="Choose")).to_have_count(0)
    expect(card).to_contain_text("Your plan")
    expect(page.get_by_role("button", name="Manage card and invoices")).to_be_visible()
    shot(page, screenshot_dir, "04-active")


def test_a_blocked_studios_billing_page_on_a_desktop_is_wide_and_offers_no_plan(
    monthly_plan, web_server, context_factory, screenshot_dir, committed
):
    from tenants.models import Studio, StudioStatus
    from tenants.selectors import host_cache_forget

    alpha = monthly_plan["studio"]
    with committed(), schema_context(get_public_schema_name()):
        Studio.objects.filter(pk=alpha.studio.pk).update(
            status=StudioStatus.BLOCKED, status_reason="Unpaid invoices"
        )
        host_cache_forget(hostnames=[alpha.host])
    base = f"http://{alpha.host}:{web_server}"
    page = context_factory("desktop").new_page()
    log_in_staff(page, base, alpha.owner_email)
    page.goto(f"{base}/staff/billing/")

    expect(page.locator("#licence .badge")).to_have_text("Blocked")
    expect(page.locator("#plans-blocked")).to_contain_text(
        "Pictureday has blocked your studio, so a plan cannot be chosen here"
    )
    expect(page.get_by_role("button", name="Choose")).to_have_count(0)
    assert page.locator("main .container").bounding_box()["width"] > 900
    page.screenshot(path=screenshot_dir / "billing-desktop-blocked.png", full_page=True)
