"""Tenant-aware Celery tasks.

The schema a task was sent from travels with it as the ``_schema_name`` keyword argument and
the task body runs inside that schema; a task sent from the public schema (webhooks, sign-up,
beat) must enter a studio's schema explicitly with ``schema=``.
"""

from celery import Task
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context

SCHEMA_KWARG = "_schema_name"


class TenantTask(Task):
    abstract = True

    def apply_async(self, args=None, kwargs=None, schema: str | None = None, **options):
        kwargs = dict(kwargs or {})
        kwargs.setdefault(SCHEMA_KWARG, schema or connection.schema_name)
        return super().apply_async(args=args, kwargs=kwargs, **options)

    def __call__(self, *args, **kwargs):
        schema_name = kwargs.pop(SCHEMA_KWARG, None) or get_public_schema_name()
        with schema_context(schema_name):
            return super().__call__(*args, **kwargs)

    def enqueue_on_commit(self, *args, **kwargs):
        """Sends the task when the current transaction commits, from the schema current *now*
        (by commit time a ``schema_context`` may have been left)."""
        schema_name = connection.schema_name
        transaction.on_commit(
            lambda: self.apply_async(args=args, kwargs=kwargs, schema=schema_name)
        )
