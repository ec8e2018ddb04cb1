"""Stored statements are never rewritten: a trigger refuses UPDATE and DELETE on them.
Installed by migration 0002, and again in each studio's schema cloned from the template
(PostgreSQL's schema clone copies tables, not triggers)."""

from django.db import connection

TABLE = "commissions_statement"

INSTALL = [
    """
CREATE OR REPLACE FUNCTION commissions_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a closed period''s statement is immutable: % on % refused',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
""",
    f"DROP TRIGGER IF EXISTS {TABLE}_immutable ON {TABLE}; "
    f"CREATE TRIGGER {TABLE}_immutable BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION commissions_refuse_change()",
]

REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_immutable ON {TABLE}",
    "DROP FUNCTION IF EXISTS commissions_refuse_change()",
]


def install() -> None:
    """In the current schema when it holds the table; safe to run again."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [TABLE])
        if not cursor.fetchone()[0]:
            return
        for statement in INSTALL:
            cursor.execute(statement)
