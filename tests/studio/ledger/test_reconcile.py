"""Property test: random seasons of orders reconcile to the minor unit.

Hypothesis draws orders in several currencies (cents, none, three decimals) with discounts,
paid in full or in parts by card (with Stripe's fee), bank transfer or cash, refunded in
part or in full, with periods closing in between. For each season, in each currency: what
parents paid less what was refunded (the orders' own tables) equals what the studio keeps
(its money accounts less what it owes) plus school commissions, staff pay and platform fees
(the books); every transaction balances; closed periods' snapshots chain; the school's
commission statement and the photographer's pay statement say what their accounts hold."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saas_platform.accounts.models import Role, User
from saas_platform.money import from_minor, quantize, to_minor
from studio.commissions.selectors import school_figures
from studio.commissions.services import Terms, agreement_create, agreement_move
from studio.ledger import accounts
from studio.ledger.models import AccountKind, LedgerEntry, PeriodBalance
from studio.ledger.selectors import balance_minor
from studio.ledger.services import last_closed_end, period_close
from studio.orders.models import APPLICATION_FEE_KEY, Payment, PaymentStatus, Refund
from studio.orders.services import (
    LineInput,
    order_create,
    payment_confirm,
    payment_create,
    payment_record_offline,
    refund_record,
)
from studio.payroll.models import PayRuleKind
from studio.payroll.selectors import statement as pay_statement
from studio.payroll.services import rule_create
from studio.photos.models import Photo
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.services import shoot_create
from tenants.selectors import current_studio

CURRENCIES = ("EUR", "JPY", "KWD")  # cents, none, fils (three decimals)

# quantity, unit price (minor), kind: the photographer's pay and the school's commission
# depend on it (digital and print rates differ; albums do not count for the school)
line_st = st.tuples(
    st.integers(1, 3), st.integers(1, 5000), st.sampled_from(["digital", "print", "album"])
)
step_st = st.one_of(
    st.tuples(
        st.just("pay"), st.sampled_from(["cash", "bank_transfer", "stripe"]), st.floats(0.1, 1)
    ),
    st.tuples(st.just("refund"), st.floats(0.05, 1), st.booleans()),
    st.tuples(st.just("close")),
)
order_st = st.tuples(
    st.sampled_from(CURRENCIES),
    st.lists(line_st, min_size=1, max_size=3),
    st.floats(0, 0.5),  # share of the subtotal taken off by discounts
    st.lists(step_st, max_size=5),
)


def _order(n, currency, lines, discount_share, world):
    inputs = []
    for quantity, unit_minor, kind in lines:
        unit = from_minor(unit_minor, currency)
        gross = unit * quantity
        net = quantize(gross * (1 - Decimal(str(round(discount_share, 2)))), currency)
        inputs.append(
            LineInput(
                kind.title(),
                kind,
                quantity,
                unit,
                gross,
                net,
                child_id=world["child"].pk,
                photo_id=world["photo"].pk,
                shoot_id=world["shoot"].pk,
            )
        )
    subtotal = sum((line.gross for line in inputs), Decimal(0))
    total = sum((line.net for line in inputs), Decimal(0))
    return order_create(
        lines=inputs,
        currency=currency,
        email=f"p{n}@x.test",
        payment_method="bank_transfer",
        idempotency_key=f"reconcile-{n}-{timezone.now().timestamp()}",
        discount_total=subtotal - total,
    )


def _part(amount, share, currency):
    """``share`` of ``amount`` (all of it from 0.95 on), at least one minor unit."""
    if share >= 0.95:
        return amount
    part = quantize(amount * Decimal(str(round(share, 2))), currency)
    return min(max(part, from_minor(1, currency)), amount)


def _pay(order, method, share):
    order.refresh_from_db()
    due = order.balance_due
    if due <= 0 or order.is_closed:
        return
    amount = _part(due, share, order.currency)
    if method == "stripe":
        payment = payment_create(order=order, provider="stripe", amount=amount)
        fee = to_minor(current_studio().platform_share(amount, order.currency), order.currency)
        Payment.objects.filter(pk=payment.pk).update(provider_data={APPLICATION_FEE_KEY: fee})
        payment_confirm(payment=Payment.objects.get(pk=payment.pk))
    else:
        payment_record_offline(order=order, amount=amount, method=method, actor=None)


def _refund(order, share, name_lines):
    order.refresh_from_db()
    held = order.paid_total - order.refunded_total
    if held <= 0:
        return
    amount = _part(held, share, order.currency)
    line_ids = list(order.lines.values_list("pk", flat=True))[:1] if name_lines else ()
    refund_record(order=order, amount=amount, reason="test", line_ids=line_ids)


def _close():
    start = last_closed_end() or timezone.now() - timedelta(days=30)
    end = timezone.now()
    if end > start:
        period_close(starts_at=start, ends_at=end, label="test")


def _minor_sum(queryset, field, currency):
    return to_minor(queryset.aggregate(total=Sum(field))["total"] or 0, currency)


def _check(order_ids, period_ids, world):
    entries = LedgerEntry.objects.filter(transaction__order_id__in=order_ids)
    # every transaction balances, in one currency
    unbalanced = (
        entries.values("transaction_id").annotate(total=Sum("amount_minor")).exclude(total=0)
    )
    assert not unbalanced.exists()
    for currency in CURRENCIES:
        mine = entries.filter(currency=currency)

        def net(*codes, _mine=mine):
            return _mine.filter(account__code__in=codes).aggregate(t=Sum("amount_minor"))["t"] or 0

        payments = Payment.objects.filter(
            order_id__in=order_ids, status=PaymentStatus.CONFIRMED, currency=currency
        )
        refunds = Refund.objects.filter(order_id__in=order_ids, order__currency=currency)
        received = _minor_sum(payments, "amount", currency)
        refunded = _minor_sum(refunds, "amount", currency)
        kept = (
            mine.filter(account__kind__in=[AccountKind.ASSET, AccountKind.LIABILITY]).aggregate(
                t=Sum("amount_minor")
            )["t"]
            or 0
        )
        fees = net(accounts.PLATFORM_FEES)
        commissions = net(accounts.COMMISSIONS)
        staff_pay = net(accounts.STAFF_PAY)
        assert received - refunded == kept + commissions + staff_pay + fees, currency
        # the platform's share: what Stripe charged on cards, the plan's rule on the rest
        studio = current_studio()
        expected_fees = sum(
            p.application_fee_minor
            if p.provider == "stripe"
            else to_minor(studio.platform_share(p.amount, currency), currency)
            for p in payments
        )
        assert fees == expected_fees
    # the statements say what the books say: the school's due, the photographer's closing
    school = world["school"]
    (figures,) = school_figures(schools=[school], currency="EUR")
    owed_school = -balance_minor(accounts.commission_payable(school.pk), "EUR")
    assert figures.due == owed_school
    photographer = world["photographer"]
    pay = pay_statement(
        photographer,
        starts=timezone.localdate() - timedelta(days=60),
        ends=timezone.localdate() + timedelta(days=1),
    )
    owed_photographer = -balance_minor(accounts.staff_payable(photographer.pk), "EUR")
    assert to_minor(pay.closing, "EUR") == owed_photographer
    # a closed period's snapshot: closing = opening + debits − credits
    for balance in PeriodBalance.objects.filter(period_id__in=period_ids):
        assert balance.closing_minor == (
            balance.opening_minor + balance.debit_minor - balance.credit_minor
        )


@pytest.fixture
def world(in_alpha, media_in_tmp):
    """A school with a signed 10 % agreement on digital files and prints, a child, a picture
    day and a photo by a photographer paid per sold photo (digital and print apart) and 3 %
    of the picture day's net sales."""
    school = School.objects.create(name="Reconcile school")
    school_class = SchoolClass.objects.create(school=school, name="1A", school_year="2026-2027")
    child = Student.objects.create(school_class=school_class, first_name="A", last_name="B")
    photographer = User.objects.create_user(
        email="reconcile-ph@x.test", role=Role.PHOTOGRAPHER, full_name="Reconcile Photographer"
    )
    shoot = shoot_create(
        school=school, name="Day", date=timezone.localdate(), photographers=[photographer]
    )
    photo = Photo.objects.create(
        shoot=shoot,
        original_name="r.jpg",
        content_hash="f" * 64,
        size_bytes=1,
        photographer=photographer,
    )
    since = timezone.localdate() - timedelta(days=30)
    agreement = agreement_create(
        school=school,
        terms=Terms(
            basis="percent", kinds=["digital", "print"], valid_from=since, percent=Decimal("10")
        ),
    )
    agreement_move(agreement=agreement, to="sent")
    agreement_move(agreement=agreement, to="signed")
    for kind, amount, print_amount in (
        (PayRuleKind.PHOTO_SALE, "0.50", "1.25"),
        (PayRuleKind.SALES_PERCENT, "3", None),
    ):
        rule_create(
            kind=kind,
            person=photographer,
            effective_from=since,
            amount=Decimal(amount),
            print_amount=Decimal(print_amount) if print_amount else None,
            actor=None,
        )
    return {
        "school": school,
        "child": child,
        "shoot": shoot,
        "photo": photo,
        "photographer": photographer,
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(season=st.lists(order_st, min_size=1, max_size=6))
def test_random_seasons_reconcile_to_the_minor_unit(
    in_alpha, revenue_share, world, django_capture_on_commit_callbacks, season
):
    with transaction.atomic():
        order_ids = []
        periods_before = set(PeriodBalance.objects.values_list("period_id", flat=True))
        for n, (currency, lines, discount_share, steps) in enumerate(season):
            with django_capture_on_commit_callbacks(execute=True):
                order = _order(n, currency, lines, discount_share, world)
            order_ids.append(order.pk)
            for step in steps:
                with django_capture_on_commit_callbacks(execute=True):
                    if step[0] == "pay":
                        _pay(order, step[1], step[2])
                    elif step[0] == "refund":
                        _refund(order, step[1], step[2])
                    else:
                        _close()
        new_periods = (
            set(PeriodBalance.objects.values_list("period_id", flat=True)) - periods_before
        )
        _check(order_ids, new_periods, world)
        transaction.set_rollback(True)
    assert connection.schema_name == in_alpha.schema
