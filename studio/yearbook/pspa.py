"""The yearbook/ID export of a picture day (or of a whole school: each child's pose from the
newest of its picture days that has one) in the PSPA layout (Professional School
Photographers Association's Digital Data & Image Format Guidelines), which yearbook and
ID-card software imports:

    INDEX.TXT               one line per child, tab-separated, no header, CRLF, UTF-8
    index.csv               the same rows with a header, for people and spreadsheets
    README.TXT              what the disc holds, and the children left out (no portrait)
    <school folder>/<id>.jpg  each child's pose at full resolution, named by their id

INDEX.TXT's columns, in the standard's order: Volume Name, Image Folder, Image File Name,
Grade, Last Name, First Name, Home Room, Period, Teacher Name, Track, Department, Teacher
Flag, Title, Student ID. Home Room is the class, Grade the class's leading number (the class
name when it has none), Teacher Flag "N" (children only); Period, Track, Department and Title
stay empty. Images are the approved retouched version if any, else the original, with the
EXIF orientation applied and re-encoded as JPEG (quality 95, colour profile kept, no other
metadata). The ZIP is written to a temporary file, then to the private storage."""

import csv
import io
import logging
import re
import secrets
import tempfile
import zipfile

import pillow_heif
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.utils import timezone
from PIL import Image, ImageOps

from studio.shoots.models import Shoot

from .models import JobStatus, YearbookExport
from .selectors import class_pose_photos

log = logging.getLogger(__name__)
pillow_heif.register_heif_opener()

INDEX_COLUMNS = [
    "Volume Name",
    "Image Folder",
    "Image File Name",
    "Grade",
    "Last Name",
    "First Name",
    "Home Room",
    "Period",
    "Teacher Name",
    "Track",
    "Department",
    "Teacher Flag",
    "Title",
    "Student ID",
]
JPEG_QUALITY = 95


def folder_name(text: str) -> str:
    """A folder or file name that every system and yearbook importer takes: letters, digits,
    ``-`` and ``_`` (Cyrillic letters are kept; spaces become ``_``)."""
    cleaned = re.sub(r"[^\w-]+", "_", text.strip(), flags=re.UNICODE).strip("_")
    return cleaned[:60] or "school"


def grade_of(class_name: str) -> str:
    """``"4A"`` → ``"4"``, ``"11-Б"`` → ``"11"``; a class without a number is its name."""
    found = re.match(r"\s*(\d{1,2})", class_name)
    return found.group(1) if found else class_name


def _class_order(school_class) -> tuple:
    """Classes by grade (4 before 11), then by name."""
    grade = grade_of(school_class.name)
    return (int(grade) if grade.isdigit() else 999, school_class.name)


def student_file_stem(student) -> str:
    """The child's roster id (barcode) as the image's name; ``PD<id>`` without one."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", student.external_id or "").strip("_")
    return stem or f"PD{student.pk}"


def photo_source(photo):
    """The file to deliver: the approved retouched version, else the original."""
    return photo.approved_version.file if photo.approved_version_id else photo.original


def upright_jpeg(field_file) -> bytes:
    """The stored image, EXIF orientation applied, as a full-resolution JPEG."""
    with field_file.open("rb") as handle, Image.open(handle) as image:
        icc = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image).convert("RGB")
        out = io.BytesIO()
        upright.save(out, "JPEG", quality=JPEG_QUALITY, icc_profile=icc, optimize=True)
    return out.getvalue()


def _class_poses(*, shoots, school_class):
    """The class's children with their pose from the first of ``shoots`` (newest first)
    that has one."""
    merged: dict[int, list] = {}
    for shoot in shoots:
        for student, photo in class_pose_photos(shoot=shoot, school_class=school_class):
            entry = merged.setdefault(student.pk, [student, None])
            if entry[1] is None:
                entry[1] = photo
    return list(merged.values())


def pspa_rows(*, school, shoots):
    """(index row, photo or None) for every child of the school, class by class, with their
    pose from the first of ``shoots`` that has one; a child without a portrait has no file
    name. A child whose photos may not be published ("do not publish", consent withdrawn)
    gets no photo: the yearbook is a publication too."""
    folder = folder_name(school.name)
    used: set[str] = set()
    classes = sorted(school.classes.prefetch_related("students"), key=_class_order)
    for school_class in classes:
        for student, photo in _class_poses(shoots=shoots, school_class=school_class):
            if student.is_hidden:
                photo = None
            file_name = ""
            if photo is not None:
                stem = student_file_stem(student)
                file_name = f"{stem}.jpg"
                if file_name.lower() in used:
                    file_name = f"{stem}_{student.pk}.jpg"
                used.add(file_name.lower())
            row = {
                "Volume Name": school.name,
                "Image Folder": folder,
                "Image File Name": file_name,
                "Grade": grade_of(school_class.name),
                "Last Name": student.last_name,
                "First Name": student.first_name,
                "Home Room": school_class.name,
                "Period": "",
                "Teacher Name": school_class.teacher,
                "Track": "",
                "Department": "",
                "Teacher Flag": "N",
                "Title": "",
                "Student ID": student.external_id,
            }
            yield row, photo


def _tsv_field(value: str) -> str:
    return re.sub(r"[\t\r\n]+", " ", value or "")


def export_shoots(export: YearbookExport) -> list:
    """The picture days whose poses an export takes, newest first."""
    if export.shoot_id:
        return [export.shoot]
    return list(Shoot.objects.filter(school=export.school_id).order_by("-date", "-pk"))


def write_pspa_zip(*, school, shoots, target) -> tuple[int, list[str]]:
    """Writes the ZIP into the binary file ``target``; returns (children exported, names of
    children left out for want of a portrait)."""
    index = io.StringIO(newline="")
    table = io.StringIO(newline="")
    writer = csv.DictWriter(table, fieldnames=INDEX_COLUMNS)
    writer.writeheader()
    missing, count = [], 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as zf:
        for row, photo in pspa_rows(school=school, shoots=shoots):
            if photo is None:
                missing.append(f"{row['First Name']} {row['Last Name']} ({row['Home Room']})")
                continue
            zf.writestr(
                f"{row['Image Folder']}/{row['Image File Name']}",
                upright_jpeg(photo_source(photo)),
            )
            index.write("\t".join(_tsv_field(row[c]) for c in INDEX_COLUMNS) + "\r\n")
            writer.writerow(row)
            count += 1
        zf.writestr("INDEX.TXT", index.getvalue().encode("utf-8"), zipfile.ZIP_DEFLATED)
        zf.writestr("index.csv", ("\ufeff" + table.getvalue()).encode("utf-8"))
        readme = [
            school.name,
            *(f"{shoot.name} ({shoot.date})" for shoot in shoots),
            "PSPA format: INDEX.TXT (tab-separated, no header) and one folder of portraits.",
            "Columns: " + ", ".join(INDEX_COLUMNS),
            f"Children: {count}",
        ]
        if missing:
            readme += ["", "No portrait yet (not in INDEX.TXT):", *missing]
        zf.writestr("README.TXT", "\r\n".join(readme) + "\r\n")
    return count, missing


def yearbook_export_build(*, export_id: int) -> YearbookExport:
    """The task's body. Idempotent: a ready export is left alone, a redelivered one built
    afresh. The file lives in the private storage under the studio's prefix."""
    export = YearbookExport.objects.select_related("school", "shoot").get(pk=export_id)
    if export.status == JobStatus.READY:
        return export
    YearbookExport.objects.filter(pk=export.pk).update(status=JobStatus.RUNNING, error="")
    storage = storages["originals"]
    try:
        with tempfile.TemporaryFile(dir=settings.EXPORT_TEMP_DIR) as tmp:
            count, missing = write_pspa_zip(
                school=export.school, shoots=export_shoots(export), target=tmp
            )
            size = tmp.tell()
            tmp.seek(0)
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            name = storage.save(
                f"yearbook/pspa-{export.school_id}-{export.shoot_id or 'all'}-{stamp}-"
                f"{secrets.token_hex(8)}.zip",
                File(tmp),
            )
    except Exception as error:
        log.exception("yearbook export %s failed", export.pk)
        YearbookExport.objects.filter(pk=export.pk).update(
            status=JobStatus.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        raise
    older = YearbookExport.objects.filter(
        school=export.school_id, shoot=export.shoot_id, status=JobStatus.READY
    )
    for old in older.exclude(pk=export.pk):
        if old.file_name:
            storage.delete(old.file_name)
        YearbookExport.objects.filter(pk=old.pk).update(
            status=JobStatus.EXPIRED, file_name="", error="replaced by a newer export"
        )
    YearbookExport.objects.filter(pk=export.pk).update(
        status=JobStatus.READY,
        file_name=name,
        size_bytes=size,
        students=count,
        missing=missing,
        finished_at=timezone.now(),
    )
    export.refresh_from_db()
    return export
