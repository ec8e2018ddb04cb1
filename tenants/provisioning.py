"""Creating a studio's schema by cloning the base schema.

django-tenants clones the base schema and then runs a faked ``migrate_schemas`` for the new
schema, which costs more than the clone itself and would *fake* (not run) any migration the
base schema lacks. Here the clone is checked against the migration graph instead: when the
base schema is current nothing more runs, and when it is behind the missing migrations are
applied for real.
"""

import hashlib

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.clone import CLONE_SCHEMA_FUNCTION, CloneSchema
from django_tenants.utils import schema_exists

_CLONE_FUNCTION_MARK = (
    "pictureday:" + hashlib.sha256(CLONE_SCHEMA_FUNCTION.encode()).hexdigest()[:16]
)


class CloneSchemaInstalledOnce(CloneSchema):
    """django-tenants re-creates its 4,500-line PL/pgSQL ``clone_schema`` function before
    every clone. Each re-creation leaves ~11 MB of cached plans in the PostgreSQL backend of
    the connection (549 MB after 50 sign-ups on one connection, slowing all later DDL), so
    the function is created only when missing or from another django-tenants version."""

    def _create_clone_schema_function(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT obj_description(p.oid, 'pg_proc') FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'public' AND p.proname = 'clone_schema'"
            )
            if [row[0] for row in cursor.fetchall()] == [_CLONE_FUNCTION_MARK]:
                return
            super()._create_clone_schema_function()
            cursor.execute(
                "COMMENT ON FUNCTION public.clone_schema(text, text, public.cloneparms[]) "
                f"IS '{_CLONE_FUNCTION_MARK}'"
            )


def _all_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def _applied_migrations(schema_name: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT app, name FROM "{schema_name}".django_migrations'  # noqa: S608 (checked name)
        )
        return set(cursor.fetchall())


def clone_base_schema(*, schema_name: str, clone_mode: str, verbosity: int) -> bool:
    """Returns False when there is no base schema to clone from (the caller migrates)."""
    base = settings.TENANT_BASE_SCHEMA
    if schema_name == base or not schema_exists(base):
        return False
    CloneSchemaInstalledOnce().clone_schema(base, schema_name, clone_mode)
    if not _all_migrations() <= _applied_migrations(schema_name):
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=schema_name,
            interactive=False,
            verbosity=verbosity,
        )
    connection.set_schema_to_public()
    return True
