from celery import shared_task

from tenants.selectors import working_studios

from .build import export_build
from .retention import exports_expired_purge


@shared_task(acks_late=True)
def build_export(export_id: int) -> str:
    """Builds one export; a redelivered task starts the ZIP afresh."""
    return export_build(export_id=export_id).status


@shared_task
def exports_expired_purge_one() -> int:
    return exports_expired_purge()


@shared_task
def exports_expired_purge_everywhere() -> int:
    """Beat fan-out: every studio's expired export ZIPs are deleted."""
    studios = list(working_studios().values_list("schema_name", flat=True))
    for schema_name in studios:
        exports_expired_purge_one.apply_async(schema=schema_name)
    return len(studios)
