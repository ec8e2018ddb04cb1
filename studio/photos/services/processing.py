"""Processing: the thumbnail and the watermarked preview parents see, made by a task per
photo, and the preview-size copies staff review originals with."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saas_platform.versions import shoot_gallery, versions_bump
from studio.photos import imaging
from studio.photos.models import Photo, PhotoStatus
from studio.photos.services.files import local_path
from studio.photos.watermarks import studio_watermark
from tenants.selectors import current_studio


def _replace(name: str, data: bytes) -> str:
    """Same name every time, so processing twice overwrites instead of adding copies."""
    if default_storage.exists(name):
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(data))


def photo_process(*, photo_id: int, rerender: bool = False) -> Photo:
    """Makes the thumbnail and the watermarked preview from the approved version (or the
    original). Idempotent: a photo already processed is left alone, and a redelivered task
    (a worker killed mid-way) writes the same files under the same names. ``rerender``
    renders a ready photo again (a new watermark) under the same names; it stays ready, so
    parents keep seeing it meanwhile."""
    with transaction.atomic():
        photo = Photo.objects.select_for_update().get(pk=photo_id)
        if photo.status == PhotoStatus.READY and not rerender:
            return photo
        if photo.status != PhotoStatus.READY:
            photo.status = PhotoStatus.PROCESSING
            photo.processing_attempts += 1
            photo.save(update_fields=["status", "processing_attempts"])
    source = photo.approved_version.file if photo.approved_version_id else photo.original
    try:
        with local_path(source) as path:
            derived = imaging.render_derivatives(path, watermark=studio_watermark(current_studio()))
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
    versions_bump(shoot_gallery(photo.shoot_id))  # shown now, or shown with its new rendering
    return photo


def _mark_failed(photo_id: int, reason: str) -> Photo:
    Photo.objects.filter(pk=photo_id).update(status=PhotoStatus.FAILED, failure_reason=reason[:300])
    photo = Photo.objects.get(pk=photo_id)
    versions_bump(shoot_gallery(photo.shoot_id), "withdrawn")  # a re-rendered photo failing
    return photo


def photo_retry(*, photo: Photo) -> None:
    """Failed (or stuck) photos go back to the queue."""
    from studio.photos.tasks import process_photo

    Photo.objects.filter(pk=photo.pk).exclude(status=PhotoStatus.READY).update(
        status=PhotoStatus.UPLOADED, failure_reason=""
    )
    process_photo.enqueue_on_commit(photo.pk)


def photos_requeue_stuck(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Safety net behind acks_late: photos whose task was lost are queued again."""
    from studio.photos.tasks import process_photo

    cutoff = timezone.now() - older_than
    stuck = list(
        Photo.objects.filter(
            status__in=[PhotoStatus.UPLOADED, PhotoStatus.PROCESSING], uploaded_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for photo_id in stuck:
        process_photo.enqueue_on_commit(photo_id)
    return len(stuck)


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
