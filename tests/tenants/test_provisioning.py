"""The copy of the base schema a new studio gets is the base schema, entry by entry."""

from django.db import connection
from django_tenants.utils import schema_context

from tenants.provisioning import copy_schema


def _catalog(schema: str) -> dict:
    """Columns, constraints, indexes and row counts of a schema, with its name taken out."""

    def rows(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, [schema])
            return sorted(
                tuple(str(v).replace(schema, "<schema>") for v in row) for row in cursor.fetchall()
            )

    tables = [
        t[0]
        for t in rows("SELECT table_name FROM information_schema.tables WHERE table_schema = %s")
    ]
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            counts[table] = cursor.fetchone()[0]
    return {
        # positions differ where the base has dropped columns; the order is what counts
        "columns": rows(
            "SELECT table_name, column_name, data_type, is_nullable, "
            "coalesce(column_default, ''), is_identity, identity_generation "
            "FROM information_schema.columns WHERE table_schema = %s"
        ),
        "column_order": rows(
            "SELECT table_name, string_agg(column_name, ',' ORDER BY ordinal_position) "
            "FROM information_schema.columns WHERE table_schema = %s GROUP BY table_name"
        ),
        "constraints": rows(
            "SELECT rel.relname, con.conname, con.contype, pg_get_constraintdef(con.oid), "
            "con.condeferrable, con.condeferred FROM pg_constraint con "
            "JOIN pg_class rel ON rel.oid = con.conrelid JOIN pg_namespace n ON n.oid = rel.relnamespace "
            "WHERE n.nspname = %s"
        ),
        "indexes": rows("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = %s"),
        "rows": counts,
    }


def test_the_copy_has_the_base_schemas_columns_constraints_indexes_and_rows(db):
    copy_schema(base="studio_template", new="copy_check")

    base, copy = _catalog("studio_template"), _catalog("copy_check")

    assert copy["columns"] == base["columns"]
    assert copy["column_order"] == base["column_order"]
    assert copy["constraints"] == base["constraints"]
    assert copy["indexes"] == base["indexes"]  # names included: migrations refer to them
    assert copy["rows"] == base["rows"]
    assert base["rows"]["django_migrations"] > 20
    assert len(base["constraints"]) > 40


def test_new_rows_in_the_copy_get_ids_after_the_copied_ones(db):
    copy_schema(base="studio_template", new="copy_ids")
    with connection.cursor() as cursor:
        cursor.execute('SELECT max(id) FROM "copy_ids".django_content_type')
        highest = cursor.fetchone()[0]

    with schema_context("copy_ids"):
        from django.contrib.contenttypes.models import ContentType

        created = ContentType.objects.create(app_label="probe", model="probe")

    assert created.pk == highest + 1


def test_foreign_keys_of_the_copy_point_inside_the_copy(db):
    copy_schema(base="studio_template", new="copy_fk")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT fn.nspname FROM pg_constraint con "
            "JOIN pg_class rel ON rel.oid = con.conrelid JOIN pg_namespace n ON n.oid = rel.relnamespace "
            "JOIN pg_class f ON f.oid = con.confrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace "
            "WHERE n.nspname = 'copy_fk' AND con.contype = 'f'"
        )
        assert cursor.fetchall() == [("copy_fk",)]
