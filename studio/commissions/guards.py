"""Stored statements are never rewritten: a trigger refuses UPDATE and DELETE on them.
Installed by migration 0002; a studio's schema copied from the template gets it with the
copy (``tenants.provisioning.copy_schema``)."""

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
