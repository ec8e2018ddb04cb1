"""Stripe's notifications: one endpoint on the bare domain for every studio (Zulip's
``corporate/lib/stripe_event_handler.py`` is the model).

An event is verified (signature and age), recorded by its id in the public schema, and only
then acted on, in the same transaction: a second delivery finds the row and is ignored, and
a failure rolls the row back so Stripe's retry gets another go. Events without an ``account``
are the platform's own (studios' subscriptions, ``billing.subscriptions``). Events of a
studio's connected account choose the studio, and so its schema, by that account; their
handlers live in the studio apps, which register them here with ``connected_account_event``
(billing never imports a studio app). Handlers fetch objects again from Stripe rather than
trust the payload, and are idempotent, so events may arrive in any order.
"""

import json
import logging
from collections.abc import Callable

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import schema_context

from tenants.models import Studio

from .models import StripeEvent
from .subscriptions import PLATFORM_HANDLERS

log = logging.getLogger(__name__)

# event type → handler(stripe object, studio) -> outcome; runs inside the studio's schema.
ConnectedAccountHandler = Callable[[dict, Studio], str]
_connected_account_handlers: dict[str, ConnectedAccountHandler] = {}


def connected_account_event(*event_types: str):
    """Registers the decorated function as the handler of these event types when they come
    from a studio's connected account. One handler per type."""

    def register(handler: ConnectedAccountHandler) -> ConnectedAccountHandler:
        for event_type in event_types:
            existing = _connected_account_handlers.get(event_type)
            if existing is not None and existing is not handler:
                raise ImproperlyConfigured(f"two handlers for connected-account {event_type}")
            _connected_account_handlers[event_type] = handler
        return handler

    return register


@csrf_exempt
@require_POST
def stripe_webhook(request):
    secret = settings.STRIPE_WEBHOOK_SECRET
    signature = request.META.get("HTTP_STRIPE_SIGNATURE", "")
    if not secret:
        log.error("stripe webhook: STRIPE_WEBHOOK_SECRET is not set")
        return HttpResponseBadRequest("not configured")
    try:
        stripe.Webhook.construct_event(request.body, signature, secret, tolerance=300)
    except (ValueError, stripe.SignatureVerificationError) as error:
        log.warning("stripe webhook rejected: %s", error)
        return HttpResponseBadRequest("bad signature")
    event = json.loads(request.body)  # verified: plain data from here on
    try:
        outcome = handle_event(event)
    except Exception:
        log.exception("stripe webhook %s (%s) failed", event["id"], event["type"])
        return HttpResponse("failed", status=500)
    return HttpResponse(outcome)


def handle_event(event: dict) -> str:
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(
                    event_id=event["id"],
                    type=event["type"],
                    account=event.get("account") or "",
                    livemode=bool(event.get("livemode")),
                    payload=event,
                )
        except IntegrityError:
            log.info("stripe webhook: event %s already handled", event["id"])
            return "duplicate"
        account = event.get("account") or ""
        outcome = _connected_account_event(event, account) if account else _platform_event(event)
        record.outcome = outcome[:200]
        record.save(update_fields=["outcome"])
    return outcome


def _not_found_at_stripe(event: dict, error: stripe.InvalidRequestError) -> str:
    """Not on that account at Stripe: retrying would never find it either."""
    if error.code != "resource_missing":
        raise error
    log.warning("stripe webhook %s: %s", event["id"], error.user_message)
    return "not found at Stripe"


def _platform_event(event: dict) -> str:
    """Events of the platform's own account (no ``account``): studios' subscriptions."""
    handler = PLATFORM_HANDLERS.get(event["type"])
    if handler is None:
        return "ignored"
    try:
        return handler(event["data"]["object"], f"stripe:{event['id']}")
    except stripe.InvalidRequestError as error:
        return _not_found_at_stripe(event, error)


def _connected_account_event(event: dict, account: str) -> str:
    handler = _connected_account_handlers.get(event["type"])
    if handler is None:
        return "ignored"
    studio = Studio.objects.filter(stripe_account_id=account).first()
    if studio is None:
        log.warning("stripe webhook %s: no studio has account %r", event["id"], account)
        return "unknown account"
    with schema_context(studio.schema_name):
        try:
            return handler(event["data"]["object"], studio)
        except stripe.InvalidRequestError as error:
            return _not_found_at_stripe(event, error)
