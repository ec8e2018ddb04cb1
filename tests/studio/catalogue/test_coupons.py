"""Coupons: codes in capitals, validity, redemption counted once per order and under a lock
against parallel checkouts, and one studio's coupons invisible to another."""

import threading
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django_tenants.utils import schema_context

from studio.catalogue.models import Coupon, CouponRedemption
from studio.catalogue.selectors import coupon_by_code
from studio.catalogue.services.coupons import (
    coupon_create,
    coupon_redeem,
    coupon_release,
    coupon_update,
)
from tests.studio.catalogue.support import NOW, D, codes


def test_a_coupon_code_is_stored_in_capitals_and_unique_whatever_its_case(in_alpha):
    coupon = coupon_create(code=" spring-10 ", kind="percent", value="10")

    with pytest.raises(ValidationError) as error:
        coupon_create(code="Spring-10", kind="fixed", value="5")

    assert coupon.code == "SPRING-10"
    assert codes(error.value) == {"code": ["duplicate"]}
    assert coupon_by_code(code="spring-10 ") == coupon
    assert coupon_by_code(code="SPRING") is None
    assert coupon_by_code(code="") is None
    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.create(code="spring-10", kind="percent", value=5)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"code": "AB"}, "code", "format"),
        ({"code": "AB CD"}, "code", "format"),
        ({"code": "-ABC"}, "code", "format"),
        ({"code": "ABC-"}, "code", "format"),
        ({"code": "AB_CD"}, "code", "format"),
        ({"code": "ÄBCD"}, "code", "format"),
        ({"code": "A" * 41}, "code", "format"),
        ({"kind": "gift"}, "kind", "invalid"),
        ({"value": "0"}, "value", "min_value"),
        ({"value": "100.5"}, "value", "percent"),
        ({"kind": "fixed", "value": "0"}, "value", "min_value"),
        ({"kind": "fixed", "value": "5.555"}, "value", "precision"),
        ({"min_subtotal": "-1"}, "min_subtotal", "negative"),
        ({"valid_from": NOW, "valid_until": NOW}, "valid_until", "window"),
        ({"valid_until": datetime(2027, 1, 1)}, "valid_until", "naive"),
        ({"max_uses": 0}, "max_uses", "min_value"),
    ],
)
def test_a_malformed_coupon_is_refused(in_alpha, fields, field, code):
    with pytest.raises(ValidationError) as error:
        coupon_create(**{"code": "SPRING", "kind": "percent", "value": "10", **fields})

    assert codes(error.value) == {field: [code]}
    assert Coupon.objects.count() == 0


def test_a_fixed_coupon_in_yen_has_no_cents(in_alpha):
    in_alpha.studio.currency = "JPY"
    in_alpha.studio.save()

    with pytest.raises(ValidationError):
        coupon_create(code="YEN", kind="fixed", value="500.50")
    assert coupon_create(code="YEN", kind="fixed", value="500").value == D("500")


def test_redeeming_counts_once_per_order_and_refuses_past_the_maximum(in_alpha):
    coupon = coupon_create(code="TWICE", kind="fixed", value="5", max_uses=2)

    first = coupon_redeem(coupon=coupon, order_ref="2027-000001")
    again = coupon_redeem(coupon=coupon, order_ref="2027-000001")
    coupon_redeem(coupon=coupon, order_ref="2027-000002")
    with pytest.raises(ValidationError) as error:
        coupon_redeem(coupon=coupon, order_ref="2027-000003")
    coupon.refresh_from_db()

    assert first == again
    assert error.value.code == "used_up"
    assert coupon.uses == 2
    assert list(CouponRedemption.objects.values_list("order_ref", flat=True)) == [
        "2027-000001",
        "2027-000002",
    ]
    assert coupon_release(coupon=coupon, order_ref="2027-000001") is True
    assert coupon_release(coupon=coupon, order_ref="2027-000001") is False
    assert coupon_redeem(coupon=coupon, order_ref="2027-000003").order_ref == "2027-000003"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"active": False}, "inactive"),
        ({"valid_until": NOW}, "expired"),
        ({"valid_from": NOW + timedelta(seconds=1)}, "not_yet_valid"),
    ],
)
def test_redeeming_refuses_a_coupon_not_valid_now(in_alpha, fields, code):
    coupon = coupon_create(code="SPRING", kind="percent", value="10", **fields)

    with pytest.raises(ValidationError) as error:
        coupon_redeem(coupon=coupon, order_ref="o-1", now=NOW)

    assert error.value.code == code
    assert Coupon.objects.get(pk=coupon.pk).uses == 0


def test_a_coupon_can_be_changed_but_not_below_its_uses(in_alpha):
    coupon = coupon_create(code="SPRING", kind="percent", value="10", max_uses=5)
    coupon_redeem(coupon=coupon, order_ref="o-1")
    coupon_redeem(coupon=coupon, order_ref="o-2")

    with pytest.raises(ValidationError) as error:
        coupon_update(coupon=coupon, max_uses=1)
    changed = coupon_update(coupon=coupon, kind="fixed", value="3", max_uses=None, active=False)

    assert codes(error.value) == {"max_uses": ["min_value"]}
    assert (changed.kind, changed.value, changed.max_uses, changed.uses, changed.active) == (
        "fixed",
        D("3.00"),
        None,
        2,
        False,
    )


def test_coupons_of_one_studio_do_not_exist_in_another(in_alpha, beta):
    coupon_create(code="ALPHA-ONLY", kind="percent", value="10")

    with schema_context(beta.schema):
        assert coupon_by_code(code="ALPHA-ONLY") is None
    assert coupon_by_code(code="alpha-only") is not None


def _in_threads(count, target):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(n):
        try:
            barrier.wait()
            results.append(target(n))
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


def test_parallel_checkouts_never_use_a_coupon_more_than_its_maximum(live_studios, committed):
    schema = live_studios["alpha"].schema
    with committed(), schema_context(schema):
        coupon = coupon_create(code="PARALLEL-RACE", kind="fixed", value="5", max_uses=2)

    def redeem(n):
        with schema_context(schema):
            return coupon_redeem(coupon=coupon, order_ref=f"race-{n}").order_ref

    with committed():
        try:
            results, errors = _in_threads(6, redeem)
            with schema_context(schema):
                coupon.refresh_from_db()
                assert len(results) == 2
                assert [e.code for e in errors] == ["used_up"] * 4
                assert coupon.uses == 2
                assert CouponRedemption.objects.filter(coupon=coupon).count() == 2
        finally:
            with schema_context(schema):
                CouponRedemption.objects.filter(coupon=coupon).delete()
                Coupon.objects.filter(pk=coupon.pk).delete()
