"""Stripe's notifications: one endpoint on the bare domain for every studio.

An event is verified (signature and age), recorded by its id in the public schema, and only
then acted on, in the same transaction: a second delivery finds the row and is ignored, and
a failure rolls the row back so Stripe's retry gets another go. The event's ``account``
(the studio's connected account) chooses the studio and so its schema; events without one
are the platform's own (studios' subscriptions, ``billing.subscriptions``). Objects are fetched
again from Stripe rather than trusted from the payload, and each handler is idempotent, so
events may arrive in any order.
"""

import json
import logging

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tenants.utils import schema_context

from saas_platform import stripe_api
from studio.orders.models import Payment, PaymentStatus
from studio.orders.services import payment_confirm, refund_record

log = logging.getLogger(__name__)


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
    from billing.models import StripeEvent
    from tenants.models import Studio

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
        if not account:
            outcome = _platform_event(event)
            record.outcome = outcome[:200]
            record.save(update_fields=["outcome"])
            return outcome
        handler = HANDLERS.get(event["type"])
        studio = Studio.objects.filter(stripe_account_id=account).first() if account else None
        if handler is None:
            outcome = "ignored"
        elif studio is None:
            log.warning("stripe webhook %s: no studio has account %r", event["id"], account)
            outcome = "unknown account"
        else:
            with schema_context(studio.schema_name):
                try:
                    outcome = handler(event["data"]["object"], studio)
                except stripe.InvalidRequestError as error:
                    if error.code != "resource_missing":
                        raise
                    # Not on this account at Stripe: retrying would never find it either.
                    log.warning("stripe webhook %s: %s", event["id"], error.user_message)
                    outcome = "not found at Stripe"
        record.outcome = outcome[:200]
        record.save(update_fields=["outcome"])
    return outcome


def _platform_event(event: dict) -> str:
    """Events of the platform's own account (no ``account``): studios' subscriptions."""
    from billing.subscriptions import PLATFORM_HANDLERS

    handler = PLATFORM_HANDLERS.get(event["type"])
    if handler is None:
        return "ignored"
    try:
        return handler(event["data"]["object"], f"stripe:{event['id']}")
    except stripe.InvalidRequestError as error:
        if error.code != "resource_missing":
            raise
        log.warning("stripe webhook %s: %s", event["id"], error.user_message)
        return "not found at Stripe"


def _options(studio) -> dict:
    return {"stripe_account": studio.stripe_account_id}


def _our_payment(metadata, studio) -> Payment | None:
    metadata = metadata.to_dict() if hasattr(metadata, "to_dict") else (metadata or {})
    if metadata.get("schema") != studio.schema_name or not metadata.get("payment_id"):
        return None
    return (
        Payment.objects.filter(pk=metadata["payment_id"], provider="stripe")
        .select_related("order")
        .first()
    )


def _confirm(payment: Payment, *, intent_id: str, amount: int, currency: str) -> str:
    """Confirms our payment once Stripe took exactly its amount."""
    if currency.upper() != payment.currency or amount != stripe_api.to_minor(
        payment.amount, payment.currency
    ):
        log.error("stripe: payment %s amount %s %s does not match", payment.pk, amount, currency)
        return "amount mismatch"
    if payment.status == PaymentStatus.CONFIRMED:
        return "already confirmed"
    if payment.status == PaymentStatus.CANCELLED:
        # The parent paid a session we had replaced: the money arrived all the same.
        Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.PENDING)
    Payment.objects.filter(pk=payment.pk).update(reference=intent_id)
    payment_confirm(payment=payment)
    return "confirmed"


def checkout_session_completed(session, studio) -> str:
    session = stripe_api.client().v1.checkout.sessions.retrieve(
        session["id"], options=_options(studio)
    )
    if session.payment_status != "paid":
        return "not paid yet"  # delayed methods: checkout.session.async_payment_succeeded
    payment = _our_payment(session.metadata, studio)
    if payment is None:
        return "not ours"
    return _confirm(
        payment,
        intent_id=session.payment_intent,
        amount=session.amount_total,
        currency=session.currency,
    )


def charge_refunded(charge, studio) -> str:
    """Refunds made anywhere (our staff page or Stripe's dashboard), each recorded once by
    Stripe's refund id. A refund reported before its payment's confirmation confirms the
    payment first, from the payment intent, so the order's books stay whole."""
    client = stripe_api.client()
    intent = client.v1.payment_intents.retrieve(charge["payment_intent"], options=_options(studio))
    payment = _our_payment(intent.metadata, studio)
    if payment is None:
        return "not ours"
    if payment.status != PaymentStatus.CONFIRMED:
        if intent.status != "succeeded":
            return "payment not succeeded"
        _confirm(
            payment, intent_id=intent.id, amount=intent.amount_received, currency=intent.currency
        )
    refunds = client.v1.refunds.list(
        params={"payment_intent": intent.id, "limit": 100}, options=_options(studio)
    )
    recorded = 0
    for refund in refunds.data:
        if refund.status not in ("succeeded", "pending"):
            continue
        refund_record(
            order=payment.order,
            payment=payment,
            amount=stripe_api.from_minor(refund.amount, refund.currency.upper()),
            reason=refund.reason or "Stripe",
            provider_reference=refund.id,
        )
        recorded += 1
    return f"{recorded} refunds"


def account_updated(account, studio) -> str:
    from .services import stripe_account_set_status

    return "account " + stripe_account_set_status(studio=studio, account=account)


HANDLERS = {
    "account.updated": account_updated,
    "checkout.session.completed": checkout_session_completed,
    "checkout.session.async_payment_succeeded": checkout_session_completed,
    "charge.refunded": charge_refunded,
}
