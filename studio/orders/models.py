"""Orders and payments. Lines keep a snapshot of what was sold and at what price, so later
changes to the catalogue never rewrite history."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrderStatus(models.TextChoices):
    """What staff and parents read on an order: one label derived by ``derive_status`` from
    the order's progress and its money, stored for lists, filters and the history. Nothing
    decides by it; decisions read the money and the progress."""

    PENDING_PAYMENT = "pending_payment", _("Waiting for payment")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    IN_FULFILMENT = "in_fulfilment", _("In fulfilment")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")


class OrderProgress(models.TextChoices):
    """Where the goods are, apart from the money: open → in fulfilment → completed, or
    cancelled (only while nothing is held)."""

    OPEN = "open", pgettext_lazy("order", "Open")
    IN_FULFILMENT = "in_fulfilment", _("In fulfilment")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# The money facts are ``total``, ``paid_total`` (every confirmed payment, never decreasing)
# and ``refunded_total`` (every refund). A refund gives back money for goods or goodwill, it
# never raises what is still due: ``balance_due`` is ``total - paid_total``.
class PaymentState(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    OVERPAID = "overpaid", _("Overpaid")


class RefundState(models.TextChoices):
    NONE = "none", _("Not refunded")
    PARTIAL = "partial", _("Partially refunded")
    FULL = "full", _("Refunded")


def payment_state_of(*, total: Decimal, paid: Decimal, refunded: Decimal) -> str:
    if paid - refunded > total:
        return PaymentState.OVERPAID
    if paid >= total:
        return PaymentState.PAID
    return PaymentState.PARTIALLY_PAID if paid > 0 else PaymentState.UNPAID


def refund_state_of(*, paid: Decimal, refunded: Decimal) -> str:
    if refunded <= 0:
        return RefundState.NONE
    return RefundState.FULL if refunded >= paid else RefundState.PARTIAL


def derive_status(*, progress: str, total: Decimal, paid: Decimal, refunded: Decimal) -> str:
    """The one label for an order: cancelled; else a refund (which staff must see); else
    money still due; else how far the goods have gone."""
    if progress == OrderProgress.CANCELLED:
        return OrderStatus.CANCELLED
    refund = refund_state_of(paid=paid, refunded=refunded)
    if refund == RefundState.FULL:
        return OrderStatus.REFUNDED
    if refund == RefundState.PARTIAL:
        return OrderStatus.PARTIALLY_REFUNDED
    if paid < total:
        return OrderStatus.PARTIALLY_PAID if paid > 0 else OrderStatus.PENDING_PAYMENT
    if progress in (OrderProgress.IN_FULFILMENT, OrderProgress.COMPLETED):
        return OrderStatus(progress)
    return OrderStatus.PAID


def _f(prefix: str, name: str) -> models.F:
    return models.F(f"{prefix}{name}")


def not_cancelled_q(prefix: str = "") -> models.Q:
    return ~models.Q(**{f"{prefix}progress": OrderProgress.CANCELLED})


def fully_refunded_q(prefix: str = "") -> models.Q:
    return models.Q(
        **{
            f"{prefix}refunded_total__gt": 0,
            f"{prefix}refunded_total__gte": _f(prefix, "paid_total"),
        }
    )


def paid_q(prefix: str = "") -> models.Q:
    """As ``Order.is_paid``: what is held (paid less refunded) covers the total."""
    held_covers_total = models.Q(
        **{f"{prefix}paid_total__gte": _f(prefix, "total") + _f(prefix, "refunded_total")}
    )
    return not_cancelled_q(prefix) & held_covers_total & ~fully_refunded_q(prefix)


def payable_q(prefix: str = "") -> models.Q:
    """As ``Order.is_payable``: a balance is due and the order is not cancelled."""
    return not_cancelled_q(prefix) & models.Q(**{f"{prefix}paid_total__lt": _f(prefix, "total")})


def fulfillable_q(prefix: str = "") -> models.Q:
    """As ``Order.is_fulfillable``, for a query on orders (``prefix=""``) or on what points at
    them (``prefix="order__"``)."""
    return (
        not_cancelled_q(prefix)
        & models.Q(**{f"{prefix}paid_total__gte": _f(prefix, "total")})
        & ~fully_refunded_q(prefix)
    )


class OrderQuerySet(models.QuerySet):
    def paid(self):
        """As ``Order.is_paid``."""
        return self.filter(paid_q())

    def payable(self):
        """As ``Order.is_payable``."""
        return self.filter(payable_q())

    def fulfillable(self):
        """As ``Order.is_fulfillable``."""
        return self.filter(fulfillable_q())

    def downloadable(self):
        """As ``Order.is_downloadable``."""
        return self.filter(fulfillable_q())


PAYMENT_METHOD_LABELS = {
    "bank_transfer": _("Bank transfer"),
    "cash": _("Cash"),
    "stripe": _("Card"),
}


class Order(models.Model):
    number = models.CharField(_("order number"), max_length=20, unique=True)
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    email = models.EmailField(_("e-mail"))
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT
    )
    progress = models.CharField(
        _("progress"), max_length=20, choices=OrderProgress.choices, default=OrderProgress.OPEN
    )
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=13, decimal_places=3)
    discount_total = models.DecimalField(max_digits=13, decimal_places=3, default=Decimal("0"))
    total = models.DecimalField(max_digits=13, decimal_places=3)
    paid_total = models.DecimalField(max_digits=13, decimal_places=3, default=Decimal("0"))
    refunded_total = models.DecimalField(max_digits=13, decimal_places=3, default=Decimal("0"))
    payment_method = models.CharField(_("payment method"), max_length=30)
    idempotency_key = models.CharField(max_length=64, unique=True)
    delivery = models.JSONField(_("delivery"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Payment reminders: the last periodic one, and the one before the sales deadline.
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    deadline_reminded_at = models.DateTimeField(null=True, blank=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return self.number

    def get_absolute_url(self) -> str:
        """The parent's page of the order. Always the studio host's URLconf: e-mails and
        payment links are also made while a bare-domain request (a webhook) is served."""
        return reverse("storefront:order", args=[self.number], urlconf=settings.ROOT_URLCONF)

    # What the money and the progress mean for the rest of the studio; only this module
    # decides, and the querysets above say the same in SQL.
    @property
    def held(self) -> Decimal:
        """Money the studio holds for the order: paid less refunded."""
        return self.paid_total - self.refunded_total

    @property
    def payment_state(self) -> str:
        return payment_state_of(
            total=self.total, paid=self.paid_total, refunded=self.refunded_total
        )

    @property
    def refund_state(self) -> str:
        return refund_state_of(paid=self.paid_total, refunded=self.refunded_total)

    @property
    def is_cancelled(self) -> bool:
        return self.progress == OrderProgress.CANCELLED

    @property
    def is_paid(self) -> bool:
        """What is held covers the total (an overpayment refunded down to the total is still
        paid; a paid order partly refunded is not)."""
        return (
            not self.is_cancelled
            and self.held >= self.total
            and self.refund_state != RefundState.FULL
        )

    @property
    def is_payable(self) -> bool:
        """Any order with a balance takes a payment, by any method, whatever was refunded."""
        return not self.is_cancelled and self.balance_due > 0

    @property
    def is_fulfillable(self) -> bool:
        """Paid in full and not refunded in full: a damaged print refunded still leaves the
        rest of the order to deliver; a balance still due holds everything back."""
        return (
            not self.is_cancelled
            and self.paid_total >= self.total
            and self.refund_state != RefundState.FULL
        )

    @property
    def is_downloadable(self) -> bool:
        """As ``is_fulfillable``: paid in full, never refunded in full or cancelled."""
        return self.is_fulfillable

    @property
    def is_closed(self) -> bool:
        """Over: cancelled, or every payment given back with nothing left to pay."""
        return self.is_cancelled or (
            self.refund_state == RefundState.FULL and self.balance_due == 0
        )

    @property
    def can_cancel(self) -> bool:
        """Cancelling keeps no money: only while nothing is held."""
        return not self.is_cancelled and self.held == 0

    @property
    def balance_due(self) -> Decimal:
        return max(self.total - self.paid_total, Decimal("0"))

    @property
    def overpaid(self) -> Decimal:
        """Paid more than the total (two payments raced, e.g. a card after a transfer): staff
        see it and refund the difference."""
        return max(self.held - self.total, Decimal("0"))

    def derived_status(self) -> str:
        return derive_status(
            progress=self.progress,
            total=self.total,
            paid=self.paid_total,
            refunded=self.refunded_total,
        )

    @property
    def payment_method_label(self) -> str:
        return str(PAYMENT_METHOD_LABELS.get(self.payment_method, self.payment_method))


class FulfilmentStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PROCESSING = "processing", _("Processing")
    PRINTING = "printing", _("Printing")
    READY = "ready", _("Ready")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    PICKED_UP = "picked_up", _("Picked up at school")


# Lines of these kinds are made by hand or by a lab and move through ``FulfilmentStatus``.
FULFILMENT_KINDS = frozenset({"print", "album"})


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    # Emptied when the child is erased (``studio.privacy``): the line keeps its amounts, the
    # books keep their ids, nothing names the child any more.
    child = models.ForeignKey("schools.Student", on_delete=models.SET_NULL, null=True, blank=True)
    photo = models.ForeignKey("photos.Photo", on_delete=models.SET_NULL, null=True, blank=True)
    kind = models.CharField(max_length=20)  # digital, print, album, other, package
    description = models.CharField(max_length=200)
    # What was sold, for downloads, the lab and later the ledger. PROTECT: the catalogue
    # archives what it stops selling, so history never loses what a line was.
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
    )
    package = models.ForeignKey(
        "catalogue.Package",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
    )
    # The picture day it was bought on (an "all photos" package covers that day's only).
    shoot = models.ForeignKey(
        "shoots.Shoot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
    )
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=13, decimal_places=3)
    gross = models.DecimalField(max_digits=13, decimal_places=3)
    adjustments = models.JSONField(default=list, blank=True)
    net = models.DecimalField(max_digits=13, decimal_places=3)
    # Snapshot for the lab: the print size and the chosen options' names.
    print_size = models.CharField(max_length=40, blank=True)
    options = models.JSONField(default=list, blank=True)
    # Prints and albums only ("" for other kinds).
    fulfilment_status = models.CharField(
        _("fulfilment"), max_length=20, choices=FulfilmentStatus.choices, blank=True
    )
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    # Refunded by a refund that named this line: its downloads are closed.
    refunded = models.BooleanField(_("refunded"), default=False)

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["fulfilment_status"])]

    def __str__(self):
        return f"{self.quantity} × {self.description}"


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Created")
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class PaymentQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=PaymentStatus.CONFIRMED)


class Payment(models.Model):
    """One attempt or instalment to pay an order (pretix-style): created by a provider,
    confirmed exactly once under a row lock."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=30)
    amount = models.DecimalField(max_digits=13, decimal_places=3)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    reference = models.CharField(max_length=100, blank=True)
    # One per submitted staff form: a double-submitted "record payment" records it once.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    provider_data = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.amount} {self.currency} ({self.status})"

    @property
    def provider_label(self) -> str:
        return str(PAYMENT_METHOD_LABELS.get(self.provider, self.provider))

    @property
    def application_fee_minor(self) -> int:
        """The platform's fee Stripe took from a card payment (minor units), as read back
        from Stripe when the payment was confirmed."""
        return int(self.provider_data.get(APPLICATION_FEE_KEY) or 0)


# In ``Payment.provider_data``: the application fee Stripe charged, in minor units.
APPLICATION_FEE_KEY = "application_fee_minor"


class Refund(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    amount = models.DecimalField(max_digits=13, decimal_places=3)
    reason = models.CharField(max_length=300, blank=True)
    # The provider's id of the refund (Stripe's ``re_…``): the same refund reported twice,
    # by our API call and by its webhook, is recorded once.
    provider_reference = models.CharField(max_length=100, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The staff form's one-time key: a double-submitted refund form gives back once.
    idempotency_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"refund {self.amount}"


class OrderEvent(models.Model):
    """Append-only history of an order: status changes, payments, refunds, with who and when."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.order_id}: {self.from_status} → {self.to_status}"


class OrderNumberCounter(models.Model):
    """Readable order numbers per studio and year (2026-000123), allocated under a lock."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class FulfilmentEvent(models.Model):
    """Append-only history of a print line's fulfilment, with who and when."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="fulfilment_events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    tracking_number = models.CharField(max_length=100, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"line {self.line_id}: {self.from_status} → {self.to_status}"


class LabBatch(models.Model):
    """Print lines sent to the lab together, as one ZIP of files and a manifest."""

    number = models.CharField(_("batch number"), max_length=20, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lab batch")
        verbose_name_plural = _("lab batches")

    def __str__(self):
        return self.number


class LabBatchLine(models.Model):
    """One print line in a batch: the file name it has in the ZIP, or why it has no file.
    A line is in at most one batch without an error."""

    batch = models.ForeignKey(LabBatch, on_delete=models.CASCADE, related_name="entries")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="lab_entries")
    file_name = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["line"], condition=models.Q(error=""), name="line_exported_once"
            )
        ]

    def __str__(self):
        return f"{self.batch_id}: {self.file_name or self.error}"
