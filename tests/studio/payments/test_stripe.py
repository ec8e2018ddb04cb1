"""Card payments through Stripe: Checkout on the studio's connected account, webhooks on the
bare domain, refunds both ways. Against a local fake of Stripe's API (tests/fakestripe.py)."""

import json
import time
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django_tenants.utils import schema_context

from billing.models import Plan, PlanKind, StripeEvent
from saas_platform.accounts.models import Role, User
from saas_platform.stripe_api import from_minor, to_minor
from studio.ledger.accounts import PLATFORM_FEES, STRIPE
from studio.ledger.accounts import account as ledger_account
from studio.ledger.selectors import balance as ledger_balance
from studio.orders.models import Order, OrderStatus, Payment, PaymentStatus, Refund
from studio.orders.services import LineInput, order_create
from studio.orders.signals import order_paid
from studio.payments.providers import enabled_providers, provider_for
from tests.conftest import host_client, logged_in_client
from tests.fakestripe import event, sign
from tests.studio.payments.conftest import WEBHOOK_SECRET

# ----------------------------------------------------------------------------- helpers


def parent_order(fixture, total="40.00", currency="EUR"):
    amount = Decimal(total)
    with schema_context(fixture.schema):
        parent = User.objects.create_user(
            email=f"parent-{uuid.uuid4().hex[:8]}@example.com",
            password="pw-123456",
            role=Role.PARENT,
        )
        order = order_create(
            lines=[LineInput("Album", "album", 1, amount, amount, amount)],
            currency=currency,
            email=parent.email,
            payment_method="stripe",
            idempotency_key=uuid.uuid4().hex,
            parent=parent,
        )
    return parent, order


def start(fixture, order) -> str:
    request = RequestFactory().get("/", HTTP_HOST=fixture.host)
    request.tenant = fixture.studio
    with schema_context(fixture.schema):
        return provider_for("stripe").payment_start(order=order, request=request)


def payment_of(fixture, order) -> Payment:
    with schema_context(fixture.schema):
        return Payment.objects.get(order=order, status=PaymentStatus.PENDING)


def fresh(fixture, order) -> Order:
    with schema_context(fixture.schema):
        return Order.objects.get(pk=order.pk)


def deliver(payload: bytes, *, signature: str | None = None, timestamp: int | None = None):
    client = host_client(settings.BASE_DOMAIN)
    headers = {}
    if signature != "":
        headers["HTTP_STRIPE_SIGNATURE"] = signature or sign(
            payload, WEBHOOK_SECRET, timestamp=timestamp
        )
    return client.post("/stripe/webhook/", payload, content_type="application/json", **headers)


def paid(fake, fixture, order) -> str:
    """The parent pays on Stripe's page; returns the session id."""
    start(fixture, order)
    session_id = payment_of(fixture, order).provider_data["session_id"]
    fake.pay(fixture.studio.stripe_account_id, session_id)
    return session_id


def completed(fake, fixture, session_id, **kwargs) -> bytes:
    account = fixture.studio.stripe_account_id
    return event(
        "checkout.session.completed", fake.session(account, session_id), account=account, **kwargs
    )


def refunded(fake, fixture, session_id) -> bytes:
    account = fixture.studio.stripe_account_id
    return event("charge.refunded", fake.charge_of(account, session_id), account=account)


# ----------------------------------------------------------------------------- offering


def test_card_is_offered_only_to_a_ready_account_with_platform_keys(alpha, stripe_on, settings):
    from tenants.models import StripeAccountStatus

    studio = alpha.studio
    assert "stripe" not in [p.identifier for p in enabled_providers(studio)]
    studio.stripe_account_id = "acct_alpha_test"
    studio.stripe_account_status = StripeAccountStatus.PENDING
    assert "stripe" not in [p.identifier for p in enabled_providers(studio)]
    studio.stripe_account_status = StripeAccountStatus.READY
    assert "stripe" in [p.identifier for p in enabled_providers(studio)]
    settings.STRIPE_SECRET_KEY = ""
    assert "stripe" not in [p.identifier for p in enabled_providers(studio)]


def test_minor_units_follow_the_currency():
    assert to_minor(Decimal("12.34"), "EUR") == 1234
    assert to_minor(Decimal("1200"), "JPY") == 1200
    assert to_minor(Decimal("5.005"), "EUR") == 501
    assert from_minor(1234, "eur") == Decimal("12.34")
    assert from_minor(1200, "JPY") == Decimal("1200")


# ----------------------------------------------------------------------------- checkout


def test_the_parent_goes_to_stripe_and_the_redirect_pays_nothing(card_alpha, stripe_on):
    _parent, order = parent_order(card_alpha, "40.00")

    url = start(card_alpha, order)

    payment = payment_of(card_alpha, order)
    assert url == payment.provider_data["session_url"]
    assert url.startswith(f"{stripe_on.url}/pay/cs_test_")
    assert fresh(card_alpha, order).status == OrderStatus.PENDING_PAYMENT


def test_a_session_carries_amount_account_metadata_fee_and_key(card_alpha, stripe_on):
    plan = Plan.objects.create(
        code="share5", name="Share", kind=PlanKind.REVENUE_SHARE, revenue_share_percent="5"
    )
    card_alpha.studio.plan = plan
    card_alpha.studio.save()
    _parent, order = parent_order(card_alpha, "40.00")

    start(card_alpha, order)

    (request,) = stripe_on.posts("/v1/checkout/sessions")
    payment = payment_of(card_alpha, order)
    params = request["params"]
    assert request["account"] == "acct_alpha_test"
    assert request["idempotency_key"] == f"checkout-session-{payment.pk}"
    assert params["mode"] == "payment"
    assert params["line_items"][0]["price_data"]["unit_amount"] == "4000"
    assert params["line_items"][0]["price_data"]["currency"] == "eur"
    assert params["client_reference_id"] == str(payment.pk)
    assert params["metadata"]["schema"] == card_alpha.schema
    assert params["payment_intent_data"]["metadata"]["payment_id"] == str(payment.pk)
    assert params["payment_intent_data"]["application_fee_amount"] == "200"
    assert params["success_url"].startswith(
        f"http://{card_alpha.host}/account/orders/{order.number}/"
    )


@pytest.mark.parametrize(
    ("total", "percent", "currency"),
    [("40.00", "5", "EUR"), ("33.33", "7.5", "EUR"), ("1999", "12.5", "JPY")],
)
def test_the_fee_charged_is_what_the_console_reports(
    card_alpha, stripe_on, total, percent, currency, django_capture_on_commit_callbacks
):
    """One rule for the platform's share: the application fee sent to Stripe for a paid order
    equals the platform revenue in the studio's sales snapshot the console reads, and the fee
    the studio's ledger books (read back from Stripe's payment intent)."""
    from billing.models import StudioSalesSnapshot
    from studio.plan.tasks import sales_snapshot_collect_for_studio

    plan = Plan.objects.create(
        code="share", name="Share", kind=PlanKind.REVENUE_SHARE, revenue_share_percent=percent
    )
    card_alpha.studio.plan = plan
    card_alpha.studio.currency = currency
    card_alpha.studio.save()
    _parent, order = parent_order(card_alpha, total, currency)
    session_id = paid(stripe_on, card_alpha, order)
    with schema_context(card_alpha.schema):  # what earlier tests committed stays in the books
        fees_before = ledger_balance(ledger_account(PLATFORM_FEES), currency)
        stripe_before = ledger_balance(ledger_account(STRIPE), currency)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(completed(stripe_on, card_alpha, session_id)).status_code == 200
    assert fresh(card_alpha, order).status == OrderStatus.PAID

    with schema_context(card_alpha.schema):
        sales_snapshot_collect_for_studio.run(card_alpha.studio.pk)
        booked = ledger_balance(ledger_account(PLATFORM_FEES), currency) - fees_before
        in_stripe = ledger_balance(ledger_account(STRIPE), currency) - stripe_before
    snapshot = StudioSalesSnapshot.objects.get(studio=card_alpha.studio)

    (request,) = stripe_on.posts("/v1/checkout/sessions")
    charged = from_minor(
        int(request["params"]["payment_intent_data"]["application_fee_amount"]), currency
    )
    assert snapshot.gmv_today == Decimal(total)
    assert snapshot.platform_revenue_today == charged
    assert booked == charged
    assert in_stripe == Decimal(total) - charged
    assert charged == (Decimal(total) * Decimal(percent) / 100).quantize(
        Decimal(1) if currency == "JPY" else Decimal("0.01"), "ROUND_HALF_UP"
    )


def test_no_application_fee_without_a_revenue_share(card_alpha, stripe_on):
    _parent, order = parent_order(card_alpha, "40.00")
    start(card_alpha, order)
    (request,) = stripe_on.posts("/v1/checkout/sessions")
    assert "application_fee_amount" not in request["params"]["payment_intent_data"]


def test_yen_are_sent_without_minor_units(card_alpha, stripe_on):
    _parent, order = parent_order(card_alpha, "1200", currency="JPY")
    session_id = paid(stripe_on, card_alpha, order)

    (request,) = stripe_on.posts("/v1/checkout/sessions")
    assert request["params"]["line_items"][0]["price_data"]["unit_amount"] == "1200"
    assert deliver(completed(stripe_on, card_alpha, session_id)).status_code == 200
    order = fresh(card_alpha, order)
    assert (order.status, order.paid_total) == (OrderStatus.PAID, Decimal("1200"))


def test_a_double_clicked_pay_reuses_the_open_session(card_alpha, card_beta, stripe_on):
    parent, order = parent_order(card_alpha)
    client = logged_in_client(card_alpha, parent)

    first = client.post(f"/account/orders/{order.number}/pay/")
    again = client.post(f"/account/orders/{order.number}/pay/")

    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert first["Location"].startswith(f"{stripe_on.url}/pay/cs_test_")
    assert len(stripe_on.posts("/v1/checkout/sessions")) == 1
    with schema_context(card_alpha.schema):
        assert Payment.objects.filter(order=order).count() == 1
    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "being processed" in page and "Pay by card" in page
    # Another parent, or the same order number on another studio: not found.
    other_parent, _other = parent_order(card_alpha)
    other = logged_in_client(card_alpha, other_parent)
    assert other.post(f"/account/orders/{order.number}/pay/").status_code == 404
    with schema_context(card_beta.schema):
        beta_parent = User.objects.create_user(
            email="beta-parent@example.com", password="pw-123456", role=Role.PARENT
        )
    beta_client = logged_in_client(card_beta, beta_parent)
    assert beta_client.post(f"/account/orders/{order.number}/pay/").status_code == 404


def test_an_expired_session_is_replaced_by_a_new_payment(card_alpha, stripe_on):
    _parent, order = parent_order(card_alpha)
    first = start(card_alpha, order)
    with schema_context(card_alpha.schema):
        payment = Payment.objects.get(order=order)
        payment.provider_data["expires_at"] = int(time.time()) - 10
        payment.save()

    second = start(card_alpha, order)

    assert second != first
    with schema_context(card_alpha.schema):
        statuses = sorted(Payment.objects.filter(order=order).values_list("status", flat=True))
    assert statuses == [PaymentStatus.CANCELLED, PaymentStatus.PENDING]


# ----------------------------------------------------------------------------- webhooks


def test_a_paid_session_pays_the_order_once(card_alpha, stripe_on):
    _parent, order = parent_order(card_alpha)
    session_id = paid(stripe_on, card_alpha, order)
    payload = completed(stripe_on, card_alpha, session_id)

    first = deliver(payload)
    duplicate = deliver(payload)
    # Stripe may also send another event about the same session.
    other_event = deliver(completed(stripe_on, card_alpha, session_id))

    assert (first.status_code, first.content) == (200, b"confirmed")
    assert (duplicate.status_code, duplicate.content) == (200, b"duplicate")
    assert other_event.status_code == 200
    order = fresh(card_alpha, order)
    assert (order.status, order.paid_total) == (OrderStatus.PAID, Decimal("40.00"))
    event_id = json.loads(payload)["id"]
    assert StripeEvent.objects.filter(event_id=event_id).count() == 1
    with schema_context(card_alpha.schema):
        payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.CONFIRMED
    assert payment.reference == stripe_on.session("acct_alpha_test", session_id)["payment_intent"]


def test_the_webhook_announces_the_order_paid_once_in_the_studios_schema(
    card_alpha, stripe_on, run_tasks, django_capture_on_commit_callbacks
):
    """The webhook's transaction commits on the bare domain, after the studio's schema was
    left: ``order_paid`` still reaches its receivers inside the studio."""
    _parent, order = parent_order(card_alpha)
    session_id = paid(stripe_on, card_alpha, order)
    heard = []

    def listener(sender, order, **kwargs):
        heard.append((order.pk, connection.schema_name))

    order_paid.connect(listener, weak=False, dispatch_uid="test-webhook-paid")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            deliver(completed(stripe_on, card_alpha, session_id))
        with django_capture_on_commit_callbacks(execute=True):
            deliver(completed(stripe_on, card_alpha, session_id))  # another event, same session
    finally:
        order_paid.disconnect(dispatch_uid="test-webhook-paid")

    assert heard == [(order.pk, card_alpha.schema)]


def test_an_unpaid_session_does_not_pay_the_order(card_alpha, stripe_on):
    _parent, order = parent_order(card_alpha)
    start(card_alpha, order)
    session_id = payment_of(card_alpha, order).provider_data["session_id"]
    # A forged "completed" event about a session nobody paid: the re-fetch says unpaid.
    assert deliver(completed(stripe_on, card_alpha, session_id)).content == b"not paid yet"
    assert fresh(card_alpha, order).status == OrderStatus.PENDING_PAYMENT


@pytest.mark.parametrize("how", ["forged", "missing", "stale", "other secret"])
def test_an_unverifiable_event_is_refused_and_not_recorded(card_alpha, stripe_on, how, caplog):
    _parent, order = parent_order(card_alpha)
    session_id = paid(stripe_on, card_alpha, order)
    payload = completed(stripe_on, card_alpha, session_id)
    signature = {
        "forged": sign(payload.replace(b"acct_alpha", b"acct_other"), WEBHOOK_SECRET),
        "missing": "",
        "stale": sign(payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 301),
        "other secret": sign(payload, "whsec_someone_else"),
    }[how]

    response = deliver(payload, signature=signature)

    assert response.status_code == 400
    assert "stripe webhook rejected" in caplog.text
    assert not StripeEvent.objects.exists()
    assert fresh(card_alpha, order).status == OrderStatus.PENDING_PAYMENT


def test_each_studios_events_land_in_its_own_schema(card_alpha, card_beta, stripe_on):
    _pa, alpha_order = parent_order(card_alpha, "40.00")
    _pb, beta_order = parent_order(card_beta, "25.00")
    alpha_session = paid(stripe_on, card_alpha, alpha_order)
    beta_session = paid(stripe_on, card_beta, beta_order)

    assert deliver(completed(stripe_on, card_beta, beta_session)).content == b"confirmed"
    assert fresh(card_alpha, alpha_order).status == OrderStatus.PENDING_PAYMENT
    assert deliver(completed(stripe_on, card_alpha, alpha_session)).content == b"confirmed"

    assert fresh(card_alpha, alpha_order).paid_total == Decimal("40.00")
    assert fresh(card_beta, beta_order).paid_total == Decimal("25.00")
    # Beta's account claiming alpha's session is not found in beta's Stripe account.
    stolen = event(
        "checkout.session.completed",
        stripe_on.session("acct_alpha_test", alpha_session),
        account="acct_beta_test",
    )
    assert deliver(stolen).content == b"not found at Stripe"  # not on beta's account
    assert fresh(card_beta, beta_order).paid_total == Decimal("25.00")
    unknown = event(
        "checkout.session.completed",
        stripe_on.session("acct_alpha_test", alpha_session),
        account="acct_nobody",
    )
    assert deliver(unknown).content == b"unknown account"


def test_a_dashboard_refund_reaches_the_order_by_webhook_once(card_alpha, stripe_on):
    _parent, order = parent_order(card_alpha, "40.00")
    session_id = paid(stripe_on, card_alpha, order)
    deliver(completed(stripe_on, card_alpha, session_id))
    charge = stripe_on.charge_of("acct_alpha_test", session_id)

    stripe_on.refund("acct_alpha_test", charge["id"], 1000)
    payload = refunded(stripe_on, card_alpha, session_id)
    assert deliver(payload).content == b"1 refunds"
    assert deliver(payload).content == b"duplicate"
    order_after_one = fresh(card_alpha, order)
    stripe_on.refund("acct_alpha_test", charge["id"], 3000)
    deliver(refunded(stripe_on, card_alpha, session_id))

    assert (order_after_one.status, order_after_one.refunded_total) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("10.00"),
    )
    order = fresh(card_alpha, order)
    assert (order.status, order.refunded_total) == (OrderStatus.REFUNDED, Decimal("40.00"))
    with schema_context(card_alpha.schema):
        assert sorted(Refund.objects.filter(order=order).values_list("amount", flat=True)) == [
            Decimal("10.00"),
            Decimal("30.00"),
        ]


def test_a_refund_reported_before_the_payment_is_not_lost(card_alpha, stripe_on):
    _parent, order = parent_order(card_alpha, "40.00")
    session_id = paid(stripe_on, card_alpha, order)
    charge = stripe_on.charge_of("acct_alpha_test", session_id)
    stripe_on.refund("acct_alpha_test", charge["id"], 4000)

    # charge.refunded overtakes checkout.session.completed.
    assert deliver(refunded(stripe_on, card_alpha, session_id)).status_code == 200
    assert deliver(completed(stripe_on, card_alpha, session_id)).status_code == 200

    order = fresh(card_alpha, order)
    assert (order.status, order.paid_total, order.refunded_total) == (
        OrderStatus.REFUNDED,
        Decimal("40.00"),
        Decimal("40.00"),
    )
    with schema_context(card_alpha.schema):
        assert Refund.objects.filter(order=order).count() == 1


# ----------------------------------------------------------------------------- staff refunds

REFUND_TOKEN = "4c1a7f0e-2b4d-4f5e-9a6b-0c1d2e3f4a5b"


def test_staff_refund_goes_through_stripe_and_the_webhook_adds_nothing(card_alpha, stripe_on):
    _parent, order = parent_order(card_alpha, "40.00")
    session_id = paid(stripe_on, card_alpha, order)
    deliver(completed(stripe_on, card_alpha, session_id))
    with schema_context(card_alpha.schema):
        owner = User.objects.get(email=card_alpha.owner_email)
    staff = logged_in_client(card_alpha, owner)

    response = staff.post(
        f"/staff/orders/{order.pk}/refund/",
        {"amount": "15.00", "reason": "damaged print", "token": REFUND_TOKEN},
    )

    assert response.status_code == 302, response.content[:500]
    again = staff.post(  # a double-submitted form: no second refund, here or at Stripe
        f"/staff/orders/{order.pk}/refund/",
        {"amount": "15.00", "reason": "damaged print", "token": REFUND_TOKEN},
    )
    assert again.status_code == 302
    (request,) = stripe_on.posts("/v1/refunds")
    assert request["account"] == "acct_alpha_test"
    assert request["params"]["amount"] == "1500"
    assert request["idempotency_key"]
    with schema_context(card_alpha.schema):
        refund = Refund.objects.get(order=order)
    assert refund.provider_reference.startswith("re_test_")
    assert deliver(refunded(stripe_on, card_alpha, session_id)).status_code == 200
    order = fresh(card_alpha, order)
    assert (order.status, order.refunded_total) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("15.00"),
    )
    with schema_context(card_alpha.schema):
        assert Refund.objects.filter(order=order).count() == 1
    # More than is left is refused before Stripe is asked.
    too_much = staff.post(
        f"/staff/orders/{order.pk}/refund/",
        {"amount": "30", "reason": "x", "token": "7c1a7f0e-2b4d-4f5e-9a6b-0c1d2e3f4a5b"},
    )
    assert too_much.status_code == 400
    assert len(stripe_on.posts("/v1/refunds")) == 1


def test_a_retried_staff_refund_is_one_refund_at_stripe(card_alpha, stripe_on):
    """The same refund asked twice before the first is recorded (two workers, one click
    retried) carries the same idempotency key, so Stripe refunds once and we record once."""
    _parent, order = parent_order(card_alpha, "40.00")
    session_id = paid(stripe_on, card_alpha, order)
    deliver(completed(stripe_on, card_alpha, session_id))
    with schema_context(card_alpha.schema):
        owner = User.objects.get(email=card_alpha.owner_email)
        stripe = provider_for("stripe")
        first = stripe.refund(order=order, amount=Decimal("40"), actor=owner)
        # Undo what was recorded, as if the first request had died after calling Stripe.
        Refund.objects.filter(pk=first.pk).delete()
        Order.objects.filter(pk=order.pk).update(
            refunded_total=Decimal("0"), status=OrderStatus.PAID
        )
        second = stripe.refund(order=order, amount=Decimal("40"), actor=owner)

    refunds = stripe_on.posts("/v1/refunds")
    assert len(refunds) == 2 and refunds[0]["idempotency_key"] == refunds[1]["idempotency_key"]
    assert second.provider_reference == first.provider_reference
    assert stripe_on.charge_of("acct_alpha_test", session_id)["amount_refunded"] == 4000


# ----------------------------------------------------------------------------- Connect


def test_the_owner_connects_a_stripe_account_and_it_becomes_ready(alpha, beta, stripe_on):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    staff = logged_in_client(alpha, owner)
    page = staff.get("/staff/settings/payments/").content.decode()
    assert "Connect Stripe" in page

    first = staff.post("/staff/settings/payments/stripe/connect/")
    again = staff.post("/staff/settings/payments/stripe/connect/")  # back from an expired link

    assert first.status_code == again.status_code == 302
    assert first["Location"].startswith(f"{stripe_on.url}/connect/acct_")
    assert len(stripe_on.posts("/v1/accounts")) == 1
    assert len(stripe_on.posts("/v1/account_links")) == 2
    link = stripe_on.posts("/v1/account_links")[0]["params"]
    assert link["return_url"] == f"http://{alpha.host}/staff/settings/payments/?stripe=return"
    alpha.studio.refresh_from_db()
    account_id = alpha.studio.stripe_account_id
    assert (alpha.studio.stripe_account_status, account_id[:5]) == ("pending", "acct_")
    # Coming back before finishing: still pending, card not offered.
    staff.get("/staff/settings/payments/?stripe=return")
    alpha.studio.refresh_from_db()
    assert alpha.studio.stripe_account_status == "pending"

    account = stripe_on.finish_onboarding(account_id)
    assert deliver(event("account.updated", account, account=account_id)).status_code == 200

    alpha.studio.refresh_from_db()
    assert alpha.studio.stripe_account_status == "ready"
    assert "stripe" in [p.identifier for p in enabled_providers(alpha.studio)]
    beta.studio.refresh_from_db()
    assert (beta.studio.stripe_account_id, beta.studio.stripe_account_status) == (
        "",
        "not_connected",
    )
    page = staff.get("/staff/settings/payments/").content.decode()
    assert "Parents can pay by card" in page


def test_the_return_from_stripe_reads_the_accounts_state(alpha, stripe_on):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    staff = logged_in_client(alpha, owner)
    staff.post("/staff/settings/payments/stripe/connect/")
    alpha.studio.refresh_from_db()
    stripe_on.finish_onboarding(alpha.studio.stripe_account_id)

    staff.get("/staff/settings/payments/?stripe=return")

    alpha.studio.refresh_from_db()
    assert alpha.studio.stripe_account_status == "ready"


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.PARENT])
def test_only_owners_connect_stripe(alpha, stripe_on, role):
    with schema_context(alpha.schema):
        user = User.objects.create_user(email="x@alpha.test", password="pw-123456", role=role)
    response = logged_in_client(alpha, user).post("/staff/settings/payments/stripe/connect/")
    assert response.status_code == 403
    assert not stripe_on.posts("/v1/accounts")
