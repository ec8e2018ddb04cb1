"""Building a studio's full export: one ZIP, written entry by entry into a temporary file
and handed to the private storage in chunks, so memory stays flat whatever the studio's size
(rows are read with server-side cursors, files are copied 1 MiB at a time). The owner who
asked is e-mailed a signed link that expires (``links``)."""

import csv
import datetime
import hashlib
import io
import itertools
import json
import logging
import secrets
import tempfile
import time

from django.conf import settings
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from tenants.mail import studio_mail_send
from tenants.models import Studio
from tenants.selectors import studio_url

from .links import LINK_MAX_AGE, export_link_token
from .models import ExportStatus, StudioExport
from .tables import MEDIA, PRIVATE, Table, export_tables, field_type, storage_for, storage_kind
from .zipstream import StreamingZip

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
CHUNK = 1024 * 1024
ROWS_PER_FETCH = 500
PROGRESS_EVERY_S = 0.5
# The studio's settings as exported (``settings.json``) and restored: what the owner set,
# not the platform's bookkeeping (plan, Stripe ids, licence, schema).
SETTINGS_FIELDS = (
    "name",
    "slug",
    "currency",
    "language",
    "timezone",
    "brand_color",
    "logo",
    "country",
    "contact_email",
    "contact_phone",
    "support_text",
    "legal_name",
    "legal_address",
    "watermark_text",
    "watermark_image",
    "watermark_opacity",
    "accept_bank_transfer",
    "accept_cash",
    "bank_details",
    "cash_instructions",
    "owner_email",
    "created_at",
)
SETTINGS_FILE_FIELDS = ("logo", "watermark_image")  # in the default storage


# --- the ZIP ---------------------------------------------------------------------------------


class _Progress:
    """Writes ``done`` at most every PROGRESS_EVERY_S seconds (the page polls it)."""

    def __init__(self, export: StudioExport):
        self.export = export
        self.done = 0
        self._last = 0.0

    def step(self, count: int = 1, *, force: bool = False) -> None:
        self.done += count
        now = time.monotonic()
        if force or now - self._last >= PROGRESS_EVERY_S:
            StudioExport.objects.filter(pk=self.export.pk).update(done=self.done)
            self._last = now


def _rows(table: Table):
    """The table's rows as value tuples in primary-key order, fetched in chunks."""
    attnames = [field.attname for field in table.fields]
    return (
        table.model._base_manager.order_by("pk")
        .values_list(*attnames)
        .iterator(chunk_size=ROWS_PER_FETCH)
    )


class _Encoder(DjangoJSONEncoder):
    """Django's, but times keep their microseconds (it cuts them to milliseconds, and a
    restore must give back what was exported)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, cls=_Encoder, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _write_table(zf: StreamingZip, table: Table) -> int:
    """``tables/<table>.jsonl`` (exact: what a restore reads) and ``tables/<table>.csv`` (for
    spreadsheets), each a pass over the rows. Returns the row count."""
    keys = table.columns
    count = 0
    with zf.open(f"tables/{table.name}.jsonl") as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        for values in _rows(table):
            out.write(json.dumps(dict(zip(keys, values, strict=True)), cls=_Encoder))
            out.write("\n")
            count += 1
        out.flush()
        out.detach()
    with zf.open(f"tables/{table.name}.csv") as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(out)
        writer.writerow(keys)
        for values in _rows(table):
            writer.writerow([_csv_value(value) for value in values])
        out.flush()
        out.detach()
    return count


def _files_query(tables: list[Table]) -> tuple[str, list[str]]:
    """(storage kind, name) of every file the exported rows name, each once (``UNION``:
    the database removes duplicates, so this process keeps no set of names)."""
    quote = connection.ops.quote_name
    parts, params = [], []
    for table in tables:
        for field in table.file_fields:
            column = quote(field.column)
            parts.append(
                f"SELECT %s AS kind, {column} AS name FROM {quote(table.name)} "
                f"WHERE {column} IS NOT NULL AND {column} <> ''"
            )
            params.append(storage_kind(field))
    return " UNION ".join(parts), params


def _file_names(tables: list[Table]):
    sql, params = _files_query(tables)
    if not sql:
        return
    with connection.chunked_cursor() as cursor:  # a server-side cursor: rows come in chunks
        cursor.execute(f"{sql} ORDER BY 1, 2", params)
        while rows := cursor.fetchmany(ROWS_PER_FETCH):
            yield from rows


def _files_total(tables: list[Table]) -> int:
    sql, params = _files_query(tables)
    if not sql:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS files", params)
        return cursor.fetchone()[0]


def _copy_file(zf: StreamingZip, *, kind: str, name: str) -> tuple[int, str]:
    """Streams one stored file into the ZIP; returns its size and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    with (
        storage_for(kind).open(name, "rb") as source,
        zf.open(f"files/{kind}/{name}", compress=False) as target,
    ):
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return size, digest.hexdigest()


def _studio_settings(studio: Studio) -> dict:
    return {name: getattr(studio, name) for name in SETTINGS_FIELDS} | {
        name: getattr(studio, name).name or "" for name in SETTINGS_FILE_FIELDS
    }


def _about(table: Table) -> str:
    """The model's docstring's first line; not Django's generated ``Model(field, …)``."""
    doc = (table.model.__doc__ or "").strip()
    if not doc or doc.startswith(f"{table.model.__name__}("):
        return ""
    return doc.splitlines()[0]


def _readme(studio: Studio, tables: list[Table]) -> str:
    return render_to_string(
        "exports/zip_readme.txt",  # README.md in the ZIP (Markdown)
        {
            "studio": studio,
            "format_version": FORMAT_VERSION,
            "tables": [
                {
                    "name": table.name,
                    "model": table.model._meta.label,
                    "about": _about(table),
                    "columns": [(f.column, field_type(f)) for f in table.fields],
                }
                for table in tables
            ],
            "settings_fields": SETTINGS_FIELDS,
        },
    )


def export_write_zip(*, studio: Studio, target, progress: _Progress | None = None) -> dict:
    """Writes the current studio's export into the binary file ``target``; returns the
    manifest (also inside the ZIP as ``manifest.json``)."""
    tables = export_tables()
    settings_data = _studio_settings(studio)
    if progress is not None:
        progress.export.total = (
            len(tables) + _files_total(tables) + len(list(_settings_files(settings_data))) + 2
        )
        StudioExport.objects.filter(pk=progress.export.pk).update(total=progress.export.total)
    manifest = {
        "format_version": FORMAT_VERSION,
        "studio": {"name": studio.name, "slug": studio.slug, "schema": studio.schema_name},
        "created_at": timezone.now().isoformat(),
        "tables": {},
        "files": {"count": 0, "bytes": 0},
    }
    with (
        tempfile.TemporaryFile(mode="w+", encoding="utf-8") as hashes,
        StreamingZip(target) as zf,
    ):
        zf.writestr("README.md", _readme(studio, tables))
        zf.writestr(
            "settings.json",
            json.dumps(settings_data, cls=_Encoder, indent=2, ensure_ascii=False),
        )
        if progress is not None:
            progress.step()
        for table in tables:
            rows = _write_table(zf, table)
            manifest["tables"][table.name] = {
                "model": table.model._meta.label_lower,
                "rows": rows,
                "columns": table.columns,
            }
            if progress is not None:
                progress.step()
        # The settings' files (branding/, watermark/) and the rows' files never share a name.
        for kind, name in itertools.chain(_settings_files(settings_data), _file_names(tables)):
            size, digest = _copy_file(zf, kind=kind, name=name)
            hashes.write(f"{digest}  files/{kind}/{name}\n")
            manifest["files"]["count"] += 1
            manifest["files"]["bytes"] += size
            if progress is not None:
                progress.step()
        hashes.seek(0)
        with zf.open("files.sha256") as out:
            while chunk := hashes.read(CHUNK):
                out.write(chunk.encode())
        zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        if progress is not None:
            progress.step(force=True)
    return manifest


def _settings_files(settings_data: dict):
    for name in SETTINGS_FILE_FIELDS:
        if settings_data[name]:
            yield MEDIA, settings_data[name]


def export_build(*, export_id: int) -> StudioExport:
    """The task's body: builds the ZIP, stores it, forgets older exports' files and e-mails
    the owner who asked. A redelivered task builds afresh; a ready export is left alone."""
    export = StudioExport.objects.select_related("created_by").get(pk=export_id)
    if export.status == ExportStatus.READY:
        return export
    studio = Studio.objects.get(schema_name=connection.schema_name)
    StudioExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), done=0, error=""
    )
    storage = storage_for(PRIVATE)
    try:
        with tempfile.TemporaryFile(dir=settings.EXPORT_TEMP_DIR) as tmp:
            export_write_zip(studio=studio, target=tmp, progress=_Progress(export))
            size = tmp.tell()
            tmp.seek(0)
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            name = storage.save(
                f"exports/{studio.slug}-{stamp}-{secrets.token_hex(8)}.zip", File(tmp)
            )
    except Exception as error:
        log.exception("export %s failed", export.pk)
        StudioExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        raise
    for old in StudioExport.objects.filter(status=ExportStatus.READY).exclude(pk=export.pk):
        if old.file_name:
            storage.delete(old.file_name)
        StudioExport.objects.filter(pk=old.pk).update(
            file_name="", status=ExportStatus.FAILED, error="replaced by a newer export"
        )
    StudioExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.READY,
        file_name=name,
        size_bytes=size,
        finished_at=timezone.now(),
        done=export.total or 0,
    )
    export.refresh_from_db()
    _export_email(studio=studio, export=export)
    return export


def _export_email(*, studio: Studio, export: StudioExport) -> None:
    owner = export.created_by
    link = studio_url(
        studio=studio, path=reverse("exports:download", args=[export_link_token(export)])
    )
    with translation.override(owner.language or studio.language):
        context = {
            "studio": studio,
            "link": link,
            "days": LINK_MAX_AGE.days,
            "size_mb": round(export.size_bytes / 1024 / 1024, 1),
        }
        subject = " ".join(render_to_string("exports/email/ready_subject.txt", context).split())
        body = render_to_string("exports/email/ready.txt", context)
    studio_mail_send(studio=studio, subject=subject, body=body, to=[owner.email])
