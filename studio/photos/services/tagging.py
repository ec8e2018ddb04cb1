"""Tagging: which class and which students a photo shows, from its file name as it
arrives, by hand from the grid, or from a CSV of file names and student ids."""

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Length
from django.db.models.lookups import IStartsWith
from django.utils.translation import gettext as _

from saas_platform.versions import shoot_gallery, versions_bump
from studio.photos.models import Photo
from studio.schools.models import Student
from studio.schools.roster import decode_roster, detect_delimiter

# What ends the student id at the start of a file name.
AFTER_ID = re.compile(r"[_\-\s]")


def file_name_student(*, name: str, school_id: int) -> Student | None:
    """The student of the school whose external id starts ``name`` and is followed by ``_``,
    ``-`` or a space: ``A17_0001.jpg`` → ``A17``, ``11A-01_portrait.jpg`` → ``11A-01`` (ids
    may hold any character, so they are matched against the roster, the longest first)."""
    candidates = (
        Student.objects.filter(
            IStartsWith(Value(name), F("external_id")), school_class__school=school_id
        )
        .exclude(external_id="")
        .select_related("school_class")
        .order_by(Length("external_id").desc(), "pk")
    )
    for student in candidates:
        if AFTER_ID.match(name[len(student.external_id) :]):
            return student
    return None


def photo_tag_by_file_name(*, photo: Photo) -> Student | None:
    """Tags the photo with the student its file name starts with (``file_name_student``) and,
    when it has none yet, that student's class."""
    student = file_name_student(name=photo.original_name, school_id=photo.shoot.school_id)
    if student:
        photo.students.add(student)
        if photo.school_class_id is None:
            photo.school_class = student.school_class
            photo.save(update_fields=["school_class"])
        versions_bump(shoot_gallery(photo.shoot_id))
    return student


@transaction.atomic
def photos_assign(
    *, photos, school_class=None, students=(), is_group=None, replace_students=False
) -> int:
    """Hand tagging from the grid: a class, students and/or the group flag for many photos."""
    photos = list(photos)
    for photo in photos:
        fields = []
        if school_class is not None:
            photo.school_class = school_class
            fields.append("school_class")
        if is_group is not None:
            photo.is_group = is_group
            fields.append("is_group")
        if fields:
            photo.save(update_fields=fields)
        if replace_students:
            photo.students.set(students)
        elif students:
            photo.students.add(*students)
    # a tag taken away takes the photo out of a child's or a class's gallery
    if photos:
        versions_bump(*sorted({shoot_gallery(p.shoot_id) for p in photos}), "withdrawn")
    return len(photos)


@dataclass
class CsvTagResult:
    tagged: int
    problems: list


def photos_tag_from_csv(*, shoot, data: bytes) -> CsvTagResult:
    """Rows of ``file name, external id[, external id…]`` (comma or semicolon; a header row
    is skipped). Unknown files or ids are reported, the rest are tagged."""
    decoded = decode_roster(data)
    if decoded is None:
        return CsvTagResult(0, [_("The file is neither UTF-8 nor Windows-1251 text.")])
    text = decoded[0]
    delimiter = detect_delimiter(text.split("\n", 1)[0])
    photos = {p.original_name.casefold(): p for p in Photo.objects.filter(shoot=shoot)}
    students = {
        s.external_id.casefold(): s
        for s in Student.objects.filter(school_class__school=shoot.school_id).exclude(
            external_id=""
        )
    }
    tagged, problems = 0, []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        cells = [cell.strip() for cell in row if cell.strip()]
        if not cells:
            continue
        photo = photos.get(Path(cells[0]).name.casefold())
        if photo is None:
            if number > 1:
                problems.append(
                    _("row %(n)d: no photo named “%(name)s”") % {"n": number, "name": cells[0]}
                )
            continue
        ids = [part for cell in cells[1:] for part in re.split(r"[\s|]+", cell) if part]
        found = [students[i.casefold()] for i in ids if i.casefold() in students]
        for missing in (i for i in ids if i.casefold() not in students):
            problems.append(
                _("row %(n)d: no student with id “%(id)s”") % {"n": number, "id": missing}
            )
        if found:
            classes = {student.school_class_id for student in found}
            photos_assign(
                photos=[photo],
                students=found,
                school_class=found[0].school_class
                if len(classes) == 1 and not photo.school_class_id
                else None,
            )
            tagged += 1
    return CsvTagResult(tagged, problems)
