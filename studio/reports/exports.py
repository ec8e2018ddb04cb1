"""The accountant's files for a period: orders, payments, refunds, the ledger's fee,
commission and payout transactions, and the journal. Each is one query; rows are made from
its values, in the time zone of the studio."""

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saas_platform.money import from_minor
from studio.ledger import accounts
from studio.ledger import selectors as ledger
from studio.ledger.models import LedgerTransaction, TransactionKind
from studio.orders.models import PAYMENT_METHOD_LABELS, Order, OrderStatus, Payment, Refund

from .selectors import Period
from .tables import MONEY, Column, Table

LEDGER_KINDS = {
    "platform_fees": (
        gettext_lazy("Platform fees"),
        (
            TransactionKind.PLATFORM_FEE,
            TransactionKind.PLATFORM_INVOICE,
        ),
    ),
    "commissions": (
        gettext_lazy("Commissions"),
        (TransactionKind.COMMISSION, TransactionKind.COMMISSION_REVERSAL),
    ),
    "payouts": (
        gettext_lazy("Payouts"),
        (TransactionKind.COMMISSION_PAYOUT, TransactionKind.PAYOUT),
    ),
}
DATASETS = {
    "orders": gettext_lazy("Orders"),
    "payments": gettext_lazy("Payments"),
    "refunds": gettext_lazy("Refunds"),
    **{name: label for name, (label, _kinds) in LEDGER_KINDS.items()},
    "journal": gettext_lazy("Journal"),
}


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def orders_table(period: Period) -> Table:
    statuses = dict(OrderStatus.choices)
    rows = (
        Order.objects.filter(created_at__gte=period.starts_at, created_at__lt=period.ends_at)
        .order_by("created_at", "id")
        .values_list(
            "number",
            "created_at",
            "status",
            "email",
            "payment_method",
            "currency",
            "subtotal",
            "discount_total",
            "total",
            "paid_total",
            "refunded_total",
        )
    )
    table = Table(
        "orders",
        str(DATASETS["orders"]),
        [
            Column("number", _("Order")),
            Column("placed", _("Placed")),
            Column("status", _("Status")),
            Column("email", _("E-mail")),
            Column("method", _("Payment method")),
            Column("currency", _("Currency")),
            Column("subtotal", _("Subtotal"), MONEY),
            Column("discount", _("Discount"), MONEY),
            Column("total", _("Total"), MONEY),
            Column("paid", _("Paid"), MONEY),
            Column("refunded", _("Refunded"), MONEY),
            Column("balance_due", _("Balance due"), MONEY),
        ],
    )
    table.rows = [
        [
            number,
            _when(created),
            str(statuses.get(status, status)),
            email,
            str(PAYMENT_METHOD_LABELS.get(method, method)),
            currency,
            subtotal,
            discount,
            total,
            paid,
            refunded,
            max(total - paid, 0),
        ]
        for (
            number,
            created,
            status,
            email,
            method,
            currency,
            subtotal,
            discount,
            total,
            paid,
            refunded,
        ) in rows
    ]
    return table


def payments_table(period: Period) -> Table:
    rows = (
        Payment.objects.confirmed()
        .filter(confirmed_at__gte=period.starts_at, confirmed_at__lt=period.ends_at)
        .order_by("confirmed_at", "id")
        .values_list(
            "id", "confirmed_at", "order__number", "provider", "amount", "currency", "reference"
        )
    )
    table = Table(
        "payments",
        str(DATASETS["payments"]),
        [
            Column("id", _("Payment")),
            Column("confirmed", _("Confirmed")),
            Column("order", _("Order")),
            Column("method", _("Payment method")),
            Column("amount", _("Amount"), MONEY),
            Column("currency", _("Currency")),
            Column("reference", _("Reference")),
        ],
    )
    table.rows = [
        [str(pk), _when(at), number, str(PAYMENT_METHOD_LABELS.get(p, p)), amount, cur, ref]
        for pk, at, number, p, amount, cur, ref in rows
    ]
    return table


def refunds_table(period: Period) -> Table:
    rows = (
        Refund.objects.filter(created_at__gte=period.starts_at, created_at__lt=period.ends_at)
        .order_by("created_at", "id")
        .values_list("id", "created_at", "order__number", "amount", "order__currency", "reason")
    )
    table = Table(
        "refunds",
        str(DATASETS["refunds"]),
        [
            Column("id", _("Refund")),
            Column("date", _("Date")),
            Column("order", _("Order")),
            Column("amount", _("Amount"), MONEY),
            Column("currency", _("Currency")),
            Column("reason", _("Reason")),
        ],
    )
    table.rows = [
        [str(pk), _when(at), number, amount, cur, reason]
        for pk, at, number, amount, cur, reason in rows
    ]
    return table


def ledger_transactions_table(period: Period, dataset: str) -> Table:
    """The ledger's transactions of the dataset's kinds, each with its amount (the sum of its
    debits)."""
    title, kinds = LEDGER_KINDS[dataset]
    labels = dict(TransactionKind.choices)
    rows = (
        LedgerTransaction.objects.filter(
            kind__in=kinds, occurred_at__gte=period.starts_at, occurred_at__lt=period.ends_at
        )
        .annotate(debits=Sum("entries__amount_minor", filter=Q(entries__amount_minor__gt=0)))
        .order_by("occurred_at", "id")
        .values_list("occurred_at", "key", "kind", "debits", "currency", "order__number", "memo")
    )
    table = Table(
        dataset,
        str(title),
        [
            Column("date", _("Date")),
            Column("key", _("Transaction")),
            Column("kind", _("Kind")),
            Column("amount", _("Amount"), MONEY),
            Column("currency", _("Currency")),
            Column("order", _("Order")),
            Column("memo", _("Memo")),
        ],
    )
    table.rows = [
        [
            _when(at),
            key,
            str(labels.get(kind, kind)),
            from_minor(debits or 0, currency),
            currency,
            number or "",
            memo,
        ]
        for at, key, kind, debits, currency, number, memo in rows
    ]
    return table


def journal_table(period: Period) -> Table:
    """Every leg of the period: debits and credits in separate columns, so the file's two
    columns sum to the same amount (per currency)."""
    labels = dict(TransactionKind.choices)
    entries = ledger.journal(starts_at=period.starts_at, ends_at=period.ends_at).select_related(
        "account__person"
    )
    table = Table(
        "journal",
        str(DATASETS["journal"]),
        [
            Column("date", _("Date")),
            Column("transaction", _("Transaction")),
            Column("key", _("Key")),
            Column("kind", _("Kind")),
            Column("account", _("Account code")),
            Column("account_name", _("Account")),
            Column("debit", _("Debit"), MONEY),
            Column("credit", _("Credit"), MONEY),
            Column("currency", _("Currency")),
            Column("memo", _("Memo")),
        ],
    )
    table.rows = [
        [
            _when(entry.occurred_at),
            entry.transaction_id,
            entry.transaction.key,
            str(labels.get(entry.transaction.kind, entry.transaction.kind)),
            entry.account.code,
            accounts.account_label(entry.account),
            from_minor(max(entry.amount_minor, 0), entry.currency),
            from_minor(max(-entry.amount_minor, 0), entry.currency),
            entry.currency,
            entry.transaction.memo,
        ]
        for entry in entries
    ]
    return table


def dataset_table(dataset: str, period: Period) -> Table:
    if dataset in LEDGER_KINDS:
        return ledger_transactions_table(period, dataset)
    return {
        "orders": orders_table,
        "payments": payments_table,
        "refunds": refunds_table,
        "journal": journal_table,
    }[dataset](period)
