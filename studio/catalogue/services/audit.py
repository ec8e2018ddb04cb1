"""What the catalogue's writes tell the studio's audit log: who added, changed or removed
which product, price, package, discount or coupon, from what to what. Values are written as
the editor shows them (money as its digits, times in the studio's zone); nothing is written
when nothing changed."""

from datetime import datetime

from django.utils import timezone

from studio.audit.models import AuditKind
from studio.audit.services import audit_changes, audit_record


def _shown(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "_meta"):  # a product, school or picture day
        return str(value)
    return value


def snapshot(obj, fields) -> dict:
    return {name: _shown(getattr(obj, name)) for name in fields}


def record_added(*, actor, kind: AuditKind, subject, values: dict) -> None:
    """An addition: each given value, from nothing (empty values are left out)."""
    after = {name: _shown(value) for name, value in values.items() if value not in (None, "")}
    audit_record(
        actor=actor, kind=kind, subject=subject, changes=audit_changes(before={}, after=after)
    )


def record_removed(*, actor, kind: AuditKind, subject, values: dict) -> None:
    """A removal: each value it had, to nothing."""
    audit_record(
        actor=actor,
        kind=kind,
        subject=subject,
        changes=[
            {"field": name, "old": _shown(value), "new": None}
            for name, value in values.items()
            if value not in (None, "")
        ],
    )


def record_changed(*, actor, kind: AuditKind, subject, before: dict, after: dict) -> bool:
    """An entry with the fields that differ; none (and false) when nothing did."""
    changes = audit_changes(
        before={name: _shown(value) for name, value in before.items()},
        after={name: _shown(value) for name, value in after.items()},
    )
    if changes:
        audit_record(actor=actor, kind=kind, subject=subject, changes=changes)
    return bool(changes)
