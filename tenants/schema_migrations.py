"""Migrating every studio's schema at deploy time: minutes over a thousand studios, and one
studio that fails stops nobody.

django-tenants' ``migrate_schemas`` runs Django's ``migrate`` in each schema in turn: it
loads the migration graph, renders the project state and sends ``post_migrate`` for every
schema (0.14–0.8 s each on the benchmark's machine, even with nothing to apply), and the first schema that fails stops
the run. Here (``migrate_platform`` calls ``schemas_migrate``):

* **Current schemas are skipped.** One query per ``BATCH`` schemas lists, for each, the
  migrations of the graph its ``django_migrations`` lacks. A schema that lacks none is one
  where ``migrate`` would find an empty plan (it plans from the same graph, forwards to its
  leaves, against the same table), so skipping it changes nothing. A squashed migration
  recorded only under its replaced names makes a schema look behind, never current: the
  error is always on the side of migrating.
* **Schemas behind in the same way share one plan.** Its SQL is collected once in the
  group's first schema (as ``sqlmigrate`` collects it) and replayed in each schema of the
  group, the whole plan and its ``django_migrations`` rows in one transaction per schema.
  Only plain schema changes qualify (``REPLAYABLE``: fields, indexes, constraints, models
  created or dropped, ``RunSQL``; atomic migrations only); migrations of apps that have no
  tables in studio schemas run nothing there and always qualify. A plan that creates,
  drops or changes the options of a model then gets ``post_migrate`` (content types and
  permissions) per schema, as ``migrate`` would. Anything else — ``RunPython``, renames,
  ``SeparateDatabaseAndState``, a non-atomic migration — goes through ``migrate_schemas``
  per schema, and so does any schema whose replay fails (it differs from the first).
* **A failure is contained.** A schema's failed migration is rolled back and the others go
  on; failed schemas are retried once at the end, one at a time; what still fails is
  returned, and ``migrate_platform`` flags those studios under maintenance (their hosts
  answer 503) and exits non-zero naming them. The next run retries them and lifts the flag.
"""

from __future__ import annotations

import multiprocessing
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connection, connections, router
from django.db.migrations import operations
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import get_public_schema_name

BATCH = 200

REPLAYABLE = {
    operations.AddField,
    operations.RemoveField,
    operations.AlterField,
    operations.AddIndex,
    operations.RemoveIndex,
    operations.AddConstraint,
    operations.RemoveConstraint,
    operations.AlterUniqueTogether,
    operations.AlterIndexTogether,
    operations.AlterModelTableComment,
    operations.AlterModelManagers,
    operations.AlterModelOptions,
    operations.CreateModel,
    operations.DeleteModel,
    operations.RunSQL,
}
# What changes content types or permissions, which ``post_migrate`` keeps in step.
CHANGES_MODELS = {operations.CreateModel, operations.DeleteModel, operations.AlterModelOptions}

Node = tuple[str, str]


@dataclass
class MigrationRun:
    """What a run did: schemas found current, migrated by replay or by ``migrate``, and the
    ones that failed twice with their errors."""

    current: list[str] = field(default_factory=list)
    replayed: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def graph_nodes() -> set[Node]:
    """Every migration of the project, as ``migrate`` plans from them."""
    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def schemas_missing(schemas: list[str], nodes: set[Node]) -> dict[str, frozenset[Node]]:
    """For each schema, the migrations of ``nodes`` its ``django_migrations`` lacks (all of
    them when it has no such table); one query per ``BATCH`` schemas."""
    missing: dict[str, set[Node]] = {}
    apps = [app for app, _ in sorted(nodes)]
    names = [name for _, name in sorted(nodes)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ns.nspname FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND c.relkind = 'r' AND ns.nspname = ANY(%s)",
            [list(schemas)],
        )
        with_table = sorted(row[0] for row in cursor.fetchall())
        for start in range(0, len(with_table), BATCH):
            batch = with_table[start : start + BATCH]
            parts = [
                f"SELECT %s, g.app, g.name FROM graph g WHERE NOT EXISTS (SELECT 1 FROM "  # noqa: S608
                f"{_ident(schema)}.django_migrations m WHERE m.app = g.app AND m.name = g.name)"
                for schema in batch
            ]
            cursor.execute(
                "WITH graph (app, name) AS (SELECT * FROM unnest(%s::text[], %s::text[])) "
                + " UNION ALL ".join(parts),
                [apps, names, *batch],
            )
            for schema, app, name in cursor.fetchall():
                missing.setdefault(schema, set()).add((app, name))
    found = set(with_table)
    return {
        schema: frozenset(nodes) if schema not in found else frozenset(missing.get(schema, ()))
        for schema in schemas
    }


def _plan_in(schema: str):
    """``migrate``'s plan for ``schema`` (to the graph's leaves) and its executor."""
    connection.set_schema(schema)
    executor = MigrationExecutor(connection)
    return executor, executor.migration_plan(executor.loader.graph.leaf_nodes())


def replayable(plan) -> bool:
    """Whether replaying the plan's SQL does all ``migrate`` would do in a studio schema."""
    for migration, backwards in plan:
        if backwards:
            return False
        if not router.allow_migrate(connection.alias, migration.app_label):
            continue  # no tables of this app in studio schemas: only recorded there
        if not migration.atomic:
            return False
        if any(type(operation) not in REPLAYABLE for operation in migration.operations):
            return False
    return True


def changes_models(plan) -> bool:
    return any(
        type(operation) in CHANGES_MODELS
        for migration, _ in plan
        for operation in migration.operations
    )


def recorded_names(plan) -> list[Node]:
    """The rows ``migrate`` writes for the plan: a squashed migration under its own name and
    each it replaces."""
    rows: list[Node] = []
    for migration, _ in plan:
        rows.extend(migration.replaces)
        rows.append((migration.app_label, migration.name))
    return rows


def _replay_chunk(schemas: list[str], sql: str, rows: list[Node]) -> dict[str, str]:
    """Replays on a connection of its own, one round trip per schema (the transaction, its
    search path, the plan's SQL and the migrations' rows in one string); returns the schemas
    that failed with the error. The schemas' commits do not wait for the disk one by one
    (``synchronous_commit = off``); a last synchronous commit makes them all durable before
    the chunk returns."""
    failed = {}
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        wrapper.ensure_connection()
        raw = wrapper.connection
        raw.autocommit = True
        with raw.cursor() as cursor:
            values = ", ".join(cursor.mogrify("(%s, %s, now())", row).decode() for row in rows)
            for schema in schemas:
                try:
                    cursor.execute(
                        "BEGIN; SET LOCAL synchronous_commit = off; "
                        f"SET LOCAL search_path = {_ident(schema)}, public;\n{sql}\n"
                        f"INSERT INTO {_ident(schema)}.django_migrations (app, name, applied) "  # noqa: S608
                        f"VALUES {values}; COMMIT"
                    )
                except Exception as error:  # noqa: BLE001 - one schema's failure is reported, not raised
                    cursor.execute("ROLLBACK")
                    failed[schema] = f"{type(error).__name__}: {error}".strip()
            # One synchronous commit flushes the WAL up to here, every replay above included:
            # durable before anyone is told, without waiting for the disk once per schema.
            cursor.execute("BEGIN; SELECT pg_current_xact_id(); COMMIT")
    finally:
        wrapper.close()
    return failed


def _replay(schemas: list[str], sql: str, rows: list[Node], processes: int) -> dict[str, str]:
    chunks = [schemas[i::processes] for i in range(processes) if schemas[i::processes]]
    failed: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
        for result in pool.map(lambda chunk: _replay_chunk(chunk, sql, rows), chunks):
            failed.update(result)
    return failed


def migrate_one(schema: str, verbosity: int = 0) -> str | None:
    """Django's ``migrate`` in one schema (through django-tenants: ``--shared`` for the public
    schema); the error, or None."""
    public = schema == get_public_schema_name()
    try:
        call_command(
            "migrate_schemas",
            tenant=not public,
            shared=public,
            schema_name=None if public else schema,
            interactive=False,
            verbosity=verbosity,
        )
    except Exception as error:  # noqa: BLE001 - one schema's failure is reported, not raised
        connection.set_schema_to_public()
        return f"{type(error).__name__}: {error}".strip()
    connection.set_schema_to_public()
    return None


def _migrate_in_child(schema: str) -> tuple[str, str | None]:
    return schema, migrate_one(schema)


def _migrate_each(schemas: list[str], processes: int, verbosity: int) -> dict[str, str]:
    if processes <= 1 or len(schemas) <= 1:
        failed = {}
        for schema in schemas:
            error = migrate_one(schema, verbosity)
            if error:
                failed[schema] = error
        return failed
    connections.close_all()  # the children must not share the parent's socket
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_migrate_in_child, schemas, chunksize=1)
    return {schema: error for schema, error in results if error}


def schemas_migrate(
    *,
    schemas: list[str],
    processes: int = 1,
    verbosity: int = 0,
    log: Callable[[str], None] = lambda message: None,
) -> MigrationRun:
    """Brings every schema in ``schemas`` to the graph's leaves;
    see the module's docstring. ``processes`` > 1 replays on that many connections and runs
    per-schema migrations in that many processes."""
    run = MigrationRun()
    connection.set_schema_to_public()
    groups: dict[frozenset[Node], list[str]] = defaultdict(list)
    nodes = graph_nodes()
    for schema, missing in schemas_missing(schemas, nodes).items():
        if missing:
            groups[missing].append(schema)
        else:
            run.current.append(schema)
    log(f"{len(run.current)} of {len(schemas)} schemas current; {len(groups)} plan(s) to apply")

    failed: dict[str, str] = {}
    for missing, members in groups.items():
        members.sort()
        sql, can_replay, models_changed = "", False, False
        if missing != nodes:  # else the schema has no migrations yet: Django makes its table
            executor, plan = _plan_in(members[0])  # the router now answers for this schema
            # An empty plan (a squash whose replaced migrations are all recorded): migrate
            # records the squash itself.
            can_replay = bool(plan) and replayable(plan)
            if can_replay and any(  # else only rows to record: no state to render
                router.allow_migrate(connection.alias, migration.app_label) for migration, _ in plan
            ):
                sql = "\n".join(executor.loader.collect_sql(plan))
            if can_replay:
                rows, models_changed = recorded_names(plan), changes_models(plan)
                if models_changed:  # post_migrate sees the models as migrate shows them
                    post_apps = executor.loader.project_state().apps
            connection.set_schema_to_public()
        if can_replay:
            log(f"replaying {len(plan)} migration(s) in {len(members)} schema(s)")
            errors = _replay(members, sql, rows, max(1, processes))
            done = [schema for schema in members if schema not in errors]
            if models_changed:
                for schema in done:
                    connection.set_schema(schema)
                    emit_post_migrate_signal(0, False, DEFAULT_DB_ALIAS, apps=post_apps, plan=plan)
                connection.set_schema_to_public()
            run.replayed.extend(done)
            if not errors:
                continue
            log(f"{len(errors)} schema(s) could not replay; migrating them one by one")
            members = sorted(errors)
        log(f"migrating {len(members)} schema(s) one by one")
        errors = _migrate_each(members, processes, verbosity)
        run.migrated.extend(schema for schema in members if schema not in errors)
        failed.update(errors)

    for schema in sorted(failed):  # once more, alone: a lock or a deadlock may have passed
        log(f"retrying {schema}")
        error = migrate_one(schema, verbosity)
        if error:
            run.failed[schema] = error
        else:
            run.migrated.append(schema)
    return run
