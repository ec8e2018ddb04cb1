"""Staff pay: the rule in force for a person on a day, the accruals each fact posts to the
ledger (Dr staff pay / Cr what the studio owes that person), their reversal on refunds,
the owner's adjustments and the pay run that pays every balance due once.

Every accrual is one ledger transaction keyed by its fact (``pay:photo-sale:line:<id>``,
``pay:retouch:photo:<id>``...), so an event heard twice, a photo approved twice or a pay
run started twice writes once."""

import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from saas_platform.money import from_minor, quantize, to_minor
from studio.audit.models import AuditKind
from studio.audit.services import audit_record
from studio.ledger import accounts
from studio.ledger.models import Account, LedgerEntry, LedgerTransaction, TransactionKind
from studio.ledger.selectors import balance_minor
from studio.ledger.services import Leg, transaction_post
from studio.orders.models import Order, PaymentStatus, Refund
from studio.photos.models import Photo
from studio.shoots.models import Shoot
from tenants.selectors import current_studio, studio_tzinfo

from .models import PayRule, PayRuleKind, PayRun, PayRunLine, StaffPayProfile

K = PayRuleKind
SOLD_PHOTO_KINDS = ("digital", "print")
_RUN_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || ':payroll-run'))"


def studio_currency() -> str:
    return current_studio().currency


def local_date(moment: datetime.datetime) -> datetime.date:
    """The studio's calendar day of ``moment``: rules change at the studio's midnight."""
    return timezone.localtime(moment, studio_tzinfo(current_studio())).date()


def studio_today() -> datetime.date:
    return local_date(timezone.now())


def day_start(day: datetime.date) -> datetime.datetime:
    """The studio's midnight that starts ``day``."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=studio_tzinfo(current_studio()))


# --- rules -----------------------------------------------------------------------------


def rule_in_force(person, kind: str, on: datetime.date) -> PayRule | None:
    """The person's own latest rule of ``kind`` effective on ``on``, else their role's."""
    rules = PayRule.objects.filter(kind=kind, effective_from__lte=on).order_by("-effective_from")
    own = rules.filter(person=person).first()
    if own is not None:
        return own
    return rules.filter(person__isnull=True, role=person.role).first()


def rule_create(
    *,
    kind: str,
    effective_from: datetime.date,
    amount: Decimal,
    actor,
    role: str = "",
    person=None,
    print_amount: Decimal | None = None,
) -> PayRule:
    """A new rate from a day on; earlier facts keep what they earned."""
    if bool(role) == (person is not None):
        raise ValidationError(_("Choose either a role or a person."), code="scope")
    if amount < 0 or (print_amount is not None and print_amount < 0):
        raise ValidationError(_("A rate cannot be negative."), code="negative")
    if kind == K.SALES_PERCENT and amount > 100:
        raise ValidationError(_("A percentage cannot be above 100."), code="percent")
    if kind != K.PHOTO_SALE:
        print_amount = None
    if PayRule.objects.filter(
        kind=kind, role=role, person=person, effective_from=effective_from
    ).exists():
        raise ValidationError(
            _("A rule of this kind already starts on that day for them."), code="duplicate"
        )
    return PayRule.objects.create(
        kind=kind,
        role=role,
        person=person,
        effective_from=effective_from,
        amount=amount,
        print_amount=print_amount,
        created_by=actor,
    )


def rule_delete(*, rule: PayRule) -> None:
    """Only a rule that has not started yet can go: a started one may have paid someone."""
    if rule.effective_from <= studio_today():
        raise ValidationError(
            _("A rule already in force stays; add a new one from a later day."), code="started"
        )
    rule.delete()


# --- accruals ----------------------------------------------------------------------------


def _accrue(
    *, key: str, person, amount: Decimal, memo: str, order_id=None, line_id=None, shoot_id=None
):
    currency = studio_currency()
    minor = to_minor(quantize(amount, currency), currency)
    if minor <= 0:
        return None
    return transaction_post(
        key=key,
        kind=TransactionKind.PAY,
        currency=currency,
        legs=[
            Leg(accounts.account(accounts.STAFF_PAY), minor, line_id, shoot_id),
            Leg(accounts.staff_payable(person.pk), -minor, line_id, shoot_id),
        ],
        memo=memo,
        order_id=order_id,
    )


def _paid_on(order: Order) -> datetime.date:
    """The day the order was paid in full: its last confirmed payment's."""
    last = (
        order.payments.filter(status=PaymentStatus.CONFIRMED, confirmed_at__isnull=False)
        .order_by("-confirmed_at")
        .values_list("confirmed_at", flat=True)
        .first()
    )
    return local_date(last or timezone.now())


def sale_accrue(*, order: Order) -> None:
    """A paid order: each sold photo pays its photographer (digital or print rate × quantity);
    each line of a picture day pays its photographers their percent of the line's net."""
    on = _paid_on(order)
    lines = order.lines.select_related("photo__photographer", "photo__shoot", "shoot")
    found_rules: dict[tuple[int, str], PayRule | None] = {}  # an order's lines share people
    photographers: dict[int, list] = {}

    def rule_for(person, kind: str) -> PayRule | None:
        if (person.pk, kind) not in found_rules:
            found_rules[person.pk, kind] = rule_in_force(person, kind, on)
        return found_rules[person.pk, kind]

    for line in lines:
        if line.refunded:
            continue
        memo = f"{order.number} · {line.description} × {line.quantity}"
        photo = line.photo
        if photo is not None and line.kind in SOLD_PHOTO_KINDS and photo.photographer_id:
            rule = rule_for(photo.photographer, K.PHOTO_SALE)
            if rule is not None:
                rate = rule.amount
                if line.kind == "print" and rule.print_amount is not None:
                    rate = rule.print_amount
                _accrue(
                    key=f"pay:{K.PHOTO_SALE}:line:{line.pk}",
                    person=photo.photographer,
                    amount=rate * line.quantity,
                    memo=memo,
                    order_id=order.pk,
                    line_id=line.pk,
                    shoot_id=photo.shoot_id,
                )
        shoot = line.shoot or (photo.shoot if photo is not None else None)
        if shoot is None:
            continue
        if shoot.pk not in photographers:
            photographers[shoot.pk] = list(shoot.photographers.all())
        for person in photographers[shoot.pk]:
            rule = rule_for(person, K.SALES_PERCENT)
            if rule is not None:
                _accrue(
                    key=f"pay:{K.SALES_PERCENT}:line:{line.pk}:person:{person.pk}",
                    person=person,
                    amount=line.net * rule.amount / 100,
                    memo=f"{memo} · {rule.amount.normalize():f} %",
                    order_id=order.pk,
                    line_id=line.pk,
                    shoot_id=shoot.pk,
                )


def retouch_accrue(*, photo: Photo, retoucher, approved_at: datetime.datetime) -> None:
    """An approved retouch pays its retoucher once per photo, however often it is approved."""
    if retoucher is None:
        return
    rule = rule_in_force(retoucher, K.RETOUCH, local_date(approved_at))
    if rule is None:
        return
    _accrue(
        key=f"pay:{K.RETOUCH}:photo:{photo.pk}",
        person=retoucher,
        amount=rule.amount,
        memo=f"{photo.shoot.name} · {photo.original_name}",
        shoot_id=photo.shoot_id,
    )


def picture_day_accrue(*, shoot: Shoot) -> None:
    """A picture day held (published): its photographers earn the fixed amount per picture
    day and the day rate, once per date worked (two picture days on one date pay one day)."""
    for person in shoot.photographers.all():
        fixed = rule_in_force(person, K.PICTURE_DAY, shoot.date)
        if fixed is not None:
            _accrue(
                key=f"pay:{K.PICTURE_DAY}:shoot:{shoot.pk}:person:{person.pk}",
                person=person,
                amount=fixed.amount,
                memo=str(shoot),
                shoot_id=shoot.pk,
            )
        day = rule_in_force(person, K.DAY_RATE, shoot.date)
        if day is not None:
            _accrue(
                key=f"pay:{K.DAY_RATE}:person:{person.pk}:date:{shoot.date.isoformat()}",
                person=person,
                amount=day.amount,
                memo=str(shoot),
                shoot_id=shoot.pk,
            )


@transaction.atomic
def refund_reverse(*, refund: Refund) -> None:
    """Takes back the sale-based pay of what was refunded: the lines the refund named in
    full, otherwise the refund's share of the order from every line (all that is left once
    the whole order is refunded); never more than a line still has accrued. The order is locked so two refunds read what the other took."""
    order = Order.objects.select_for_update().get(pk=refund.order_id)
    currency = studio_currency()
    accrued, reversed_ = {}, {}
    rows = (
        LedgerEntry.objects.filter(
            transaction__order_id=order.pk,
            order_line__isnull=False,
            currency=currency,
            account__code__startswith=accounts.STAFF_PAYABLE_PREFIX,
            transaction__kind__in=[TransactionKind.PAY, TransactionKind.PAY_REVERSAL],
        )
        .values("order_line_id", "account_id", "transaction__kind")
        .annotate(total=Sum("amount_minor"))
    )
    for row in rows:
        pair = (row["order_line_id"], row["account_id"])
        if row["transaction__kind"] == TransactionKind.PAY:
            accrued[pair] = accrued.get(pair, 0) - row["total"]
        else:
            reversed_[pair] = reversed_.get(pair, 0) + row["total"]
    left = {pair: accrued[pair] - reversed_.get(pair, 0) for pair in accrued}
    refunded_lines = set(order.lines.filter(refunded=True).values_list("pk", flat=True))
    named = {pair for pair, amount in left.items() if pair[0] in refunded_lines and amount > 0}
    if named:
        take = {pair: left[pair] for pair in named}
    elif order.refunded_total >= order.paid_total:  # all given back: no rounding left over
        take = dict(left)
    else:
        share = (
            min(Decimal(1), refund.amount / order.paid_total) if order.paid_total else Decimal(0)
        )
        take = {
            pair: min(left[pair], int((accrued[pair] * share).to_integral_value())) for pair in left
        }
    staff_accounts = Account.objects.in_bulk({account_id for _line, account_id in take})
    for (line_id, account_id), minor in sorted(take.items()):
        if minor <= 0:
            continue
        transaction_post(
            key=f"pay-reversal:refund:{refund.pk}:line:{line_id}:account:{account_id}",
            kind=TransactionKind.PAY_REVERSAL,
            currency=currency,
            legs=[
                Leg(staff_accounts[account_id], minor, line_id),
                Leg(accounts.account(accounts.STAFF_PAY), -minor, line_id),
            ],
            memo=f"{order.number} · {refund.reason}"[:300],
            order_id=order.pk,
            refund_id=refund.pk,
        )


# --- adjustments, bank details, pay runs ------------------------------------------------


@transaction.atomic
def adjustment_record(*, person, amount: Decimal, reason: str, actor, key: str = ""):
    """A bonus (positive) or a deduction (negative) with its reason, in the books and the
    audit log. ``key`` (the form's one-time key) makes a double submit record once."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why."), code="reason")
    currency = studio_currency()
    minor = to_minor(quantize(amount, currency), currency)
    if minor == 0:
        raise ValidationError(_("Enter an amount other than zero."), code="zero")
    txn_key = f"pay-adjustment:{key or uuid.uuid4().hex}"
    if LedgerTransaction.objects.filter(key=txn_key).exists():
        return None
    txn = transaction_post(
        key=txn_key,
        kind=TransactionKind.PAY_ADJUSTMENT,
        currency=currency,
        legs=[
            Leg(accounts.account(accounts.STAFF_PAY), minor),
            Leg(accounts.staff_payable(person.pk), -minor),
        ],
        memo=reason,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        kind=AuditKind.PAY_ADJUSTED,
        subject=str(person),
        changes=[
            {"field": "amount", "old": None, "new": f"{from_minor(minor, currency)} {currency}"},
            {"field": "reason", "old": None, "new": reason},
        ],
    )
    return txn


def profile_save(*, person, account_holder: str, bank_account: str) -> StaffPayProfile:
    profile, _created = StaffPayProfile.objects.update_or_create(
        person=person,
        defaults={
            "account_holder": account_holder.strip(),
            "bank_account": bank_account.replace(" ", "").upper(),
        },
    )
    return profile


def owed_minor(account: Account, currency: str, *, until=None) -> int:
    """What the studio owes on a staff account (its credit balance)."""
    return -balance_minor(account, currency, until=until)


def due_minor(account: Account, currency: str, *, period_end: datetime.date) -> int:
    """What a pay run for work up to ``period_end`` pays: owed at the end of that day less
    what was paid since (an earlier run for the same period), never more than owed now."""
    end = day_start(period_end + datetime.timedelta(days=1))
    paid_since = (
        LedgerEntry.objects.filter(
            account=account,
            currency=currency,
            occurred_at__gte=end,
            transaction__kind=TransactionKind.PAYOUT,
        ).aggregate(total=Sum("amount_minor"))["total"]
        or 0
    )
    return min(owed_minor(account, currency, until=end) - paid_since, owed_minor(account, currency))


@transaction.atomic
def pay_run_create(*, period_end: datetime.date, actor) -> PayRun:
    """Pays everyone owed for work up to ``period_end``: one payout per person (Dr what is
    owed them / Cr bank), under a lock so two runs started together pay each balance once
    (the second waits, then finds nothing due)."""
    if period_end > studio_today():
        raise ValidationError(_("A pay run cannot cover days still to come."), code="future")
    with connection.cursor() as cursor:
        cursor.execute(_RUN_LOCK_SQL)
    currency = studio_currency()
    run = PayRun.objects.create(period_end=period_end, currency=currency, created_by=actor)
    staff = Account.objects.filter(
        code__startswith=accounts.STAFF_PAYABLE_PREFIX, person__isnull=False
    ).select_related("person", "person__pay_profile")
    bank = accounts.account(accounts.BANK)
    paid = 0
    for acc in staff:
        due = due_minor(acc, currency, period_end=period_end)
        if due <= 0:
            continue
        person = acc.person
        profile = getattr(person, "pay_profile", None)
        line = PayRunLine.objects.create(
            run=run,
            person=person,
            name=(profile.account_holder if profile and profile.account_holder else str(person)),
            bank_account=profile.bank_account if profile else "",
            amount=from_minor(due, currency),
            reference=f"{run.reference_prefix}-{person.pk}",
        )
        transaction_post(
            key=f"payout:run:{run.pk}:person:{person.pk}",
            kind=TransactionKind.PAYOUT,
            currency=currency,
            legs=[Leg(acc, due), Leg(bank, -due)],
            memo=line.reference,
            created_by=actor,
        )
        paid += 1
    if not paid:
        raise ValidationError(
            _("Nobody is owed anything for work up to that day."), code="nothing_due"
        )
    return run
