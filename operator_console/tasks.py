from celery import shared_task
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

from saas_platform.tasks import TenantTask


@shared_task(base=TenantTask)
def snapshot_collect_for_studio(studio_id: int) -> dict:
    """Runs inside the studio's schema (the schema travels with the task)."""
    from tenants.selectors import current_studio, studio_tzinfo

    from .selectors import studio_sales_counts
    from .services import snapshot_record

    counts = studio_sales_counts(tz=studio_tzinfo(current_studio()))
    snapshot_record(studio_id=studio_id, counts=counts)
    return {"schema": connection.schema_name, "orders_season": counts["orders_season"]}


@shared_task
def snapshots_collect_all() -> int:
    """Periodic fan-out from the public schema: one task per studio, in that studio's schema."""
    from billing.services import serving_studios

    with schema_context(get_public_schema_name()):
        studios = list(serving_studios().values_list("id", "schema_name"))
    for studio_id, schema_name in studios:
        snapshot_collect_for_studio.apply_async(args=[studio_id], schema=schema_name)
    return len(studios)


@shared_task
def platform_daily_stat_collect() -> str:
    from .services import platform_daily_stat_record

    return str(platform_daily_stat_record().date)


@shared_task
def licence_notices_send() -> int:
    from . import services

    return services.licence_notices_send()


@shared_task(base=TenantTask)
def signup_notify(studio_id: int) -> bool:
    from .services import operator_signup_notify

    return operator_signup_notify(studio_id=studio_id)
