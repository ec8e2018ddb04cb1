"""Starting a studio's full export. Only owners may; the ZIP is built by
``tasks.build_export`` (``build.export_build``)."""

from django.db import transaction

from saas_platform.accounts.models import User
from studio.audit.models import AuditKind
from studio.audit.services import audit_record
from studio.core.policy import Action, require

from .models import ExportStatus, StudioExport
from .tasks import build_export


def export_start(*, actor: User) -> StudioExport:
    """Queues a full export for an owner; one already queued or being built is returned
    instead of starting a second."""
    require(actor, Action.EXPORT_STUDIO_DATA)
    with transaction.atomic():
        # Owners starting at once queue one export between them.
        list(User.objects.select_for_update().filter(pk=actor.pk))
        pending = StudioExport.objects.filter(
            status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING)
        ).first()
        if pending is not None:
            return pending
        export = StudioExport.objects.create(created_by=actor)
        audit_record(actor=actor, kind=AuditKind.DATA_EXPORT_STARTED, subject=f"#{export.pk}")
        build_export.enqueue_on_commit(export.pk)
    return export


def export_downloaded(*, actor: User, export: StudioExport) -> None:
    """Every download of the studio's whole data is in the audit log."""
    require(actor, Action.EXPORT_STUDIO_DATA)
    audit_record(actor=actor, kind=AuditKind.DATA_EXPORT_DOWNLOADED, subject=f"#{export.pk}")
