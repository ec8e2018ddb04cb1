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

Stripe (the next provider) implements the same five methods.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saas_platform.money import format_money
from studio.orders.models import Order, Payment, Refund
from studio.orders.services import payment_confirm, payment_record_offline, refund_record


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

    def refund(self, *, order: Order, amount: Decimal, actor, reason: str = "") -> Refund:
        raise NotImplementedError

    def webhook(self, request):
        raise NotImplementedError(f"{self.identifier} has no webhooks")


class OfflineProvider(PaymentProvider):
    """Money handed over outside the site: staff record it (in full or in part)."""

    def payment_start(self, *, order: Order, request) -> None:
        return None

    def record(self, *, order: Order, amount: Decimal, actor, reference: str = "") -> Payment:
        return payment_record_offline(
            order=order, amount=amount, method=self.identifier, actor=actor, reference=reference
        )

    def refund(self, *, order: Order, amount: Decimal, actor, reason: str = "") -> Refund:
        return refund_record(order=order, amount=amount, actor=actor, reason=reason)


class BankTransferProvider(OfflineProvider):
    identifier = "bank_transfer"
    verbose_name = gettext_lazy("Bank transfer")
    description = gettext_lazy("Pay to the studio's account; the order number is the reference.")

    def is_enabled(self, studio) -> bool:
        return studio.accept_bank_transfer

    def instructions(self, *, order: Order, studio) -> str:
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


PROVIDERS: dict[str, PaymentProvider] = {
    provider.identifier: provider for provider in (BankTransferProvider(), CashProvider())
}


def provider_for(identifier: str) -> PaymentProvider:
    try:
        return PROVIDERS[identifier]
    except KeyError:
        raise LookupError(f"no payment provider {identifier!r}") from None


def enabled_providers(studio) -> list[PaymentProvider]:
    return [provider for provider in PROVIDERS.values() if provider.is_enabled(studio)]
