"""What each money event writes. Sales are credited with what parents pay; the discount an
order carried is shown beside it (sales gross, discounts against them); refunds go back out
of the account the money came into.

The platform's share: on a card payment it is the application fee Stripe actually charged
(read back from the payment intent when the payment is confirmed), taken from the Stripe
balance; on cash and bank transfers it is ``Studio.platform_share`` (the same rule that sets
the card fee), owed to the platform and invoiced monthly. Like Stripe's application fee, the
share is of money received: a refund does not return it."""

from saas_platform.money import to_minor
from studio.orders.models import Order, Payment, PaymentStatus, Refund
from tenants.selectors import current_studio

from . import accounts
from .models import TransactionKind
from .services import Leg, transaction_post

CARD = "stripe"


def payment_post(*, payment: Payment) -> None:
    """Money in: the method's account against sales, then the platform's share of it."""
    currency = payment.currency
    amount = to_minor(payment.amount, currency)
    transaction_post(
        key=f"payment:{payment.pk}",
        kind=TransactionKind.PAYMENT,
        currency=currency,
        legs=[
            Leg(accounts.method_account(payment.provider), amount),
            Leg(accounts.account(accounts.SALES), -amount),
        ],
        memo=payment.reference,
        order_id=payment.order_id,
        payment_id=payment.pk,
        created_by=payment.recorded_by,
    )
    if payment.provider == CARD:
        fee = payment.application_fee_minor
        paid_from = accounts.account(accounts.STRIPE)
    else:
        fee = to_minor(current_studio().platform_share(payment.amount, currency), currency)
        paid_from = accounts.account(accounts.PLATFORM_FEES_PAYABLE)
    transaction_post(
        key=f"platform_fee:{payment.pk}",
        kind=TransactionKind.PLATFORM_FEE,
        currency=currency,
        legs=[Leg(accounts.account(accounts.PLATFORM_FEES), fee), Leg(paid_from, -fee)],
        order_id=payment.order_id,
        payment_id=payment.pk,
    )


def discount_post(*, order: Order) -> None:
    """Once an order is paid: what its discounts took off, so sales read gross."""
    discount = to_minor(order.discount_total, order.currency)
    transaction_post(
        key=f"discount:{order.pk}",
        kind=TransactionKind.DISCOUNT,
        currency=order.currency,
        legs=[
            Leg(accounts.account(accounts.DISCOUNTS), discount),
            Leg(accounts.account(accounts.SALES), -discount),
        ],
        order_id=order.pk,
    )


def refund_post(*, refund: Refund) -> None:
    """Money out, from the account the order's money came into."""
    order = refund.order
    amount = to_minor(refund.amount, order.currency)
    transaction_post(
        key=f"refund:{refund.pk}",
        kind=TransactionKind.REFUND,
        currency=order.currency,
        legs=[
            Leg(accounts.account(accounts.REFUNDS), amount),
            Leg(accounts.method_account(_refund_method(refund)), -amount),
        ],
        memo=refund.reason,
        order_id=order.pk,
        refund_id=refund.pk,
        created_by=refund.recorded_by,
    )


def _refund_method(refund: Refund) -> str:
    """A card refund names its payment; one paid back by hand goes out the way the last
    confirmed payment came in."""
    if refund.payment_id:
        return refund.payment.provider
    last = (
        Payment.objects.filter(order_id=refund.order_id, status=PaymentStatus.CONFIRMED)
        .order_by("-confirmed_at")
        .values_list("provider", flat=True)
        .first()
    )
    return last or refund.order.payment_method
