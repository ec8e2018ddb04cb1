"""Tenant-aware Celery tasks.

The schema a task was sent from travels with it in a message header and the task body runs
inside that schema. A task sent from public code (webhooks, sign-up, beat) enters a studio's
schema explicitly with ``apply_async(..., schema=studio.schema_name)``.
"""

from celery import Task
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context

SCHEMA_HEADER = "pictureday_schema"


class TenantTask(Task):
    abstract = True

    def apply_async(self, args=None, kwargs=None, schema: str | None = None, **options):
        headers = dict(options.pop("headers", None) or {})
        headers.setdefault(SCHEMA_HEADER, schema or connection.schema_name)
        return super().apply_async(args=args, kwargs=kwargs, headers=headers, **options)

    def _schema_of_request(self) -> str:
        request = self.request
        return (
            getattr(request, SCHEMA_HEADER, None)
            or (getattr(request, "headers", None) or {}).get(SCHEMA_HEADER)
            or get_public_schema_name()
        )

    def __call__(self, *args, **kwargs):
        with schema_context(self._schema_of_request()):
            return super().__call__(*args, **kwargs)

    def enqueue_on_commit(self, *args, **kwargs):
        """Sends the task when the current transaction commits, from the schema current *now*
        (by commit time a ``schema_context`` may have been left)."""
        schema_name = connection.schema_name
        transaction.on_commit(
            lambda: self.apply_async(args=args, kwargs=kwargs, schema=schema_name)
        )
