"""Getting photos in and processed. Each file is judged on its own: a bad file is rejected
with its name and a reason, and never stops the rest of a batch."""

import contextlib
import csv
import hashlib
import io
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studio.core.limits import check_photos, check_storage
from studio.schools.models import SchoolClass, Student
from studio.schools.roster import decode_roster, detect_delimiter
from studio.shoots.services import shoot_accepts_uploads
from tenants.selectors import current_studio, studio_tzinfo

from . import imaging
from .models import Photo, PhotoStatus, Upload, UploadStatus
from .selectors import photos_this_season, storage_used_bytes

HASH_CHUNK = 1024 * 1024
ZIP_MAX_ENTRIES = 5000
ZIP_SUFFIXES = (".zip",)
IGNORED_ZIP_ENTRIES = re.compile(r"(^|/)(__MACOSX/|\.|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)


@dataclass(frozen=True)
class IngestOutcome:
    file_name: str
    result: str  # "accepted" | "duplicate" | "rejected"
    reason: str = ""
    photo_id: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _aware(moment, studio):
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, studio_tzinfo(studio))


def photo_ingest_file(
    *, shoot, path, file_name: str, uploaded_by, school_class: SchoolClass | None = None
) -> IngestOutcome:
    """Validates one file, stores it untouched in private storage and queues its processing.
    Exact duplicates (same content) within the shoot are not stored twice."""
    file_name = Path(file_name).name[:255] or "unnamed"
    size_bytes = os.path.getsize(path)
    try:
        info = imaging.inspect_original(path, size_bytes=size_bytes)
    except imaging.RejectedImage as rejected:
        return IngestOutcome(file_name, "rejected", str(rejected.message))
    content_hash = file_sha256(path)
    existing = Photo.objects.filter(shoot=shoot, content_hash=content_hash).first()
    if existing:
        return _duplicate(file_name, existing)
    photo = Photo(
        shoot=shoot,
        school_class=school_class,
        original_name=file_name,
        content_hash=content_hash,
        size_bytes=size_bytes,
        photographer=uploaded_by,
        width=info.width,
        height=info.height,
        captured_at=_aware(info.captured_at, current_studio()) if info.captured_at else None,
    )
    with open(path, "rb") as handle:
        photo.original.save(file_name, File(handle), save=False)
    try:
        with transaction.atomic():
            photo.save()
            photo_tag_by_file_name(photo=photo)
    except IntegrityError:
        # The same file arrived twice at once: the other one won.
        photo.original.storage.delete(photo.original.name)
        return _duplicate(file_name, Photo.objects.get(shoot=shoot, content_hash=content_hash))
    from .tasks import process_photo

    process_photo.enqueue_on_commit(photo.pk)
    return IngestOutcome(file_name, "accepted", photo_id=photo.pk)


def _duplicate(file_name, existing: Photo) -> IngestOutcome:
    reason = _("Already uploaded to this picture day as “%(name)s”.") % {
        "name": existing.original_name
    }
    return IngestOutcome(file_name, "duplicate", reason, existing.pk)


def photo_ingest_zip(*, shoot, path, uploaded_by, school_class=None) -> list[IngestOutcome]:
    """Each photo in a ZIP is ingested on its own. A folder named like a class of the shoot's
    school (``11A/IMG_0001.jpg``) assigns its photos to that class."""
    outcomes = []
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        return [IngestOutcome(Path(path).name, "rejected", _("This ZIP file is damaged."))]
    classes = {c.name.casefold(): c for c in SchoolClass.objects.filter(school=shoot.school_id)}
    with archive, tempfile.TemporaryDirectory(dir=upload_temp_dir()) as scratch:
        entries = [
            e
            for e in archive.infolist()
            if not e.is_dir() and not IGNORED_ZIP_ENTRIES.search(e.filename)
        ]
        if len(entries) > ZIP_MAX_ENTRIES:
            return [
                IngestOutcome(
                    Path(path).name,
                    "rejected",
                    _("A ZIP may hold at most %(n)d files.") % {"n": ZIP_MAX_ENTRIES},
                )
            ]
        for entry in entries:
            name = entry.filename
            if entry.file_size > imaging.MAX_FILE_BYTES:
                reason = _("Larger than %(mb)d MB.") % {"mb": imaging.MAX_FILE_BYTES // 2**20}
                outcomes.append(IngestOutcome(name, "rejected", reason))
                continue
            target = Path(scratch) / "entry"
            try:
                with archive.open(entry) as source, open(target, "wb") as sink:
                    shutil.copyfileobj(source, sink, HASH_CHUNK)
            except (zipfile.BadZipFile, OSError, EOFError):
                outcomes.append(
                    IngestOutcome(name, "rejected", _("This file is damaged inside the ZIP."))
                )
                continue
            folder = Path(name).parent.name.casefold()
            outcome = photo_ingest_file(
                shoot=shoot,
                path=target,
                file_name=Path(name).name,
                uploaded_by=uploaded_by,
                school_class=classes.get(folder, school_class),
            )
            outcomes.append(IngestOutcome(name, outcome.result, outcome.reason, outcome.photo_id))
    return outcomes


# --- chunked, resumable uploads -------------------------------------------------------------


def upload_temp_dir() -> str:
    path = Path(settings.UPLOAD_TEMP_DIR) / connection.schema_name
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


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
    limit = (
        imaging.MAX_FILE_BYTES
        if not file_name.lower().endswith(ZIP_SUFFIXES)
        else settings.MAX_ZIP_BYTES
    )
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
        if upload.file_name.lower().endswith(ZIP_SUFFIXES):
            from .tasks import expand_zip_upload

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
    if upload.file_name.lower().endswith(ZIP_SUFFIXES):
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


# --- processing ------------------------------------------------------------------------------


@contextlib.contextmanager
def local_path(field_file):
    """A local path for a stored file: the file itself on disk storage, a temporary copy
    from object storage."""
    try:
        yield field_file.path
        return
    except (NotImplementedError, AttributeError):
        pass
    suffix = Path(field_file.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix, dir=upload_temp_dir()) as copy:
        with field_file.open("rb") as source:
            shutil.copyfileobj(source, copy, HASH_CHUNK)
        copy.flush()
        yield copy.name


def _replace(name: str, data: bytes) -> str:
    """Same name every time, so processing twice overwrites instead of adding copies."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(data))


def photo_process(*, photo_id: int) -> Photo:
    """Makes the thumbnail and the watermarked preview from the approved version (or the
    original). Idempotent: a photo already processed is left alone, and a redelivered task
    (a worker killed mid-way) writes the same files under the same names."""
    with transaction.atomic():
        photo = Photo.objects.select_for_update().get(pk=photo_id)
        if photo.status == PhotoStatus.READY:
            return photo
        photo.status = PhotoStatus.PROCESSING
        photo.processing_attempts += 1
        photo.save(update_fields=["status", "processing_attempts"])
    source = photo.approved_version.file if photo.approved_version_id else photo.original
    try:
        with local_path(source) as path:
            derived = imaging.render_derivatives(path, watermark=current_studio().watermark)
    except imaging.RejectedImage as rejected:
        return _mark_failed(photo_id, str(rejected.message))
    except OSError as error:
        return _mark_failed(
            photo_id,
            _("The stored file could not be read (%(error)s).")
            % {"error": error.strerror or error},
        )
    base = f"derived/shoot-{photo.shoot_id}/{photo.pk}"
    version = f"-v{photo.approved_version.number}" if photo.approved_version_id else ""
    with transaction.atomic():
        photo = Photo.objects.select_for_update().get(pk=photo_id)
        photo.thumbnail.name = _replace(f"{base}{version}-thumb.jpg", derived.thumbnail)
        photo.preview.name = _replace(f"{base}{version}-preview.jpg", derived.preview)
        photo.status = PhotoStatus.READY
        photo.failure_reason = ""
        photo.processed_at = timezone.now()
        photo.save(
            update_fields=["thumbnail", "preview", "status", "failure_reason", "processed_at"]
        )
    return photo


def _mark_failed(photo_id: int, reason: str) -> Photo:
    Photo.objects.filter(pk=photo_id).update(status=PhotoStatus.FAILED, failure_reason=reason[:300])
    return Photo.objects.get(pk=photo_id)


def photo_retry(*, photo: Photo) -> None:
    """Failed (or stuck) photos go back to the queue."""
    from .tasks import process_photo

    Photo.objects.filter(pk=photo.pk).exclude(status=PhotoStatus.READY).update(
        status=PhotoStatus.UPLOADED, failure_reason=""
    )
    process_photo.enqueue_on_commit(photo.pk)


def photos_requeue_stuck(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Safety net behind acks_late: photos whose task was lost are queued again."""
    from .tasks import process_photo

    cutoff = timezone.now() - older_than
    stuck = list(
        Photo.objects.filter(
            status__in=[PhotoStatus.UPLOADED, PhotoStatus.PROCESSING], uploaded_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for photo_id in stuck:
        process_photo.enqueue_on_commit(photo_id)
    return len(stuck)


# --- tagging -------------------------------------------------------------------------------

# A student id has at least one digit, so camera names (IMG_0001, DSC_0001) are not ids.
FILE_NAME_ID = re.compile(r"^([^_\-\s.]*\d[^_\-\s.]*)[_\-\s]")


def photo_tag_by_file_name(*, photo: Photo) -> Student | None:
    """``A17_0001.jpg`` → the student whose external id is ``A17`` in the shoot's school."""
    match = FILE_NAME_ID.match(photo.original_name)
    if not match:
        return None
    student = (
        Student.objects.filter(
            external_id__iexact=match.group(1), school_class__school=photo.shoot.school_id
        )
        .select_related("school_class")
        .first()
    )
    if student:
        photo.students.add(student)
        if photo.school_class_id is None:
            photo.school_class = student.school_class
            photo.save(update_fields=["school_class"])
    return student


@transaction.atomic
def photos_assign(
    *, photos, school_class=None, students=(), is_group=None, replace_students=False
) -> int:
    """Hand tagging from the grid: a class, students and/or the group flag for many photos."""
    photos = list(photos)
    for photo in photos:
        fields = []
        if school_class is not None:
            photo.school_class = school_class
            fields.append("school_class")
        if is_group is not None:
            photo.is_group = is_group
            fields.append("is_group")
        if fields:
            photo.save(update_fields=fields)
        if replace_students:
            photo.students.set(students)
        elif students:
            photo.students.add(*students)
    return len(photos)


@dataclass
class CsvTagResult:
    tagged: int
    problems: list


def photos_tag_from_csv(*, shoot, data: bytes) -> CsvTagResult:
    """Rows of ``file name, external id[, external id…]`` (comma or semicolon; a header row
    is skipped). Unknown files or ids are reported, the rest are tagged."""
    decoded = decode_roster(data)
    if decoded is None:
        return CsvTagResult(0, [_("The file is neither UTF-8 nor Windows-1251 text.")])
    text = decoded[0]
    delimiter = detect_delimiter(text.split("\n", 1)[0])
    photos = {p.original_name.casefold(): p for p in Photo.objects.filter(shoot=shoot)}
    students = {
        s.external_id.casefold(): s
        for s in Student.objects.filter(school_class__school=shoot.school_id).exclude(
            external_id=""
        )
    }
    tagged, problems = 0, []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [cell.strip() for cell in row if cell.strip()]
        if not cells:
            continue
        photo = photos.get(Path(cells[0]).name.casefold())
        if photo is None:
            if number > 1:
                problems.append(
                    _("row %(n)d: no photo named “%(name)s”") % {"n": number, "name": cells[0]}
                )
            continue
        ids = [part for cell in cells[1:] for part in re.split(r"[\s|]+", cell) if part]
        found = [students[i.casefold()] for i in ids if i.casefold() in students]
        for missing in (i for i in ids if i.casefold() not in students):
            problems.append(
                _("row %(n)d: no student with id “%(id)s”") % {"n": number, "id": missing}
            )
        if found:
            classes = {student.school_class_id for student in found}
            photos_assign(
                photos=[photo],
                students=found,
                school_class=found[0].school_class
                if len(classes) == 1 and not photo.school_class_id
                else None,
            )
            tagged += 1
    return CsvTagResult(tagged, problems)


def review_image(*, field_file, cache_name: str) -> str:
    """Name (in private storage) of a preview-size copy of an original or a version, made
    on first request and kept: managers review dozens of 24-megapixel files at once."""
    storage = field_file.storage
    name = f"review/{cache_name}.jpg"
    if not storage.exists(name):
        with local_path(field_file) as path:
            data = imaging.render_review(path)
        if not storage.exists(name):
            storage.save(name, ContentFile(data))
    return name
