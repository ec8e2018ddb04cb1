"""Creating a studio's schema by copying the base schema.

django-tenants clones with a generic 4,500-line PL/pgSQL function that introspects every
object (≈9 ms per table here, and it re-created itself before every clone, leaking cached
plans into the connection), then runs a faked ``migrate_schemas``. The base schema here is
plain Django tables, so a leaner copy does: ``CREATE TABLE … (LIKE … INCLUDING ALL)`` for
each table (columns, defaults, identity, checks, indexes), its rows (migrations, content
types, permissions), its foreign keys pointed at the new schema, its own functions and
triggers (the apps' database-side guards), and identity sequences moved past the copied
rows. ``tests/tenants/test_provisioning.py`` compares the copy with the base,
catalog entry by catalog entry. The copy is then checked against the migration graph: when
the base schema is current nothing more runs, and when it lags the missing migrations are
applied for real (django-tenants would fake them).
"""

import re

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import schema_exists


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _qualified(name: str) -> str:
    """``name.`` or ``"name".`` as PostgreSQL prints a schema-qualified object."""
    return "(?:" + re.escape(_ident(name)) + "|" + re.escape(name) + r")\."


def _copy_functions_and_triggers(cursor, *, base: str, new: str) -> None:
    """The base schema's own functions and triggers (an app's database-side guards, such as
    the ledger's append-only triggers), pointed at the copy. Made after the rows are in, so
    no trigger fires on the copy itself."""
    in_base = re.compile(_qualified(base))
    n = _ident(new)
    cursor.execute(
        "SELECT pg_get_functiondef(p.oid) FROM pg_proc p "
        "JOIN pg_namespace ns ON ns.oid = p.pronamespace WHERE ns.nspname = %s "
        "AND p.prokind = 'f' ORDER BY p.proname",
        [base],
    )
    functions = [in_base.sub(f"{n}.", definition, count=1) for (definition,) in cursor.fetchall()]
    cursor.execute(
        "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t "
        "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace ns ON ns.oid = c.relnamespace "
        "WHERE ns.nspname = %s AND NOT t.tgisinternal ORDER BY c.relname, t.tgname",
        [base],
    )
    triggers = [in_base.sub(f"{n}.", definition) for (definition,) in cursor.fetchall()]
    for statement in functions + triggers:
        cursor.execute(statement)


def copy_schema(*, base: str, new: str) -> None:
    """Creates schema ``new`` as a copy of ``base`` (structure and rows)."""
    b, n = _ident(base), _ident(new)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {n}")
        cursor.execute(
            "SELECT c.relname, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) "
            "FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 "
            "AND NOT a.attisdropped AND a.attgenerated = '' "
            "WHERE ns.nspname = %s AND c.relkind IN ('r', 'p') GROUP BY c.relname ORDER BY c.relname",
            [base],
        )
        tables = cursor.fetchall()
        # Indexes and unique/primary keys are made below from the base's own definitions, so
        # they keep their names (later migrations drop and alter them by name).
        cursor.execute(
            "; ".join(
                f"CREATE TABLE {n}.{_ident(t)} (LIKE {b}.{_ident(t)} INCLUDING ALL EXCLUDING INDEXES)"
                for t, _ in tables
            )
        )
        cursor.execute(
            "SELECT rel.relname, con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint con "
            "JOIN pg_class rel ON rel.oid = con.conrelid "
            "JOIN pg_namespace ns ON ns.oid = rel.relnamespace "
            "WHERE ns.nspname = %s AND con.contype IN ('p', 'u', 'x')",
            [base],
        )
        keys = [
            f"ALTER TABLE {n}.{_ident(table)} ADD CONSTRAINT {_ident(name)} {definition}"
            for table, name, definition in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace ns ON ns.oid = c.relnamespace "
            "WHERE ns.nspname = %s AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)",
            [base],
        )
        on_base = re.compile(
            r" ON (?:ONLY )?(?:" + re.escape(_ident(base)) + "|" + re.escape(base) + r")\."
        )
        indexes = [
            on_base.sub(f" ON {n}.", definition, count=1) for (definition,) in cursor.fetchall()
        ]
        if keys or indexes:
            cursor.execute("; ".join(keys + indexes))
        cursor.execute(
            "; ".join(
                f"INSERT INTO {n}.{_ident(t)} ({columns}) SELECT {columns} FROM {b}.{_ident(t)}"
                for t, columns in tables
            )
        )
        cursor.execute(
            "SELECT rel.relname, con.conname, pg_get_constraintdef(con.oid) FROM pg_constraint con "
            "JOIN pg_class rel ON rel.oid = con.conrelid "
            "JOIN pg_namespace ns ON ns.oid = rel.relnamespace "
            "WHERE ns.nspname = %s AND con.contype = 'f' ORDER BY rel.relname, con.conname",
            [base],
        )
        references = re.compile(
            r"REFERENCES\s+(?:" + re.escape(_ident(base)) + "|" + re.escape(base) + r")?\.?"
        )
        foreign_keys = [
            f"ALTER TABLE {n}.{_ident(table)} ADD CONSTRAINT {_ident(name)} "
            + references.sub(f"REFERENCES {n}.", definition, count=1)
            for table, name, definition in cursor.fetchall()
        ]
        if foreign_keys:
            cursor.execute("; ".join(foreign_keys))
        _copy_functions_and_triggers(cursor, base=base, new=new)
        cursor.execute(
            "SELECT c.relname, a.attname FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace ns ON ns.oid = c.relnamespace "
            "WHERE ns.nspname = %s AND a.attidentity IN ('a', 'd')",
            [new],
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f"COALESCE((SELECT max({_ident(column)}) FROM {n}.{_ident(table)}), 0) + 1, false)",
                [f"{n}.{_ident(table)}", column],
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
    copy_schema(base=base, new=schema_name)
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
