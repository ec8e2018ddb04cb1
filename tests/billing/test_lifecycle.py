"""The licence's life driven by signed Stripe webhooks: trial → active → past_due →
suspended → active again, duplicates and events out of order."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from billing.licences import licences_expire
from billing.models import LicenceEvent
from tenants.models import StudioStatus

from .conftest import deliver, owner_client, platform_event, studio_of, subscribe


def _events(fixture):
    with schema_context(get_public_schema_name()):
        return list(
            LicenceEvent.objects.filter(studio_id=fixture.studio.pk)
            .order_by("id")
            .values_list("from_status", "to_status", "source")
        )


def _at(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def test_the_whole_lifecycle(alpha, stripe_on, starter, django_capture_on_commit_callbacks):
    fake = stripe_on
    assert studio_of(alpha).status == StudioStatus.TRIAL

    session, subscription = subscribe(fake, alpha)
    request = fake.posts("/v1/checkout/sessions")[-1]
    assert request["account"] == ""  # the platform's own account, not Connect
    assert request["params"]["mode"] == "subscription"
    assert request["params"]["line_items"][0]["price"] == starter.stripe_price_id
    paid_event = platform_event("checkout.session.completed", session)
    assert deliver(paid_event).content == b"active"
    studio = studio_of(alpha)
    assert studio.status == StudioStatus.ACTIVE
    assert studio.plan_id == starter.pk
    assert studio.stripe_subscription_id == subscription["id"]
    assert studio.licence_valid_until == _at(fake.period_end(subscription["id"]))
    assert studio.is_selling

    failed = fake.invoice(subscription["id"], paid=False)
    assert deliver(platform_event("invoice.payment_failed", failed)).content == b"past_due"
    studio = studio_of(alpha)
    assert studio.status == StudioStatus.PAST_DUE
    assert studio.grace_until > timezone.now() + timedelta(days=6)
    assert studio.is_selling  # during the grace period
    page = owner_client(alpha).get("/staff/")
    assert "Your last payment to Pictureday failed" in page.content.decode()

    assert licences_expire(now=studio.grace_until - timedelta(seconds=1)) == 0
    assert licences_expire(now=studio.grace_until + timedelta(seconds=1)) == 1
    studio = studio_of(alpha)
    assert studio.status == StudioStatus.SUSPENDED and not studio.is_selling

    renewed = fake.invoice(subscription["id"], paid=True)
    assert deliver(platform_event("invoice.paid", renewed)).content == b"active"
    studio = studio_of(alpha)
    assert studio.status == StudioStatus.ACTIVE and studio.grace_until is None
    assert studio.licence_valid_until == _at(fake.period_end(subscription["id"]))
    assert studio.is_selling

    assert [(a, b) for a, b, _source in _events(alpha)] == [
        ("trial", "active"),
        ("active", "past_due"),
        ("past_due", "suspended"),
        ("suspended", "active"),
    ]
    assert _events(alpha)[2][2] == "system"
    assert all(source.startswith("stripe:evt_") for *_x, source in _events(alpha)[:2])


def test_a_duplicate_event_changes_nothing(alpha, stripe_on, starter):
    fake = stripe_on
    _session, subscription = subscribe(fake, alpha)
    created = platform_event("customer.subscription.created", subscription)
    assert deliver(created).content == b"active"
    assert deliver(created).content == b"duplicate"
    failed = platform_event("invoice.payment_failed", fake.invoice(subscription["id"], paid=False))
    assert deliver(failed).content == b"past_due"
    assert deliver(failed).content == b"duplicate"
    assert [to for _f, to, _s in _events(alpha)] == ["active", "past_due"]


def test_a_late_failure_after_a_later_payment_is_ignored(alpha, stripe_on, starter):
    """Stripe's delivery order is not the order things happened in: the handlers ask Stripe
    for the subscription as it is now."""
    fake = stripe_on
    session, subscription = subscribe(fake, alpha)
    failed = fake.invoice(subscription["id"], paid=False)
    paid = fake.invoice(subscription["id"], paid=True)
    assert deliver(platform_event("invoice.paid", paid)).content == b"active"
    assert deliver(platform_event("invoice.payment_failed", failed)).content.startswith(b"active")
    # and the checkout's completion, arriving last, neither shortens the licence
    until = studio_of(alpha).licence_valid_until
    deliver(platform_event("checkout.session.completed", session))
    studio = studio_of(alpha)
    assert studio.status == StudioStatus.ACTIVE
    assert studio.licence_valid_until == until == _at(fake.period_end(subscription["id"]))
    assert [to for _f, to, _s in _events(alpha)] == ["active"]


def test_a_cancelled_subscription_suspends(alpha, stripe_on, starter):
    fake = stripe_on
    session, subscription = subscribe(fake, alpha)
    deliver(platform_event("checkout.session.completed", session))
    # an "updated" event for a change that is no status change keeps the studio active
    assert deliver(
        platform_event("customer.subscription.updated", subscription)
    ).content.startswith(b"active")
    cancelled = fake.set_subscription_status(subscription["id"], "canceled")
    deleted = platform_event("customer.subscription.deleted", cancelled)
    assert deliver(deleted).content == b"suspended"
    assert studio_of(alpha).status == StudioStatus.SUSPENDED
    # an earlier "updated" delivered after the deletion does not reactivate it
    fake.set_subscription_status(subscription["id"], "canceled")
    late = platform_event("customer.subscription.updated", {**subscription, "status": "active"})
    assert deliver(late).content.startswith(b"suspended")
    assert studio_of(alpha).status == StudioStatus.SUSPENDED


def test_trial_end_without_a_plan_suspends(alpha):
    studio = studio_of(alpha)
    assert licences_expire(now=studio.licence_valid_until - timedelta(minutes=1)) == 0
    assert licences_expire(now=studio.licence_valid_until + timedelta(minutes=1)) >= 1
    assert studio_of(alpha).status == StudioStatus.SUSPENDED
    assert _events(alpha)[-1][:2] == ("trial", "suspended")


def test_payments_never_lift_an_operators_block(alpha, stripe_on, starter):
    fake = stripe_on
    session, _subscription = subscribe(fake, alpha)
    with schema_context(get_public_schema_name()):
        studio = studio_of(alpha)
        studio.status = StudioStatus.BLOCKED
        studio.save()
    deliver(platform_event("checkout.session.completed", session))
    assert studio_of(alpha).status == StudioStatus.BLOCKED


def test_events_of_another_studios_customer_touch_only_that_studio(alpha, beta, stripe_on, starter):
    fake = stripe_on
    session, subscription = subscribe(fake, beta)
    # a session claiming to be alpha's but paid by beta's customer is not alpha's
    forged = {**session, "client_reference_id": str(alpha.studio.pk)}
    fake.session("", session["id"])["client_reference_id"] = str(alpha.studio.pk)
    assert deliver(platform_event("checkout.session.completed", forged)).content == (
        b"unknown customer"
    )
    fake.session("", session["id"])["client_reference_id"] = str(beta.studio.pk)
    deliver(platform_event("invoice.paid", fake.invoice(subscription["id"], paid=True)))
    assert studio_of(beta).status == StudioStatus.ACTIVE
    assert studio_of(alpha).status == StudioStatus.TRIAL
    assert _events(alpha) == []


def test_a_plan_change_in_the_portal_follows(alpha, stripe_on, starter):
    from billing.models import Plan

    fake = stripe_on
    session, subscription = subscribe(fake, alpha)
    deliver(platform_event("checkout.session.completed", session))
    with schema_context(get_public_schema_name()):
        bigger = Plan.objects.get(code="studio")
        bigger.stripe_price_id = "price_test_studio_monthly"
        bigger.save()
    with fake.lock:
        item = fake.objects[("", subscription["id"])]["items"]["data"][0]
        item["price"] = {"id": bigger.stripe_price_id, "object": "price"}
    updated = platform_event(
        "customer.subscription.updated", fake.objects[("", subscription["id"])]
    )
    assert deliver(updated).content.startswith(b"active")
    assert studio_of(alpha).plan_id == bigger.pk
