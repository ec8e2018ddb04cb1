"""Deploys over many studios: current schemas are skipped, schemas behind in the same way get
one plan's SQL replayed, and one studio that fails stops nobody (it is retried, reported,
and shown under maintenance).

The studios here are made and dropped by the tests themselves, committed (migrations run on
connections of their own): the session's alpha and beta are only ever read.
"""

import shutil
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from saas_platform.accounts.models import User
from tenants.models import Domain, Studio
from tenants.provisioning import copy_schema
from tenants.schema_migrations import graph_nodes, schemas_migrate, schemas_missing
from tenants.services import studio_host

REPO = settings.BASE_DIR
SLUGS = ["migone", "migtwo", "migthree"]

EXTRA_MIGRATION = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("schools", "{previous}")]

    operations = [
        migrations.AddField(
            model_name="school", name="deploy_probe", field=models.IntegerField(null=True)
        ),
        migrations.AddIndex(
            model_name="school",
            index=models.Index(fields=["deploy_probe"], name="deploy_probe_idx"),
        ),
    ]
"""


def _execute(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


@pytest.fixture
def three_studios(django_db_setup, django_db_blocker):
    """Three committed studios cloned from the base schema, removed afterwards."""
    with django_db_blocker.unblock():
        studios = []
        for slug in SLUGS:
            with transaction.atomic():
                studio = Studio(schema_name=f"studio_{slug}", slug=slug, name=slug.title())
                Studio.objects.bulk_create([studio])
                Domain.objects.create(domain=studio_host(slug), tenant=studio, is_primary=True)
                copy_schema(base=settings.TENANT_BASE_SCHEMA, new=studio.schema_name)
            connection.set_schema_to_public()
            studios.append(studio)
        try:
            yield [studio.schema_name for studio in studios]
        finally:
            connection.set_schema_to_public()
            for studio in studios:
                _execute(f'DROP SCHEMA IF EXISTS "{studio.schema_name}" CASCADE')
            Domain.objects.filter(tenant__in=studios).delete()
            Studio.objects.filter(pk__in=[s.pk for s in studios]).delete()


NEW_MODEL_MIGRATION = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("schools", "{previous}")]

    operations = [
        migrations.CreateModel(
            name="DeployProbe",
            fields=[("id", models.BigAutoField(primary_key=True)), ("note", models.TextField())],
        ),
    ]
"""

RUN_PYTHON_MIGRATION = """\
from django.db import migrations


def add_school(apps, schema_editor):
    apps.get_model("schools", "School").objects.create(name="Added by RunPython")


class Migration(migrations.Migration):
    dependencies = [("schools", "{previous}")]

    operations = [migrations.RunPython(add_school, migrations.RunPython.noop)]
"""


def _schools_migrations_with(tmp_path, settings, body: str, suffix: str):
    """``schools`` migrations from a temporary package: the real ones plus ``body`` (the
    repository never changes)."""
    package = tmp_path / "deployprobe_migrations"
    target = package / "schools"
    target.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    source = REPO / "studio" / "schools" / "migrations"
    for path in source.glob("*.py"):
        shutil.copy(path, target / path.name)
    previous = sorted(p.stem for p in source.glob("[0-9]*.py"))[-1]
    name = f"{int(previous[:4]) + 1:04d}_{suffix}"
    (target / f"{name}.py").write_text(body.format(previous=previous))
    sys.path.insert(0, str(tmp_path))
    settings.MIGRATION_MODULES = {"schools": "deployprobe_migrations.schools"}
    try:
        yield ("schools", name)
    finally:
        sys.path.remove(str(tmp_path))
        for module in [m for m in sys.modules if m.startswith("deployprobe_migrations")]:
            del sys.modules[module]


@pytest.fixture
def extra_schools_migration(tmp_path, settings):
    """A column and an index on ``schools_school``."""
    yield from _schools_migrations_with(tmp_path, settings, EXTRA_MIGRATION, "deploy_probe")


@pytest.fixture
def new_model_schools_migration(tmp_path, settings):
    """A new model: content types and permissions follow it."""
    yield from _schools_migrations_with(tmp_path, settings, NEW_MODEL_MIGRATION, "model_probe")


@pytest.fixture
def run_python_schools_migration(tmp_path, settings):
    """A data migration: it cannot be written as SQL."""
    yield from _schools_migrations_with(tmp_path, settings, RUN_PYTHON_MIGRATION, "data_probe")


def _has_column(schema: str, column: str) -> bool:
    return bool(
        _execute(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = 'schools_school' AND column_name = %s",
            [schema, column],
        )
    )


def _has_index(schema: str, name: str) -> bool:
    return bool(
        _execute(
            "SELECT 1 FROM pg_indexes WHERE schemaname = %s AND indexname = %s", [schema, name]
        )
    )


def test_a_schema_is_behind_exactly_by_the_migrations_it_lacks(alpha, beta):
    nodes = graph_nodes()
    assert schemas_missing([alpha.schema, beta.schema], nodes) == {
        alpha.schema: frozenset(),
        beta.schema: frozenset(),
    }

    _execute(
        f'DELETE FROM "{beta.schema}".django_migrations WHERE app = %s AND name = %s',
        ["schools", "0003_schoolclass_teacher"],
    )
    _execute('CREATE SCHEMA "no_migrations_table"')

    missing = schemas_missing([alpha.schema, beta.schema, "no_migrations_table"], nodes)
    assert missing[alpha.schema] == frozenset()
    assert missing[beta.schema] == {("schools", "0003_schoolclass_teacher")}
    assert missing["no_migrations_table"] == frozenset(nodes)


def test_one_plan_is_replayed_in_every_schema_behind_and_a_second_run_does_nothing(
    three_studios, extra_schools_migration, django_db_blocker
):
    with django_db_blocker.unblock():
        run = schemas_migrate(schemas=three_studios, processes=2)

        assert sorted(run.replayed) == sorted(three_studios)
        assert run.failed == {} and run.migrated == [] and run.current == []
        for schema in three_studios:
            assert _has_column(schema, "deploy_probe")
            assert _has_index(schema, "deploy_probe_idx")
            assert schemas_missing([schema], graph_nodes())[schema] == frozenset()

        again = schemas_migrate(schemas=three_studios, processes=2)
        assert sorted(again.current) == sorted(three_studios)
        assert again.replayed == again.migrated == [] and again.failed == {}


def test_a_new_model_replayed_gets_its_content_type_and_permissions_in_each_schema(
    three_studios, new_model_schools_migration, django_db_blocker
):
    with django_db_blocker.unblock():
        run = schemas_migrate(schemas=three_studios, processes=2)

        assert sorted(run.replayed) == sorted(three_studios)
        for schema in three_studios:
            assert _execute(f'SELECT count(*) FROM "{schema}".schools_deployprobe') == [(0,)]
            assert _execute(
                f'SELECT p.codename FROM "{schema}".auth_permission p JOIN "{schema}".'
                "django_content_type ct ON ct.id = p.content_type_id "
                "WHERE ct.app_label = 'schools' AND ct.model = 'deployprobe' ORDER BY 1"
            ) == [(f"{verb}_deployprobe",) for verb in ("add", "change", "delete", "view")]


@pytest.mark.parametrize("processes", [1, 2])
def test_a_plan_that_cannot_be_written_as_sql_runs_through_migrate_in_each_schema(
    three_studios, run_python_schools_migration, django_db_blocker, processes
):
    with django_db_blocker.unblock():
        run = schemas_migrate(schemas=three_studios, processes=processes)

        assert sorted(run.migrated) == sorted(three_studios)
        assert run.replayed == [] and run.failed == {}
        for schema in three_studios:
            assert _execute(
                f'SELECT count(*) FROM "{schema}".schools_school WHERE name = %s',
                ["Added by RunPython"],
            ) == [(1,)]
            assert schemas_missing([schema], graph_nodes())[schema] == frozenset()


@pytest.mark.parametrize("processes", [1, 2])
def test_schemas_that_fail_are_rolled_back_and_reported_and_the_others_are_migrated(
    three_studios, extra_schools_migration, django_db_blocker, processes
):
    """Two drifted schemas: their replay fails, then Django's migrate fails in them (in
    ``processes`` processes), then the retry; the third is migrated all the same."""
    fine, *broken = three_studios
    with django_db_blocker.unblock():
        # Drift: these studios already have a column of that name, so the migration cannot apply.
        for schema in broken:
            _execute(f'ALTER TABLE "{schema}".schools_school ADD COLUMN deploy_probe text')

        run = schemas_migrate(schemas=three_studios, processes=processes)

        assert sorted(run.failed) == sorted(broken)
        assert all("deploy_probe" in error for error in run.failed.values())
        assert run.replayed == [fine] and run.migrated == []
        assert _has_index(fine, "deploy_probe_idx")
        missing = schemas_missing(three_studios, graph_nodes())
        assert missing[fine] == frozenset()
        for schema in broken:
            assert not _has_index(schema, "deploy_probe_idx")  # rolled back, nothing half-done
            assert missing[schema] == {extra_schools_migration}


def test_migrate_platform_goes_on_past_a_failing_studio_flags_it_and_exits_non_zero(
    three_studios, django_db_blocker
):
    broken = three_studios[0]
    with django_db_blocker.unblock():
        # Behind by one migration whose column is already there: `migrate` fails in it.
        _execute(
            f'DELETE FROM "{broken}".django_migrations WHERE app = %s AND name = %s',
            ["schools", "0003_schoolclass_teacher"],
        )
        with pytest.raises(CommandError, match=broken) as failure:
            call_command("migrate_platform", verbosity=0)
        assert three_studios[1] not in str(failure.value)

        flagged = Studio.objects.get(schema_name=broken)
        assert flagged.maintenance_since is not None
        assert "teacher" in flagged.maintenance_reason
        assert not Studio.objects.filter(
            maintenance_since__isnull=False, schema_name__in=three_studios[1:]
        ).exists()

        page = Client(HTTP_HOST=studio_host(SLUGS[0])).get("/")
        assert page.status_code == 503
        assert page["Retry-After"] == "300"
        assert "under maintenance" in page.content.decode()
        assert Client(HTTP_HOST=studio_host(SLUGS[1])).get("/").status_code != 503

        # The cause fixed (here: the row put back), the next run lifts the flag.
        _execute(
            f'INSERT INTO "{broken}".django_migrations (app, name, applied) '
            "VALUES ('schools', '0003_schoolclass_teacher', now())"
        )
        call_command("migrate_platform", "--executor=multiprocessing", verbosity=0)
        assert Studio.objects.get(schema_name=broken).maintenance_since is None
        assert Client(HTTP_HOST=studio_host(SLUGS[0])).get("/").status_code != 503


def test_the_maintenance_page_is_in_the_studios_language(alpha):
    alpha.studio.language = "ru"
    alpha.studio.maintenance_since = timezone.now()
    alpha.studio.save()

    page = Client(HTTP_HOST=alpha.host).get("/staff/")

    assert page.status_code == 503
    assert "Сайт студии" in page.content.decode()
    assert alpha.studio.name in page.content.decode()


def test_operators_see_why_a_studio_is_under_maintenance_in_the_admin(alpha):
    alpha.studio.maintenance_since = timezone.now()
    alpha.studio.maintenance_reason = "ProgrammingError: column already exists"
    alpha.studio.save()
    User.objects.create_superuser(email="operator@pictureday.test", password="op-secret-123")
    client = Client(HTTP_HOST="localhost")
    client.post(
        "/admin/login/?next=/admin/",
        {"username": "operator@pictureday.test", "password": "op-secret-123"},
    )

    page = client.get(f"/admin/tenants/studio/{alpha.studio.pk}/change/").content.decode()

    assert "column already exists" in page
