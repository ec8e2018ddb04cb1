"""How long a yearbook ZIP is kept: ``KEEP`` after it was built (a copy of every child's
portrait and name should not outlive its delivery). A newer ZIP of the same picture day
replaces the older one at once (``pspa.yearbook_export_build``)."""

from datetime import timedelta

from django.core.files.storage import storages
from django.utils import timezone

from .models import JobStatus, YearbookExport

KEEP = timedelta(days=7)


def yearbook_exports_purge(*, now=None) -> int:
    """Deletes the ZIPs older than ``KEEP``; the row stays, marked expired. Returns how many."""
    now = now or timezone.now()
    purged = 0
    for export in YearbookExport.objects.filter(status=JobStatus.READY, finished_at__lt=now - KEEP):
        if export.file_name:
            storages["originals"].delete(export.file_name)
        YearbookExport.objects.filter(pk=export.pk).update(status=JobStatus.EXPIRED, file_name="")
        purged += 1
    return purged
