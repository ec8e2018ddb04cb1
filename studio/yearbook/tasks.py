from celery import shared_task

from tenants.selectors import working_studios

from .composite import composite_build
from .pspa import yearbook_export_build
from .retention import yearbook_exports_purge


@shared_task(acks_late=True)
def build_yearbook_export(export_id: int) -> str:
    """One PSPA ZIP; a redelivered task builds it afresh."""
    return yearbook_export_build(export_id=export_id).status


@shared_task(acks_late=True)
def build_composite(composite_id: int, forget: bool = False) -> str:
    """One class composite drawn and stored; a redelivered task draws a new generation.
    ``forget``: a child was erased, and the earlier drawings' files go."""
    return composite_build(composite_id=composite_id, forget=forget).status


@shared_task
def yearbook_exports_purge_one() -> int:
    return yearbook_exports_purge()


@shared_task
def yearbook_exports_purge_everywhere() -> int:
    """Beat fan-out: every studio's expired yearbook ZIPs are deleted."""
    studios = list(working_studios().values_list("schema_name", flat=True))
    for schema_name in studios:
        yearbook_exports_purge_one.apply_async(schema=schema_name)
    return len(studios)
