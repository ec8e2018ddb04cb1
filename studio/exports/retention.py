"""How long a studio's export ZIP is kept: as long as its links work, no longer."""

from django.utils import timezone

from .links import LINK_MAX_AGE
from .models import ExportStatus, StudioExport
from .tables import PRIVATE, storage_for


def exports_expired_purge(*, now=None) -> int:
    """Deletes the ZIPs whose links no longer work (``LINK_MAX_AGE`` after they were built):
    a copy of every photo and every parent's address should not outlive its purpose. The row
    stays, marked expired, so the page says what happened. Returns how many went."""
    now = now or timezone.now()
    purged = 0
    expired = StudioExport.objects.filter(
        status=ExportStatus.READY, finished_at__lt=now - LINK_MAX_AGE
    )
    for export in expired:
        if export.file_name:
            storage_for(PRIVATE).delete(export.file_name)
        StudioExport.objects.filter(pk=export.pk, status=ExportStatus.READY).update(
            status=ExportStatus.EXPIRED, file_name=""
        )
        purged += 1
    return purged
