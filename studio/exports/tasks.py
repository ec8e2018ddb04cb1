from celery import shared_task

from .build import export_build


@shared_task(acks_late=True)
def build_export(export_id: int) -> str:
    """Builds one export; a redelivered task starts the ZIP afresh."""
    return export_build(export_id=export_id).status
