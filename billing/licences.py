"""A studio's licence: one state machine, every change recorded in ``LicenceEvent``.

    trial ──paid──▶ active ──payment failed──▶ past_due ──grace over──▶ suspended
      │                ▲                          │                        │
      └─trial over─────┼──────────────────────────┼────────────────────────┤
                       └──────────paid────────────┴────────────────────────┘

Suspended keeps every row but stops the storefront and makes the staff pages read-only.
``blocked`` belongs to the platform's operators: nothing a payment does lifts it. The block's
``LicenceEvent`` records the state it interrupted (``from_status``), and unblocking returns to
that state (a trial stays a trial with its end date) unless it ran out meanwhile.
All functions run in the public schema and lock the studio's row, so a webhook and the
periodic task cannot interleave their read-modify-write.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import Studio, StudioStatus
from tenants.selectors import serving_studios

from .models import LicenceEvent

SYSTEM = "system"


def grace_days() -> int:
    return getattr(settings, "LICENCE_GRACE_DAYS", 7)


@dataclass
class Change:
    studio: Studio
    changed: bool
    event: LicenceEvent | None = None


def licence_transition(
    *,
    studio: Studio,
    to: str,
    reason: str = "",
    source: str = SYSTEM,
    allow_from: tuple[str, ...] | None = None,
    status_reason: str | None = None,
    **fields,
) -> Change:
    """Moves the studio to ``to`` (when its status is in ``allow_from``, if given) and sets
    ``fields`` (``licence_valid_until``, ``grace_until``, ``plan``, …). A status change is
    recorded once; setting the same status again only updates the fields. ``status_reason``,
    when given, is what the studio is shown instead of ``reason``."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        locked = Studio.objects.select_for_update().get(pk=studio.pk)
        if allow_from is not None and locked.status not in allow_from:
            return Change(locked, False)
        if locked.status == StudioStatus.BLOCKED and not source.startswith("operator"):
            return Change(locked, False)
        before = locked.status
        dirty = [name for name, value in fields.items() if getattr(locked, name) != value]
        for name in dirty:
            setattr(locked, name, fields[name])
        event = None
        if before != to:
            locked.status = to
            shown = reason if status_reason is None else status_reason
            locked.status_reason = shown[:300] if to != StudioStatus.ACTIVE else ""
            dirty += ["status", "status_reason"]
            event = LicenceEvent.objects.create(
                studio=locked,
                from_status=before,
                to_status=to,
                reason=reason[:300],
                source=source[:255],
            )
        if dirty:
            locked.save(update_fields=sorted(set(dirty)))
        if event is not None:
            from .notices import notices_send_later

            notices_send_later(studio_id=locked.pk)
    return Change(locked, event is not None, event)


def licence_paid(
    *, studio: Studio, valid_until: datetime | None, source: str, plan=None, reason: str = ""
) -> Change:
    """Payment received (or a revenue-share plan chosen): active, the licence runs to the
    paid period's end (never shortened by an older period reported late)."""
    current = studio.licence_valid_until
    if valid_until is not None and current is not None and studio.status != StudioStatus.TRIAL:
        valid_until = max(valid_until, current)
    fields = {"licence_valid_until": valid_until, "grace_until": None}
    if plan is not None:
        fields["plan"] = plan
    return licence_transition(
        studio=studio,
        to=StudioStatus.ACTIVE,
        reason=reason or "payment received",
        source=source,
        **fields,
    )


def licence_payment_failed(*, studio: Studio, source: str, now=None) -> Change:
    """A renewal failed: staff are warned and the storefront keeps selling for the grace
    period. A studio already past due keeps its first grace period (retries do not extend
    it); a suspended one stays suspended."""
    now = now or timezone.now()
    if studio.status == StudioStatus.PAST_DUE and studio.grace_until:
        return Change(studio, False)
    return licence_transition(
        studio=studio,
        to=StudioStatus.PAST_DUE,
        reason="payment failed",
        source=source,
        allow_from=(StudioStatus.ACTIVE, StudioStatus.TRIAL, StudioStatus.PAST_DUE),
        grace_until=now + timedelta(days=grace_days()),
    )


def licence_suspend(*, studio: Studio, reason: str, source: str = SYSTEM) -> Change:
    return licence_transition(
        studio=studio,
        to=StudioStatus.SUSPENDED,
        reason=reason,
        source=source,
        allow_from=(StudioStatus.TRIAL, StudioStatus.ACTIVE, StudioStatus.PAST_DUE),
        grace_until=None,
    )


def licence_block(*, studio: Studio, reason: str, source: str) -> Change:
    """The operators stop the studio; the event keeps the state it was in for the unblock."""
    return licence_transition(studio=studio, to=StudioStatus.BLOCKED, reason=reason, source=source)


def _state_after_block(studio: Studio, now) -> tuple[str, str]:
    """(status, reason shown) to return to: the state the block interrupted, or suspended when
    that state ran out while the studio was blocked (the sweep skipped it)."""
    block = (
        LicenceEvent.objects.filter(studio=studio, to_status=StudioStatus.BLOCKED)
        .order_by("-pk")
        .first()
    )
    prior = block.from_status if block is not None else StudioStatus.ACTIVE
    valid = studio.licence_valid_until is None or studio.licence_valid_until > now
    if prior == StudioStatus.TRIAL and not valid:
        return StudioStatus.SUSPENDED, "trial ended without a plan"
    if prior == StudioStatus.PAST_DUE and not (studio.grace_until and studio.grace_until > now):
        return StudioStatus.SUSPENDED, "grace period over"
    if prior in (StudioStatus.TRIAL, StudioStatus.PAST_DUE, StudioStatus.SUSPENDED):
        # The reason it was in that state before the block, as it was shown then.
        before = (
            LicenceEvent.objects.filter(studio=studio, to_status=prior, pk__lt=block.pk)
            .order_by("-pk")
            .first()
        )
        return prior, before.reason if before is not None else ""
    if not valid:  # active (or an unknown state) whose licence lapsed meanwhile
        return StudioStatus.SUSPENDED, "licence expired"
    return StudioStatus.ACTIVE, ""


def licence_unblock(*, studio: Studio, reason: str, source: str, now=None) -> Change:
    """Back to the state the block interrupted: a trial with its end date, past due with its
    grace period, suspended, active; suspended instead when that state ran out meanwhile."""
    now = now or timezone.now()
    with schema_context(get_public_schema_name()), transaction.atomic():
        locked = Studio.objects.select_for_update().get(pk=studio.pk)
        if locked.status != StudioStatus.BLOCKED:
            return Change(locked, False)
        to, shown = _state_after_block(locked, now)
        return licence_transition(
            studio=locked, to=to, reason=reason, source=source, status_reason=shown
        )


def licences_expire(*, now=None) -> int:
    """The periodic sweep: grace periods over and trials ended without a payment."""
    now = now or timezone.now()
    count = 0
    with schema_context(get_public_schema_name()):
        overdue = serving_studios().filter(status=StudioStatus.PAST_DUE, grace_until__lte=now)
        for studio in overdue:
            count += licence_suspend(studio=studio, reason="grace period over").changed
        trials = serving_studios().filter(status=StudioStatus.TRIAL, licence_valid_until__lte=now)
        for studio in trials:
            count += licence_suspend(studio=studio, reason="trial ended without a plan").changed
    return count
