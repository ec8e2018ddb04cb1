"""The pure pricing module: each discount alone, in combination, the order of application,
the rounding rule, currencies, and invariants over many random carts. No database."""

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from saas_platform.money import currency_exponent
from studio.catalogue.pricing import (
    AdjustmentKind,
    CartInput,
    CartLine,
    CouponRule,
    CouponStatus,
    EarlyBirdRule,
    FreeItemRule,
    OptionPrice,
    PackagePrice,
    PricingError,
    PricingRules,
    ProductPrice,
    TierRule,
    price_cart,
)

D = Decimal
K = AdjustmentKind
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)

# --- a small catalogue ---------------------------------------------------------------------

DIGITAL, P10, P15, P20, ALBUM, MUG, STICKER = 1, 2, 3, 4, 5, 6, 7
MATTE_10, FRAME_20, MATTE_15 = 21, 22, 23
ALL_DIGITAL, BUNDLE = 31, 32

PRODUCTS = (
    ProductPrice(DIGITAL, "Digital file", "digital", D("9.99"), requires_photo=True),
    ProductPrice(P10, "Print 10x15", "print", D("2.50"), requires_photo=True),
    ProductPrice(P15, "Print 15x21", "print", D("4.00"), requires_photo=True),
    ProductPrice(P20, "Print 20x30", "print", D("7.50"), requires_photo=True),
    ProductPrice(ALBUM, "Photo book", "album", D("35.00")),
    ProductPrice(MUG, "Mug", "other", D("12.00")),
    ProductPrice(STICKER, "Sticker", "other", D("0.00")),
)
PHOTO_PRODUCTS = {DIGITAL, P10, P15, P20}
OPTIONS = (
    OptionPrice(MATTE_10, P10, "Matte paper", D("0.50")),
    OptionPrice(FRAME_20, P20, "Frame", D("15.00")),
    OptionPrice(MATTE_15, P15, "Matte paper", D("0.75")),
)
PACKAGES = (
    PackagePrice(ALL_DIGITAL, "All photos as digital files", "all_digital", D("29.00")),
    PackagePrice(BUNDLE, "Class photo + 5 prints", "bundle", D("19.90")),
)


def line(line_id, product=None, *, child=1, package=None, qty=1, options=(), photo=None):
    if photo is None and product in PHOTO_PRODUCTS:
        photo = 500
    return CartLine(
        line_id=line_id,
        child_id=child,
        product_id=product,
        package_id=package,
        photo_id=photo,
        quantity=qty,
        option_ids=tuple(options),
    )


def pkg(line_id, package, *, child=1, qty=1):
    return line(line_id, package=package, child=child, qty=qty)


def rules(**kwargs) -> PricingRules:
    kwargs.setdefault("products", PRODUCTS)
    kwargs.setdefault("options", OPTIONS)
    kwargs.setdefault("packages", PACKAGES)
    return PricingRules(**kwargs)


def assert_consistent(priced, rules_=None):
    """What holds for every priced cart, whatever the rules."""
    exponent = -currency_exponent(priced.currency)
    amounts = [priced.subtotal, priced.discount_total, priced.total]
    for priced_line in priced.lines:
        assert priced_line.gross == priced_line.unit_price * priced_line.quantity
        assert priced_line.net == priced_line.gross + sum(
            (a.amount for a in priced_line.adjustments), D(0)
        )
        assert priced_line.net >= 0
        assert all(a.amount < 0 for a in priced_line.adjustments)
        order = list(AdjustmentKind)
        kinds = [order.index(a.kind) for a in priced_line.adjustments]
        assert kinds == sorted(kinds), "adjustments out of the documented order"
        amounts += [priced_line.unit_price, priced_line.gross, priced_line.net]
        amounts += [a.amount for a in priced_line.adjustments]
    for amount in amounts:
        assert amount == amount.quantize(D(1).scaleb(exponent)), amount
    assert priced.subtotal == sum((ln.gross for ln in priced.lines), D(0))
    assert priced.total == sum((ln.net for ln in priced.lines), D(0))
    assert priced.subtotal - priced.discount_total == priced.total
    assert priced.total >= 0
    assert sum((a.amount for a in priced.summary), D(0)) == -priced.discount_total


def price(lines, *, now=NOW, currency="EUR", **rule_kwargs):
    priced = price_cart(
        cart=CartInput(tuple(lines)), rules=rules(**rule_kwargs), now=now, currency=currency
    )
    assert_consistent(priced)
    return priced


def adjustments(priced) -> dict:
    """Line id → [(kind, amount as str)], lines without adjustments left out."""
    return {
        ln.line_id: [(a.kind, str(a.amount)) for a in ln.adjustments]
        for ln in priced.lines
        if ln.adjustments
    }


# --- gross ---------------------------------------------------------------------------------


def test_a_product_line_costs_its_price_plus_its_options_times_the_quantity():
    priced = price([line("a", P10, qty=3, options=[MATTE_10]), line("b", P20, options=[FRAME_20])])

    a, b = priced.lines
    assert (a.unit_price, a.gross, a.net, a.option_names) == (
        D("3.00"),
        D("9.00"),
        D("9.00"),
        ("Matte paper",),
    )
    assert (b.unit_price, b.gross) == (D("22.50"), D("22.50"))
    assert (priced.subtotal, priced.discount_total, priced.total) == (
        D("31.50"),
        D("0.00"),
        D("31.50"),
    )


def test_a_package_line_costs_the_package_price():
    priced = price([pkg("a", BUNDLE), pkg("b", ALL_DIGITAL, child=2, qty=2)])

    assert [(ln.kind, ln.name, ln.unit_price, ln.gross) for ln in priced.lines] == [
        ("package", "Class photo + 5 prints", D("19.90"), D("19.90")),
        ("package", "All photos as digital files", D("29.00"), D("58.00")),
    ]
    assert priced.total == D("77.90")


def test_an_empty_cart_costs_nothing():
    priced = price([], coupon=CouponRule("TEN", "fixed", D("10")))

    assert (priced.lines, priced.subtotal, priced.total) == ((), D("0.00"), D("0.00"))
    assert priced.coupon_status == CouponStatus.APPLIED


def test_prices_are_rounded_half_up_to_the_currency_on_entry():
    products = (
        ProductPrice(1, "Odd", "other", D("10.5")),
        ProductPrice(2, "Odder", "other", D("2.345")),
    )

    yen = price([line("a", 1)], currency="JPY", products=products, options=())
    euro = price([line("a", 2)], currency="EUR", products=products, options=())

    assert (yen.lines[0].unit_price, str(yen.total)) == (D("11"), "11")
    assert (euro.lines[0].unit_price, str(euro.total)) == (D("2.35"), "2.35")


# --- malformed carts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "lines", "rule_kwargs", "now", "currency"),
    [
        ("line id twice", [line("a", MUG), line("a", ALBUM)], {}, NOW, "EUR"),
        ("quantity 0", [line("a", MUG, qty=0)], {}, NOW, "EUR"),
        ("negative quantity", [line("a", MUG, qty=-2)], {}, NOW, "EUR"),
        ("product and package", [line("a", MUG, package=BUNDLE)], {}, NOW, "EUR"),
        ("neither", [line("a")], {}, NOW, "EUR"),
        ("unknown product", [line("a", 999)], {}, NOW, "EUR"),
        ("unknown package", [pkg("a", 999)], {}, NOW, "EUR"),
        ("unknown option", [line("a", P10, options=[999])], {}, NOW, "EUR"),
        ("option of another product", [line("a", P10, options=[FRAME_20])], {}, NOW, "EUR"),
        ("option twice", [line("a", P10, options=[MATTE_10, MATTE_10])], {}, NOW, "EUR"),
        ("options on a package", [line("a", package=BUNDLE, options=[MATTE_10])], {}, NOW, "EUR"),
        ("print without a photo", [CartLine("a", 1, product_id=P10)], {}, NOW, "EUR"),
        ("naive now", [line("a", MUG)], {}, NOW.replace(tzinfo=None), "EUR"),
        ("rules in another currency", [line("a", MUG)], {"currency": "JPY"}, NOW, "EUR"),
        (
            "tier with product and kind",
            [line("a", MUG)],
            {"tiers": (TierRule(2, D("10"), product_id=MUG, product_kind="other"),)},
            NOW,
            "EUR",
        ),
        (
            "free rule with neither",
            [line("a", MUG)],
            {"free_items": (FreeItemRule(1),)},
            NOW,
            "EUR",
        ),
        (
            "duplicate product ids",
            [line("a", MUG)],
            {"products": (*PRODUCTS, ProductPrice(MUG, "Mug 2", "other", D("1")))},
            NOW,
            "EUR",
        ),
        (
            "negative price",
            [line("a", 1)],
            {"products": (ProductPrice(1, "Refund", "other", D("-1.00")),)},
            NOW,
            "EUR",
        ),
        (
            "unknown coupon kind",
            [line("a", MUG)],
            {"coupon": CouponRule("X1X", "gift", D("1"))},
            NOW,
            "EUR",
        ),
    ],
)
def test_a_malformed_cart_or_rule_set_is_refused(case, lines, rule_kwargs, now, currency):
    with pytest.raises(PricingError):
        price_cart(
            cart=CartInput(tuple(lines)), rules=rules(**rule_kwargs), now=now, currency=currency
        )


def test_an_album_needs_no_photo_and_the_currency_code_may_be_lower_case():
    priced = price([line("a", ALBUM)], currency="eur")

    assert (priced.currency, priced.total, priced.lines[0].photo_id) == ("EUR", D("35.00"), None)


# --- each discount alone, and together: one table ------------------------------------------

free_digital = FreeItemRule(1, product_id=DIGITAL)
free_print = FreeItemRule(1, product_kind="print")
print_tier_5 = TierRule(5, D("10"), product_kind="print")

DISCOUNT_CASES = [
    # (case, lines, rules, {line: [(kind, amount)]}, total)
    # packages
    (
        "all-digital package includes that child's digital files, not another child's or prints",
        [pkg("a", ALL_DIGITAL), line("b", DIGITAL), line("c", DIGITAL, child=2), line("d", P10)],
        {},
        {"b": [(K.PACKAGE, "-9.99")]},
        "41.49",
    ),
    (
        "a bundle includes nothing else",
        [pkg("a", BUNDLE), line("b", DIGITAL), line("c", P10)],
        {},
        {},
        "32.39",
    ),
    (
        "files included in a package get no free item and are not counted for tiers",
        [pkg("a", ALL_DIGITAL), line("b", DIGITAL), line("c", DIGITAL, child=2)],
        {"free_items": (free_digital,), "tiers": (TierRule(2, D("50"), product_kind="digital"),)},
        {"b": [(K.PACKAGE, "-9.99")], "c": [(K.FREE_ITEM, "-9.99")]},
        "29.00",
    ),
    # free items
    (
        "one free digital photo per child: the first of equal ones",
        [line("a", DIGITAL), line("b", DIGITAL, photo=501)],
        {"free_items": (free_digital,)},
        {"a": [(K.FREE_ITEM, "-9.99")]},
        "9.99",
    ),
    (
        "every child gets its own free item",
        [line("a", DIGITAL), line("b", DIGITAL, child=2), line("c", DIGITAL, child=2)],
        {"free_items": (free_digital,)},
        {"a": [(K.FREE_ITEM, "-9.99")], "b": [(K.FREE_ITEM, "-9.99")]},
        "9.99",
    ),
    (
        "a free print of any size: the cheapest unit, options included",
        [line("a", P20), line("b", P15), line("c", P10, options=[MATTE_10])],
        {"free_items": (free_print,)},
        {"c": [(K.FREE_ITEM, "-3.00")]},
        "11.50",
    ),
    (
        "the cheapest unit may sit in a line of several",
        [line("a", P20), line("b", P10, qty=3)],
        {"free_items": (free_print,)},
        {"b": [(K.FREE_ITEM, "-2.50")]},
        "12.50",
    ),
    (
        "two free units spread over lines, cheapest first",
        [line("a", P15, qty=3), line("b", P10)],
        {"free_items": (FreeItemRule(2, product_kind="print"),)},
        {"a": [(K.FREE_ITEM, "-4.00")], "b": [(K.FREE_ITEM, "-2.50")]},
        "8.00",
    ),
    (
        "more free units than bought: all of them, no more",
        [line("a", P10, qty=2)],
        {"free_items": (FreeItemRule(3, product_id=P10),)},
        {"a": [(K.FREE_ITEM, "-5.00")]},
        "0.00",
    ),
    (
        "units that already cost nothing are skipped",
        [line("a", STICKER), line("b", MUG)],
        {"free_items": (FreeItemRule(1, product_kind="other"),)},
        {"b": [(K.FREE_ITEM, "-12.00")]},
        "0.00",
    ),
    (
        "lines without a child get no free item",
        [line("a", DIGITAL, child=None)],
        {"free_items": (free_digital,)},
        {},
        "9.99",
    ),
    (
        "a free item not in the cart gives nothing",
        [line("a", P10)],
        {"free_items": (FreeItemRule(1, product_id=P20),)},
        {},
        "2.50",
    ),
    (
        "two rules never free the same unit",
        [line("a", DIGITAL), line("b", DIGITAL, photo=501)],
        {"free_items": (free_digital, FreeItemRule(1, product_kind="digital"))},
        {"a": [(K.FREE_ITEM, "-9.99")], "b": [(K.FREE_ITEM, "-9.99")]},
        "0.00",
    ),
    # quantity tiers
    (
        "tier: one below the threshold",
        [line("a", P10, qty=4)],
        {"tiers": (print_tier_5,)},
        {},
        "10.00",
    ),
    (
        "tier: at the threshold",
        [line("a", P10, qty=5)],
        {"tiers": (print_tier_5,)},
        {"a": [(K.QUANTITY_TIER, "-1.25")]},
        "11.25",
    ),
    (
        "tier: counted over lines and children",
        [line("a", P10, qty=3), line("b", P15, qty=2, child=2)],
        {"tiers": (print_tier_5,)},
        {"a": [(K.QUANTITY_TIER, "-0.75")], "b": [(K.QUANTITY_TIER, "-0.80")]},
        "13.95",
    ),
    (
        "tier on a product counts only that product",
        [line("a", P10, qty=3), line("b", P15, qty=2)],
        {"tiers": (TierRule(5, D("10"), product_id=P10),)},
        {},
        "15.50",
    ),
    (
        "the best tier reached wins, product or kind, never both",
        [line("a", P10, qty=3), line("b", P15, qty=2)],
        {"tiers": (print_tier_5, TierRule(3, D("20"), product_id=P10))},
        {"a": [(K.QUANTITY_TIER, "-1.50")], "b": [(K.QUANTITY_TIER, "-0.80")]},
        "13.20",
    ),
    (
        "two tiers: 9 units reach the lower",
        [line("a", P10, qty=9)],
        {"tiers": (print_tier_5, TierRule(10, D("20"), product_kind="print"))},
        {"a": [(K.QUANTITY_TIER, "-2.25")]},
        "20.25",
    ),
    (
        "two tiers: 10 units reach the higher",
        [line("a", P10, qty=10)],
        {"tiers": (print_tier_5, TierRule(10, D("20"), product_kind="print"))},
        {"a": [(K.QUANTITY_TIER, "-5.00")]},
        "20.00",
    ),
    (
        "package lines are neither counted nor discounted by tiers",
        [pkg("a", BUNDLE), line("b", P10)],
        {"tiers": (TierRule(2, D("50"), product_kind="print"),)},
        {},
        "22.40",
    ),
    (
        "free units count for the tier, which applies to what is left",
        [line("a", P10, qty=5)],
        {"free_items": (free_print,), "tiers": (print_tier_5,)},
        {"a": [(K.FREE_ITEM, "-2.50"), (K.QUANTITY_TIER, "-1.00")]},
        "9.00",
    ),
    (
        "a tier on a line that is all free adds nothing",
        [line("a", P10, qty=5)],
        {"free_items": (FreeItemRule(5, product_id=P10),), "tiers": (print_tier_5,)},
        {"a": [(K.FREE_ITEM, "-12.50")]},
        "0.00",
    ),
    # early-bird
    (
        "early-bird: a second before the instant",
        [line("a", P20)],
        {"early_birds": (EarlyBirdRule(NOW + SECOND, D("10")),)},
        {"a": [(K.EARLY_BIRD, "-0.75")]},
        "6.75",
    ),
    (
        "early-bird: at the instant it is over",
        [line("a", P20)],
        {"early_birds": (EarlyBirdRule(NOW, D("10")),)},
        {},
        "7.50",
    ),
    (
        "early-bird: after the instant",
        [line("a", P20)],
        {"early_birds": (EarlyBirdRule(NOW - SECOND, D("10")),)},
        {},
        "7.50",
    ),
    (
        "early-bird: the highest of those still running",
        [line("a", ALBUM)],
        {
            "early_birds": (
                EarlyBirdRule(NOW + timedelta(days=1), D("10")),
                EarlyBirdRule(NOW + timedelta(hours=1), D("20")),
                EarlyBirdRule(NOW - timedelta(hours=1), D("50")),
            )
        },
        {"a": [(K.EARLY_BIRD, "-7.00")]},
        "28.00",
    ),
    (
        "early-bird applies to packages too",
        [pkg("a", ALL_DIGITAL)],
        {"early_birds": (EarlyBirdRule(NOW + SECOND, D("10")),)},
        {"a": [(K.EARLY_BIRD, "-2.90")]},
        "26.10",
    ),
    # sibling discount
    (
        "sibling: one child pays in full",
        [line("a", P20), line("b", ALBUM)],
        {"sibling_percent": D("10")},
        {},
        "42.50",
    ),
    (
        "sibling: the second child",
        [line("a", ALBUM), line("b", P20, child=2)],
        {"sibling_percent": D("10")},
        {"b": [(K.SIBLING, "-0.75")]},
        "41.75",
    ),
    (
        "sibling: the second and third child",
        [line("a", ALBUM), line("b", P20, child=2), line("c", P15, child=3)],
        {"sibling_percent": D("10")},
        {"b": [(K.SIBLING, "-0.75")], "c": [(K.SIBLING, "-0.40")]},
        "45.35",
    ),
    (
        "sibling: the child who spends most pays in full, whatever the order",
        [line("a", P10), line("b", ALBUM, child=2)],
        {"sibling_percent": D("10")},
        {"a": [(K.SIBLING, "-0.25")]},
        "37.25",
    ),
    (
        "sibling: a tie goes to the child first in the cart",
        [line("a", P20), line("b", P20, child=2)],
        {"sibling_percent": D("10")},
        {"b": [(K.SIBLING, "-0.75")]},
        "14.25",
    ),
    (
        "sibling: every line of the other children, lines without a child untouched",
        [
            line("a", MUG, child=None),
            line("b", ALBUM),
            line("c", P10, child=2),
            pkg("d", BUNDLE, child=2),
        ],
        {"sibling_percent": D("10")},
        {"c": [(K.SIBLING, "-0.25")], "d": [(K.SIBLING, "-1.99")]},
        "67.16",
    ),
    (
        "sibling: judged on what is left after free items",
        [line("a", DIGITAL), line("b", ALBUM, child=2)],
        {"free_items": (free_digital,), "sibling_percent": D("10")},
        {"a": [(K.FREE_ITEM, "-9.99")]},
        "35.00",
    ),
    (
        "sibling on what early-bird left",
        [line("a", ALBUM), line("b", ALBUM, child=2)],
        {"early_birds": (EarlyBirdRule(NOW + SECOND, D("10")),), "sibling_percent": D("10")},
        {
            "a": [(K.EARLY_BIRD, "-3.50")],
            "b": [(K.EARLY_BIRD, "-3.50"), (K.SIBLING, "-3.15")],
        },
        "59.85",
    ),
    # coupons
    (
        "coupon: percent on every line",
        [line("a", P20), line("b", P10, qty=3)],
        {"coupon": CouponRule("TEN", "percent", D("10"))},
        {"a": [(K.COUPON, "-0.75")], "b": [(K.COUPON, "-0.75")]},
        "13.50",
    ),
    (
        "coupon: a fixed amount split in proportion, the odd cent by largest remainder",
        [line("a", ALBUM), line("b", MUG), line("c", P10)],
        {"coupon": CouponRule("FIVE", "fixed", D("5.00"))},
        {"a": [(K.COUPON, "-3.54")], "b": [(K.COUPON, "-1.21")], "c": [(K.COUPON, "-0.25")]},
        "44.50",
    ),
    (
        "coupon: 10.00 over 10, 20 and 30",
        [
            line("a", P10, qty=4),
            line("b", P10, qty=8, photo=501),
            line("c", P10, qty=12, photo=502),
        ],
        {"coupon": CouponRule("TEN-OFF", "fixed", D("10.00"))},
        {"a": [(K.COUPON, "-1.67")], "b": [(K.COUPON, "-3.33")], "c": [(K.COUPON, "-5.00")]},
        "50.00",
    ),
    (
        "coupon: a fixed amount above the total takes the total and no more",
        [line("a", P20), line("b", STICKER)],
        {"coupon": CouponRule("BIG", "fixed", D("100"))},
        {"a": [(K.COUPON, "-7.50")]},
        "0.00",
    ),
    (
        "coupon: minimum order met exactly",
        [line("a", P20)],
        {"coupon": CouponRule("ONE", "fixed", D("1"), min_subtotal=D("7.50"))},
        {"a": [(K.COUPON, "-1.00")]},
        "6.50",
    ),
    (
        "coupon: minimum order missed by a cent",
        [line("a", P20)],
        {"coupon": CouponRule("ONE", "fixed", D("1"), min_subtotal=D("7.51"))},
        {},
        "7.50",
    ),
    (
        "coupon: the minimum is judged on the subtotal before discounts",
        [line("a", P20)],
        {
            "early_birds": (EarlyBirdRule(NOW + SECOND, D("50")),),
            "coupon": CouponRule("TEN", "percent", D("10"), min_subtotal=D("7.50")),
        },
        {"a": [(K.EARLY_BIRD, "-3.75"), (K.COUPON, "-0.38")]},
        "3.37",
    ),
    (
        "coupon: a fixed amount is split on what is left after other discounts",
        [line("a", ALBUM), line("b", ALBUM, child=2)],
        {"sibling_percent": D("50"), "coupon": CouponRule("NINE", "fixed", D("9.00"))},
        {
            "a": [(K.COUPON, "-6.00")],
            "b": [(K.SIBLING, "-17.50"), (K.COUPON, "-3.00")],
        },
        "43.50",
    ),
    # everything at once
    (
        "every discount in its order",
        [
            pkg("pk", ALL_DIGITAL),
            line("d1", DIGITAL),
            line("p1", P10, qty=4),
            line("d2", DIGITAL, child=2),
            line("p2", P15, qty=2, child=2, options=[MATTE_15]),
            line("m", MUG, child=None),
        ],
        {
            "free_items": (free_digital,),
            "tiers": (print_tier_5,),
            "early_birds": (EarlyBirdRule(NOW + SECOND, D("5")),),
            "sibling_percent": D("10"),
            "coupon": CouponRule("SPRING", "percent", D("10")),
        },
        {
            # before the sibling step child 1 has 27.55 + 8.55 left, child 2 8.12: child 2 pays less
            "pk": [(K.EARLY_BIRD, "-1.45"), (K.COUPON, "-2.76")],
            "d1": [(K.PACKAGE, "-9.99")],
            "p1": [(K.QUANTITY_TIER, "-1.00"), (K.EARLY_BIRD, "-0.45"), (K.COUPON, "-0.86")],
            "d2": [(K.FREE_ITEM, "-9.99")],
            "p2": [
                (K.QUANTITY_TIER, "-0.95"),
                (K.EARLY_BIRD, "-0.43"),
                (K.SIBLING, "-0.81"),
                (K.COUPON, "-0.73"),
            ],
            "m": [(K.EARLY_BIRD, "-0.60"), (K.COUPON, "-1.14")],
        },
        "49.32",
    ),
]


@pytest.mark.parametrize(
    ("case", "lines", "rule_kwargs", "expected", "total"),
    DISCOUNT_CASES,
    ids=[case[0] for case in DISCOUNT_CASES],
)
def test_discounts_alone_and_together(case, lines, rule_kwargs, expected, total):
    priced = price(lines, **rule_kwargs)

    assert adjustments(priced) == expected
    assert priced.total == D(total)


# --- coupons: when they apply ---------------------------------------------------------------

COUPON_CASES = [
    # (case, coupon fields, status, total) — the cart is one print at 7.50, coupon 1.00 off
    ("valid with no limits", {}, CouponStatus.APPLIED, "6.50"),
    ("valid from exactly now", {"valid_from": NOW}, CouponStatus.APPLIED, "6.50"),
    ("not valid yet", {"valid_from": NOW + SECOND}, CouponStatus.NOT_YET_VALID, "7.50"),
    (
        "valid until a moment after",
        {"valid_until": NOW + timedelta(microseconds=1)},
        CouponStatus.APPLIED,
        "6.50",
    ),
    ("expired at exactly now", {"valid_until": NOW}, CouponStatus.EXPIRED, "7.50"),
    ("expired yesterday", {"valid_until": NOW - timedelta(days=1)}, CouponStatus.EXPIRED, "7.50"),
    ("one use left", {"max_uses": 3, "uses": 2}, CouponStatus.APPLIED, "6.50"),
    ("used up", {"max_uses": 3, "uses": 3}, CouponStatus.USED_UP, "7.50"),
    ("switched off", {"active": False}, CouponStatus.INACTIVE, "7.50"),
    ("minimum met", {"min_subtotal": D("7.50")}, CouponStatus.APPLIED, "6.50"),
    ("minimum missed", {"min_subtotal": D("7.51")}, CouponStatus.BELOW_MINIMUM, "7.50"),
    ("minimum zero", {"min_subtotal": D("0")}, CouponStatus.APPLIED, "6.50"),
]


@pytest.mark.parametrize(
    ("case", "fields", "status", "total"), COUPON_CASES, ids=[c[0] for c in COUPON_CASES]
)
def test_a_coupon_applies_only_inside_its_limits(case, fields, status, total):
    coupon = CouponRule("SPRING-1", "fixed", D("1.00"), **fields)

    priced = price([line("a", P20)], coupon=coupon)

    assert (priced.coupon_code, priced.coupon_status, priced.total) == (
        "SPRING-1",
        status,
        D(total),
    )
    assert priced.coupon_message


def test_an_unknown_code_is_reported_and_no_code_is_not():
    unknown = price([line("a", P20)], coupon_code=" nope ")
    none = price([line("a", P20)])

    assert (unknown.coupon_code, unknown.coupon_status) == ("NOPE", CouponStatus.UNKNOWN)
    assert unknown.coupon_message == "There is no coupon with this code."
    assert (none.coupon_code, none.coupon_status, none.coupon_message) == ("", None, "")


# --- rounding ---------------------------------------------------------------------------------

ROUNDING_CASES = [
    # (price, quantity, percent, currency, adjustment or None, net)
    ("9.99", 3, "10", "EUR", "-3.00", "26.97"),  # 2.997 on the line, not 3 × 0.999
    ("0.05", 1, "10", "EUR", "-0.01", "0.04"),  # 0.005 half up
    ("0.45", 1, "10", "EUR", "-0.05", "0.40"),  # 0.045 half up (banker's would give 0.04)
    ("0.15", 1, "10", "EUR", "-0.02", "0.13"),  # 0.015
    ("0.25", 1, "10", "EUR", "-0.03", "0.22"),  # 0.025 (banker's: 0.02)
    ("0.04", 1, "10", "EUR", None, "0.04"),  # 0.004 rounds to nothing: no adjustment
    ("33.33", 1, "33.33", "EUR", "-11.11", "22.22"),  # 11.108889
    ("19.99", 7, "12.5", "EUR", "-17.49", "122.44"),  # 17.49125
    ("999", 1, "15", "JPY", "-150", "849"),  # 149.85
    ("5", 1, "10", "JPY", "-1", "4"),  # 0.5 half up
    ("4", 1, "10", "JPY", None, "4"),  # 0.4
    ("1250", 3, "7.5", "JPY", "-281", "3469"),  # 281.25
    ("1.005", 1, "10", "KWD", "-0.101", "0.904"),  # three decimals: 0.1005
    ("10.00", 1, "100", "EUR", "-10.00", "0.00"),
]


@pytest.mark.parametrize(
    ("amount", "qty", "percent", "currency", "adjustment", "net"), ROUNDING_CASES
)
def test_each_percent_adjustment_is_rounded_once_half_up_on_the_line(
    amount, qty, percent, currency, adjustment, net
):
    products = (ProductPrice(1, "Item", "other", D(amount)),)

    priced = price(
        [line("a", 1, qty=qty)],
        currency=currency,
        products=products,
        options=(),
        early_birds=(EarlyBirdRule(NOW + SECOND, D(percent)),),
    )

    (priced_line,) = priced.lines
    assert [str(a.amount) for a in priced_line.adjustments] == ([adjustment] if adjustment else [])
    assert str(priced_line.net) == net
    assert str(priced.total) == net


def test_percentages_compound_on_the_running_net():
    products = (ProductPrice(1, "Item", "other", D("10.00")),)

    priced = price(
        [line("a", 1)],
        products=products,
        early_birds=(EarlyBirdRule(NOW + SECOND, D("10")),),
        coupon=CouponRule("TEN", "percent", D("10")),
    )

    assert adjustments(priced) == {"a": [(K.EARLY_BIRD, "-1.00"), (K.COUPON, "-0.90")]}
    assert priced.total == D("8.10")


def test_three_lines_of_a_third_still_add_up_to_the_total():
    products = (ProductPrice(1, "Item", "other", D("0.10")),)
    lines = [line(n, 1) for n in "abc"]

    percent = price(lines, products=products, coupon=CouponRule("X1X", "percent", D("33.33")))
    fixed = price(lines, products=products, coupon=CouponRule("X1X", "fixed", D("0.10")))

    assert [ln.net for ln in percent.lines] == [D("0.07")] * 3  # 0.03333 → 0.03 each
    assert percent.total == D("0.21")
    assert sorted(ln.net for ln in fixed.lines) == [D("0.06"), D("0.07"), D("0.07")]
    assert fixed.total == D("0.20")


def test_a_whole_cart_in_yen():
    products = (
        ProductPrice(1, "Digital", "digital", D("1500"), requires_photo=True),
        ProductPrice(2, "Print", "print", D("330"), requires_photo=True),
    )
    packages = (PackagePrice(9, "All digital", "all_digital", D("4980")),)
    lines = [
        line("a", 2, qty=5, photo=1),
        line("b", 1, photo=2),
        pkg("c", 9, child=2),
        line("d", 2, child=2, qty=3, photo=3),
    ]

    priced = price(
        lines,
        currency="JPY",
        products=products,
        options=(),
        packages=packages,
        tiers=(TierRule(5, D("10"), product_kind="print"),),
        early_birds=(EarlyBirdRule(NOW + SECOND, D("3")),),
        sibling_percent=D("5"),
        coupon=CouponRule("YEN", "fixed", D("1000")),
    )

    assert adjustments(priced) == {
        # 8 prints reach the tier; 3 % of 1485 is 44.55 → 45; child 2 (5695 left) pays in
        # full, child 1 (2895) gets 5 %; 1000 yen split over 1368, 1382, 4831 and 864.
        "a": [
            (K.QUANTITY_TIER, "-165"),
            (K.EARLY_BIRD, "-45"),
            (K.SIBLING, "-72"),
            (K.COUPON, "-162"),
        ],
        "b": [(K.EARLY_BIRD, "-45"), (K.SIBLING, "-73"), (K.COUPON, "-164")],
        "c": [(K.EARLY_BIRD, "-149"), (K.COUPON, "-572")],
        "d": [(K.QUANTITY_TIER, "-99"), (K.EARLY_BIRD, "-27"), (K.COUPON, "-102")],
    }
    assert [str(ln.net) for ln in priced.lines] == ["1206", "1218", "4259", "762"]
    assert (str(priced.subtotal), str(priced.discount_total), str(priced.total)) == (
        "9120",
        "1675",
        "7445",
    )


# --- what the cart page shows -------------------------------------------------------------


def test_adjustments_carry_labels_for_the_cart_and_add_up_in_the_summary():
    priced = price(
        [
            line("a", P10, qty=5),
            line("b", DIGITAL),
            line("c", ALBUM, child=2),
            pkg("d", ALL_DIGITAL, child=3),
            line("e", DIGITAL, child=3),
        ],
        free_items=(free_digital,),
        tiers=(print_tier_5,),
        early_birds=(EarlyBirdRule(NOW + SECOND, D("10")),),
        sibling_percent=D("12.5"),
        coupon=CouponRule("SPRING", "percent", D("5")),
    )

    labels = {(a.kind, a.label) for ln in priced.lines for a in ln.adjustments}
    assert labels == {
        (K.PACKAGE, "Included in “All photos as digital files”"),
        (K.FREE_ITEM, "1 free item"),
        (K.QUANTITY_TIER, "Quantity discount −10 %"),
        (K.EARLY_BIRD, "Early-bird discount −10 %"),
        (K.SIBLING, "Sibling discount −12.5 %"),
        (K.COUPON, "Coupon SPRING −5 %"),
    }
    summed = {}
    for ln in priced.lines:
        for a in ln.adjustments:
            summed[a.label] = summed.get(a.label, D(0)) + a.amount
    assert {a.label: a.amount for a in priced.summary} == summed
    assert [a.kind for a in priced.summary] == sorted(
        (a.kind for a in priced.summary), key=list(AdjustmentKind).index
    )
    first = priced.lines[0]
    assert first.adjustment_pairs() == tuple((a.label, a.amount) for a in first.adjustments)
    assert first.discount == first.gross - first.net


def test_several_free_units_on_one_line_say_how_many_and_a_fixed_coupon_names_its_code():
    priced = price(
        [line("a", P10, qty=3)],
        free_items=(FreeItemRule(2, product_id=P10),),
        coupon=CouponRule("FIVE", "fixed", D("1")),
    )

    assert [a.label for a in priced.lines[0].adjustments] == ["2 free items", "Coupon FIVE"]
    assert priced.total == D("1.50")


@pytest.mark.parametrize(
    "rule_kwargs",
    [
        {"early_birds": (EarlyBirdRule(NOW + SECOND, D("100")),)},
        {"coupon": CouponRule("ALL", "percent", D("100"))},
        {"coupon": CouponRule("ALL", "fixed", D("99999999.99"))},
        {
            "free_items": (FreeItemRule(99, product_kind="print"),),
            "tiers": (TierRule(1, D("100"), product_kind="print"),),
            "early_birds": (EarlyBirdRule(NOW + SECOND, D("100")),),
            "sibling_percent": D("100"),
            "coupon": CouponRule("ALL", "fixed", D("1000")),
        },
    ],
)
def test_a_total_never_goes_below_zero(rule_kwargs):
    lines = [line("a", P10, qty=3), line("b", ALBUM, child=2), pkg("c", BUNDLE, child=3)]

    priced = price(lines, **rule_kwargs)

    assert all(ln.net >= 0 for ln in priced.lines)
    assert priced.total >= 0
    assert priced.discount_total <= priced.subtotal


# --- invariants over random carts ---------------------------------------------------------

KINDS = ["digital", "print", "album", "other"]


def _random_case(seed: int):
    rng = random.Random(seed)
    currency = rng.choice(["EUR", "JPY", "KWD", "USD", "CHF"])
    exponent = currency_exponent(currency)

    def money(most: int) -> Decimal:
        return D(rng.randint(0, most)).scaleb(-exponent)

    def percent() -> Decimal:
        return D(rng.choice([0, 1, 5, 10, 15, 33, 50, 100, rng.randint(0, 10000)])) / 100

    products = tuple(
        ProductPrice(n, f"P{n}", rng.choice(KINDS), money(9999), requires_photo=rng.random() < 0.5)
        for n in range(1, 6)
    )
    options = tuple(
        OptionPrice(10 * p.product_id + k, p.product_id, f"O{k}", money(2000))
        for p in products
        for k in range(rng.randint(0, 2))
    )
    packages = tuple(
        PackagePrice(100 + n, f"K{n}", rng.choice(["all_digital", "bundle"]), money(20000))
        for n in range(2)
    )

    def target():
        if rng.random() < 0.5:
            return {"product_id": rng.choice(products).product_id}
        return {"product_kind": rng.choice(KINDS)}

    tiers = tuple(
        TierRule(rng.randint(1, 8), percent(), **target()) for _ in range(rng.randint(0, 3))
    )
    free_items = tuple(
        FreeItemRule(rng.randint(1, 3), **target()) for _ in range(rng.randint(0, 2))
    )
    early_birds = tuple(
        EarlyBirdRule(NOW + timedelta(seconds=rng.randint(-5, 5)), percent())
        for _ in range(rng.randint(0, 2))
    )
    coupon = None
    if rng.random() < 0.7:
        kind = rng.choice(["percent", "fixed"])
        coupon = CouponRule(
            "RANDOM",
            kind,
            percent() or D(1) if kind == "percent" else money(20000) or D(1),
            min_subtotal=money(30000) if rng.random() < 0.3 else None,
            valid_from=NOW - timedelta(seconds=rng.randint(-2, 5)) if rng.random() < 0.3 else None,
            valid_until=NOW + timedelta(seconds=rng.randint(-2, 5)) if rng.random() < 0.3 else None,
            max_uses=rng.randint(1, 3) if rng.random() < 0.3 else None,
            uses=rng.randint(0, 3),
            active=rng.random() < 0.9,
        )
    rules_ = PricingRules(
        products=products,
        options=options,
        packages=packages,
        tiers=tiers,
        free_items=free_items,
        early_birds=early_birds,
        sibling_percent=percent() if rng.random() < 0.5 else None,
        coupon=coupon,
    )
    lines = []
    for n in range(rng.randint(0, 9)):
        child = rng.choice([None, 1, 2, 3])
        if rng.random() < 0.2:
            lines.append(CartLine(n, child, package_id=rng.choice(packages).package_id))
            continue
        product = rng.choice(products)
        own = [o.option_id for o in options if o.product_id == product.product_id]
        lines.append(
            CartLine(
                n,
                child,
                product_id=product.product_id,
                photo_id=rng.randint(1, 50),
                quantity=rng.randint(1, 6),
                option_ids=tuple(rng.sample(own, rng.randint(0, len(own)))),
            )
        )
    return CartInput(tuple(lines)), rules_, currency


@pytest.mark.parametrize("seed", range(300))
def test_random_carts_always_add_up_and_never_go_below_zero(seed):
    cart, rules_, currency = _random_case(seed)

    priced = price_cart(cart=cart, rules=rules_, now=NOW, currency=currency)
    again = price_cart(cart=cart, rules=rules_, now=NOW, currency=currency)
    without_coupon = price_cart(
        cart=cart, rules=replace(rules_, coupon=None), now=NOW, currency=currency
    )

    assert_consistent(priced)
    assert priced == again
    assert priced.total <= without_coupon.total <= priced.subtotal
    coupon_taken = -sum(
        (a.amount for ln in priced.lines for a in ln.adjustments if a.kind == K.COUPON), D(0)
    )
    assert priced.total == without_coupon.total - coupon_taken
    coupon = rules_.coupon
    if coupon and coupon.kind == "fixed" and priced.coupon_status == CouponStatus.APPLIED:
        assert coupon_taken == min(coupon.value, without_coupon.total)
    if priced.coupon_status != CouponStatus.APPLIED:
        assert coupon_taken == 0
