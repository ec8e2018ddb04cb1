from django.db.models import QuerySet

from saas_platform.accounts.models import User

from .models import AuditEntry


def audit_entries(*, actor_id: int | None = None, kind: str = "") -> QuerySet[AuditEntry]:
    """Newest first, narrowed to one person and/or one kind when given."""
    entries = AuditEntry.objects.select_related("actor")
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if kind:
        entries = entries.filter(kind=kind)
    return entries


def audit_actors() -> QuerySet[User]:
    """The people who have entries, for the filter."""
    ids = AuditEntry.objects.exclude(actor=None).values("actor_id")
    return User.objects.filter(pk__in=ids).order_by("full_name", "email")
