"""Writing the audit log. Services that change a studio's settings, its team or its API
tokens call ``audit_record`` inside their own transaction, so an entry exists exactly when
the change does."""

from .models import AuditEntry, AuditKind


def _plain(value):
    """A JSON-safe rendering of a field's value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def audit_changes(*, before: dict, after: dict) -> list[dict]:
    """The fields whose value differs, in ``after``'s order, as ``{"field", "old", "new"}``."""
    return [
        {"field": name, "old": _plain(before.get(name)), "new": _plain(value)}
        for name, value in after.items()
        if _plain(before.get(name)) != _plain(value)
    ]


def audit_record(*, actor, kind: AuditKind | str, subject: str = "", changes=()) -> AuditEntry:
    """One entry in the current studio's log. ``changes``: ``{"field", "old", "new"}`` dicts."""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_email=getattr(actor, "email", "") or "",
        kind=AuditKind(kind),
        subject=str(subject)[:200],
        changes=[
            {"field": str(c["field"]), "old": _plain(c["old"]), "new": _plain(c["new"])}
            for c in changes
        ],
    )
