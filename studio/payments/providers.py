"""Payment providers, after pretix: one base class with an explicit lifecycle, so orders
never know how money arrives.

Lifecycle of a provider for an order:

1. ``is_enabled(studio)``: offered at checkout?
2. ``payment_start(order=, request=)`` after the order is placed: an online provider
   creates its payment (``orders.services.payment_create``) and returns the URL to send
   the parent to; an offline one returns ``None`` and the order page shows
   ``instructions(order=, studio=)``.
3. ``payment_confirm(payment=, actor=)``: money arrived (a webhook, or staff recording a
   transfer). Applied once under the order's and payment's row locks; again is a no-op.
4. ``refund(order=, amount=, actor=, reason=)``: money goes back (an online provider calls
   its API first; an offline refund is paid back by hand and recorded).
5. ``webhook(request)``: the provider's notifications; offline providers have none.

Stripe implements the same methods; its notifications arrive on the bare domain
(``studio.payments.stripe_webhooks``), since one endpoint serves every studio.
"""

import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saas_platform import stripe_api
from saas_platform.money import format_money, quantize
from studio.orders.models import Order, Payment, PaymentStatus, Refund
from studio.orders.selectors import order_page_url
from studio.orders.services import (
    payment_confirm,
    payment_create,
    refund_record,
)
from tenants.models import StripeAccountStatus
from tenants.selectors import current_studio

log = logging.getLogger(__name__)
OPEN_PAYMENT = (PaymentStatus.CREATED, PaymentStatus.PENDING)


class PaymentProvider:
    identifier = ""
    verbose_name = ""
    description = ""
    is_online = False

    def is_enabled(self, studio) -> bool:
        raise NotImplementedError

    def payment_start(self, *, order: Order, request) -> str | None:
        raise NotImplementedError

    def instructions(self, *, order: Order, studio) -> str:
        return ""

    def payment_confirm(self, *, payment: Payment, actor=None) -> Payment:
        return payment_confirm(payment=payment, actor=actor)

    def refund(
        self,
        *,
        order: Order,
        amount: Decimal,
        actor,
        reason: str = "",
        idempotency_key=None,
        line_ids=(),
    ) -> Refund:
        raise NotImplementedError

    def webhook(self, request):
        raise NotImplementedError(f"{self.identifier} has no webhooks")


class OfflineProvider(PaymentProvider):
    """Money handed over outside the site: staff record it (in full or in part)."""

    def payment_start(self, *, order: Order, request) -> None:
        return None

    def refund(
        self,
        *,
        order: Order,
        amount: Decimal,
        actor,
        reason: str = "",
        idempotency_key=None,
        line_ids=(),
    ) -> Refund:
        return refund_record(
            order=order,
            amount=amount,
            actor=actor,
            reason=reason,
            idempotency_key=idempotency_key,
            line_ids=line_ids,
        )


class BankTransferProvider(OfflineProvider):
    identifier = "bank_transfer"
    verbose_name = gettext_lazy("Bank transfer")
    description = gettext_lazy("Pay to the studio's account; the order number is the reference.")

    def is_enabled(self, studio) -> bool:
        """Only with bank details to transfer to (a new studio's switch is on before it has
        any: parents are never offered a transfer to nowhere)."""
        return studio.accept_bank_transfer and bool(studio.bank_details.strip())

    def instructions(self, *, order: Order, studio) -> str:
        # Orders placed before the details were removed still get instructions.
        details = studio.bank_details.strip() or _("The studio will send you its bank details.")
        return _(
            "Please transfer %(amount)s to:\n%(details)s\nReference: %(reference)s\n"
            "Your order is confirmed when the money arrives."
        ) % {
            "amount": format_money(order.balance_due, order.currency),
            "details": details,
            "reference": order.number,
        }


class CashProvider(OfflineProvider):
    identifier = "cash"
    verbose_name = gettext_lazy("Cash")
    description = gettext_lazy("Pay in cash to the class coordinator.")

    def is_enabled(self, studio) -> bool:
        return studio.accept_cash

    def instructions(self, *, order: Order, studio) -> str:
        how = studio.cash_instructions.strip() or _("Hand it to the class coordinator.")
        return _("Please pay %(amount)s in cash with the order number %(reference)s. %(how)s") % {
            "amount": format_money(order.balance_due, order.currency),
            "reference": order.number,
            "how": how,
        }


class StripeProvider(PaymentProvider):
    """Card payments through Stripe Checkout, charged directly on the studio's connected
    account. The order is paid only when Stripe's webhook says so, never by the redirect
    back from Checkout."""

    identifier = "stripe"
    verbose_name = gettext_lazy("Card")
    description = gettext_lazy("Pay now by card on Stripe's secure payment page.")
    is_online = True

    def is_enabled(self, studio) -> bool:
        return (
            stripe_api.is_configured()
            and bool(studio.stripe_account_id)
            and studio.stripe_account_status == StripeAccountStatus.READY
        )

    def open_payment(self, order: Order) -> Payment | None:
        return (
            order.payments.filter(provider=self.identifier, status__in=OPEN_PAYMENT)
            .order_by("-created_at")
            .first()
        )

    def instructions(self, *, order: Order, studio) -> str:
        if self.open_payment(order) is not None:
            return _(
                "Your card payment is being processed. This page shows the order as paid "
                "as soon as Stripe confirms it. If you did not finish paying, pay again below."
            )
        return _("Pay %(amount)s by card.") % {
            "amount": format_money(order.balance_due, order.currency)
        }

    def _payment_for_session(self, order: Order) -> Payment:
        """The parent's open card payment for the balance, or a new one. Under the order's
        lock, so a double-clicked Pay finds the first click's payment."""
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order.pk)
            due = quantize(order.balance_due, order.currency)
            for payment in order.payments.select_for_update().filter(
                provider=self.identifier, status__in=OPEN_PAYMENT
            ):
                expires_at = payment.provider_data.get("expires_at") or 0
                fresh = expires_at > timezone.now().timestamp() + 60
                if payment.amount == due and (fresh or not payment.provider_data):
                    return payment
                # A stale session or another amount: that attempt is over.
                payment.status = PaymentStatus.CANCELLED
                payment.save(update_fields=["status"])
            return payment_create(order=order, provider=self.identifier)

    def payment_start(self, *, order: Order, request) -> str:
        studio = request.tenant
        if not self.is_enabled(studio):
            raise ValidationError(_("Card payments are not available."), code="disabled")
        payment = self._payment_for_session(order)
        if payment.provider_data.get("session_url"):
            return payment.provider_data["session_url"]
        order_url = order_page_url(order=order, studio=studio, request=request)
        metadata = {
            "payment_id": str(payment.pk),
            "schema": studio.schema_name,
            "order": order.number,
        }
        intent_data = {"metadata": metadata, "description": _("Order %s") % order.number}
        fee = stripe_api.to_minor(
            studio.platform_share(payment.amount, payment.currency), payment.currency
        )
        if fee:
            intent_data["application_fee_amount"] = fee
        session = stripe_api.client().v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": payment.currency.lower(),
                            "unit_amount": stripe_api.to_minor(payment.amount, payment.currency),
                            "product_data": {
                                "name": _("Order %(number)s, %(studio)s")
                                % {"number": order.number, "studio": studio.name}
                            },
                        },
                    }
                ],
                "client_reference_id": str(payment.pk),
                "customer_email": order.email,
                "metadata": metadata,
                "payment_intent_data": intent_data,
                "success_url": f"{order_url}?checkout=done",
                "cancel_url": f"{order_url}?checkout=cancelled",
            },
            options={
                "stripe_account": studio.stripe_account_id,
                "idempotency_key": f"checkout-session-{payment.pk}",
            },
        )
        Payment.objects.filter(pk=payment.pk).update(
            status=PaymentStatus.PENDING,
            provider_data={
                "session_id": session.id,
                "session_url": session.url,
                "expires_at": session.expires_at,
                "account": studio.stripe_account_id,
            },
        )
        return session.url

    def refund(
        self,
        *,
        order: Order,
        amount: Decimal,
        actor,
        reason: str = "",
        idempotency_key=None,
        line_ids=(),
    ) -> Refund:
        """Refunds through Stripe first, then records it under Stripe's refund id (the
        webhook reporting the same refund later changes nothing). A staff form's
        ``idempotency_key`` makes a double submit one refund, at Stripe and here."""
        if idempotency_key:
            existing = Refund.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing

        amount = quantize(Decimal(amount), order.currency)
        order.refresh_from_db()
        refundable = order.paid_total - order.refunded_total
        if amount <= 0 or amount > refundable:
            raise ValidationError(
                _("You can refund up to %(max)s.")
                % {"max": format_money(refundable, order.currency)},
                code="amount",
            )
        payment = None
        for candidate in order.payments.filter(
            provider=self.identifier, status=PaymentStatus.CONFIRMED
        ).order_by("-confirmed_at"):
            refunded = sum((r.amount for r in candidate.refunds.all()), Decimal("0"))
            if candidate.amount - refunded >= amount:
                payment = candidate
                break
        if payment is None or not payment.reference:
            raise ValidationError(
                _("No single card payment covers this refund; refund it in parts."),
                code="amount",
            )
        studio = current_studio()
        already = sum((r.amount for r in payment.refunds.all()), Decimal("0"))
        currency = payment.currency
        stripe_refund = stripe_api.client().v1.refunds.create(
            params={
                "payment_intent": payment.reference,
                "amount": stripe_api.to_minor(amount, currency),
                "metadata": {"payment_id": str(payment.pk), "order": order.number},
            },
            options={
                "stripe_account": studio.stripe_account_id,
                # The same refund asked twice (a double-clicked button) is one refund.
                "idempotency_key": f"refund-{idempotency_key}"
                if idempotency_key
                else f"refund-{payment.pk}-{stripe_api.to_minor(already, currency)}"
                f"-{stripe_api.to_minor(amount, currency)}",
            },
        )
        return refund_record(
            order=order,
            amount=amount,
            actor=actor,
            reason=reason,
            payment=payment,
            provider_reference=stripe_refund.id,
            idempotency_key=idempotency_key,
            line_ids=line_ids,
        )


PROVIDERS: dict[str, PaymentProvider] = {
    provider.identifier: provider
    for provider in (BankTransferProvider(), CashProvider(), StripeProvider())
}


def provider_for(identifier: str) -> PaymentProvider:
    try:
        return PROVIDERS[identifier]
    except KeyError:
        raise LookupError(f"no payment provider {identifier!r}") from None


def enabled_providers(studio) -> list[PaymentProvider]:
    return [provider for provider in PROVIDERS.values() if provider.is_enabled(studio)]
