from celery import shared_task

from tenants.selectors import working_studios

from .models import Upload
from .services.processing import photo_process, photos_requeue_stuck
from .services.uploads import upload_finish, uploads_abandoned_sweep


@shared_task(acks_late=True)
def process_photo(photo_id: int) -> str:
    """One photo: thumbnail and watermarked preview. Redelivered if the worker dies."""
    return photo_process(photo_id=photo_id).status


@shared_task(acks_late=True)
def expand_zip_upload(upload_id: str) -> str:
    return upload_finish(upload=Upload.objects.get(pk=upload_id)).status


@shared_task
def requeue_stuck_photos() -> int:
    return photos_requeue_stuck()


@shared_task
def requeue_stuck_photos_everywhere() -> int:
    """Beat fan-out from the public schema into every studio."""
    studios = list(working_studios().values_list("schema_name", flat=True))
    for schema_name in studios:
        requeue_stuck_photos.apply_async(schema=schema_name)
    return len(studios)


@shared_task
def uploads_abandoned_sweep_one() -> int:
    return uploads_abandoned_sweep()


@shared_task
def uploads_abandoned_sweep_everywhere() -> int:
    """Beat fan-out: each studio's abandoned uploads give their storage back."""
    studios = list(working_studios().values_list("schema_name", flat=True))
    for schema_name in studios:
        uploads_abandoned_sweep_one.apply_async(schema=schema_name)
    return len(studios)
