"""Reads for the export page, and a studio's fingerprint: what must be equal between a studio
and its restored copy (row counts per table, who and what each photo and order belong to,
the files' hashes), in terms that do not depend on ids."""

import hashlib

from django.db import connection

from studio.orders.models import Order
from studio.photos.models import Photo, PhotoVersion

from .models import StudioExport
from .tables import export_tables, storage_for, storage_kind


def export_latest() -> StudioExport | None:
    return StudioExport.objects.first()


def _sha256(field_file) -> str:
    digest = hashlib.sha256()
    with storage_for(storage_kind(field_file.field)).open(field_file.name, "rb") as source:
        while chunk := source.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _name(student) -> str:
    return f"{student.first_name} {student.last_name}"


def studio_fingerprint(*, files: bool = True) -> dict:
    """The current studio's content, ids left out. ``files`` hashes every original and
    retouched version (reads them all)."""
    counts = {}
    with connection.cursor() as cursor:
        for table in export_tables():
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table.name)}")
            counts[table.name] = cursor.fetchone()[0]
    photos = sorted(
        (
            photo.original_name,
            photo.content_hash,
            photo.uploaded_at.isoformat(),
            photo.shoot.name,
            photo.shoot.school.name,
            photo.school_class.name if photo.school_class_id else "",
            tuple(sorted(_name(s) for s in photo.students.all())),
            photo.approved_version.content_hash if photo.approved_version_id else "",
            _sha256(photo.original) if files else "",
        )
        for photo in Photo.objects.select_related(
            "shoot__school", "school_class", "approved_version"
        )
        .prefetch_related("students")
        .iterator(chunk_size=2000)
    )
    versions = sorted(
        (version.photo.original_name, version.number, _sha256(version.file) if files else "")
        for version in PhotoVersion.objects.select_related("photo").iterator(chunk_size=2000)
    )
    orders = sorted(
        (
            order.number,
            order.email,
            order.created_at.isoformat(),
            order.status,
            str(order.total),
            str(order.paid_total),
            tuple(
                sorted(
                    (
                        line.description,
                        line.quantity,
                        str(line.net),
                        _name(line.child) if line.child_id else "",
                        line.photo.original_name if line.photo_id else "",
                    )
                    for line in order.lines.all()
                )
            ),
            tuple(
                sorted(
                    (
                        p.provider,
                        str(p.amount),
                        p.status,
                        p.confirmed_at and p.confirmed_at.isoformat(),
                    )
                    for p in order.payments.all()
                )
            ),
            tuple(sorted((str(r.amount), r.reason) for r in order.refunds.all())),
        )
        for order in Order.objects.prefetch_related(
            "lines__child", "lines__photo", "payments", "refunds"
        )
    )
    return {"counts": counts, "photos": photos, "versions": versions, "orders": orders}
