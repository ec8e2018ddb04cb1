"""Lab batches: the print lines of chosen paid orders, sent to the print lab as one ZIP of
full-resolution files named for the lab and a ``manifest.csv``.

Each print's file is its photo's approved retouched version, or the original when it was not
retouched. A line goes into one batch only (downloading the batch again from its page is the
explicit re-export); a line whose file is missing fails alone, with the reason in the batch
and its manifest, and can go into a later batch once the file is back.
"""

import csv
import io
import re
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from .fulfilment import lines_fulfilment_move
from .models import FulfilmentStatus, LabBatch, LabBatchLine, Order, OrderLine, fulfillable_q

F = FulfilmentStatus
EXPORTABLE = (F.ACCEPTED, F.PROCESSING, F.PRINTING)
MANIFEST_COLUMNS = [
    "order",
    "child",
    "class",
    "school",
    "product",
    "size",
    "options",
    "copies",
    "file",
    "delivery_method",
    "delivery_address",
    "error",
]


@dataclass
class ExportResult:
    batch: LabBatch | None
    exported: int = 0
    failed: list[tuple[OrderLine, str]] = field(default_factory=list)
    skipped_orders: list[str] = field(default_factory=list)


def exportable_lines(order_ids):
    """Print lines of these orders that are paid for, not yet past printing and not in a
    batch already."""
    in_batch = LabBatchLine.objects.filter(line=OuterRef("pk"), error="")
    return (
        OrderLine.objects.filter(
            fulfillable_q("order__"),
            order_id__in=order_ids,
            kind="print",
            fulfilment_status__in=EXPORTABLE,
        )
        .exclude(Exists(in_batch))
        .select_related(
            "order", "product", "photo__approved_version", "child__school_class__school"
        )
        .order_by("order__number", "pk")
    )


def print_file(line: OrderLine):
    """(the stored file to print, its size in bytes) or a ValidationError saying why not."""
    photo = line.photo
    if photo is None:
        raise ValidationError(_("no photo chosen for this print"), code="no_photo")
    if photo.approved_version_id:
        file = photo.approved_version.file
        size = None
    else:
        file, size = photo.original, photo.size_bytes
    if not file or not file.name:
        raise ValidationError(_("photo %(id)s has no file") % {"id": photo.pk}, code="missing")
    try:
        if not file.storage.exists(file.name):
            raise FileNotFoundError(file.name)
        if size is None:
            size = file.storage.size(file.name)
    except OSError:
        raise ValidationError(
            _("file %(name)s of photo %(id)s is missing") % {"name": file.name, "id": photo.pk},
            code="missing",
        ) from None
    return file, size


def line_size(line: OrderLine) -> str:
    """The print size of the line: its snapshot, or the catalogue product's."""
    if line.print_size:
        return line.print_size
    return line.product.print_size if line.product else ""


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-") or "print"


def lab_file_name(line: OrderLine, file) -> str:
    """``<order>_<size>_<copies>x_<photo>.jpg`` (the source's own extension)."""
    suffix = ("." + file.name.rsplit(".", 1)[1].lower()) if "." in file.name else ".jpg"
    suffix = ".jpg" if suffix == ".jpeg" else suffix
    size = _slug(line_size(line) or "nosize")
    return f"{line.order.number}_{size}_{line.quantity}x_{line.photo_id}{suffix}"


def _next_number(batch: LabBatch) -> str:
    return f"LAB-{timezone.localdate().year}-{batch.pk:05d}"


def lab_batch_create(*, order_ids, actor) -> ExportResult:
    """A batch of the exportable print lines of ``order_ids``; those with a file are marked
    printing (the parents are told), those without are recorded as failed."""
    with transaction.atomic():
        orders = list(
            Order.objects.select_for_update().filter(pk__in=list(order_ids)).order_by("pk")
        )
        skipped = [o.number for o in orders if not o.is_fulfillable]
        lines = list(exportable_lines([o.pk for o in orders]))
        if not lines:
            return ExportResult(batch=None, skipped_orders=skipped)
        batch = LabBatch.objects.create(number=uuid.uuid4().hex[:20], created_by=actor)
        batch.number = _next_number(batch)
        batch.save(update_fields=["number"])
        entries, failed, names = [], [], set()
        for line in lines:
            try:
                file, _size = print_file(line)
            except ValidationError as error:
                reason = " ".join(error.messages)
                failed.append((line, reason))
                entries.append(LabBatchLine(batch=batch, line=line, error=reason[:300]))
                continue
            name = lab_file_name(line, file)
            if name in names:
                stem, suffix = name.rsplit(".", 1)
                name = f"{stem}_{line.pk}.{suffix}"
            names.add(name)
            entries.append(LabBatchLine(batch=batch, line=line, file_name=name))
        LabBatchLine.objects.bulk_create(entries)
        to_move = [
            entry.line.pk
            for entry in entries
            if not entry.error and entry.line.fulfilment_status != F.PRINTING
        ]
        lines_fulfilment_move(line_ids=to_move, to=F.PRINTING, actor=actor)
    exported = sum(1 for entry in entries if not entry.error)
    return ExportResult(batch=batch, exported=exported, failed=failed, skipped_orders=skipped)


class _InMemoryFile:
    """What ``photos.archive.zip_response`` reads, for a file made on the fly."""

    storage = None

    def __init__(self, data: bytes):
        self.data = data

    def open(self, mode="rb"):
        return io.BytesIO(self.data)


def _address(delivery: dict) -> str:
    if delivery.get("method") != "home":
        return ""
    parts = [delivery.get(key, "") for key in ("name", "address", "postcode", "city", "country")]
    return ", ".join(part for part in parts if part)


def lab_batch_archive(batch: LabBatch) -> list[tuple[str, object, int]]:
    """The ZIP's entries: each exported line's file (checked again now: a file gone since the
    export is reported in the manifest, the rest still go) and ``manifest.csv``."""
    entries = []
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MANIFEST_COLUMNS)
    rows = batch.entries.select_related(
        "line__order",
        "line__product",
        "line__photo__approved_version",
        "line__child__school_class__school",
    )
    for entry in rows:
        line = entry.line
        error = entry.error
        if not error:
            try:
                file, size = print_file(line)
            except ValidationError as missing:
                error = " ".join(missing.messages)
            else:
                entries.append((entry.file_name, file, size))
        child = line.child
        school_class = child.school_class if child else None
        delivery = line.order.delivery or {}
        writer.writerow(
            [
                line.order.number,
                child.full_name if child else "",
                school_class.name if school_class else "",
                school_class.school.name if school_class else "",
                line.description,
                line_size(line),
                "; ".join(str(option) for option in line.options or []),
                line.quantity,
                "" if error else entry.file_name,
                delivery.get("method", ""),
                _address(delivery),
                error,
            ]
        )
    manifest = out.getvalue().encode("utf-8-sig")
    entries.append(("manifest.csv", _InMemoryFile(manifest), len(manifest)))
    return entries
