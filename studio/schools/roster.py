"""Class rosters from CSV: plain functions, testable without HTTP.

``roster_parse`` decodes an upload (UTF-8 with or without BOM, else Windows-1251), finds the
delimiter (comma or semicolon), maps the columns by their header names (English and Russian
aliases, case-insensitive) and validates every row. Parents' phones are parsed with
``phonenumbers`` and stored in E.164 (``+79001234567``); a number without ``+`` and a country
code is read as a number of the studio's country (``region``), and with no region it is an
error. ``roster_plan`` matches the valid rows against a school's students and says what an
import would do with each; it writes nothing.
``studio.schools.services.roster_import`` applies a plan in one transaction.

Row numbers are the spreadsheet's: the header is row 1 (blank rows count, as they do in a
spreadsheet), so "row 7" is what the person sees in Excel or LibreOffice.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import School, SchoolClass, Student

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
ENCODINGS = ("utf-8-sig", "cp1251")
DELIMITERS = ",;"

SCHOOL_YEAR = re.compile(r"^\s*(\d{4})\s*[-/–—]\s*(\d{4})\s*$")
EMAIL_SEPARATORS = re.compile(r"[,;\s]+")
PHONE_SEPARATORS = re.compile(r"[,;\r\n]+")
PHONE = re.compile(r"^\+?[\d\s().\-]+$")
MIN_PHONE_DIGITS = 5
SEP_HINT = re.compile(r"^sep=(.)$")  # Excel's "sep=;" first line

# Lengths of the model fields a roster fills.
MAX_CLASS_NAME = SchoolClass._meta.get_field("name").max_length
MAX_FIRST_NAME = Student._meta.get_field("first_name").max_length
MAX_LAST_NAME = Student._meta.get_field("last_name").max_length
MAX_EXTERNAL_ID = Student._meta.get_field("external_id").max_length
MAX_PHONE = Student._meta.get_field("parent_phones").base_field.max_length
MAX_EMAIL = Student._meta.get_field("parent_emails").base_field.max_length


class Column(StrEnum):
    CLASS = "class"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    FULL_NAME = "full_name"
    EXTERNAL_ID = "external_id"
    EMAIL = "email"
    PHONE = "phone"
    SCHOOL_YEAR = "school_year"


# Normalised header (see ``normalise_header``) → column.
HEADER_ALIASES: dict[str, Column] = {
    "class": Column.CLASS,
    "класс": Column.CLASS,
    "first name": Column.FIRST_NAME,
    "имя": Column.FIRST_NAME,
    "last name": Column.LAST_NAME,
    "surname": Column.LAST_NAME,
    "фамилия": Column.LAST_NAME,
    "name": Column.FULL_NAME,
    "full name": Column.FULL_NAME,
    "фио": Column.FULL_NAME,
    "ученик": Column.FULL_NAME,
    "id": Column.EXTERNAL_ID,
    "external id": Column.EXTERNAL_ID,
    "student id": Column.EXTERNAL_ID,
    "barcode": Column.EXTERNAL_ID,
    "номер": Column.EXTERNAL_ID,
    "штрихкод": Column.EXTERNAL_ID,
    "email": Column.EMAIL,
    "e-mail": Column.EMAIL,
    "parent email": Column.EMAIL,
    "parent e-mail": Column.EMAIL,
    "почта": Column.EMAIL,
    "email родителя": Column.EMAIL,
    "e-mail родителя": Column.EMAIL,
    "почта родителя": Column.EMAIL,
    "phone": Column.PHONE,
    "parent phone": Column.PHONE,
    "телефон": Column.PHONE,
    "телефон родителя": Column.PHONE,
    "year": Column.SCHOOL_YEAR,
    "school year": Column.SCHOOL_YEAR,
    "учебный год": Column.SCHOOL_YEAR,
    # Ukrainian rosters
    "клас": Column.CLASS,
    "ім'я": Column.FIRST_NAME,
    "прізвище": Column.LAST_NAME,
    "піб": Column.FULL_NAME,
    "учень": Column.FULL_NAME,
    "пошта": Column.EMAIL,
    "email батьків": Column.EMAIL,
    "e-mail батьків": Column.EMAIL,
    "пошта батьків": Column.EMAIL,
    "телефон батьків": Column.PHONE,
    "навчальний рік": Column.SCHOOL_YEAR,
}
# Full-name headers whose values read "First Last"; the Russian and Ukrainian ones read
# "Фамилия Имя [Отчество]" / "Прізвище Ім'я [По батькові]".
FIRST_LAST_HEADERS = frozenset({"name", "full name"})


def column_label(column: Column) -> str:
    return {
        Column.CLASS: _("Class"),
        Column.FIRST_NAME: _("First name"),
        Column.LAST_NAME: _("Last name"),
        Column.FULL_NAME: _("Full name (instead of first and last name)"),
        Column.EXTERNAL_ID: _("External id"),
        Column.EMAIL: _("Parent e-mails"),
        Column.PHONE: _("Parent phones"),
        Column.SCHOOL_YEAR: _("School year"),
    }[column]


def column_help() -> list[tuple[str, list[str]]]:
    """(label, the headers it is recognised by) per column, for the upload page."""
    return [
        (column_label(column), [alias for alias, of in HEADER_ALIASES.items() if of == column])
        for column in Column
    ]


def normalise_header(header: str) -> str:
    """``" First_Name "`` → ``"first name"``; ``"Ё"`` counts as ``"е"``; ``"Ім’я"`` (any of
    the apostrophes Ukrainian keyboards type) → ``"ім'я"``."""
    text = header.replace("_", " ").replace("ё", "е").replace("Ё", "Е")
    text = text.replace("’", "'").replace("ʼ", "'").replace("`", "'")
    return " ".join(text.split()).casefold()


def clean_cell(value: str) -> str:
    return " ".join(value.split())


# --- values shared with the forms ----------------------------------------------------------


def current_school_year(today: datetime.date | None = None) -> str:
    """The school year runs September to August: on 2026-09-01 it is "2026-2027", on
    2026-08-31 still "2025-2026"."""
    today = today or timezone.localdate()
    start = today.year if today.month >= 9 else today.year - 1
    return f"{start}-{start + 1}"


def parse_school_year(value: str) -> str | None:
    """``"2026-2027"`` (also with ``/``, en or em dash, spaces) → ``"2026-2027"``; None unless
    the years are consecutive."""
    match = SCHOOL_YEAR.match(value or "")
    if match is None:
        return None
    start, end = int(match.group(1)), int(match.group(2))
    if end != start + 1:
        return None
    return f"{start}-{end}"


def split_emails(text: str) -> list[str]:
    """E-mails separated by commas, semicolons, spaces or new lines; lower-cased, each once."""
    emails = [email.lower() for email in EMAIL_SEPARATORS.split(text or "") if email]
    return list(dict.fromkeys(emails))


def split_phones(text: str) -> list[str]:
    """Phones separated by commas, semicolons or new lines (spaces belong to a number)."""
    phones = [clean_cell(phone) for phone in PHONE_SEPARATORS.split(text or "")]
    return list(dict.fromkeys(phone for phone in phones if phone))


def invalid_emails(emails: list[str]) -> list[str]:
    bad = []
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            bad.append(email)
        else:
            if len(email) > MAX_EMAIL:
                bad.append(email)
    return bad


def normalise_phone(value: str, region: str = "") -> tuple[str, str]:
    """(the number in E.164, "") or ("", why it is not a phone number). ``region`` (ISO
    3166 alpha-2, the studio's country) reads numbers written without a country code."""
    if len(value) > MAX_PHONE or not PHONE.match(value):
        return "", _("not a phone number")
    try:
        number = phonenumbers.parse(value, (region or "").upper() or None)
    except phonenumbers.NumberParseException as error:
        kind = phonenumbers.NumberParseException
        if error.error_type == kind.INVALID_COUNTRY_CODE:
            if region or value.startswith("+"):
                return "", _("unknown country code")
            return "", _("no country code: write it as +, the country code and the number")
        if error.error_type == kind.TOO_LONG:
            return "", _("too many digits")
        if error.error_type in (kind.TOO_SHORT_NSN, kind.TOO_SHORT_AFTER_IDD):
            return "", _("too few digits")
        return "", _("not a phone number")
    if not phonenumbers.is_valid_number(number):
        reason = phonenumbers.is_possible_number_with_reason(number)
        if reason == phonenumbers.ValidationResult.TOO_SHORT:
            return "", _("too few digits")
        if reason == phonenumbers.ValidationResult.TOO_LONG:
            return "", _("too many digits")
        return "", _("not a valid number for the country code +%(code)s") % {
            "code": number.country_code
        }
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


def phones_e164(phones: Iterable[str], region: str = "") -> tuple[list[str], list[str]]:
    """(each number that is one, in E.164, once; each that is not, with why): what the
    student form and the API store, read as the roster import reads them."""
    good, bad = [], []
    for phone in phones:
        number, why = normalise_phone(phone, region)
        if number:
            good.append(number)
        else:
            bad.append(f"{phone} ({why})")
    return list(dict.fromkeys(good)), bad


def invalid_phones(phones: list[str]) -> list[str]:
    return [
        phone
        for phone in phones
        if len(phone) > MAX_PHONE
        or not PHONE.match(phone)
        or sum(char.isdigit() for char in phone) < MIN_PHONE_DIGITS
    ]


# --- parsing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    number: int
    class_name: str = ""
    school_year: str = ""
    first_name: str = ""
    last_name: str = ""
    external_id: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def class_key(self) -> tuple[str, str]:
        """Classes are the same when their names match case-insensitively in the same year."""
        return (self.class_name.casefold(), self.school_year)


@dataclass
class RosterPreview:
    text: str = ""
    encoding: str = ""
    delimiter: str = ""
    columns: dict[Column, str] = field(default_factory=dict)  # column → header in the file
    ignored_columns: list[str] = field(default_factory=list)
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # about the whole file

    @property
    def valid_rows(self) -> list[RosterRow]:
        return [row for row in self.rows if row.is_valid]

    @property
    def invalid_rows(self) -> list[RosterRow]:
        return [row for row in self.rows if not row.is_valid]

    @property
    def row_errors(self) -> list[str]:
        """``["row 7: invalid e-mail 'x@'", ...]``."""
        return [row_message(row.number, error) for row in self.rows for error in row.errors]


def row_message(number: int, error: str) -> str:
    return _("row %(number)s: %(error)s") % {"number": number, "error": error}


def decode_roster(data: bytes) -> tuple[str, str] | None:
    """(text, encoding): UTF-8 (a BOM is dropped) first, Windows-1251 otherwise."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


def detect_delimiter(header_line: str) -> str:
    """The more frequent of comma and semicolon in the header line; comma on a tie."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    return max(DELIMITERS, key=lambda delimiter: (counts[delimiter], delimiter == ","))


def roster_parse(
    data: bytes, *, today: datetime.date | None = None, region: str = ""
) -> RosterPreview:
    """Decode, map and validate an uploaded roster. Writes nothing. ``region``: the
    studio's country, for phone numbers written without a country code."""
    if len(data) > MAX_BYTES:
        return RosterPreview(errors=[_too_big()])
    decoded = decode_roster(data)
    if decoded is None:
        return RosterPreview(
            errors=[_("The file is neither UTF-8 nor Windows-1251 text. Save it as CSV (UTF-8).")]
        )
    text, encoding = decoded
    preview = roster_parse_text(text, today=today, region=region)
    preview.encoding = encoding
    return preview


def roster_parse_text(
    text: str, *, today: datetime.date | None = None, region: str = ""
) -> RosterPreview:
    """Parse already decoded text (the confirmation step re-parses what the preview stored)."""
    preview = RosterPreview(text=text)
    if len(text.encode("utf-8")) > 2 * MAX_BYTES:  # Cyrillic doubles in UTF-8
        preview.errors.append(_too_big())
        return preview
    if "\x00" in text:
        preview.errors.append(_("The file is not a CSV text file. Save it as CSV (UTF-8)."))
        return preview

    first_line = next((line for line in text.splitlines() if line.strip()), None)
    if first_line is None:
        preview.errors.append(_("The file is empty."))
        return preview
    hint = SEP_HINT.match(first_line.strip())
    if hint and hint.group(1) in DELIMITERS:
        preview.delimiter = hint.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
    else:
        preview.delimiter = detect_delimiter(first_line)

    records = csv.reader(io.StringIO(text, newline=""), delimiter=preview.delimiter)
    try:
        numbered = [(number, record) for number, record in enumerate(records, start=1)]
    except csv.Error as error:
        preview.errors.append(_("The file is not valid CSV: %(error)s") % {"error": error})
        return preview
    numbered = [(number, record) for number, record in numbered if any(c.strip() for c in record)]
    if not numbered:
        preview.errors.append(_("The file is empty."))
        return preview
    (_header_number, header), data_records = numbered[0], numbered[1:]
    if len(data_records) > MAX_ROWS:
        preview.errors.append(
            _("The file has %(count)s rows; at most %(max)s can be imported at once. Split it.")
            % {"count": len(data_records), "max": MAX_ROWS}
        )
        return preview

    positions, full_name_first_last = _map_header(header, preview)
    if preview.errors:
        return preview

    default_year = current_school_year(today)
    seen_ids: dict[str, int] = {}
    seen_names: dict[tuple, bool] = {}  # (class key, first, last) → an earlier row had no id
    for number, record in data_records:
        row = _parse_row(number, record, positions, full_name_first_last, default_year, region)
        row = _flag_duplicates(row, seen_ids, seen_names)
        preview.rows.append(row)
    return preview


def _too_big() -> str:
    return _("The file is larger than %(size)s MB; split it.") % {"size": MAX_BYTES // 1024**2}


def _map_header(header: list[str], preview: RosterPreview) -> tuple[dict[Column, int], bool]:
    positions: dict[Column, int] = {}
    full_name_first_last = False
    for position, raw in enumerate(header):
        name = normalise_header(raw)
        column = HEADER_ALIASES.get(name)
        if column is None:
            if name:
                preview.ignored_columns.append(clean_cell(raw))
            continue
        if column in positions:
            preview.errors.append(
                _("Columns “%(first)s” and “%(second)s” mean the same; keep one of them.")
                % {"first": preview.columns[column], "second": clean_cell(raw)}
            )
            continue
        positions[column] = position
        preview.columns[column] = clean_cell(raw)
        if column == Column.FULL_NAME:
            full_name_first_last = name in FIRST_LAST_HEADERS

    if Column.CLASS not in positions:
        preview.errors.append(_("The file has no class column (“class”, “класс” or “клас”)."))
    has_split_name = Column.FIRST_NAME in positions and Column.LAST_NAME in positions
    if not has_split_name and Column.FULL_NAME not in positions:
        preview.errors.append(
            _(
                "The file has no name columns: give “first name” and “last name”, "
                "or one “full name” column."
            )
        )
    return positions, full_name_first_last


def _cell(record: list[str], positions: dict[Column, int], column: Column) -> str:
    position = positions.get(column)
    if position is None or position >= len(record):
        return ""
    return clean_cell(record[position])


def split_full_name(value: str, *, first_last: bool) -> tuple[str, str]:
    """(first, last). "First Last" (several first words stay the first name), or Russian
    "Фамилия Имя [Отчество]" (the patronymic is dropped: students have no field for it)."""
    words = value.split()
    if len(words) < 2:
        return ("", "")
    if first_last:
        return (" ".join(words[:-1]), words[-1])
    return (words[1], words[0])


def _parse_row(number, record, positions, full_name_first_last, default_year, region) -> RosterRow:
    errors: list[str] = []
    cell = lambda column: _cell(record, positions, column)  # noqa: E731

    class_name = cell(Column.CLASS)
    if not class_name:
        errors.append(_("class is missing"))
    elif len(class_name) > MAX_CLASS_NAME:
        errors.append(_too_long(_("class"), MAX_CLASS_NAME))

    first_name, last_name = cell(Column.FIRST_NAME), cell(Column.LAST_NAME)
    full_name = cell(Column.FULL_NAME)
    if not (first_name or last_name) and full_name:
        first_name, last_name = split_full_name(full_name, first_last=full_name_first_last)
        if not first_name:
            errors.append(
                _("full name '%(value)s' needs both a first and a last name") % {"value": full_name}
            )
    elif not (first_name or last_name):
        errors.append(_("name is missing"))
    else:
        if not first_name:
            errors.append(_("first name is missing"))
        if not last_name:
            errors.append(_("last name is missing"))
    if len(first_name) > MAX_FIRST_NAME:
        errors.append(_too_long(_("first name"), MAX_FIRST_NAME))
    if len(last_name) > MAX_LAST_NAME:
        errors.append(_too_long(_("last name"), MAX_LAST_NAME))

    external_id = cell(Column.EXTERNAL_ID)
    if len(external_id) > MAX_EXTERNAL_ID:
        errors.append(_too_long(_("external id"), MAX_EXTERNAL_ID))

    emails = split_emails(cell(Column.EMAIL))
    errors.extend(
        _("invalid e-mail '%(value)s'") % {"value": email} for email in invalid_emails(emails)
    )
    position = positions.get(Column.PHONE)
    raw_phones = record[position] if position is not None and position < len(record) else ""
    phones = []
    for phone in split_phones(raw_phones):
        normalised, reason = normalise_phone(phone, region)
        if reason:
            errors.append(
                _("invalid phone '%(value)s': %(reason)s") % {"value": phone, "reason": reason}
            )
        elif normalised not in phones:
            phones.append(normalised)

    school_year = default_year
    raw_year = cell(Column.SCHOOL_YEAR)
    if raw_year:
        school_year = parse_school_year(raw_year) or ""
        if not school_year:
            errors.append(
                _("invalid school year '%(value)s' (expected YYYY-YYYY, e.g. 2026-2027)")
                % {"value": raw_year}
            )

    return RosterRow(
        number=number,
        class_name=class_name,
        school_year=school_year,
        first_name=first_name,
        last_name=last_name,
        external_id=external_id,
        emails=tuple(emails),
        phones=tuple(phones),
        errors=tuple(errors),
    )


def _too_long(label: str, limit: int) -> str:
    return ngettext(
        "%(field)s is longer than %(limit)s character",
        "%(field)s is longer than %(limit)s characters",
        limit,
    ) % {"field": label, "limit": limit}


def _flag_duplicates(row: RosterRow, seen_ids: dict, seen_names: dict) -> RosterRow:
    """Later rows repeating an external id, or naming the same student in the same class
    when one of them has no external id to tell them apart, are errors."""
    errors = list(row.errors)
    if row.external_id:
        if row.external_id in seen_ids:
            errors.append(
                _("duplicate external id '%(value)s' in this file") % {"value": row.external_id}
            )
        else:
            seen_ids[row.external_id] = row.number
    if row.class_name and row.first_name and row.last_name:
        key = (row.class_key, row.first_name, row.last_name)
        if key in seen_names and (seen_names[key] or not row.external_id):
            errors.append(
                _("duplicate student '%(name)s' in class %(class)s in this file")
                % {"name": row.full_name, "class": row.class_name}
            )
        else:
            seen_names[key] = seen_names.get(key, False) or not row.external_id
    if len(errors) == len(row.errors):
        return row
    return replace(row, errors=tuple(errors))


# --- planning ------------------------------------------------------------------------------


class RowAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


class Change(StrEnum):
    NAME = "name"
    CLASS = "class"
    EXTERNAL_ID = "external_id"
    EMAILS = "emails"
    PHONES = "phones"


def change_label(change: Change) -> str:
    return {
        Change.NAME: _("name"),
        Change.CLASS: _("class"),
        Change.EXTERNAL_ID: _("external id"),
        Change.EMAILS: _("parent e-mails"),
        Change.PHONES: _("parent phones"),
    }[change]


@dataclass(frozen=True)
class RowPlan:
    row: RosterRow
    action: RowAction
    student: Student | None = None  # the student updated or left unchanged
    school_class: SchoolClass | None = None  # None: the class will be created
    changes: tuple[Change, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def change_labels(self) -> list[str]:
        return [change_label(change) for change in self.changes]

    @property
    def messages(self) -> list[str]:
        return [row_message(self.row.number, error) for error in self.errors]


def roster_plan(*, school: School, preview: RosterPreview) -> list[RowPlan]:
    """What importing ``preview`` into ``school`` would do, row by row. Writes nothing.

    Students are matched within the school: by external id first; a row without one (or
    whose id is new) matches a student of the same name in the same class (for a row with an
    id, only a student who has none yet). Empty e-mail and phone cells leave what is stored.
    """
    classes = {(c.name.casefold(), c.school_year): c for c in school.classes.all()}
    by_id: dict[str, list[Student]] = {}
    by_name: dict[tuple, list[Student]] = {}
    for student in Student.objects.filter(school_class__school=school).order_by("pk"):
        if student.external_id:
            by_id.setdefault(student.external_id, []).append(student)
        key = (student.school_class_id, student.first_name, student.last_name)
        by_name.setdefault(key, []).append(student)

    claimed: set[int] = set()
    plans = []
    for row in preview.rows:
        if not row.is_valid:
            plans.append(RowPlan(row=row, action=RowAction.ERROR, errors=row.errors))
            continue
        school_class = classes.get(row.class_key)
        student, error = _match(row, school_class, by_id, by_name, claimed)
        if error:
            plans.append(RowPlan(row=row, action=RowAction.ERROR, errors=(error,)))
            continue
        if student is None:
            plans.append(RowPlan(row=row, action=RowAction.CREATE, school_class=school_class))
            continue
        claimed.add(student.pk)
        changes = row_changes(student, row, school_class)
        action = RowAction.UPDATE if changes else RowAction.UNCHANGED
        plans.append(
            RowPlan(
                row=row,
                action=action,
                student=student,
                school_class=school_class,
                changes=changes,
            )
        )
    return plans


def _match(row, school_class, by_id, by_name, claimed) -> tuple[Student | None, str]:
    if row.external_id:
        found = [s for s in by_id.get(row.external_id, []) if s.pk not in claimed]
        if len(found) > 1:
            return None, _(
                "several students of this school have external id '%(value)s'; fix them first"
            ) % {"value": row.external_id}
        if found:
            return found[0], ""
    if school_class is None:
        return None, ""
    found = [
        s
        for s in by_name.get((school_class.pk, row.first_name, row.last_name), [])
        if s.pk not in claimed and not (row.external_id and s.external_id)
    ]
    if len(found) > 1:
        return None, _(
            "several students named '%(name)s' in class %(class)s; give them external ids"
        ) % {"name": row.full_name, "class": school_class.name}
    return (found[0] if found else None), ""


def row_changes(
    student: Student, row: RosterRow, school_class: SchoolClass | None
) -> tuple[Change, ...]:
    changes = []
    if (student.first_name, student.last_name) != (row.first_name, row.last_name):
        changes.append(Change.NAME)
    if school_class is None or student.school_class_id != school_class.pk:
        changes.append(Change.CLASS)
    if row.external_id and student.external_id != row.external_id:
        changes.append(Change.EXTERNAL_ID)
    if row.emails and list(student.parent_emails) != list(row.emails):
        changes.append(Change.EMAILS)
    if row.phones and list(student.parent_phones) != list(row.phones):
        changes.append(Change.PHONES)
    return tuple(changes)


@dataclass(frozen=True)
class PlanSummary:
    create: int
    update: int
    unchanged: int
    errors: int
    new_classes: list[str]

    @property
    def valid(self) -> int:
        return self.create + self.update + self.unchanged


def plan_summary(plans: list[RowPlan]) -> PlanSummary:
    count = lambda action: sum(plan.action == action for plan in plans)  # noqa: E731
    new_classes = {}
    for plan in plans:
        if plan.action != RowAction.ERROR and plan.school_class is None:
            new_classes.setdefault(plan.row.class_key, _class_label(plan.row))
    return PlanSummary(
        create=count(RowAction.CREATE),
        update=count(RowAction.UPDATE),
        unchanged=count(RowAction.UNCHANGED),
        errors=count(RowAction.ERROR),
        new_classes=list(new_classes.values()),
    )


def _class_label(row: RosterRow) -> str:
    return f"{row.class_name} ({row.school_year})"
