"""The studio side of Stripe's notifications: handlers of events from a studio's connected
account, registered with billing's single receiver (``billing.webhooks``), which verifies and
records each event and runs the handler inside the studio's schema. Each handler fetches the
objects again from Stripe and is idempotent, so events may arrive in any order or twice.
"""

import logging

from billing.webhooks import connected_account_event
from saas_platform import stripe_api
from studio.orders.models import APPLICATION_FEE_KEY, Payment, PaymentStatus
from studio.orders.services import payment_confirm, refund_record

from .services import stripe_account_set_status

log = logging.getLogger(__name__)


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


def _confirm(payment: Payment, *, intent, amount: int, currency: str) -> str:
    """Confirms our payment once Stripe took exactly its amount, keeping the application fee
    Stripe says it charged (the ledger books that, not what we asked for)."""
    if currency.upper() != payment.currency or amount != stripe_api.to_minor(
        payment.amount, payment.currency
    ):
        log.error("stripe: payment %s amount %s %s does not match", payment.pk, amount, currency)
        return "amount mismatch"
    if payment.status == PaymentStatus.CONFIRMED:
        return "already confirmed"
    if payment.status == PaymentStatus.CANCELLED:
        # The parent paid a session we had replaced: the money arrived all the same. Only a
        # payment still cancelled: the same event handled at once by another worker may have
        # confirmed it meanwhile, and pending again it would be applied twice.
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.CANCELLED).update(
            status=PaymentStatus.PENDING
        )
    fee = getattr(intent, "application_fee_amount", None) or 0
    Payment.objects.filter(pk=payment.pk).update(
        reference=intent.id, provider_data={**payment.provider_data, APPLICATION_FEE_KEY: fee}
    )
    payment.refresh_from_db()
    payment_confirm(payment=payment)
    return "confirmed"


@connected_account_event("checkout.session.completed", "checkout.session.async_payment_succeeded")
def checkout_session_completed(session, studio) -> str:
    session = stripe_api.client().v1.checkout.sessions.retrieve(
        session["id"], options=_options(studio)
    )
    if session.payment_status != "paid":
        return "not paid yet"  # delayed methods: checkout.session.async_payment_succeeded
    payment = _our_payment(session.metadata, studio)
    if payment is None:
        return "not ours"
    intent = stripe_api.client().v1.payment_intents.retrieve(
        session.payment_intent, options=_options(studio)
    )
    return _confirm(payment, intent=intent, amount=session.amount_total, currency=session.currency)


@connected_account_event("charge.refunded")
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
        _confirm(payment, intent=intent, amount=intent.amount_received, currency=intent.currency)
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


@connected_account_event("account.updated")
def account_updated(account, studio) -> str:
    return "account " + stripe_account_set_status(studio=studio, account=account)
