"""The database's side of "append-only": triggers that refuse UPDATE and DELETE on the books
and check at commit that every transaction balances in one currency. Installed by migration
0002; a studio's schema copied from the template gets them with the copy
(``tenants.provisioning.copy_schema`` copies a schema's own functions and triggers)."""

TABLES = (
    "ledger_ledgertransaction",
    "ledger_ledgerentry",
    "ledger_ledgerperiod",
    "ledger_periodbalance",
)

_REFUSE = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""

_BALANCED = """
CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger AS $$
DECLARE
    total numeric;
    kinds integer;
BEGIN
    -- at commit the session may be in another schema: read the table the row went into
    EXECUTE format(
        'SELECT COALESCE(SUM(amount_minor), 0), COUNT(DISTINCT currency) '
        'FROM %I.ledger_ledgerentry WHERE transaction_id = $1', TG_TABLE_SCHEMA)
    INTO total, kinds USING NEW.transaction_id;
    IF total <> 0 OR kinds > 1 THEN
        RAISE EXCEPTION 'ledger transaction % does not balance (% over % currencies)',
            NEW.transaction_id, total, kinds USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""

INSTALL = [
    _REFUSE,
    _BALANCED,
    *(
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; "
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
        for table in TABLES
    ),
    "DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_ledgerentry; "
    "CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_ledgerentry "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()",
]

REMOVE = [
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES),
    "DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_ledgerentry",
    "DROP FUNCTION IF EXISTS ledger_check_balanced()",
    "DROP FUNCTION IF EXISTS ledger_refuse_change()",
]
