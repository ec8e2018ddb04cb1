"""Spare studio schemas: made ahead of time, taken by one sign-up each, migrated with the
studios, never behind when handed out, never a studio.

The pool is off in the test settings; each test here turns it on. Tests with ``db`` keep
everything in their transaction (DDL included); the concurrent and ``migrate_platform`` ones
commit and clean up after themselves.
"""

import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context, schema_exists

from saas_platform.accounts.models import User
from tenants import spares
from tenants.models import Domain, SpareSchema, Studio
from tenants.schema_migrations import graph_nodes, schemas_missing
from tenants.selectors import serving_studios, studio_for_host, working_studios
from tenants.services import studio_create
from tenants.spares import spare_schema_names, spare_schemas_refill, spares_held_for_migration
from tenants.tasks import spare_schemas_refill as spare_schemas_refill_task
from tests.conftest import host_client

BASE = "studio_template"


def _execute(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def _tables(schema: str) -> set[str]:
    return {
        row[0]
        for row in _execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema]
        )
    }


def _current(schema: str) -> bool:
    return schemas_missing([schema], graph_nodes())[schema] == frozenset()


def _sign_up(slug: str):
    return studio_create(
        name=slug.title(),
        slug=slug,
        owner_email=f"owner@{slug}.test",
        owner_name="Owner",
        owner_password="s3cret-pass-word",
    )


def _make_behind(schema: str) -> None:
    """Behind by a migration that only records itself in a studio schema (a public-schema
    app's): replaying it is harmless, handing the schema out as current would not be."""
    _execute(
        f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s',
        ["tenants", "0010_spareschema"],
    )


@pytest.fixture
def pool(settings):
    settings.TENANT_SPARE_SCHEMAS = 2
    return 2


def test_the_refill_task_makes_spares_up_to_the_pool_size_and_drops_the_surplus(
    db, settings, run_tasks
):
    settings.TENANT_SPARE_SCHEMAS = 3

    assert spare_schemas_refill_task.apply_async() == 3
    assert spare_schemas_refill_task.apply_async() == 0  # full: nothing to do

    names = spare_schema_names()
    assert len(names) == 3 and all(name.startswith("spare_") for name in names)
    for name in names:
        assert _tables(name) == _tables(BASE)
        assert _current(name)

    settings.TENANT_SPARE_SCHEMAS = 1
    assert spare_schemas_refill() == 0
    assert len(spare_schema_names()) == 1 and spare_schema_names()[0] in names
    assert sum(schema_exists(name) for name in names) == 1

    settings.TENANT_SPARE_SCHEMAS = 0  # off: the pool empties
    spare_schemas_refill()
    assert not SpareSchema.objects.exists()
    assert not any(schema_exists(name) for name in names)


def test_a_sign_up_takes_a_spare_and_the_studio_works(
    db, pool, run_tasks, django_capture_on_commit_callbacks
):
    spare_schemas_refill()
    before = spare_schema_names()

    with django_capture_on_commit_callbacks(execute=True):
        result = _sign_up("sparrow")

    # a spare became the studio's schema; nothing was copied
    assert result.studio.schema_name == "studio_sparrow"
    (taken,) = [name for name in before if not schema_exists(name)]
    assert _tables("studio_sparrow") == _tables(BASE)
    assert _current("studio_sparrow")
    # its rows: the owner inside the studio's schema, who gets in with the one-time link
    with schema_context("studio_sparrow"):
        assert User.objects.get().email == "owner@sparrow.test"
    client = host_client("sparrow.localhost")
    landing = client.get(f"/accounts/welcome/{result.login_token}/")
    assert (landing.status_code, landing["Location"]) == (302, "/staff/")
    assert client.get("/staff/").status_code == 200
    # the database-side guards came along and work in the renamed schema
    with (
        schema_context("studio_sparrow"),
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
    ):
        _execute(
            "INSERT INTO ledger_ledgerperiod (starts_at, ends_at, label, closed_at) "
            "VALUES (now(), now() + interval '1 day', 'probe', now()); "
            "UPDATE ledger_ledgerperiod SET label = 'changed'"
        )
    # the sign-up's commit queued a refill: the pool is full again, with a new spare
    assert "tenants.tasks.spare_schemas_refill" in [name for name, *_ in run_tasks]
    after = spare_schema_names()
    assert len(after) == 2 and taken not in after and set(before) - {taken} <= set(after)


def test_an_empty_pool_falls_back_to_copying_the_base_schema(db, pool):
    assert not SpareSchema.objects.exists()

    _sign_up("empty-pool")

    assert _tables("studio_empty_pool") == _tables(BASE)
    assert _current("studio_empty_pool")


def test_a_spare_that_is_behind_is_never_handed_out(db, pool):
    spare_schemas_refill()
    behind, fine = spare_schema_names()
    _make_behind(behind)

    _sign_up("picky")

    assert not schema_exists(fine)  # the current one was taken
    assert schema_exists(behind) and spare_schema_names() == [behind]
    _sign_up("pickier")  # only a spare that is behind: the sign-up copies
    assert schema_exists(behind)
    assert _current("studio_pickier")

    # the next refill drops it and makes current ones
    spare_schemas_refill()
    assert not schema_exists(behind)
    assert all(_current(name) for name in spare_schema_names())
    assert len(spare_schema_names()) == 2


def test_while_a_deploy_migrates_the_spares_sign_ups_copy_and_refills_wait(db, pool):
    spare_schemas_refill()
    names = spare_schema_names()
    spares.spare_drop(schema_name=names[1])

    with spares_held_for_migration():  # as migrate_platform, on a connection of its own
        _sign_up("mid-deploy")
        assert spare_schemas_refill() == 0
        assert spare_schema_names() == names[:1] and schema_exists(names[0])
    assert _current("studio_mid_deploy")

    _sign_up("after-deploy")
    assert not schema_exists(names[0])
    assert spare_schemas_refill() == 2


def test_spares_are_never_studios(db, pool):
    spare_schemas_refill()
    names = set(spare_schema_names())

    every = set(Studio.objects.values_list("schema_name", flat=True))
    assert not names & every
    assert not names & set(serving_studios().values_list("schema_name", flat=True))
    assert not names & set(working_studios().values_list("schema_name", flat=True))
    for name in names:
        with pytest.raises(Domain.DoesNotExist):
            studio_for_host(hostname=f"{name}.{settings.BASE_DOMAIN}")
    # nor does migrate_platform flag or report them: see the committed tests below


# --- committed: other connections must see the spares ----------------------------------


@pytest.fixture
def committed_pool(django_db_setup, django_db_blocker, settings):
    """A pool of two committed spares; every spare, and the studios the test names in
    ``made``, removed afterwards."""
    settings.TENANT_SPARE_SCHEMAS = 2
    made: list[str] = []
    with django_db_blocker.unblock():
        spare_schemas_refill()
        try:
            yield made
        finally:
            connection.set_schema_to_public()
            for studio in Studio.objects.filter(slug__in=made):
                _execute(f'DROP SCHEMA IF EXISTS "{studio.schema_name}" CASCADE')
                Domain.objects.filter(tenant=studio).delete()
                Studio.objects.filter(pk=studio.pk).delete()
            settings.TENANT_SPARE_SCHEMAS = 0
            spare_schemas_refill()


def test_two_concurrent_sign_ups_never_get_the_same_spare(committed_pool, monkeypatch):
    """The first sign-up takes the only spare we leave and is held inside its transaction;
    the second runs to its commit meanwhile. It skips the locked spare and copies."""
    taken, held = spares.spare_take, threading.Event()
    release, took = threading.Event(), {}
    only = spare_schema_names()[0]
    for extra in spare_schema_names()[1:]:
        spares.spare_drop(schema_name=extra)

    def take_and_hold(*, schema_name):
        took[schema_name] = taken(schema_name=schema_name)
        if schema_name == "studio_conc_one":
            held.set()
            release.wait(60)
        return took[schema_name]

    monkeypatch.setattr("tenants.services.spare_take", take_and_hold)
    committed_pool.extend(["conc-one", "conc-two"])
    errors = []

    def sign_up(slug):
        try:
            _sign_up(slug)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=sign_up, args=("conc-one",))
    first.start()
    assert held.wait(60)
    second = threading.Thread(target=sign_up, args=("conc-two",))
    second.start()
    second.join(60)
    release.set()
    first.join(60)

    assert errors == []
    assert took == {"studio_conc_one": only, "studio_conc_two": None}
    for schema in ("studio_conc_one", "studio_conc_two"):
        assert _tables(schema) == _tables(BASE) and _current(schema)
        with schema_context(schema):
            assert User.objects.count() == 1
    assert not schema_exists(only)
    assert only not in spare_schema_names()


def test_migrate_platform_brings_spares_current_and_remakes_one_that_fails(committed_pool):
    behind, broken = spare_schema_names()
    _make_behind(behind)
    # Behind by a migration whose column is already there: migrating it fails.
    _execute(
        f'DELETE FROM "{broken}".django_migrations WHERE app = %s AND name = %s',
        ["schools", "0003_schoolclass_teacher"],
    )

    call_command("migrate_platform", verbosity=0)  # a spare's failure fails no deploy

    assert _current(behind)
    assert not schema_exists(broken)
    now = spare_schema_names()
    assert behind in now and broken not in now and len(now) == 2
    assert all(_current(name) for name in now)
    assert not Studio.objects.filter(schema_name__in=[behind, broken]).exists()
    assert not Studio.objects.filter(maintenance_since__isnull=False).exists()
