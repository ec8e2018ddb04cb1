"""Step 7 of the pricing: a late picture day's fee, one line per priced cart (price_cart is
called once per picture day), after every discount and untouched by them. No database."""

from decimal import Decimal

import pytest

from studio.catalogue.pricing import (
    LATE_FEE_LINE_ID,
    LATE_FEE_LINE_KIND,
    CouponRule,
    LateFeeRule,
    PricingError,
)

from .test_pricing import DIGITAL, P10, assert_consistent, line, price

D = Decimal
FEE = LateFeeRule(amount=D("3.50"), label="Late fee: Spring 2027")


def test_the_fee_is_one_line_per_cart_whatever_the_number_of_items_and_children():
    priced = price(
        [line("a", DIGITAL), line("b", P10, qty=3), line("c", DIGITAL, child=2)],
        late_fee=FEE,
        sibling_percent=D("10"),
    )

    fees = [ln for ln in priced.lines if ln.kind == LATE_FEE_LINE_KIND]
    assert [(f.line_id, f.name, f.quantity, f.gross, f.net, f.child_id) for f in fees] == [
        (LATE_FEE_LINE_ID, "Late fee: Spring 2027", 1, D("3.50"), D("3.50"), None)
    ]
    assert priced.lines[-1] is fees[0]  # after every item
    # 9.99 + 7.50 + (9.99 − 1.00 sibling) + 3.50
    assert (priced.subtotal, priced.discount_total, priced.total) == (
        D("30.98"),
        D("1.00"),
        D("29.98"),
    )
    assert_consistent(priced)


def test_no_discount_touches_the_fee_and_the_coupon_minimum_ignores_it():
    coupon = CouponRule(code="TEN", kind="percent", value=D("10"), min_subtotal=D("12"))

    priced = price([line("a", DIGITAL)], late_fee=FEE, coupon=coupon)

    assert priced.coupon_status == "below_minimum"  # 9.99 of items: the fee does not count
    assert priced.total == D("13.49")
    with_coupon = price([line("a", DIGITAL), line("b", P10)], late_fee=FEE, coupon=coupon)
    fee = with_coupon.lines[-1]
    assert (fee.adjustments, fee.net) == ((), D("3.50"))
    assert with_coupon.total == D("12.49") - D("1.25") + D("3.50")  # 10 % of 12.49 is 1.249
    assert_consistent(with_coupon)


def test_the_fee_is_rounded_like_a_price_and_a_zero_fee_adds_nothing():
    yen = price([line("a", DIGITAL)], currency="JPY", late_fee=LateFeeRule(D("99.5"), "Late"))
    assert yen.lines[-1].net == D("100")
    assert_consistent(yen)

    euro = price([line("a", DIGITAL)], late_fee=LateFeeRule(D("1.005"), "Late"))
    assert euro.lines[-1].net == D("1.01")

    for fee in (LateFeeRule(D("0"), "Late"), LateFeeRule(D("0.004"), "Late"), None):
        priced = price([line("a", DIGITAL)], late_fee=fee)
        assert [ln.line_id for ln in priced.lines] == ["a"]
        assert priced.total == D("9.99")


def test_an_empty_cart_pays_no_fee_and_a_negative_one_is_refused():
    assert price([], late_fee=FEE).lines == ()
    with pytest.raises(PricingError):
        price([line("a", DIGITAL)], late_fee=LateFeeRule(D("-1"), "Late"))
