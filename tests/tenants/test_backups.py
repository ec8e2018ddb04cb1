"""One studio restored from a full-database pg_dump with the real PostgreSQL client tools:
its own data goes back to the dump's, every other schema keeps what it has now."""

import io
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context

from studio.ledger.models import LedgerPeriod
from studio.schools.models import School
from tenants.backups import dump_schemas
from tenants.models import Studio
from tenants.services import studio_create
from tests.conftest import database_url


def _schools(schema: str) -> list[str]:
    with schema_context(schema):
        return sorted(School.objects.values_list("name", flat=True))


@pytest.fixture
def two_studios(committed, live_studios):
    """Two committed studios of their own (pg_dump sees only committed rows), removed after."""
    made = []
    with committed():
        for slug in ("bk-one", "bk-two"):
            made.append(
                studio_create(
                    name=slug, slug=slug, owner_email=f"o@{slug}.test", owner_name="",
                    owner_password=None,
                ).studio
            )  # fmt: skip
    yield made
    with committed():
        connection.set_schema_to_public()
        for studio in made:
            Studio.objects.get(pk=studio.pk).delete(force_drop=True)


def test_one_studio_goes_back_to_the_dump_and_no_other_moves(
    two_studios, committed, live_studios, tmp_path
):
    one, two = two_studios
    dump = tmp_path / "all.dump"
    with committed():
        with schema_context(one.schema_name):
            School.objects.create(name="One before")
        with schema_context(two.schema_name):
            School.objects.create(name="Two before")
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), database_url()], check=True)
        assert {one.schema_name, two.schema_name} <= dump_schemas(dump)
        with schema_context(one.schema_name):
            School.objects.filter(name="One before").update(name="One changed")
            School.objects.create(name="One after")
        with schema_context(two.schema_name):
            School.objects.create(name="Two after")
        others = {f.schema: _schools(f.schema) for f in live_studios.values()}

        out = io.StringIO()
        call_command("restore_studio_schema", str(dump), "bk-one", stdout=out)

        assert f"Restored {one.schema_name}" in out.getvalue()
        assert _schools(one.schema_name) == ["One before"]
        assert _schools(two.schema_name) == ["Two after", "Two before"]
        assert {f.schema: _schools(f.schema) for f in live_studios.values()} == others
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", ["%before_restore"]
            )
            assert cursor.fetchall() == []
        with schema_context(one.schema_name):
            # The schema's own guards came back with it: the books are still append-only,
            # and new rows get fresh ids.
            assert School.objects.create(name="New").pk > 1
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND NOT t.tgisinternal",
                    [one.schema_name],
                )
                assert cursor.fetchone()[0] >= 5
            assert LedgerPeriod.objects.count() == 0


def test_a_dump_without_the_schema_changes_nothing(two_studios, committed, tmp_path):
    one, two = two_studios
    dump = tmp_path / "two-only.dump"
    with committed():
        with schema_context(one.schema_name):
            School.objects.create(name="Stays")
        subprocess.run(
            ["pg_dump", "-Fc", "-n", two.schema_name, "-f", str(dump), database_url()],
            check=True,
        )
        with pytest.raises(CommandError, match="the dump has no schema"):
            call_command("restore_studio_schema", str(dump), "bk-one")
        with pytest.raises(CommandError, match="no studio"):
            call_command("restore_studio_schema", str(dump), "public")
        assert _schools(one.schema_name) == ["Stays"]


def test_a_restore_that_fails_midway_keeps_the_old_data(two_studios, committed, tmp_path):
    """The dump's schema needs something that no longer exists (a view on a table that was
    dropped since): psql stops halfway through the script and nothing is committed."""
    one, two = two_studios
    dump = tmp_path / "all.dump"
    with committed():
        with schema_context(one.schema_name):
            School.objects.create(name="Old data")
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {two.schema_name}.probe (id int)")
            cursor.execute(
                f"CREATE VIEW {one.schema_name}.probe_view AS "
                f"SELECT id FROM {two.schema_name}.probe"
            )
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), database_url()], check=True)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP VIEW {one.schema_name}.probe_view")
            cursor.execute(f"DROP TABLE {two.schema_name}.probe")
        with schema_context(one.schema_name):
            School.objects.create(name="Kept")

        with pytest.raises(CommandError, match="nothing changed.*probe"):
            call_command("restore_studio_schema", str(dump), "bk-one")

        assert _schools(one.schema_name) == ["Kept", "Old data"]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", ["%before_restore"]
            )
            assert cursor.fetchall() == []
