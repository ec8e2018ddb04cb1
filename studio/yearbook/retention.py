"""How long a yearbook ZIP is kept: ``KEEP`` after it was built (a copy of every child's
portrait and name should not outlive its delivery). A newer ZIP of the same picture day
replaces the older one at once (``pspa.yearbook_export_build``); a ZIP whose row went with
its picture day or school is swept here too."""

from datetime import timedelta

from django.core.files.storage import storages
from django.utils import timezone

from .models import JobStatus, YearbookExport

KEEP = timedelta(days=7)
FOLDER = "yearbook"
ORPHAN_AFTER = timedelta(hours=1)  # a ZIP being built is saved just before its row names it


def yearbook_exports_purge(*, now=None) -> int:
    """Deletes the ZIPs older than ``KEEP``; the row stays, marked expired. Returns how many."""
    now = now or timezone.now()
    purged = 0
    for export in YearbookExport.objects.filter(status=JobStatus.READY, finished_at__lt=now - KEEP):
        if export.file_name:
            storages["originals"].delete(export.file_name)
        YearbookExport.objects.filter(pk=export.pk).update(status=JobStatus.EXPIRED, file_name="")
        purged += 1
    return purged + _orphans_purge(now=now)


def _orphans_purge(*, now) -> int:
    """Deletes ZIPs in the studio's ``yearbook/`` folder that no export names (their picture
    day or school was deleted, and the row with it) once older than ``ORPHAN_AFTER``."""
    storage = storages["originals"]
    try:
        _folders, names = storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    named = set(YearbookExport.objects.exclude(file_name="").values_list("file_name", flat=True))
    purged = 0
    for name in names:
        path = f"{FOLDER}/{name}"
        if path in named or storage.get_modified_time(path) > now - ORPHAN_AFTER:
            continue
        storage.delete(path)
        purged += 1
    return purged
