"""Writing commissions: agreements and their moves, accruals when an order is paid, reversals
when it is refunded, payouts to schools, closing a month and storing its statements.

Every amount goes to the ledger through ``transaction_post`` with a key per fact (per line,
per refund and line, per submitted payout form), so an event heard twice posts once.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from saas_platform.money import format_money, from_minor, quantize, to_minor
from studio.ledger import accounts
from studio.ledger.models import LedgerEntry, LedgerPeriod, TransactionKind
from studio.ledger.selectors import month_bounds
from studio.ledger.services import Leg, last_closed_end, period_close, transaction_post
from studio.orders.models import Order, OrderLine, PaymentStatus, Refund
from studio.schools.models import School
from tenants.selectors import current_studio, studio_tzinfo

from . import documents, rules, selectors
from .models import (
    Accrual,
    Agreement,
    AgreementStatus,
    Basis,
    Payout,
    RefundReversal,
    Statement,
)

S = AgreementStatus
MOVES = {
    S.DRAFT: {S.SENT},
    S.SENT: {S.SIGNED, S.DRAFT},
    S.SIGNED: {S.EXPIRED},
    S.EXPIRED: set(),
}
SCAN_MAX_BYTES = 10 * 1024 * 1024
SCAN_TYPES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpg"}


# --- agreements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    basis: str
    kinds: list[str]
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    percent: Decimal | None = None
    fixed_amount: Decimal | None = None
    tiers: tuple = ()


def _check_terms(terms: Terms) -> dict:
    """The fields the basis needs, and only those."""
    if not terms.kinds:
        raise ValidationError({"kinds": _("Choose at least one kind of product.")})
    if terms.valid_to and terms.valid_to < terms.valid_from:
        raise ValidationError({"valid_to": _("The agreement must end after it starts.")})
    fields = {"percent": None, "fixed_amount": None, "tiers": []}
    if terms.basis == Basis.PERCENT:
        if terms.percent is None or not 0 < terms.percent <= 100:
            raise ValidationError({"percent": _("Enter a percent between 0 and 100.")})
        fields["percent"] = terms.percent
    elif terms.basis == Basis.PER_ORDER:
        if terms.fixed_amount is None or terms.fixed_amount <= 0:
            raise ValidationError({"fixed_amount": _("Enter an amount above zero.")})
        fields["fixed_amount"] = terms.fixed_amount
    elif terms.basis == Basis.TIERED:
        tiers = list(terms.tiers)
        limits = [Decimal(t["up_to"]) for t in tiers[:-1]]
        if (
            len(tiers) < 2
            or tiers[-1].get("up_to") is not None
            or any(t.get("up_to") is None for t in tiers[:-1])
            or any(limit <= 0 for limit in limits)
            or limits != sorted(set(limits))
            or any(not 0 <= Decimal(t["percent"]) <= 100 for t in tiers)
        ):
            raise ValidationError(
                {"tiers": _("Give each band a percent and rising limits; the last has none.")}
            )
        fields["tiers"] = [
            {
                "up_to": None if t.get("up_to") is None else str(t["up_to"]),
                "percent": str(t["percent"]),
            }
            for t in tiers
        ]
    else:
        raise ValidationError({"basis": _("Choose how the commission is worked out.")})
    return fields


def agreement_create(*, school: School, terms: Terms, actor=None) -> Agreement:
    fields = _check_terms(terms)
    return Agreement.objects.create(
        school=school,
        basis=terms.basis,
        kinds=sorted(set(terms.kinds)),
        valid_from=terms.valid_from,
        valid_to=terms.valid_to,
        currency=current_studio().currency,
        created_by=actor,
        **fields,
    )


@transaction.atomic
def agreement_update(*, agreement: Agreement, terms: Terms) -> Agreement:
    """Terms change only in a draft: once sent, the school has read them."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status != S.DRAFT:
        raise ValidationError(_("Only a draft agreement can be changed."), code="not_draft")
    fields = _check_terms(terms)
    for name, value in {
        "basis": terms.basis,
        "kinds": sorted(set(terms.kinds)),
        "valid_from": terms.valid_from,
        "valid_to": terms.valid_to,
        **fields,
    }.items():
        setattr(agreement, name, value)
    agreement.save()
    return agreement


@transaction.atomic
def agreement_move(*, agreement: Agreement, to: str) -> Agreement:
    """draft → sent → signed → expired (a sent one may go back to draft). A school has one
    signed agreement at a time for any date, so a sale never earns twice."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if to not in MOVES[agreement.status]:
        raise ValidationError(
            _("An agreement that is %(status)s cannot become %(to)s.")
            % {"status": agreement.get_status_display(), "to": S(to).label},
            code="move",
        )
    now = timezone.now()
    if to == S.SIGNED:
        overlapping = Agreement.objects.filter(
            school_id=agreement.school_id, status=S.SIGNED, currency=agreement.currency
        ).exclude(pk=agreement.pk)
        if agreement.valid_to:
            overlapping = overlapping.filter(valid_from__lte=agreement.valid_to)
        overlapping = overlapping.exclude(valid_to__lt=agreement.valid_from)
        if overlapping.exists():
            raise ValidationError(
                _("This school already has a signed agreement for these dates."), code="overlap"
            )
        agreement.signed_at = now
    elif to == S.SENT:
        agreement.sent_at = now
    elif to == S.EXPIRED:
        agreement.expired_at = now
    agreement.status = to
    agreement.save()
    return agreement


def scan_kind(upload) -> str:
    """``pdf`` or ``jpg`` from the file's first bytes (its name and stated type can lie)."""
    if upload.size > SCAN_MAX_BYTES:
        raise ValidationError(_("The scan is larger than 10 MB."), code="size")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for magic, kind in SCAN_TYPES.items():
        if head.startswith(magic):
            return kind
    raise ValidationError(_("Upload the signed agreement as a PDF or a JPEG."), code="type")


@transaction.atomic
def agreement_scan_upload(*, agreement: Agreement, upload) -> Agreement:
    """Keeps the signed scan privately; a new one replaces the old."""
    kind = scan_kind(upload)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status == S.DRAFT:
        raise ValidationError(_("Send the agreement before adding its signed scan."), code="draft")
    old = agreement.scan.name if agreement.scan else ""
    agreement.scan.save(f"scan.{kind}", upload, save=False)
    agreement.scan_uploaded_at = timezone.now()
    agreement.save()
    if old:
        transaction.on_commit(lambda: agreement.scan.storage.delete(old))
    return agreement


# --- accrual and reversal ------------------------------------------------------------------


def line_school_id(line: OrderLine) -> int | None:
    """The school a line's sale belongs to: the child's class's, else the picture day's."""
    if line.child_id:
        return line.child.school_class.school_id
    if line.shoot_id:
        return line.shoot.school_id
    return None


def _paid_on(order: Order) -> datetime.date:
    paid_at = (
        order.payments.filter(status=PaymentStatus.CONFIRMED)
        .order_by("-confirmed_at")
        .values_list("confirmed_at", flat=True)
        .first()
    ) or timezone.now()
    return timezone.localtime(paid_at, studio_tzinfo(current_studio())).date()


def agreement_in_force(*, school_id: int, on: datetime.date, currency: str) -> Agreement | None:
    return (
        Agreement.objects.filter(
            school_id=school_id, status=S.SIGNED, currency=currency, valid_from__lte=on
        )
        .exclude(valid_to__lt=on)
        .order_by("-valid_from")
        .first()
    )


def order_commission_accrue(*, order: Order) -> list[Accrual]:
    """On ``order_paid``: each line whose school has a signed agreement valid on the payment
    date, of a kind it counts, earns its commission once (one ledger transaction per line)."""
    on = _paid_on(order)
    lines_by_agreement: dict[int, list[OrderLine]] = {}
    agreements: dict[int, Agreement] = {}
    lines = order.lines.select_related("child__school_class", "shoot").order_by("pk")
    for line in lines:
        school_id = line_school_id(line)
        if school_id is None:
            continue
        agreement = agreement_in_force(school_id=school_id, on=on, currency=order.currency)
        if agreement is None or line.kind not in agreement.kinds:
            continue
        agreements[agreement.pk] = agreement
        lines_by_agreement.setdefault(agreement.pk, []).append(line)
    made = []
    for agreement_id, agreement_lines in lines_by_agreement.items():
        made += _accrue(agreements[agreement_id], order, agreement_lines)
    return made


@transaction.atomic
def _accrue(agreement: Agreement, order: Order, lines: list[OrderLine]) -> list[Accrual]:
    # One at a time per agreement: a tiered rate reads the running total of earlier sales.
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    done = set(
        Accrual.objects.filter(order_line_id__in=[line.pk for line in lines]).values_list(
            "order_line_id", flat=True
        )
    )
    lines = [line for line in lines if line.pk not in done]
    if not lines:
        return []
    currency = order.currency
    if agreement.basis == Basis.PERCENT:
        amounts = [rules.percent_minor(line.net, agreement.percent, currency) for line in lines]
    elif agreement.basis == Basis.PER_ORDER:
        fixed = to_minor(agreement.fixed_amount, currency)
        if Accrual.objects.filter(agreement=agreement, order_id=order.pk).exists():
            fixed = 0  # the order already earned its fixed amount
        amounts = rules.split_minor(fixed, [to_minor(line.net, currency) for line in lines])
    else:
        before = agreement.accruals.aggregate(total=Sum("net"))["total"] or Decimal(0)
        amounts = []
        for line in lines:
            amounts.append(rules.tiered_minor(line.net, before, agreement.tiers, currency))
            before += line.net
    payable = accounts.commission_payable(agreement.school_id)
    expense = accounts.account(accounts.COMMISSIONS)
    made = []
    for line, amount in zip(lines, amounts, strict=True):
        made.append(
            Accrual.objects.create(
                agreement=agreement,
                school_id=agreement.school_id,
                order_id=order.pk,
                order_line_id=line.pk,
                currency=currency,
                net=line.net,
                commission_minor=amount,
            )
        )
        transaction_post(
            key=f"commission:line:{line.pk}",
            kind=TransactionKind.COMMISSION,
            currency=currency,
            legs=[
                Leg(expense, amount, order_line_id=line.pk, shoot_id=line.shoot_id),
                Leg(payable, -amount, order_line_id=line.pk, shoot_id=line.shoot_id),
            ],
            memo=f"{order.number} {agreement.number}",
            order_id=order.pk,
        )
    return made


def outstanding_minor(accrual: Accrual) -> int:
    """What is still accrued for the line: its commission less what was reversed."""
    payable = accounts.commission_payable(accrual.school_id)
    posted = LedgerEntry.objects.filter(
        account=payable, order_line_id=accrual.order_line_id, currency=accrual.currency
    ).aggregate(total=Sum("amount_minor"))["total"]
    return -(posted or 0)


@transaction.atomic
def refund_commission_reverse(*, refund: Refund) -> int:
    """On ``order_refunded``: the lines the refund names give back what they still have
    accrued (a named line that earned nothing gives back nothing, and takes nothing from the
    others); a refund naming none takes its share (refund ÷ paid) of every line; a refund
    that leaves nothing paid reverses exactly everything. Never more than is still accrued.
    Posted now, so after a close it lands in the next period. Returns the minor units
    reversed."""
    order = Order.objects.select_for_update().get(pk=refund.order_id)
    if RefundReversal.objects.filter(refund_id=refund.pk).exists():
        return 0  # the same event heard again
    # The lines this refund named: marked refunded, and named by no earlier refund.
    earlier = set()
    for line_ids in RefundReversal.objects.filter(order_id=order.pk).values_list(
        "named_line_ids", flat=True
    ):
        earlier.update(line_ids)
    named = set(order.lines.filter(refunded=True).values_list("pk", flat=True)) - earlier
    accruals = list(Accrual.objects.filter(order_id=order.pk).order_by("pk"))
    outstanding = {accrual.pk: outstanding_minor(accrual) for accrual in accruals}
    if order.refunded_total >= order.paid_total:
        amounts = {a.pk: outstanding[a.pk] for a in accruals}
    elif named:
        amounts = {a.pk: outstanding[a.pk] for a in accruals if a.order_line_id in named}
    else:
        amounts = {
            a.pk: min(
                outstanding[a.pk],
                rules.share_minor(a.commission_minor, refund.amount, order.paid_total),
            )
            for a in accruals
        }
    total = 0
    expense = accounts.account(accounts.COMMISSIONS)
    shoots = dict(OrderLine.objects.filter(order_id=order.pk).values_list("pk", "shoot_id"))
    for accrual in accruals:
        amount = amounts.get(accrual.pk, 0)
        if amount <= 0:
            continue
        payable = accounts.commission_payable(accrual.school_id)
        shoot_id = shoots.get(accrual.order_line_id)
        transaction_post(
            key=f"commission_reversal:refund:{refund.pk}:line:{accrual.order_line_id}",
            kind=TransactionKind.COMMISSION_REVERSAL,
            currency=accrual.currency,
            legs=[
                Leg(payable, amount, order_line_id=accrual.order_line_id, shoot_id=shoot_id),
                Leg(expense, -amount, order_line_id=accrual.order_line_id, shoot_id=shoot_id),
            ],
            memo=f"{order.number} {refund.reason}"[:300],
            order_id=order.pk,
            refund_id=refund.pk,
            created_by=refund.recorded_by,
        )
        total += amount
    RefundReversal.objects.create(
        refund_id=refund.pk, order_id=order.pk, named_line_ids=sorted(named), reversed_minor=total
    )
    return total


# --- payouts -------------------------------------------------------------------------------


@transaction.atomic
def payout_record(
    *,
    school: School,
    amount: Decimal,
    paid_on: datetime.date,
    reference: str,
    key: str,
    actor=None,
) -> Payout:
    """Money paid to a school: Dr its payable / Cr BANK, once per submitted form, never more
    than is due."""
    existing = Payout.objects.filter(key=key).first()
    if existing is not None:
        return existing
    School.objects.select_for_update().get(pk=school.pk)  # one payout of a school at a time
    currency = current_studio().currency
    amount = quantize(Decimal(amount), currency)
    due = selectors.due_minor(school=school, currency=currency)
    if amount <= 0 or to_minor(amount, currency) > due:
        raise ValidationError(
            {
                "amount": _("You can pay up to %(due)s.")
                % {"due": format_money(from_minor(due, currency), currency)}
            },
            code="amount",
        )
    try:
        with transaction.atomic():
            payout = Payout.objects.create(
                school=school,
                key=key,
                currency=currency,
                amount=amount,
                paid_on=paid_on,
                reference=reference[:100],
                created_by=actor,
            )
    except IntegrityError:  # the same form, submitted twice at once
        return Payout.objects.get(key=key)
    minor = to_minor(amount, currency)
    transaction_post(
        key=f"commission_payout:{key}",
        kind=TransactionKind.COMMISSION_PAYOUT,
        currency=currency,
        legs=[
            Leg(accounts.commission_payable(school.pk), minor),
            Leg(accounts.account(accounts.BANK), -minor),
        ],
        memo=reference,
        created_by=actor,
    )
    return payout


# --- closing a month and its statements ----------------------------------------------------


def month_close(*, year: int, month: int, actor=None) -> LedgerPeriod:
    """Closes a calendar month of the studio's time zone in the books, then stores each
    school's statement of it. The first close starts the books at that month."""
    studio = current_studio()
    tz = studio_tzinfo(studio)
    starts, ends = month_bounds(year, month, tz)
    previous_end = last_closed_end()
    if previous_end is not None and previous_end != starts:
        # the books close without gaps: the next period starts where the last ended
        starts = previous_end
    if ends <= starts:
        raise ValidationError(_("That month is already closed."), code="closed")
    period = period_close(starts_at=starts, ends_at=ends, label=f"{year}-{month:02d}", actor=actor)
    for school in selectors.schools_with_commissions():
        statement_get(period=period, school=school)
    return period


def statement_get(*, period: LedgerPeriod, school: School) -> Statement:
    """The school's stored statement of the closed period, made on first use from the books
    and never again: later refunds land in later periods and do not touch it."""
    studio = current_studio()
    currency = studio.currency
    found = Statement.objects.filter(period=period, school=school, currency=currency).first()
    if found is not None:
        return found
    with translation.override(studio.language):
        figures = selectors.statement_figures(period=period, school=school, currency=currency)
        snapshot = figures.snapshot(studio=studio, tz=studio_tzinfo(studio))
        pdf = documents.statement_pdf(snapshot=snapshot, studio=studio)
    try:
        with transaction.atomic():
            return Statement.objects.create(
                period=period,
                school=school,
                currency=currency,
                language=studio.language,
                opening_minor=figures.opening,
                accrued_minor=figures.accrued,
                reversed_minor=figures.reversed,
                paid_minor=figures.paid,
                closing_minor=figures.closing,
                snapshot=snapshot,
                pdf=pdf,
            )
    except IntegrityError:  # made at the same moment by another request
        return Statement.objects.get(period=period, school=school, currency=currency)
