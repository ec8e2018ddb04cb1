"""Coupons: codes a parent enters at checkout, and their redemption, counted under the
coupon's row lock so a usage limit holds against parallel checkouts.

Codes are stored in capitals: ``A–Z``, ``0–9`` and ``-``.
"""

import re
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from studio.audit.models import AuditKind
from studio.catalogue.kinds import CouponKind
from studio.catalogue.models import COUPON_CODE_PATTERN, Coupon, CouponRedemption
from studio.catalogue.pricing import CouponRule, CouponStatus, coupon_check, coupon_status_message
from studio.catalogue.selectors import studio_currency
from studio.catalogue.services.audit import record_added, record_changed, snapshot
from studio.catalogue.services.validation import (
    clean_aware,
    clean_money,
    clean_name,
    clean_percent,
    clean_positive_int,
    invalid,
)

_UNSET = object()
COUPON_FIELDS = (
    "code",
    "kind",
    "value",
    "min_subtotal",
    "valid_from",
    "valid_until",
    "max_uses",
    "active",
)


def normalise_coupon_code(code: str) -> str:
    return (code or "").strip().upper()


def _coupon_code(code: str) -> str:
    code = normalise_coupon_code(code)
    if not re.fullmatch(COUPON_CODE_PATTERN, code):
        raise invalid(
            "code",
            _("3 to 40 characters: letters A–Z, digits and hyphens, not at either end."),
            "format",
        )
    return code


def _coupon_fields(
    *, kind: str, value, min_subtotal, valid_from, valid_until, max_uses, currency: str
) -> dict:
    if kind not in CouponKind.values:
        raise invalid("kind", _("Unknown kind of coupon."), "invalid")
    value = (
        clean_percent(value, "value")
        if kind == CouponKind.PERCENT
        else clean_money(value, currency, "value")
    )
    if value <= 0:
        raise invalid("value", _("The discount must be more than zero."), "min_value")
    valid_from = clean_aware(valid_from, "valid_from")
    valid_until = clean_aware(valid_until, "valid_until")
    if valid_from and valid_until and valid_from >= valid_until:
        raise invalid("valid_until", _("The end must come after the start."), "window")
    if max_uses is not None:
        max_uses = clean_positive_int(max_uses, "max_uses")
    return {
        "kind": kind,
        "value": value,
        "min_subtotal": None
        if min_subtotal is None
        else clean_money(min_subtotal, currency, "min_subtotal"),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "max_uses": max_uses,
    }


def coupon_create(
    *,
    code: str,
    kind: str,
    value,
    min_subtotal=None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    max_uses: int | None = None,
    active: bool = True,
    actor=None,
) -> Coupon:
    code = _coupon_code(code)
    fields = _coupon_fields(
        kind=kind,
        value=value,
        min_subtotal=min_subtotal,
        valid_from=valid_from,
        valid_until=valid_until,
        max_uses=max_uses,
        currency=studio_currency(),
    )
    duplicate = invalid("code", _("There already is a coupon with this code."), "duplicate")
    if Coupon.objects.filter(code__iexact=code).exists():
        raise duplicate
    try:
        with transaction.atomic():
            coupon = Coupon.objects.create(code=code, active=active, **fields)
            record_added(
                actor=actor,
                kind=AuditKind.COUPON_ADDED,
                subject=coupon.code,
                values=snapshot(coupon, COUPON_FIELDS),
            )
            return coupon
    except IntegrityError:  # the same code created at the same moment
        raise duplicate from None


@transaction.atomic
def coupon_update(
    *,
    coupon: Coupon,
    kind: str | None = None,
    value=None,
    min_subtotal=_UNSET,
    valid_from=_UNSET,
    valid_until=_UNSET,
    max_uses=_UNSET,
    active: bool | None = None,
    actor=None,
) -> Coupon:
    """Changes what is given (``None`` clears the optional limits). The code and the count of
    uses never change; a maximum below the uses so far is refused."""
    coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
    before = snapshot(coupon, COUPON_FIELDS)
    fields = _coupon_fields(
        kind=coupon.kind if kind is None else kind,
        value=coupon.value if value is None else value,
        min_subtotal=coupon.min_subtotal if min_subtotal is _UNSET else min_subtotal,
        valid_from=coupon.valid_from if valid_from is _UNSET else valid_from,
        valid_until=coupon.valid_until if valid_until is _UNSET else valid_until,
        max_uses=coupon.max_uses if max_uses is _UNSET else max_uses,
        currency=studio_currency(),
    )
    if fields["max_uses"] is not None and fields["max_uses"] < coupon.uses:
        raise invalid(
            "max_uses",
            ngettext(
                "This coupon has already been used %(uses)d time.",
                "This coupon has already been used %(uses)d times.",
                coupon.uses,
            )
            % {"uses": coupon.uses},
            "min_value",
        )
    for name, value_ in fields.items():
        setattr(coupon, name, value_)
    if active is not None:
        coupon.active = active
    coupon.save()
    coupon.refresh_from_db()  # as stored: a percentage of 10 reads back as 10.00
    record_changed(
        actor=actor,
        kind=AuditKind.COUPON_CHANGED,
        subject=coupon.code,
        before=before,
        after=snapshot(coupon, COUPON_FIELDS),
    )
    return coupon


def coupon_rule(coupon: Coupon) -> CouponRule:
    return CouponRule(
        code=coupon.code,
        kind=coupon.kind,
        value=coupon.value,
        min_subtotal=coupon.min_subtotal,
        valid_from=coupon.valid_from,
        valid_until=coupon.valid_until,
        max_uses=coupon.max_uses,
        uses=coupon.uses,
        active=coupon.active,
    )


@transaction.atomic
def coupon_redeem(
    *, coupon: Coupon, order_ref: str, now: datetime | None = None
) -> CouponRedemption:
    """Counts one use of ``coupon`` by the order ``order_ref``, under the coupon's row lock, so
    parallel checkouts never use it more than ``max_uses`` times. Redeeming again for the same
    order returns the first redemption and counts nothing. Refuses an inactive, expired, not
    yet valid or used-up coupon (the minimum order is checked when pricing the cart)."""
    order_ref = clean_name(order_ref, "order_ref", max_length=64)
    coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
    existing = CouponRedemption.objects.filter(coupon=coupon, order_ref=order_ref).first()
    if existing is not None:
        return existing
    status = coupon_check(coupon_rule(coupon), now=now or timezone.now())
    if status != CouponStatus.APPLIED:
        raise ValidationError(coupon_status_message(status), code=status.value)
    coupon.uses += 1
    coupon.save(update_fields=["uses"])
    return CouponRedemption.objects.create(coupon=coupon, order_ref=order_ref)


@transaction.atomic
def coupon_release(*, coupon: Coupon, order_ref: str) -> bool:
    """Gives back the use of a cancelled order; false when that order had not redeemed it."""
    coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
    deleted, _rows = CouponRedemption.objects.filter(coupon=coupon, order_ref=order_ref).delete()
    if not deleted:
        return False
    coupon.uses = max(coupon.uses - 1, 0)
    coupon.save(update_fields=["uses"])
    return True
