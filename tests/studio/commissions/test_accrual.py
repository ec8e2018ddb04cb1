"""Commissions accrue when an order is paid, under the school's signed agreement valid that
day, on the kinds of products it counts; refunds give them back, never more than accrued."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from studio.commissions import rules, services
from studio.commissions.models import Accrual, AgreementStatus
from studio.ledger import accounts, selectors
from studio.ledger.models import LedgerEntry, LedgerTransaction
from studio.orders.models import OrderLine, Refund
from studio.orders.signals import order_paid, order_refunded
from tests.studio.commissions.conftest import World


def commission_legs(order):
    return LedgerEntry.objects.filter(
        transaction__order_id=order.pk, account__code__startswith="commission_payable:"
    )


def test_a_percent_of_each_lines_net_rounded_half_up_one_transaction_per_line(world, pay, run):
    world.agreement(percent=Decimal("7.5"))
    order = pay(world.order("10.10", "20.00"))

    # 7.5 % of 10.10 is 0.7575 → 0.76; of 20.00 is 1.50
    assert world.due() == Decimal("2.26")
    assert selectors.balance(accounts.account(accounts.COMMISSIONS), "EUR") == Decimal("2.26")
    lines = list(order.lines.order_by("pk"))
    for line in lines:
        txn = LedgerTransaction.objects.get(key=f"commission:line:{line.pk}")
        assert txn.kind == "commission"
        assert {(e.order_line_id, e.shoot_id) for e in txn.entries.all()} == {
            (line.pk, world.shoot.pk)
        }
    # the event heard again posts nothing more
    run(lambda: order_paid.send(sender=None, order=order))
    assert commission_legs(order).count() == 2


def test_a_fixed_amount_per_paid_order_is_shared_over_its_lines_exactly(world, pay):
    world.agreement(basis="per_order", fixed_amount=Decimal("5.00"))
    order = pay(world.order("10.00", "20.00"))
    shares = sorted(-e.amount_minor for e in commission_legs(order))
    assert shares == [167, 333]
    pay(world.order("1.00"))
    assert world.due() == Decimal("10.00")


def test_tiered_rates_follow_the_schools_cumulative_sales_under_the_agreement(world, pay):
    world.agreement(
        basis="tiered",
        tiers=(
            {"up_to": Decimal("1000"), "percent": Decimal("10")},
            {"up_to": None, "percent": Decimal("15")},
        ),
    )
    pay(world.order("800.00"))
    assert world.due() == Decimal("80.00")
    pay(world.order("400.00"))  # 200 at 10 % and 200 at 15 %
    assert world.due() == Decimal("130.00")
    pay(world.order("100.00"))
    assert world.due() == Decimal("145.00")


def test_the_tier_arithmetic_splits_a_sale_across_bands():
    tiers = [{"up_to": "1000", "percent": "10"}, {"up_to": None, "percent": "15"}]
    assert rules.tiered_minor(Decimal("400"), Decimal("800"), tiers, "EUR") == 5000
    assert rules.tiered_minor(Decimal("10"), Decimal("0"), tiers, "JPY") == 1
    assert rules.split_minor(100, [1, 1, 1]) == [34, 33, 33]
    assert rules.split_minor(7, [0, 0]) == [7, 0]


def test_only_the_kinds_the_agreement_counts_earn(world, pay):
    world.agreement(kinds=("print", "album"))
    pay(world.order("50.00", kind="digital"))
    assert world.due() == Decimal("0")
    pay(world.order("50.00", kind="album"))
    assert world.due() == Decimal("5.00")


@pytest.mark.parametrize(
    "status", [AgreementStatus.DRAFT, AgreementStatus.SENT, AgreementStatus.EXPIRED]
)
def test_an_agreement_that_is_not_signed_earns_nothing(world, pay, status):
    world.agreement(status=status)
    pay(world.order("50.00"))
    assert world.due() == Decimal("0")
    assert not Accrual.objects.exists()


def test_an_agreement_earns_only_between_its_dates(world, pay):
    today = timezone.localdate()
    world.agreement(valid_from=today + datetime.timedelta(days=1))
    pay(world.order("50.00"))
    assert world.due() == Decimal("0")


def test_an_agreement_that_ended_earns_nothing_and_the_next_one_does(world, pay):
    today = timezone.localdate()
    world.agreement(
        valid_from=today - datetime.timedelta(days=60),
        valid_to=today - datetime.timedelta(days=1),
    )
    pay(world.order("50.00"))
    assert world.due() == Decimal("0")
    world.agreement(valid_from=today, percent=Decimal("20"))
    pay(world.order("50.00"))
    assert world.due() == Decimal("10.00")


def test_another_schools_sales_earn_this_school_nothing(world, pay):
    world.agreement()
    other = World("Lyceum 2")
    pay(other.order("50.00"))
    assert world.due() == Decimal("0")


def test_a_refund_naming_lines_gives_back_exactly_their_commission(world, pay, refund):
    world.agreement()
    order = pay(world.order("30.00", "70.00"))
    first, second = order.lines.order_by("pk")
    refund(order, "30.00", line_ids=[first.pk])
    assert world.due() == Decimal("7.00")
    reversal = LedgerTransaction.objects.get(kind="commission_reversal")
    assert reversal.key.endswith(f":line:{first.pk}")
    assert {e.order_line_id for e in reversal.entries.all()} == {first.pk}


def test_a_refund_naming_no_line_is_pro_rata_and_a_full_refund_reverses_everything(
    world, pay, refund
):
    world.agreement(percent=Decimal("15"))
    order = pay(world.order("33.33", "66.67"))  # 5.00 + 10.00 (5.0005 → 5.00)
    assert world.due() == Decimal("15.00")
    refund(order, "10.00")  # a tenth: 0.50 + 1.00
    assert world.due() == Decimal("13.50")
    refund(order, "85.00")
    assert world.due() == Decimal("0.75")
    refund(order, "5.00")  # nothing left paid: the rest, exactly
    assert world.due() == Decimal("0")
    assert selectors.balance(accounts.account(accounts.COMMISSIONS), "EUR") == Decimal("0")


def test_a_line_refunded_after_a_pro_rata_one_gives_back_only_what_is_left(world, pay, refund):
    world.agreement()
    order = pay(world.order("50.00", "50.00"))
    first, _second = order.lines.order_by("pk")
    refund(order, "50.00")  # half of each: 2.50 + 2.50
    refund(order, "10.00", line_ids=[first.pk])  # names the first: its last 2.50
    assert world.due() == Decimal("2.50")
    for accrual in Accrual.objects.all():
        assert services.outstanding_minor(accrual) >= 0


def test_agreements_move_only_forward_and_one_is_signed_at_a_time(world):
    agreement = world.agreement(status=AgreementStatus.DRAFT)
    with pytest.raises(ValidationError):
        services.agreement_move(agreement=agreement, to=AgreementStatus.SIGNED)
    world.agreement()
    services.agreement_move(agreement=agreement, to=AgreementStatus.SENT)
    with pytest.raises(ValidationError, match="already has a signed"):
        services.agreement_move(agreement=agreement, to=AgreementStatus.SIGNED)
    with pytest.raises(ValidationError):
        services.agreement_update(
            agreement=agreement,
            terms=services.Terms(
                basis="percent",
                percent=Decimal(5),
                kinds=["print"],
                valid_from=timezone.localdate(),
            ),
        )


def test_terms_are_checked(world):
    with pytest.raises(ValidationError):
        world.agreement(percent=Decimal("0"))
    with pytest.raises(ValidationError):
        world.agreement(kinds=())
    with pytest.raises(ValidationError):
        world.agreement(
            basis="tiered",
            tiers=(
                {"up_to": Decimal("1000"), "percent": Decimal("10")},
                {"up_to": Decimal("5"), "percent": Decimal("15")},
            ),
        )


def test_a_refund_naming_a_line_that_earned_nothing_takes_nothing_from_the_others(
    world, pay, refund, run
):
    world.agreement(kinds=("print",))
    order = world.order("40.00", "60.00")
    OrderLine.objects.filter(order=order, description="Line 2").update(kind="digital")
    order = pay(order)
    digital = order.lines.get(kind="digital")
    assert world.due() == Decimal("4.00")
    refund(order, "60.00", line_ids=[digital.pk])
    assert world.due() == Decimal("4.00")
    # the same refund's event heard again gives back nothing more
    refund_row = Refund.objects.get(order=order)
    run(lambda: order_refunded.send(sender=None, order=order, refund=refund_row))
    assert world.due() == Decimal("4.00")
    refund(order, "20.00")  # names none: pro rata (20 of 100 paid) of the print's 4.00
    assert world.due() == Decimal("3.20")
