"""Judging and storing photos. Each file is judged on its own: a bad file is rejected with
its name and a reason, and never stops the rest of a batch (or of a ZIP)."""

import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studio.photos import imaging
from studio.photos.models import Photo
from studio.photos.services.files import HASH_CHUNK, file_sha256, upload_temp_dir
from studio.photos.services.tagging import photo_tag_by_file_name
from studio.schools.models import SchoolClass
from tenants.selectors import current_studio, studio_tzinfo

ZIP_MAX_ENTRIES = 5000
ZIP_SUFFIXES = (".zip",)
IGNORED_ZIP_ENTRIES = re.compile(r"(^|/)(__MACOSX/|\.|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)
WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")


def _unsafe_zip_path(name: str) -> bool:
    """An entry that would land outside the folder it is unpacked to: an absolute path (also
    a Windows one) or one going up with ``..``. Never unpacked, and reported, not skipped."""
    path = name.replace("\\", "/")
    return path.startswith("/") or bool(WINDOWS_DRIVE.match(path)) or ".." in path.split("/")


@dataclass(frozen=True)
class IngestOutcome:
    file_name: str
    result: str  # "accepted" | "duplicate" | "rejected"
    reason: str = ""
    photo_id: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _aware(moment, studio):
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, studio_tzinfo(studio))


def photo_ingest_file(
    *, shoot, path, file_name: str, uploaded_by, school_class: SchoolClass | None = None
) -> IngestOutcome:
    """Validates one file, stores it untouched in private storage and queues its processing.
    Exact duplicates (same content) within the shoot are not stored twice. Data after a
    JPEG's image (a phone's motion-photo video) is not stored: the photo is the image."""
    file_name = Path(file_name).name[:255] or "unnamed"
    size_bytes = os.path.getsize(path)
    try:
        info = imaging.inspect_original(path, size_bytes=size_bytes)
    except imaging.RejectedImage as rejected:
        return IngestOutcome(file_name, "rejected", str(rejected.message))
    if info.image_bytes is not None:
        with tempfile.TemporaryDirectory(dir=upload_temp_dir()) as scratch:
            image = Path(scratch) / "image"
            _copy_head(path, image, info.image_bytes)
            return photo_ingest_file(
                shoot=shoot,
                path=image,
                file_name=file_name,
                uploaded_by=uploaded_by,
                school_class=school_class,
            )
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
    from studio.photos.tasks import process_photo

    process_photo.enqueue_on_commit(photo.pk)
    return IngestOutcome(file_name, "accepted", photo_id=photo.pk)


def _copy_head(path, target, length: int) -> None:
    """The first ``length`` bytes of ``path`` into ``target``."""
    with open(path, "rb") as source, open(target, "wb") as sink:
        while length > 0 and (chunk := source.read(min(HASH_CHUNK, length))):
            sink.write(chunk)
            length -= len(chunk)


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
            if _unsafe_zip_path(e.filename)  # before the hidden-file rule: "../" starts with "."
            or (not e.is_dir() and not IGNORED_ZIP_ENTRIES.search(e.filename))
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
            if _unsafe_zip_path(name):
                reason = _("Its path leads outside the ZIP (“..” or an absolute path).")
                outcomes.append(IngestOutcome(name, "rejected", reason))
                continue
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
