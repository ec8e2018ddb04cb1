"""Picture-day status changes, checked in one place."""

from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from saas_platform.versions import versions_bump
from studio.core.deletion import delete_or_refuse

from .models import Shoot, ShootStatus, ShootTransition
from .signals import shoot_published, shoot_sales_deadline_changed

S = ShootStatus
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.UPLOADING}),
    S.UPLOADING: frozenset({S.RETOUCHING, S.IN_REVIEW}),
    S.RETOUCHING: frozenset({S.UPLOADING, S.IN_REVIEW}),
    S.IN_REVIEW: frozenset({S.RETOUCHING, S.PUBLISHED}),
    S.PUBLISHED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
# Photos may arrive while the picture day is being shot and worked on, not once it is sold.
ACCEPTS_UPLOADS = frozenset({S.PLANNED, S.UPLOADING, S.RETOUCHING, S.IN_REVIEW})

# What must be true of a picture day before parents see it, checked by the apps that know
# (``studio.photos`` registers its own in ``PhotosConfig.ready``: retouching finished, every
# ready photo tagged). A check returns its reasons for staff, empty when nothing stops it.
PublishCheck = Callable[[Shoot], list[str]]
_PUBLISH_CHECKS: list[PublishCheck] = []


def shoot_publish_check_register(check: PublishCheck) -> PublishCheck:
    if check not in _PUBLISH_CHECKS:
        _PUBLISH_CHECKS.append(check)
    return check


def shoot_publish_blockers(*, shoot: Shoot) -> list[str]:
    """Why ``shoot`` cannot be published now (an empty list: it can)."""
    return [reason for check in _PUBLISH_CHECKS for reason in check(shoot)]


def shoot_moves(shoot: Shoot) -> tuple[list[ShootStatus], list[ShootStatus]]:
    """Where the picture day may go from here: forward along the season, and back."""
    order = list(ShootStatus)
    here = order.index(ShootStatus(shoot.status))
    targets = sorted((ShootStatus(s) for s in ALLOWED_TRANSITIONS[shoot.status]), key=order.index)
    return (
        [t for t in targets if order.index(t) > here],
        [t for t in targets if order.index(t) < here],
    )


def late_orders_error(*, sales_deadline, late_orders_until) -> str:
    """Why the late-orders end cannot be kept with this deadline ("" when it can)."""
    if late_orders_until is None:
        return ""
    if sales_deadline is None:
        return _("Late orders need a sales deadline.")
    if late_orders_until <= sales_deadline:
        return _("Late orders must end after the sales deadline.")
    return ""


def _check_late_orders(*, sales_deadline, late_orders_until, late_fee) -> None:
    error = late_orders_error(sales_deadline=sales_deadline, late_orders_until=late_orders_until)
    if error:
        raise ValidationError({"late_orders_until": error}, code="late_orders")
    if late_fee is None or late_fee < 0:
        raise ValidationError({"late_fee": _("A fee cannot be negative.")}, code="late_fee")


@transaction.atomic
def shoot_create(
    *,
    school,
    name: str,
    date,
    sales_deadline=None,
    photographers=(),
    notes: str = "",
    late_orders_until=None,
    late_fee=Decimal("0"),
) -> Shoot:
    _check_late_orders(
        sales_deadline=sales_deadline, late_orders_until=late_orders_until, late_fee=late_fee
    )
    shoot = Shoot.objects.create(
        school=school,
        name=name,
        date=date,
        sales_deadline=sales_deadline,
        notes=notes,
        late_orders_until=late_orders_until,
        late_fee=late_fee,
    )
    shoot.photographers.set(photographers)
    return shoot


_UNCHANGED = object()


@transaction.atomic
def shoot_update(
    *,
    shoot: Shoot,
    name=_UNCHANGED,
    date=_UNCHANGED,
    sales_deadline=_UNCHANGED,
    photographers=_UNCHANGED,
    notes=_UNCHANGED,
    late_orders_until=_UNCHANGED,
    late_fee=_UNCHANGED,
) -> Shoot:
    """Edits a picture day (the staff page and the API alike); only the given fields change.
    A moved sales deadline or end of late orders goes through ``shoot_set_sales_deadline``,
    so the codes follow."""
    shoot = Shoot.objects.select_for_update().get(pk=shoot.pk)
    new_deadline = shoot.sales_deadline if sales_deadline is _UNCHANGED else sales_deadline
    new_until = shoot.late_orders_until if late_orders_until is _UNCHANGED else late_orders_until
    _check_late_orders(
        sales_deadline=new_deadline,
        late_orders_until=new_until,
        late_fee=shoot.late_fee if late_fee is _UNCHANGED else late_fee,
    )
    changed = []
    for field, value in (("name", name), ("date", date), ("notes", notes), ("late_fee", late_fee)):
        if value is not _UNCHANGED and getattr(shoot, field) != value:
            setattr(shoot, field, value)
            changed.append(field)
    if changed:
        shoot.save(update_fields=changed)
        versions_bump("gallery")  # the galleries show the picture day's name
    if photographers is not _UNCHANGED:
        shoot.photographers.set(photographers)
    if new_deadline != shoot.sales_deadline or new_until != shoot.late_orders_until:
        shoot = shoot_set_sales_deadline(
            shoot=shoot, sales_deadline=new_deadline, late_orders_until=new_until
        )
    return shoot


@transaction.atomic
def shoot_transition(*, shoot: Shoot, to: str, actor) -> Shoot:
    shoot = Shoot.objects.select_for_update().get(pk=shoot.pk)
    if to not in ALLOWED_TRANSITIONS[shoot.status]:
        raise ValidationError(
            _("A picture day cannot go from “%(from)s” to “%(to)s”.")
            % {"from": ShootStatus(shoot.status).label, "to": ShootStatus(to).label},
            code="transition",
        )
    if to == S.PUBLISHED:
        blockers = shoot_publish_blockers(shoot=shoot)
        if blockers:
            raise ValidationError(
                [ValidationError(reason, code="not_ready") for reason in blockers]
            )
    ShootTransition.objects.create(shoot=shoot, from_status=shoot.status, to_status=to, actor=actor)
    shoot.status = to
    shoot.save(update_fields=["status"])
    # published: its codes open galleries; unpublished or closed: they no longer do
    versions_bump("gallery", "withdrawn")
    if to == S.PUBLISHED:
        shoot_published.send(sender=Shoot, shoot=shoot)
    return shoot


@transaction.atomic
def shoot_set_sales_deadline(
    *, shoot: Shoot, sales_deadline, late_orders_until=_UNCHANGED
) -> Shoot:
    """Access codes expire with the sales deadline (or the end of late orders, if later), so
    they follow when either moves."""
    shoot = Shoot.objects.select_for_update().get(pk=shoot.pk)
    shoot.sales_deadline = sales_deadline
    if late_orders_until is not _UNCHANGED:
        shoot.late_orders_until = late_orders_until
    if shoot.late_orders_until is not None and (
        sales_deadline is None or shoot.late_orders_until <= sales_deadline
    ):
        shoot.late_orders_until = None  # a deadline moved past the late window ends it
    shoot.save(update_fields=["sales_deadline", "late_orders_until"])
    versions_bump("gallery", "withdrawn")  # the codes' expiry moved, perhaps to the past
    shoot_sales_deadline_changed.send(sender=Shoot, shoot=shoot)
    return shoot


def shoot_accepts_uploads(shoot: Shoot) -> bool:
    return shoot.status in ACCEPTS_UPLOADS


@transaction.atomic
def shoot_delete(*, shoot: Shoot) -> None:
    """Deletes a picture day, or refuses (code ``protected``) naming what still needs it:
    access codes, orders and ledger entries outlive a mistaken delete."""
    delete_or_refuse(
        Shoot.objects.select_for_update().get(pk=shoot.pk),
        _("This picture day cannot be deleted while other records refer to it: %(kinds)s."),
    )
    versions_bump("gallery", "withdrawn")
