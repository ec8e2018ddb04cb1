"""Studios pay the platform: Stripe Billing on the platform's own account (not Connect).

A studio gets one Stripe customer (made once, idempotency key from its id); a fixed-fee plan
is a subscription started in Checkout; the card is managed in Stripe's Customer Portal.
Webhooks never trust the order they arrive in: every handler fetches the subscription again
and applies its *current* state, so a late ``invoice.payment_failed`` after a later payment
changes nothing.
"""

import logging
from datetime import UTC, datetime

import stripe
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from saas_platform import stripe_api
from saas_platform.support import support_email
from tenants.models import Studio, StudioStatus

from .licences import licence_paid, licence_payment_failed, licence_suspend
from .models import Plan, StripeEvent

log = logging.getLogger(__name__)

ACTIVE_STATES = ("active", "trialing")
PAST_DUE_STATES = ("past_due",)
ENDED_STATES = ("canceled", "unpaid", "incomplete_expired", "paused")


def _field(obj, name, default=None):
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    try:
        return obj[name]
    except (KeyError, TypeError):
        return getattr(obj, name, default)


def customer_ensure(*, studio: Studio) -> str:
    """The studio's Stripe customer, created once (a retry reuses Stripe's first answer)."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        locked = Studio.objects.select_for_update().get(pk=studio.pk)
        if not locked.stripe_customer_id:
            customer = stripe_api.client().v1.customers.create(
                params={
                    "email": locked.owner_email or None,
                    "name": locked.name,
                    "metadata": {"studio_id": str(locked.pk), "schema": locked.schema_name},
                },
                options={"idempotency_key": f"platform-customer-{locked.pk}"},
            )
            locked.stripe_customer_id = customer.id
            locked.save(update_fields=["stripe_customer_id"])
        studio.stripe_customer_id = locked.stripe_customer_id
        return locked.stripe_customer_id


def plan_choose(*, studio: Studio, plan: Plan, success_url: str, cancel_url: str, user) -> str:
    """Returns where to send the owner: Stripe Checkout for a fixed-fee plan, ``""`` when a
    revenue-share plan was simply set (its fee is taken from the parents' card payments)."""
    if studio.status == StudioStatus.BLOCKED:
        if email := support_email():
            raise ValidationError(
                _("This studio is blocked; please write to %(email)s.") % {"email": email}
            )
        raise ValidationError(_("This studio is blocked; please contact support."))
    if not plan.is_subscription:
        if studio.stripe_subscription_id and studio.status in (
            StudioStatus.ACTIVE,
            StudioStatus.PAST_DUE,
        ):
            raise ValidationError(
                _("Cancel your current subscription under “Manage card” before switching.")
            )
        licence_paid(
            studio=studio,
            valid_until=None,
            plan=plan,
            source=f"owner:{user.email}",
            reason="revenue share plan chosen",
        )
        return ""
    if not plan.stripe_price_id:
        if email := support_email():
            raise ValidationError(
                _("This plan cannot be bought online yet; please write to %(email)s.")
                % {"email": email}
            )
        raise ValidationError(_("This plan cannot be bought online yet; please contact us."))
    if not stripe_api.is_configured():
        raise ValidationError(_("Online payment is not available right now."))
    customer = customer_ensure(studio=studio)
    session = stripe_api.client().v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "customer": customer,
            "line_items": [{"price": plan.stripe_price_id, "quantity": 1}],
            "client_reference_id": str(studio.pk),
            "metadata": {"studio_id": str(studio.pk), "plan": plan.code},
            "subscription_data": {"metadata": {"studio_id": str(studio.pk), "plan": plan.code}},
            "success_url": success_url,
            "cancel_url": cancel_url,
        },
    )
    return session.url


def portal_url(*, studio: Studio, return_url: str) -> str:
    if not stripe_api.is_configured():
        raise ValidationError(_("Online payment is not available right now."))
    customer = customer_ensure(studio=studio)
    session = stripe_api.client().v1.billing_portal.sessions.create(
        params={"customer": customer, "return_url": return_url}
    )
    return session.url


# --------------------------------------------------------------------------- from Stripe


def _period_end(subscription) -> datetime | None:
    """Stripe moved ``current_period_end`` onto the subscription's items (2025 API)."""
    end = _field(subscription, "current_period_end")
    if end is None:
        items = _field(_field(subscription, "items"), "data") or []
        ends = [_field(item, "current_period_end") for item in items]
        end = max((e for e in ends if e), default=None)
    return datetime.fromtimestamp(int(end), tz=UTC) if end else None


def _plan_of(subscription) -> Plan | None:
    items = _field(_field(subscription, "items"), "data") or []
    price_ids = [_field(_field(item, "price"), "id") for item in items]
    return Plan.objects.filter(stripe_price_id__in=[p for p in price_ids if p]).first()


def subscription_apply(*, studio: Studio, subscription, source: str) -> str:
    """Sets the licence from the subscription's current state at Stripe."""
    sub_id = _field(subscription, "id")
    if studio.stripe_subscription_id and sub_id != studio.stripe_subscription_id:
        return "not the current subscription"
    status = _field(subscription, "status")
    if status in ACTIVE_STATES:
        change = licence_paid(
            studio=studio,
            valid_until=_period_end(subscription),
            plan=_plan_of(subscription),
            source=source,
        )
        return "active" + ("" if change.changed else " (no change)")
    if status in PAST_DUE_STATES:
        change = licence_payment_failed(studio=studio, source=source)
        return "past_due" + ("" if change.changed else " (no change)")
    if status in ENDED_STATES:
        change = licence_suspend(studio=studio, reason=f"subscription {status}", source=source)
        return "suspended" + ("" if change.changed else " (no change)")
    return f"subscription {status}: nothing to do"


def subscription_sync(*, studio: Studio, subscription_id: str, source: str) -> str:
    subscription = stripe_api.client().v1.subscriptions.retrieve(subscription_id)
    return subscription_apply(studio=studio, subscription=subscription, source=source)


def _studio_of_customer(customer_id) -> Studio | None:
    if not customer_id:
        return None
    return Studio.objects.filter(stripe_customer_id=customer_id).first()


def checkout_completed(session, source: str) -> str:
    """The owner subscribed in Checkout: remember the subscription, then apply it."""
    if _field(session, "mode") != "subscription":
        return "not a subscription"
    session = stripe_api.client().v1.checkout.sessions.retrieve(session["id"])
    studio = _studio_of_customer(_field(session, "customer"))
    if studio is None or str(_field(session, "client_reference_id")) != str(studio.pk):
        return "unknown customer"
    subscription_id = _field(session, "subscription")
    if not subscription_id:
        return "no subscription"
    if studio.stripe_subscription_id != subscription_id:
        Studio.objects.filter(pk=studio.pk).update(stripe_subscription_id=subscription_id)
        studio.stripe_subscription_id = subscription_id
    return subscription_sync(studio=studio, subscription_id=subscription_id, source=source)


def invoice_event(invoice, source: str) -> str:
    """``invoice.paid`` and ``invoice.payment_failed``: the subscription says what holds now."""
    studio = _studio_of_customer(_field(invoice, "customer"))
    if studio is None:
        return "unknown customer"
    subscription_id = _field(invoice, "subscription") or _field(
        _field(_field(invoice, "parent"), "subscription_details"), "subscription"
    )
    if not subscription_id:
        return "no subscription"
    if not studio.stripe_subscription_id:
        Studio.objects.filter(pk=studio.pk).update(stripe_subscription_id=subscription_id)
        studio.stripe_subscription_id = subscription_id
    return subscription_sync(studio=studio, subscription_id=subscription_id, source=source)


def subscription_event(subscription, source: str) -> str:
    studio = _studio_of_customer(_field(subscription, "customer"))
    if studio is None:
        return "unknown customer"
    return subscription_sync(studio=studio, subscription_id=subscription["id"], source=source)


PLATFORM_HANDLERS = {
    "checkout.session.completed": checkout_completed,
    "invoice.paid": invoice_event,
    "invoice.payment_failed": invoice_event,
    "customer.subscription.updated": subscription_event,
    "customer.subscription.deleted": subscription_event,
    "customer.subscription.created": subscription_event,
}


# --------------------------------------------------------------------------- leaving


def _missing(error: stripe.StripeError) -> bool:
    return getattr(error, "code", None) == "resource_missing"


def studio_stripe_detach(*, studio: Studio) -> dict:
    """Before a studio is deleted: its subscription is cancelled at once and its customer
    deleted on the platform's account (gone already counts as done), and the webhook events
    of its connected account, which carry parents' e-mails, are forgotten. The connected
    account itself is the studio's own Stripe account: only its id is dropped with the row."""
    done = {"subscription": "", "customer": "", "events": 0}
    if (studio.stripe_subscription_id or studio.stripe_customer_id) and stripe_api.is_configured():
        client = stripe_api.client()
        if studio.stripe_subscription_id:
            try:
                client.v1.subscriptions.cancel(studio.stripe_subscription_id)
                done["subscription"] = "cancelled"
            except stripe.StripeError as error:
                if not _missing(error):
                    raise
                done["subscription"] = "gone"
        if studio.stripe_customer_id:
            try:
                client.v1.customers.delete(studio.stripe_customer_id)
                done["customer"] = "deleted"
            except stripe.StripeError as error:
                if not _missing(error):
                    raise
                done["customer"] = "gone"
    if studio.stripe_account_id:
        done["events"], _by_type = StripeEvent.objects.filter(
            account=studio.stripe_account_id
        ).delete()
    return done
