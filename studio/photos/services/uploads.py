"""Chunked, resumable uploads: a client sends a file in chunks, and may come back after a
lost connection (or a closed tab) to go on from the last byte. The last chunk hands the file
to ``ingest``."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studio.core.limits import check_photos, check_storage
from studio.photos import imaging
from studio.photos.models import Upload, UploadStatus
from studio.photos.selectors import photos_this_season, storage_used_bytes
from studio.photos.services.files import upload_temp_dir
from studio.photos.services.ingest import ZIP_SUFFIXES, photo_ingest_file, photo_ingest_zip
from studio.shoots.services import shoot_accepts_uploads


def _is_zip(file_name: str) -> bool:
    """A ZIP, told by its name, has its own size limit and is ingested photo by photo."""
    return file_name.lower().endswith(ZIP_SUFFIXES)


def _part_path(upload: Upload) -> Path:
    return Path(upload_temp_dir()) / f"{upload.pk}.part"


@transaction.atomic
def upload_start(
    *, shoot, file_name: str, size_bytes: int, user, school_class=None, fingerprint=""
) -> Upload:
    """Starts an upload, or returns the unfinished one with the same fingerprint so a client
    that lost its connection (or its tab) goes on from where it stopped."""
    if not shoot_accepts_uploads(shoot):
        raise ValidationError(_("This picture day no longer accepts photos."), code="closed")
    if size_bytes <= 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": file_name}, code="empty")
    limit = imaging.MAX_FILE_BYTES if not _is_zip(file_name) else settings.MAX_ZIP_BYTES
    if size_bytes > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)d MB.") % {"name": file_name, "mb": limit // 2**20},
            code="too_large",
        )
    if fingerprint:
        existing = Upload.objects.filter(
            shoot=shoot, created_by=user, fingerprint=fingerprint, status=UploadStatus.RECEIVING
        ).first()
        if existing:
            existing.received_bytes = _part_size(existing)
            existing.save(update_fields=["received_bytes"])
            return existing
    check_storage(used_bytes=storage_used_bytes(), adding_bytes=size_bytes)
    check_photos(used_this_season=photos_this_season(), adding=1)
    return Upload.objects.create(
        shoot=shoot,
        school_class=school_class,
        file_name=Path(file_name).name[:255],
        size_bytes=size_bytes,
        fingerprint=fingerprint[:200],
        created_by=user,
    )


def _part_size(upload: Upload) -> int:
    part = _part_path(upload)
    return part.stat().st_size if part.exists() else 0


class OffsetMismatch(Exception):
    def __init__(self, expected: int):
        self.expected = expected


def upload_append_chunk(*, upload: Upload, offset: int, data: bytes) -> Upload:
    """Appends a chunk at ``offset`` (which must be what was received so far); when the last
    byte arrives the file is ingested (a ZIP is expanded by a task)."""
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        if upload.status != UploadStatus.RECEIVING:
            return upload
        received = _part_size(upload)
        complete = received == upload.size_bytes
        if offset != received and not complete:
            raise OffsetMismatch(received)
        if not complete and received + len(data) > upload.size_bytes:
            raise ValidationError(_("More data than the announced file size."), code="overflow")
        if not complete:  # a repeated last chunk (its answer was lost) only finishes the file
            with open(_part_path(upload), "ab") as part:
                part.write(data)
            upload.received_bytes = received + len(data)
            upload.save(update_fields=["received_bytes"])
            complete = upload.received_bytes == upload.size_bytes
    if complete:
        if _is_zip(upload.file_name):
            from studio.photos.tasks import expand_zip_upload

            expand_zip_upload.enqueue_on_commit(str(upload.pk))
        else:
            upload_finish(upload=upload)
    upload.refresh_from_db()
    return upload


def upload_finish(*, upload: Upload) -> Upload:
    """Ingests the received file (or each photo of a ZIP, each in its own transaction) and
    records the outcome. Safe to run twice (a retried task): the content hash keeps photos
    from being stored twice, and only the first run records the outcome."""
    upload = Upload.objects.select_related("shoot", "created_by", "school_class").get(pk=upload.pk)
    if upload.status != UploadStatus.RECEIVING:
        return upload
    part = _part_path(upload)
    kwargs = {
        "shoot": upload.shoot,
        "path": part,
        "uploaded_by": upload.created_by,
        "school_class": upload.school_class,
    }
    if _is_zip(upload.file_name):
        outcomes = photo_ingest_zip(**kwargs)
    else:
        outcomes = [photo_ingest_file(file_name=upload.file_name, **kwargs)]
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        if upload.status != UploadStatus.RECEIVING:
            return upload
        upload.outcome = [outcome.as_dict() for outcome in outcomes]
        rejected_all = all(outcome.result == "rejected" for outcome in outcomes)
        upload.status = UploadStatus.REJECTED if rejected_all else UploadStatus.DONE
        upload.completed_at = timezone.now()
        upload.save(update_fields=["outcome", "status", "completed_at"])
        transaction.on_commit(lambda: part.unlink(missing_ok=True))
    return upload
