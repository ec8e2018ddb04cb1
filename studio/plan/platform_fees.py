"""The platform's share of cash and bank-transfer sales on revenue-share plans. Card payments
carry the share as Stripe's application fee; offline payments cannot, so the ledger keeps it
as owed (``platform_fees_payable``) and once a month it is invoiced to the studio through
Stripe Billing: one invoice item on the studio's platform customer for what was owed at the
month's end, and a ledger transaction that settles it. Keys derived from the studio and the
month make a rerun (a retried task, a second worker) invoice once."""

import datetime

from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import override

from billing.subscriptions import customer_ensure
from saas_platform import stripe_api
from studio.ledger import accounts
from studio.ledger.models import LedgerEntry, LedgerTransaction, TransactionKind
from studio.ledger.selectors import balance_minor, month_bounds
from studio.ledger.services import Leg, transaction_post
from tenants.models import Studio
from tenants.selectors import studio_tzinfo


def invoice_key(month: datetime.date) -> str:
    return f"platform_invoice:{month:%Y-%m}"


def platform_fees_owed_minor(currency: str, *, until=None) -> int:
    """What the studio owes the platform on offline sales and has not been invoiced."""
    return -balance_minor(accounts.account(accounts.PLATFORM_FEES_PAYABLE), currency, until=until)


def platform_fees_invoice(*, studio: Studio, month: datetime.date) -> LedgerTransaction | None:
    """Invoices what was owed at the end of ``month`` (which must have ended); ``None`` when
    nothing was owed."""
    done = LedgerTransaction.objects.filter(key=invoice_key(month)).first()
    if done is not None:
        return done
    currency = studio.currency
    _start, ends_at = month_bounds(month.year, month.month, studio_tzinfo(studio))
    owed = platform_fees_owed_minor(currency, until=ends_at)
    if owed <= 0:
        return None
    customer = customer_ensure(studio=studio)
    client = stripe_api.client()
    metadata = {"schema": studio.schema_name, "period": f"{month:%Y-%m}"}
    with override(studio.language or "en"):
        description = _("Pictureday's share of cash and bank-transfer sales, %(month)s") % {
            "month": f"{month:%m.%Y}"
        }
    client.v1.invoice_items.create(
        params={
            "customer": customer,
            "amount": owed,
            "currency": currency.lower(),
            "description": description,
            "metadata": metadata,
        },
        options={"idempotency_key": f"platform-fees-item-{studio.pk}-{month:%Y-%m}"},
    )
    invoice = client.v1.invoices.create(
        params={
            "customer": customer,
            "collection_method": "charge_automatically",
            "auto_advance": True,
            "pending_invoice_items_behavior": "include",
            "metadata": metadata,
        },
        options={"idempotency_key": f"platform-fees-invoice-{studio.pk}-{month:%Y-%m}"},
    )
    return transaction_post(
        key=invoice_key(month),
        kind=TransactionKind.PLATFORM_INVOICE,
        currency=currency,
        legs=[
            Leg(accounts.account(accounts.PLATFORM_FEES_PAYABLE), owed),
            Leg(accounts.account(accounts.BANK), -owed),
        ],
        memo=invoice.id,
    )


def platform_fee_lines(currency: str, *, since=None, limit: int = 200):
    """The ledger lines behind what is owed: each offline payment's share, newest first."""
    entries = (
        LedgerEntry.objects.filter(
            account__code=accounts.PLATFORM_FEES_PAYABLE,
            currency=currency,
            transaction__kind=TransactionKind.PLATFORM_FEE,
        )
        .select_related("transaction__order", "transaction__payment")
        .annotate(share_minor=-F("amount_minor"))
        .order_by("-occurred_at", "-id")
    )
    if since is not None:
        entries = entries.filter(occurred_at__gte=since)
    return entries[:limit]


def platform_invoices(currency: str):
    return (
        LedgerTransaction.objects.filter(kind=TransactionKind.PLATFORM_INVOICE, currency=currency)
        .annotate(amount_minor=Sum("entries__amount_minor", filter=Q(entries__amount_minor__gt=0)))
        .order_by("-occurred_at")
    )
