"""A new studio from an export ZIP: a new schema, subdomain and host, the exported rows with
their ids, and the files under the new studio's storage prefix.

Everything happens in one database transaction (the schema too: PostgreSQL DDL is
transactional), so a failed restore leaves no studio; files written before the failure are
deleted. Rows are read from the ZIP and inserted in batches, files copied in chunks, so
memory stays flat. Every statement names the new schema; no other schema is touched. The
row counts are checked against the manifest before the transaction commits, and each file
against its CRC as it is read (``zipfile``)."""

import io
import json
import zipfile
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.color import no_style
from django.db import connection, transaction
from django_tenants.utils import schema_context
from psycopg2.extras import execute_values

from saas_platform.accounts.models import Role, User
from tenants.models import Studio
from tenants.services import studio_create

from .build import FORMAT_VERSION, SETTINGS_FIELDS, SETTINGS_FILE_FIELDS
from .tables import MEDIA, PRIVATE, USER_MODEL, Table, export_tables, storage_for

BATCH = 1000
# Settings studio_create sets itself, or that belong to the new studio, not the old one.
_SET_BY_CREATE = {"name", "slug", "currency", "language", "timezone", "country", "owner_email"}
_NOT_RESTORED = {"created_at"}


@dataclass(frozen=True)
class RestoreResult:
    studio: Studio
    rows: dict[str, int]
    files: int


def _ident(name: str) -> str:
    return connection.ops.quote_name(name)


def _check_manifest(manifest: dict, tables: dict[str, Table]) -> None:
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ValidationError(
            f"export format {manifest.get('format_version')!r} is not {FORMAT_VERSION}"
        )
    for name, info in manifest["tables"].items():
        if name not in tables:
            raise ValidationError(f"table {name} is not known to this version")
        unknown = set(info["columns"]) - set(tables[name].columns)
        if unknown:
            raise ValidationError(f"{name}: unknown columns {sorted(unknown)}")


def _insert_rows(zf: zipfile.ZipFile, table: Table, *, schema: str) -> int:
    """Inserts the table's JSON lines as they are read, BATCH rows per statement. Columns
    the export lacks (added since) get their default; users get an unusable password."""
    fields = list(table.model._meta.concrete_fields)
    columns = ", ".join(_ident(field.column) for field in fields)
    statement = f"INSERT INTO {_ident(schema)}.{_ident(table.name)} ({columns}) VALUES %s"
    is_user = table.label == USER_MODEL

    def prepared(row: dict) -> tuple:
        values = []
        for field in fields:
            if field.column in row:
                raw = row[field.column]
                value = None if raw is None else field.to_python(raw)
            elif is_user and field.name == "password":
                value = make_password(None)
            else:
                value = field.get_default()
            values.append(field.get_db_prep_save(value, connection))
        return tuple(values)

    count = 0
    batch = []
    with (
        zf.open(f"tables/{table.name}.jsonl") as raw,
        io.TextIOWrapper(raw, encoding="utf-8") as lines,
        connection.cursor() as cursor,
    ):
        for line in lines:
            batch.append(prepared(json.loads(line)))
            if len(batch) >= BATCH:
                execute_values(cursor.cursor, statement, batch, page_size=BATCH)
                count += len(batch)
                batch = []
        if batch:
            execute_values(cursor.cursor, statement, batch, page_size=BATCH)
            count += len(batch)
    return count


def _copy_files(zf: zipfile.ZipFile, written: list[tuple[str, str]]) -> int:
    """Every ``files/<kind>/<name>`` into that storage under the same name (the current
    schema's prefix)."""
    count = 0
    for info in zf.infolist():
        if info.is_dir() or not info.filename.startswith("files/"):
            continue
        _files, kind, name = info.filename.split("/", 2)
        if kind not in (PRIVATE, MEDIA) or ".." in name.split("/"):
            raise ValidationError(f"unexpected file {info.filename}")
        storage = storage_for(kind)
        with zf.open(info) as source:
            saved = storage.save(name, File(source, name=name))
        written.append((kind, saved))
        if saved != name:
            raise ValidationError(f"{name} already exists in the new studio")
        count += 1
    return count


def studio_restore(*, archive, slug: str, name: str = "", owner_email: str = "") -> RestoreResult:
    """Creates a studio at ``slug`` from the export ``archive`` (a path or a binary file)."""
    tables = {table.name: table for table in export_tables()}
    written: list[tuple[str, str]] = []
    studio = None
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        _check_manifest(manifest, tables)
        settings_data = json.loads(zf.read("settings.json"))
        owner_email = owner_email or settings_data.get("owner_email", "")
        if not owner_email:
            raise ValidationError("the export names no owner e-mail: give one")
        try:
            with transaction.atomic():
                result = studio_create(
                    name=name or settings_data["name"],
                    slug=slug,
                    owner_email=owner_email,
                    owner_name="",
                    owner_password=None,
                    country=settings_data.get("country", ""),
                    currency=settings_data["currency"],
                    language=settings_data["language"],
                    timezone=settings_data["timezone"],
                )
                studio = result.studio
                restored = {
                    key: settings_data[key]
                    for key in (*SETTINGS_FIELDS, *SETTINGS_FILE_FIELDS)
                    if key in settings_data and key not in _SET_BY_CREATE | _NOT_RESTORED
                }
                Studio.objects.filter(pk=studio.pk).update(**restored)
                studio.refresh_from_db()
                schema = studio.schema_name
                with schema_context(schema):
                    rows = _load(zf, manifest, tables, schema=schema)
                    _ensure_owner(owner_email)
                    files = _copy_files(zf, written)
        except BaseException:
            if written:
                with schema_context(studio.schema_name):
                    for kind, stored in written:
                        storage_for(kind).delete(stored)
            raise
    connection.set_schema_to_public()
    return RestoreResult(studio=studio, rows=rows, files=files)


def _ensure_owner(email: str) -> None:
    """An owner given on the command line who is not among the exported people is added
    (without a password, like everyone restored)."""
    if not User.objects.filter(email__iexact=email).exists():
        User.objects.create_user(email=email, password=None, role=Role.OWNER)


def _load(zf, manifest: dict, tables: dict[str, Table], *, schema: str) -> dict[str, int]:
    """Empties the new schema's exported tables (the sign-up's owner goes; the exported
    owner comes back), inserts the rows, moves the id sequences past them, and checks the
    counts against the manifest. Foreign keys are deferred to the commit, so the order of
    the tables does not matter."""
    targets = [tables[name] for name in manifest["tables"]]
    with connection.cursor() as cursor:
        # The sign-up's rows have foreign-key checks pending, which TRUNCATE refuses to skip.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "TRUNCATE "
            + ", ".join(f"{_ident(schema)}.{_ident(t.name)}" for t in tables.values())
            + " RESTART IDENTITY CASCADE"
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    rows = {table.name: _insert_rows(zf, table, schema=schema) for table in targets}
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(
            no_style(), [table.model for table in targets]
        ):
            cursor.execute(statement)
        # Every foreign key and the ledger's balance checked now, not only at commit (and so
        # inside a test's transaction too).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in targets:
            cursor.execute(f"SELECT count(*) FROM {_ident(schema)}.{_ident(table.name)}")
            (count,) = cursor.fetchone()
            expected = manifest["tables"][table.name]["rows"]
            if count != expected:
                raise ValidationError(f"{table.name}: {count} rows restored, {expected} exported")
    return rows
