"""The figures a studio reports to the platform: each gathered inside the studio's schema by
a task (the schema travels with it) and written into the public-schema rows that the
pricing limits, billing and the operator console read."""

import datetime

from celery import shared_task
from django.db import connection
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from billing.services import sales_snapshot_record, studio_usage_record
from tenants.selectors import current_studio, studio_tzinfo, working_studios

from .platform_fees import platform_fees_invoice
from .selectors import studio_sales_counts, studio_usage_counts


def _each_studio(task) -> int:
    """Periodic fan-out from the public schema: one task per studio, in its schema."""
    with schema_context(get_public_schema_name()):
        studios = list(working_studios().values_list("id", "schema_name"))
    for studio_id, schema_name in studios:
        task.apply_async(args=[studio_id], schema=schema_name)
    return len(studios)


@shared_task
def usage_collect_for_studio(studio_id: int) -> dict:
    counts = studio_usage_counts()
    studio_usage_record(studio_id=studio_id, counts=counts)
    return {
        "schema": connection.schema_name,
        **{k: v for k, v in counts.items() if k != "last_login_at"},
    }


@shared_task
def usage_collect_all() -> int:
    return _each_studio(usage_collect_for_studio)


@shared_task
def sales_snapshot_collect_for_studio(studio_id: int) -> dict:
    studio = current_studio()
    counts = studio_sales_counts(tz=studio_tzinfo(studio), currency=studio.currency)
    sales_snapshot_record(studio_id=studio_id, counts=counts)
    return {"schema": connection.schema_name, "orders_season": counts["orders_season"]}


@shared_task
def sales_snapshots_collect_all() -> int:
    return _each_studio(sales_snapshot_collect_for_studio)


@shared_task
def platform_fees_invoice_for_studio(studio_id: int) -> dict:
    """Invoices last month's share of offline sales (months in the studio's time zone)."""
    studio = current_studio()
    today = timezone.localdate(timezone=studio_tzinfo(studio))
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    posted = platform_fees_invoice(studio=studio, month=last_month)
    return {"schema": connection.schema_name, "invoiced": posted.key if posted else None}


@shared_task
def platform_fees_invoice_all() -> int:
    return _each_studio(platform_fees_invoice_for_studio)
