"""Chunked, resumable uploads: a client sends a file in chunks, and may come back after a
lost connection (or a closed tab) to go on from the last byte. The last chunk hands the file
to ``ingest``.

Where chunks live: each chunk is an object of its own in the studio's private storage
(``originals``: S3 in production, a folder locally), under ``uploads/<upload id>/``, and a
row (``UploadChunk``) records it once it is fully stored. Any web process may receive any
chunk and any process may put the file together, so nothing depends on one pod's disk, and a
process killed mid-chunk loses only that unacknowledged chunk. Chunk objects rather than S3
multipart uploads because they work the same on every storage Django has (a folder has no
multipart), and S3 refuses multipart parts under 5 MB while the uploader sends 4 MB.
"""

import contextlib
import shutil
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.http import UnreadablePostError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from studio.core.limits import check_photos, check_storage
from studio.photos import imaging
from studio.photos.models import Upload, UploadChunk, UploadStatus
from studio.photos.selectors import photos_this_season, storage_used_bytes
from studio.photos.services.files import HASH_CHUNK, upload_temp_dir
from studio.photos.services.ingest import (
    ZIP_SUFFIXES,
    IngestOutcome,
    photo_ingest_file,
    photo_ingest_zip,
)
from studio.photos.storage import originals_storage
from studio.shoots.services import shoot_accepts_uploads

READ_PIECE = 64 * 1024
# A chunk is spooled (in memory up to this, then on local disk) before it is stored: storage
# backends need a seekable file, and only a chunk that arrived whole may be stored.
SPOOL_IN_MEMORY = 1024 * 1024


def _is_zip(file_name: str) -> bool:
    """A ZIP, told by its name, has its own size limit and is ingested photo by photo."""
    return file_name.lower().endswith(ZIP_SUFFIXES)


def _chunk_folder(upload: Upload) -> str:
    return f"uploads/{upload.pk}"


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


class OffsetMismatch(Exception):
    def __init__(self, expected: int):
        self.expected = expected


def _refuse_by_headers(*, upload: Upload, offset: int, length: int) -> None:
    """Everything that can be judged before a byte of the body is read: its declared length
    against the app's cap and the announced size, and its offset."""
    cap = settings.UPLOAD_CHUNK_MAX_BYTES
    if length > cap:
        raise ValidationError(
            _("A chunk may be at most %(mb)s MB.") % {"mb": f"{cap / 2**20:g}"}, code="too_large"
        )
    if offset != upload.received_bytes:
        raise OffsetMismatch(upload.received_bytes)
    if offset + length > upload.size_bytes:
        raise ValidationError(_("More data than the announced file size."), code="overflow")


def upload_append_chunk(*, upload: Upload, offset: int, length: int, body) -> Upload:
    """Stores the ``length`` bytes read from ``body`` (a file-like request) as the chunk at
    ``offset``, which must be what was received so far; when the last byte arrives the file
    is ingested (a ZIP is expanded by a task). A chunk is refused by its headers before its
    body is read, and acknowledged (counted in ``received_bytes``) only once stored."""
    upload = Upload.objects.get(pk=upload.pk)
    if upload.status != UploadStatus.RECEIVING:
        return upload
    # a repeated last chunk (its answer was lost) only finishes the file
    if upload.received_bytes < upload.size_bytes:
        _refuse_by_headers(upload=upload, offset=offset, length=length)
        if length == 0:
            return upload
        upload = _store_chunk(upload=upload, offset=offset, length=length, body=body)
    if upload.status == UploadStatus.RECEIVING and upload.received_bytes == upload.size_bytes:
        if _is_zip(upload.file_name):
            from studio.photos.tasks import expand_zip_upload

            expand_zip_upload.enqueue_on_commit(str(upload.pk))
        else:
            upload_finish(upload=upload)
    upload.refresh_from_db()
    return upload


def _read_exactly(body, sink, length: int) -> int:
    """Copies up to ``length`` bytes from ``body`` in small pieces; returns how many came (fewer
    when the client went away)."""
    received = 0
    try:
        while received < length and (piece := body.read(min(READ_PIECE, length - received))):
            sink.write(piece)
            received += len(piece)
    except UnreadablePostError:
        pass
    return received


def _store_chunk(*, upload: Upload, offset: int, length: int, body) -> Upload:
    """Streams the body into its own storage object (a fresh name per attempt, so a retry
    racing the first try never overwrites it), then records it under the upload's row lock.
    The slower of two attempts at one offset is told where to go on and its object removed;
    an attempt that died before recording left an object that ``upload_finish`` sweeps."""
    storage = originals_storage()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, dir=upload_temp_dir()) as spool:
        if _read_exactly(body, spool, length) != length:
            raise ValidationError(_("The chunk arrived incomplete."), code="incomplete")
        spool.seek(0)
        name = storage.save(
            f"{_chunk_folder(upload)}/{offset:015d}-{uuid.uuid4().hex[:12]}", File(spool)
        )
    with transaction.atomic():
        locked = Upload.objects.select_for_update().get(pk=upload.pk)
        if locked.status == UploadStatus.RECEIVING and locked.received_bytes == offset:
            UploadChunk.objects.create(upload=locked, offset=offset, size_bytes=length, name=name)
            locked.received_bytes = offset + length
            locked.save(update_fields=["received_bytes"])
            return locked
    storage.delete(name)
    if locked.status != UploadStatus.RECEIVING:
        return locked
    raise OffsetMismatch(locked.received_bytes)


@contextlib.contextmanager
def _assembled(upload: Upload):
    """The received file on this process's local disk, put together from its chunk objects
    in order, streamed piece by piece (constant memory whatever the size)."""
    storage = originals_storage()
    with tempfile.TemporaryDirectory(dir=upload_temp_dir()) as scratch:
        name = upload.file_name if upload.file_name not in ("", ".", "..") else "upload"
        path = Path(scratch) / name
        expected = 0
        with open(path, "wb") as whole:
            for chunk in upload.chunks.order_by("offset"):
                if chunk.offset != expected:
                    raise RuntimeError(f"upload {upload.pk}: no chunk at offset {expected}")
                with storage.open(chunk.name, "rb") as source:
                    shutil.copyfileobj(source, whole, HASH_CHUNK)
                expected += chunk.size_bytes
        if expected != upload.size_bytes:
            raise RuntimeError(f"upload {upload.pk}: {expected} of {upload.size_bytes} bytes")
        yield path


def _delete_chunks(upload: Upload, schema: str) -> None:
    """Removes every object under the upload's folder (recorded chunks and those of attempts
    that never were), the folder itself on disk storage, and the rows; in the upload's
    studio, whichever schema is current when the transaction's callbacks run."""
    with schema_context(schema):
        _delete_chunks_here(upload)


def _delete_chunks_here(upload: Upload) -> None:
    storage = originals_storage()
    folder = _chunk_folder(upload)
    try:
        _dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        files = []
    for name in {f"{folder}/{file}" for file in files} | set(
        upload.chunks.values_list("name", flat=True)
    ):
        storage.delete(name)
    storage.delete(folder)  # an empty folder on disk; nothing on S3
    upload.chunks.all().delete()


def upload_finish(*, upload: Upload) -> Upload:
    """Puts the received file together from shared storage, ingests it (or each photo of a
    ZIP, each in its own transaction) and records the outcome; any process may run it. Safe
    to run twice (a retried task): the content hash keeps photos from being stored twice,
    only the first run records the outcome, and the chunks go only once it is recorded."""
    upload = Upload.objects.select_related("shoot", "created_by", "school_class").get(pk=upload.pk)
    if upload.status != UploadStatus.RECEIVING:
        return upload
    with _assembled(upload) as path:
        kwargs = {
            "shoot": upload.shoot,
            "path": path,
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
        finished, schema = upload, connection.schema_name
        transaction.on_commit(lambda: _delete_chunks(finished, schema))
    return upload


def uploads_abandoned_sweep(*, now=None) -> int:
    """Gives up on uploads nobody has gone on with for ``UPLOAD_ABANDON_HOURS`` (the
    photographer closed the tab and never chose the file again): they are marked rejected
    with the reason, so the picture day's upload list says what became of them, and their
    chunk objects are deleted. Also removes chunks a finished upload still has (its clean-up
    after commit never ran: the process died). Returns how many uploads lost their chunks."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.UPLOAD_ABANDON_HOURS)
    swept = 0
    for upload in Upload.objects.filter(status=UploadStatus.RECEIVING, created_at__lt=cutoff):
        with transaction.atomic():
            locked = Upload.objects.select_for_update().get(pk=upload.pk)
            if locked.status != UploadStatus.RECEIVING:
                continue  # finished meanwhile
            locked.status = UploadStatus.REJECTED
            locked.completed_at = now
            reason = _("The upload was not finished within %(hours)d hours.") % {
                "hours": settings.UPLOAD_ABANDON_HOURS
            }
            locked.outcome = [IngestOutcome(locked.file_name, "rejected", reason).as_dict()]
            locked.save(update_fields=["status", "completed_at", "outcome"])
        _delete_chunks_here(locked)
        swept += 1
    leftovers = Upload.objects.exclude(status=UploadStatus.RECEIVING).filter(chunks__isnull=False)
    for upload in leftovers.distinct():
        _delete_chunks_here(upload)
        swept += 1
    return swept
