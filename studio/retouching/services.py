"""Retouching: managers send photos to the queue, retouchers claim batches, download the
originals, upload retouched files (matched by file name) and submit; managers approve or
send back with a comment. Every step is logged with who and when; every version is kept."""

import os
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from saas_platform.versions import shoot_gallery, versions_bump
from studio.photos import imaging
from studio.photos.models import Photo, PhotoStatus, PhotoVersion, RetouchStatus
from studio.photos.services.files import file_sha256
from studio.photos.tasks import process_photo

from .models import RetouchBatch, RetouchEvent, RetouchEventKind
from .signals import retouch_approved, send_on_commit

BATCH_SIZE = 25


def _log(photo, kind, actor, *, batch=None, version=None, comment="") -> RetouchEvent:
    return RetouchEvent.objects.create(
        photo=photo, kind=kind, actor=actor, batch=batch, version=version, comment=comment
    )


@transaction.atomic
def photos_send_to_retouch(*, photos, actor) -> int:
    queued = 0
    for photo in Photo.objects.select_for_update().filter(
        pk__in=[p.pk for p in photos], status=PhotoStatus.READY, retouch_status=RetouchStatus.NONE
    ):
        photo.retouch_status = RetouchStatus.QUEUED
        photo.save(update_fields=["retouch_status"])
        _log(photo, RetouchEventKind.QUEUED, actor)
        queued += 1
    return queued


@transaction.atomic
def retouch_claim_batch(*, shoot, retoucher, size: int = BATCH_SIZE) -> RetouchBatch | None:
    """Takes up to ``size`` queued photos of the shoot. Two retouchers claiming at once get
    different photos (rows locked with SKIP LOCKED)."""
    photos = list(
        Photo.objects.select_for_update(skip_locked=True)
        .filter(shoot=shoot, retouch_status=RetouchStatus.QUEUED)
        .order_by("original_name", "id")[:size]
    )
    if not photos:
        return None
    batch = RetouchBatch.objects.create(shoot=shoot, retoucher=retoucher)
    for photo in photos:
        photo.retouch_status = RetouchStatus.CLAIMED
        photo.retouch_batch = batch
        photo.save(update_fields=["retouch_status", "retouch_batch"])
        _log(photo, RetouchEventKind.CLAIMED, retoucher, batch=batch)
    return batch


def batch_photos(batch: RetouchBatch):
    return batch.photos.order_by("original_name", "id")


def batch_download_entries(batch: RetouchBatch) -> list[tuple[str, Photo]]:
    """(name in the ZIP, photo) for the batch's originals. Names are the original file names,
    made unique, so retouched files can be matched back by name."""
    entries, seen = [], set()
    for photo in batch_photos(batch):
        name = photo.original_name
        if name.casefold() in seen:
            stem, suffix = os.path.splitext(name)
            name = f"{stem}__{photo.pk}{suffix}"
        seen.add(name.casefold())
        entries.append((name, photo))
    return entries


@dataclass
class RetouchUploadResult:
    matched: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)


def _match_key(name: str) -> str:
    return Path(name).stem.casefold()


def retouch_upload_versions(*, batch: RetouchBatch, files, actor) -> RetouchUploadResult:
    """``files``: (file name, local path). Each retouched file is matched to a photo of the
    batch by file name (extension and case ignored) and stored as a new version."""
    if (
        batch.submitted_at
        and not batch.photos.filter(retouch_status=RetouchStatus.SENT_BACK).exists()
    ):
        raise ValidationError(_("This batch was already submitted."), code="submitted")
    by_name = {_match_key(name): photo for name, photo in batch_download_entries(batch)}
    result = RetouchUploadResult()
    for file_name, path in files:
        photo = by_name.get(_match_key(file_name))
        if photo is None or photo.retouch_status not in (
            RetouchStatus.CLAIMED,
            RetouchStatus.SENT_BACK,
        ):
            result.unmatched.append(file_name)
            continue
        try:
            imaging.inspect_original(path, size_bytes=os.path.getsize(path))
        except imaging.RejectedImage as rejected:
            result.rejected.append((file_name, str(rejected.message)))
            continue
        with transaction.atomic():
            locked = Photo.objects.select_for_update().get(pk=photo.pk)
            number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            version = PhotoVersion(
                photo=locked,
                number=number,
                file_name=Path(file_name).name,
                content_hash=file_sha256(path),
                uploaded_by=actor,
            )
            with open(path, "rb") as handle:
                version.file.save(Path(file_name).name, File(handle), save=False)
            version.save()
            _log(locked, RetouchEventKind.UPLOADED, actor, batch=batch, version=version)
        result.matched.append(file_name)
    return result


@transaction.atomic
def retouch_submit(*, batch: RetouchBatch, actor) -> int:
    """Sends every photo of the batch that has a new version since it was claimed (or sent
    back) to review."""
    submitted = 0
    for photo in Photo.objects.select_for_update().filter(
        retouch_batch=batch, retouch_status__in=[RetouchStatus.CLAIMED, RetouchStatus.SENT_BACK]
    ):
        last_upload = photo.retouch_events.filter(kind=RetouchEventKind.UPLOADED).last()
        last_turn = photo.retouch_events.filter(
            kind__in=[RetouchEventKind.CLAIMED, RetouchEventKind.SENT_BACK]
        ).last()
        if last_upload is None or (last_turn and last_upload.created_at < last_turn.created_at):
            continue
        photo.retouch_status = RetouchStatus.SUBMITTED
        photo.save(update_fields=["retouch_status"])
        _log(photo, RetouchEventKind.SUBMITTED, actor, batch=batch, version=last_upload.version)
        submitted += 1
    if submitted == 0:
        raise ValidationError(_("Upload retouched files before submitting."), code="nothing")
    batch.submitted_at = timezone.now()
    batch.save(update_fields=["submitted_at"])
    return submitted


def _latest_version(photo) -> PhotoVersion | None:
    return photo.versions.order_by("-number").first()


@transaction.atomic
def retouch_approve(*, photo: Photo, actor) -> Photo:
    """The latest version becomes the one parents see; previews are made again from it."""
    photo = Photo.objects.select_for_update().get(pk=photo.pk)
    if photo.retouch_status != RetouchStatus.SUBMITTED:
        raise ValidationError(_("Only submitted photos can be approved."), code="state")
    version = _latest_version(photo)
    photo.approved_version = version
    photo.retouch_status = RetouchStatus.APPROVED
    photo.status = PhotoStatus.UPLOADED  # derivatives are remade from the approved version
    photo.save(update_fields=["approved_version", "retouch_status", "status"])
    versions_bump(shoot_gallery(photo.shoot_id), "withdrawn")  # out of the gallery until remade
    event = _log(
        photo, RetouchEventKind.APPROVED, actor, batch=photo.retouch_batch, version=version
    )
    process_photo.enqueue_on_commit(photo.pk)
    retoucher = photo.retouch_batch.retoucher if photo.retouch_batch_id else None
    send_on_commit(retouch_approved, photo=photo, retoucher=retoucher, event=event)
    return photo


@transaction.atomic
def retouch_send_back(*, photo: Photo, actor, comment: str) -> Photo:
    if not comment.strip():
        raise ValidationError(_("Say what should change."), code="comment")
    photo = Photo.objects.select_for_update().get(pk=photo.pk)
    if photo.retouch_status != RetouchStatus.SUBMITTED:
        raise ValidationError(_("Only submitted photos can be sent back."), code="state")
    photo.retouch_status = RetouchStatus.SENT_BACK
    photo.save(update_fields=["retouch_status"])
    _log(
        photo,
        RetouchEventKind.SENT_BACK,
        actor,
        batch=photo.retouch_batch,
        version=_latest_version(photo),
        comment=comment.strip(),
    )
    return photo
