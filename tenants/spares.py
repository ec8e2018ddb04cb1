"""A small pool of spare studio schemas, so a sign-up costs the same however many tables a
studio has.

Copying the base schema costs a few milliseconds per table (README, "Sign-up"). A spare is
that copy made ahead of time by a background task (``spare_schemas_refill``: beat, and after
each sign-up) and migrated like every studio (``migrate_platform`` lists spares with the
studios). A sign-up takes one (``spare_take``): it locks a spare's row with ``FOR UPDATE
SKIP LOCKED`` (two sign-ups never get the same one), checks that the spare lacks no
migration of the running code (a spare that is behind is never handed out), deletes the row
and renames the schema to the studio's, all in the sign-up's own transaction. An empty pool
(or one being migrated) falls back to copying.

Two advisory locks keep the pool and a deploy apart: ``migrate_platform`` holds
``MIGRATING`` exclusively while it migrates the spares, sign-ups and refills hold it shared
and do not wait for it (a sign-up then copies, a refill does nothing); ``REFILLING`` makes
one refill run at a time.
"""

import contextlib
import logging
import uuid

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from .models import SpareSchema
from .provisioning import clone_base_schema
from .schema_migrations import graph_nodes, schemas_missing

logger = logging.getLogger(__name__)

PREFIX = "spare_"
# pg_advisory_lock keys (any bigint; these spell "sparemig" and "spareref").
MIGRATING = 0x7370617265_6D6967
REFILLING = 0x7370617265_726566


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_graphs: dict[str, frozenset] = {}


def _graph_nodes() -> frozenset:
    """The migration graph's nodes, loaded once per process: Django's loader re-imports every
    migration module (tens of milliseconds), and a process's code does not change under it.
    Keyed by ``MIGRATION_MODULES``, which tests change."""
    key = repr(sorted(getattr(settings, "MIGRATION_MODULES", {}).items()))
    if key not in _graphs:
        _graphs[key] = frozenset(graph_nodes())
    return _graphs[key]


def pool_size() -> int:
    return max(0, settings.TENANT_SPARE_SCHEMAS)


def spare_schema_names() -> list[str]:
    """The spares' schemas, for ``migrate_platform`` (never studios)."""
    return list(SpareSchema.objects.order_by("schema_name").values_list("schema_name", flat=True))


def spare_take(*, schema_name: str) -> str | None:
    """Renames a current spare to ``schema_name`` and returns the spare's name; None when
    there is none to take (the caller copies the base schema). Call it inside the sign-up's
    transaction: the spare's row stays locked, and the rename undone, with it. A stray
    schema already named ``schema_name`` makes the rename fail: it is never adopted."""
    if pool_size() == 0:
        return None
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock_shared(%s)", [MIGRATING])
        if not cursor.fetchone()[0]:  # a deploy is migrating the spares
            return None
        nodes, passed = _graph_nodes(), []
        while True:
            spare = (
                SpareSchema.objects.select_for_update(skip_locked=True)
                .exclude(pk__in=passed)
                .order_by("pk")
                .first()
            )
            if spare is None:
                return None
            if not schemas_missing([spare.schema_name], nodes)[spare.schema_name]:
                break
            passed.append(spare.pk)  # behind (or gone): left for the refill to drop
        cursor.execute(f"DELETE FROM {SpareSchema._meta.db_table} WHERE id = %s", [spare.pk])
        cursor.execute(f"ALTER SCHEMA {_ident(spare.schema_name)} RENAME TO {_ident(schema_name)}")
    return spare.schema_name


def spare_drop(*, schema_name: str) -> None:
    """Drops a spare's schema and row (a spare that is behind or failed to migrate)."""
    with transaction.atomic(), connection.cursor() as cursor:
        SpareSchema.objects.filter(schema_name=schema_name).delete()
        cursor.execute(f"DROP SCHEMA IF EXISTS {_ident(schema_name)} CASCADE")


def spare_make() -> str | None:
    """One spare: a copy of the base schema, missing migrations applied for real, registered
    in the same transaction; None without a base schema."""
    name = PREFIX + uuid.uuid4().hex[:16]
    with transaction.atomic():
        if not clone_base_schema(schema_name=name, clone_mode="", verbosity=0):
            return None
        SpareSchema.objects.create(schema_name=name)
    return name


@contextlib.contextmanager
def _session_lock(cursor, key: int, *, shared: bool = False):
    kind = "_shared" if shared else ""
    cursor.execute(f"SELECT pg_try_advisory_lock{kind}(%s)", [key])
    held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            cursor.execute(f"SELECT pg_advisory_unlock{kind}(%s)", [key])


def spare_schemas_refill(*, size: int | None = None) -> int:
    """Drops spares that are behind (or above ``size``) and makes spares up to ``size`` (the
    ``TENANT_SPARE_SCHEMAS`` setting by default); returns how many it made. Does nothing
    while another refill runs or a deploy migrates the spares."""
    size = pool_size() if size is None else size
    connection.set_schema_to_public()
    made = 0
    with (
        connection.cursor() as cursor,
        _session_lock(cursor, REFILLING) as refilling,
        _session_lock(cursor, MIGRATING, shared=True) as not_migrating,
    ):
        if not (refilling and not_migrating):
            return 0
        nodes = graph_nodes()
        with transaction.atomic():
            spares = list(SpareSchema.objects.select_for_update(skip_locked=True).order_by("pk"))
            missing = schemas_missing([spare.schema_name for spare in spares], nodes)
            current = [spare for spare in spares if not missing[spare.schema_name]]
            for spare in [s for s in spares if s not in current] + current[size:]:
                spare_drop(schema_name=spare.schema_name)
        while SpareSchema.objects.count() < size:
            if spare_make() is None:
                break
            made += 1
    if made:
        logger.info("made %s spare studio schema(s)", made)
    return made


@contextlib.contextmanager
def spares_held_for_migration():
    """Held by ``migrate_platform`` around migrating the spares: sign-ups do not take a spare
    and refills do not touch the pool meanwhile. On a connection of its own, which a run that
    forks or closes Django's connections does not release."""
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATING])
            try:
                yield
            finally:
                # Released here, not left to the closing: the server drops a closed session's
                # locks a moment later, and a refill right after would find the pool locked.
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATING])
    finally:
        wrapper.close()
