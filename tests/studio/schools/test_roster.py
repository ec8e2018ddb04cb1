"""Roster CSV: decoding, delimiters, header mapping, row validation, planning and importing,
without HTTP."""

import codecs
import datetime

import pytest
from django.utils import translation

from studio.schools.models import School, SchoolClass, Student
from studio.schools.roster import (
    MAX_BYTES,
    MAX_ROWS,
    Change,
    Column,
    RowAction,
    current_school_year,
    normalise_phone,
    parse_school_year,
    plan_summary,
    roster_parse,
    roster_parse_text,
    roster_plan,
)
from studio.schools.services import ImportResult, roster_import

TODAY = datetime.date(2026, 10, 1)  # the school year 2026-2027


def parse(text: str, encoding: str = "utf-8"):
    return roster_parse(text.encode(encoding), today=TODAY)


def rows(preview) -> list[tuple]:
    return [
        (
            row.number,
            row.class_name,
            row.school_year,
            row.first_name,
            row.last_name,
            row.external_id,
            row.emails,
            row.phones,
            row.errors,
        )
        for row in preview.rows
    ]


def counts() -> tuple[int, int, int]:
    return (School.objects.count(), SchoolClass.objects.count(), Student.objects.count())


def plan_rows(plans) -> list[tuple]:
    return [(plan.row.number, plan.action, plan.changes, plan.errors) for plan in plans]


# --- decoding and delimiters ---------------------------------------------------------------


def test_a_utf8_comma_file_is_parsed():
    text = (
        "Class,First name,Last name,ID,Email,Phone\n"
        "11A,Anna,Smith,A1,Mum@Example.com,+44 20 7946 0018\n"
        "11B,Ben,Jones,,,\n"
    )

    preview = parse(text)

    assert (preview.encoding, preview.delimiter, preview.errors) == ("utf-8-sig", ",", [])
    assert rows(preview) == [
        (2, "11A", "2026-2027", "Anna", "Smith", "A1", ("mum@example.com",), ("+442079460018",), ()),
        (3, "11B", "2026-2027", "Ben", "Jones", "", (), (), ()),
    ]  # fmt: skip


def test_a_utf8_file_with_bom_and_semicolons_is_parsed():
    data = codecs.BOM_UTF8 + "Класс;Имя;Фамилия;Штрихкод\n5Б;Ольга;Смирнова;0042\n".encode()

    preview = roster_parse(data, today=TODAY)

    assert (preview.encoding, preview.delimiter, preview.errors) == ("utf-8-sig", ";", [])
    assert preview.columns == {
        Column.CLASS: "Класс",
        Column.FIRST_NAME: "Имя",
        Column.LAST_NAME: "Фамилия",
        Column.EXTERNAL_ID: "Штрихкод",
    }
    assert rows(preview) == [(2, "5Б", "2026-2027", "Ольга", "Смирнова", "0042", (), (), ())]


def test_a_windows_1251_semicolon_file_with_russian_headers_and_names_is_parsed():
    text = (
        "Класс;Фамилия;Имя;Номер;Email родителя;Телефон;Учебный год\r\n"
        '11А;Петров;Иван;П-17;"papa@example.ru; mama@example.ru";+7 912 345-67-89, 8 (343) 123-45-67;2025-2026\r\n'
        "11Б;Ёлкина;Алёна;;;;\r\n"
    )
    data = text.encode("cp1251")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    preview = roster_parse(data, today=TODAY, region="RU")  # "8 (343) …": a Russian number

    assert (preview.encoding, preview.delimiter, preview.errors) == ("cp1251", ";", [])
    assert rows(preview) == [
        (2, "11А", "2025-2026", "Иван", "Петров", "П-17", ("papa@example.ru", "mama@example.ru"), ("+79123456789", "+73431234567"), ()),
        (3, "11Б", "2026-2027", "Алёна", "Ёлкина", "", (), (), ()),
    ]  # fmt: skip


def test_a_windows_1251_file_with_ukrainian_headers_and_names_is_parsed():
    """Windows-1251 holds і ї є ґ too; ПІБ reads "Прізвище Ім'я По батькові" like ФИО."""
    text = "Клас;ПІБ;Пошта батьків\r\n5-Б;Ґудзь Олена Євгенівна;mama@example.ua\r\n"

    preview = roster_parse(text.encode("cp1251"), today=TODAY)

    assert (preview.encoding, preview.delimiter, preview.errors) == ("cp1251", ";", [])
    assert rows(preview) == [
        (2, "5-Б", "2026-2027", "Олена", "Ґудзь", "", ("mama@example.ua",), (), ())
    ]


def test_the_delimiter_is_the_more_frequent_one_in_the_header_line():
    semicolons = parse('Class;Name;Email\n1A;"Smith, Anna";a@example.com, b@example.com\n')
    commas = parse('Class,Name,Email\n1A,Anna Smith,"a@example.com; b@example.com"\n')

    assert semicolons.delimiter == ";"
    assert commas.delimiter == ","
    assert [row.emails for row in (*semicolons.rows, *commas.rows)] == [
        ("a@example.com", "b@example.com"),
        ("a@example.com", "b@example.com"),
    ]
    # "Smith, Anna" under an English "name" header reads as "First Last": "Smith," "Anna"
    assert (semicolons.rows[0].first_name, semicolons.rows[0].last_name) == ("Smith,", "Anna")


def test_an_excel_sep_line_sets_the_delimiter_and_is_not_a_row():
    preview = parse("sep=;\nClass;First name;Last name\n2A;Tom;Hardy\n")

    assert (preview.delimiter, preview.errors) == (";", [])
    assert rows(preview) == [(2, "2A", "2026-2027", "Tom", "Hardy", "", (), (), ())]


# --- headers -------------------------------------------------------------------------------

HEADERS = [
    # header line, the columns it maps to (in file order)
    ("class,first name,last name", [Column.CLASS, Column.FIRST_NAME, Column.LAST_NAME]),
    ("CLASS,FIRST_NAME,LAST_NAME", [Column.CLASS, Column.FIRST_NAME, Column.LAST_NAME]),
    ("  Class , First  Name ,Surname", [Column.CLASS, Column.FIRST_NAME, Column.LAST_NAME]),
    ("КЛАСС;имя;ФАМИЛИЯ", [Column.CLASS, Column.FIRST_NAME, Column.LAST_NAME]),
    ("Class,Full Name,Student ID,Parent Email,Parent Phone,School Year",
     [Column.CLASS, Column.FULL_NAME, Column.EXTERNAL_ID, Column.EMAIL, Column.PHONE, Column.SCHOOL_YEAR]),
    ("class,name,barcode,e-mail,phone,year",
     [Column.CLASS, Column.FULL_NAME, Column.EXTERNAL_ID, Column.EMAIL, Column.PHONE, Column.SCHOOL_YEAR]),
    ("Класс;ФИО;Номер;Почта;Телефон;Учебный год",
     [Column.CLASS, Column.FULL_NAME, Column.EXTERNAL_ID, Column.EMAIL, Column.PHONE, Column.SCHOOL_YEAR]),
    ("Класс;Ученик;Штрихкод;EMAIL родителя", [Column.CLASS, Column.FULL_NAME, Column.EXTERNAL_ID, Column.EMAIL]),
    ("класс;фио;почта родителя;телефон родителя", [Column.CLASS, Column.FULL_NAME, Column.EMAIL, Column.PHONE]),
    ("Клас;Ім’я;Прізвище;Штрихкод;Пошта батьків;Телефон батьків;Навчальний рік",
     [Column.CLASS, Column.FIRST_NAME, Column.LAST_NAME, Column.EXTERNAL_ID, Column.EMAIL, Column.PHONE, Column.SCHOOL_YEAR]),
    ("клас;ім'я;прізвище", [Column.CLASS, Column.FIRST_NAME, Column.LAST_NAME]),
    ("Клас;ПІБ;E-mail батьків", [Column.CLASS, Column.FULL_NAME, Column.EMAIL]),
    ("клас;учень", [Column.CLASS, Column.FULL_NAME]),
    ("class,first_name,last_name,id,email", [Column.CLASS, Column.FIRST_NAME, Column.LAST_NAME, Column.EXTERNAL_ID, Column.EMAIL]),
]  # fmt: skip


@pytest.mark.parametrize(("header", "columns"), HEADERS)
def test_columns_are_mapped_by_header_names_case_insensitively(header, columns):
    preview = parse(header + "\n")

    assert preview.errors == []
    assert list(preview.columns) == columns


def test_unknown_columns_are_ignored_and_listed():
    preview = parse("Class,First name,Last name,Notes,Shoe size\n1A,Ann,Lee,likes red,36\n")

    assert preview.errors == []
    assert preview.ignored_columns == ["Notes", "Shoe size"]
    assert rows(preview) == [(2, "1A", "2026-2027", "Ann", "Lee", "", (), (), ())]


FILE_ERRORS = [
    ("First name,Last name\nAnn,Lee\n", ["The file has no class column (“class”, “класс” or “клас”)."]),
    ("Class,First name\n1A,Ann\n",
     ["The file has no name columns: give “first name” and “last name”, or one “full name” column."]),
    ("Class,Name,Email,Почта\n", ["Columns “Email” and “Почта” mean the same; keep one of them."]),
    ("", ["The file is empty."]),
    ("\n ; \n\n", ["The file is empty."]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "errors"), FILE_ERRORS)
def test_a_file_that_cannot_be_read_as_a_roster_has_file_errors_and_no_rows(text, errors):
    preview = parse(text)

    assert (preview.errors, preview.rows) == (errors, [])


def test_a_file_over_the_size_limit_is_refused():
    preview = roster_parse(b"Class,Name\n" + b"x" * MAX_BYTES)

    assert (preview.errors, preview.rows) == (["The file is larger than 2 MB; split it."], [])


def test_a_file_over_the_row_limit_is_refused():
    text = "Class,Name\n" + "1A,Ann Lee\n" * (MAX_ROWS + 1)

    preview = parse(text)

    assert preview.errors == [
        "The file has 5001 rows; at most 5000 can be imported at once. Split it."
    ]
    assert parse("Class,Name\n" + "1A,Ann Lee\n" * MAX_ROWS).errors == []


def test_a_binary_file_is_refused():
    preview = roster_parse("Class,Name\n".encode("utf-16"))

    assert preview.errors == ["The file is not a CSV text file. Save it as CSV (UTF-8)."]


# --- names ---------------------------------------------------------------------------------

FULL_NAMES = [
    # header, cell, (first name, last name), errors
    ("ФИО", "Петров Иван Сергеевич", ("Иван", "Петров"), ()),
    ("ФИО", "Петров  Иван", ("Иван", "Петров"), ()),
    ("Ученик", "Смирнова Ольга", ("Ольга", "Смирнова"), ()),
    ("Name", "Anna Smith", ("Anna", "Smith"), ()),
    ("name", "Mary Ann Smith", ("Mary Ann", "Smith"), ()),
    ("Full name", "John Smith", ("John", "Smith"), ()),
    ("ФИО", "Петров", ("", ""), ("full name 'Петров' needs both a first and a last name",)),
    ("Name", "", ("", ""), ("name is missing",)),
]


@pytest.mark.parametrize(("header", "cell", "names", "errors"), FULL_NAMES)
def test_a_full_name_column_is_split_by_the_order_its_header_implies(header, cell, names, errors):
    preview = parse(f"Class;{header}\n1A;{cell}\n")

    row = preview.rows[0]
    assert ((row.first_name, row.last_name), row.errors) == (names, errors)


def test_first_and_last_name_columns_win_over_a_full_name_column():
    preview = parse("Class,First name,Last name,Name\n1A,Ann,Lee,Someone Else\n1A,,,Bob Ray\n")

    assert [(row.first_name, row.last_name) for row in preview.rows] == [
        ("Ann", "Lee"),
        ("Bob", "Ray"),
    ]


# --- row errors ----------------------------------------------------------------------------


def test_rows_with_errors_are_listed_with_their_spreadsheet_row_numbers():
    text = (
        "Class,First name,Last name,ID,Email,Phone,Year\n"  # row 1
        "11A,Anna,Smith,A1,anna@example.com,,\n"  # row 2: fine
        "11A,Ben,Jones,A2,x@,,\n"  # row 3
        ",Cleo,Park,A3,,,\n"  # row 4
        "\n"  # row 5: blank, skipped, still counted
        "11A,Dan,,A4,,,\n"  # row 6
        "11A,Eve,Stone,A1,,,\n"  # row 7
        "11A,Finn,Wolf,A5,,12,\n"  # row 8
        "11A,Gus,Hale,A6,,,2026-2028\n"  # row 9
        "11B,Hana,Kim,A7,hana@example.com bad@@example.com,,\n"  # row 10
        "11A,Anna,Smith,,,,\n"  # row 11: the same name and class as row 2, no id
        "11B,Ivy,Moss,A8,,,2025/2026\n"  # row 12: fine
    )

    preview = parse(text)

    assert preview.errors == []
    assert preview.row_errors == [
        "row 3: invalid e-mail 'x@'",
        "row 4: class is missing",
        "row 6: last name is missing",
        "row 7: duplicate external id 'A1' in this file",
        "row 8: invalid phone '12': no country code: write it as +, the country code and the number",
        "row 9: invalid school year '2026-2028' (expected YYYY-YYYY, e.g. 2026-2027)",
        "row 10: invalid e-mail 'bad@@example.com'",
        "row 11: duplicate student 'Anna Smith' in class 11A in this file",
    ]
    assert [(row.number, row.school_year) for row in preview.valid_rows] == [
        (2, "2026-2027"),
        (12, "2025-2026"),
    ]


def test_the_same_name_in_one_class_is_fine_when_both_rows_have_external_ids():
    preview = parse("Class,Name,ID\n1A,Ann Lee,1\n1A,Ann Lee,2\n1B,Ann Lee,\n")

    assert preview.row_errors == []


def test_values_that_are_too_long_are_errors():
    preview = parse(f"Class,Name,ID\n{'1' * 51},Ann Lee,{'x' * 65}\n")

    assert preview.row_errors == [
        "row 2: class is longer than 50 characters",
        "row 2: external id is longer than 64 characters",
    ]


# --- parents' phones ------------------------------------------------------------------------

PHONES = [
    # (cell, the studio's country, E.164 or the reason it is refused)
    ("+7 900 000-00-01", "", "+79000000001"),
    ("8 (900) 000-00-01", "RU", "+79000000001"),  # Russian national format
    ("050 123 4567", "UA", "+380501234567"),
    ("050 123 4567", "ua", "+380501234567"),  # the code in any case
    ("+380 50 123 4567", "RU", "+380501234567"),  # an explicit code wins over the studio's
    ("0044 20 7946 0958", "UA", "+442079460958"),  # dialled from Ukraine to the UK
    ("(212) 555-0123", "US", "+12125550123"),
    ("050 123 4567", "", "no country code: write it as +, the country code and the number"),
    ("12", "RU", "too few digits"),
    ("+7 900 000", "", "too few digits"),
    ("+7 100 000 00 01", "", "not a valid number for the country code +7"),
    ("+999 123456", "", "unknown country code"),
    ("call me", "RU", "not a phone number"),
]


@pytest.mark.parametrize(("cell", "region", "expected"), PHONES)
def test_phones_are_normalised_to_e164_or_refused_with_a_reason(cell, region, expected):
    normalised, reason = normalise_phone(cell, region)

    assert (normalised or reason) == expected
    assert not (normalised and reason)


def test_the_studio_country_reads_national_numbers_and_each_number_is_kept_once():
    text = (
        "Class;Name;Parent phone\n"
        '11A;Ann Lee;"8 (900) 000-00-01, +7 900 000 00 01; +380 50 123 4567"\n'
    )

    in_russia = roster_parse(text.encode(), today=TODAY, region="RU")
    nowhere = roster_parse(text.encode(), today=TODAY)

    assert [(row.phones, row.errors) for row in in_russia.rows] == [
        (("+79000000001", "+380501234567"), ())
    ]
    assert nowhere.row_errors == [
        "row 2: invalid phone '8 (900) 000-00-01': "
        "no country code: write it as +, the country code and the number"
    ]


def test_a_phone_error_names_the_row_the_value_and_why_in_the_language_of_the_page():
    preview = roster_parse("Клас;ПІБ;Телефон батьків\n1А;Лі Ганна;12\n".encode(), region="UA")

    with translation.override("uk"):
        uk = roster_parse("Клас;ПІБ;Телефон батьків\n1А;Лі Ганна;12\n".encode(), region="UA")
        uk = uk.row_errors
    with translation.override("ru"):
        ru = roster_parse("Класс;ФИО;Телефон родителя\n1А;Ли Анна;12\n".encode(), region="RU")
        ru = ru.row_errors

    assert preview.row_errors == ["row 2: invalid phone '12': too few digits"]
    assert uk == ["рядок 2: неправильний телефон '12': замало цифр"]
    assert ru == ["строка 2: неверный телефон '12': слишком мало цифр"]


def test_a_row_with_an_invalid_phone_is_skipped_and_the_others_are_imported(in_alpha):
    school = School.objects.create(name="School No. 5")
    text = (
        "Class;Name;ID;Phone\n"
        "11A;Ann Lee;A1;8 900 123-45-67\n"  # national, the studio's country
        "11A;Bob Ray;A2;+380501234567\n"  # international
        "11A;Cleo Park;A3;+7 900 12\n"  # too short: skipped
    )
    preview = roster_parse(text.encode(), today=TODAY, region="RU")

    plans = roster_plan(school=school, preview=preview)
    result = roster_import(school=school, preview=preview)

    assert [(plan.row.number, plan.action) for plan in plans] == [
        (2, RowAction.CREATE),
        (3, RowAction.CREATE),
        (4, RowAction.ERROR),
    ]
    assert plans[2].messages == ["row 4: invalid phone '+7 900 12': too few digits"]
    assert (result.created, result.skipped) == (2, 1)
    assert sorted(Student.objects.values_list("external_id", "parent_phones")) == [
        ("A1", ["+79001234567"]),
        ("A2", ["+380501234567"]),
    ]


SCHOOL_YEARS = [
    ("2026-2027", "2026-2027"),
    (" 2026 - 2027 ", "2026-2027"),
    ("2026/2027", "2026/2027".replace("/", "-")),
    ("2026–2027", "2026-2027"),
    ("2026-2028", None),
    ("2027-2026", None),
    ("2026", None),
    ("26-27", None),
    ("", None),
]


@pytest.mark.parametrize(("value", "expected"), SCHOOL_YEARS)
def test_school_years_are_two_consecutive_years(value, expected):
    assert parse_school_year(value) == expected


CURRENT_YEARS = [
    (datetime.date(2026, 9, 1), "2026-2027"),
    (datetime.date(2026, 12, 31), "2026-2027"),
    (datetime.date(2027, 1, 1), "2026-2027"),
    (datetime.date(2027, 8, 31), "2026-2027"),
    (datetime.date(2026, 8, 31), "2025-2026"),
]


@pytest.mark.parametrize(("today", "expected"), CURRENT_YEARS)
def test_the_current_school_year_runs_september_to_august(today, expected):
    assert current_school_year(today) == expected


# --- planning and importing ----------------------------------------------------------------

ROSTER = (
    "Class;Last name;First name;ID;Email;Phone\n"
    "11A;Petrov;Ivan;A1;papa@example.com;+7 900 000-00-01\n"
    "11A;Ivanova;Maria;A2;;\n"
    "11B;Sidorov;Oleg;;oleg.mum@example.com;\n"
)


def test_the_preview_and_the_plan_write_nothing(in_alpha):
    school = School.objects.create(name="School No. 5")
    before = counts()

    preview = parse(ROSTER)
    plans = roster_plan(school=school, preview=preview)

    assert counts() == before
    assert plan_rows(plans) == [
        (2, RowAction.CREATE, (), ()),
        (3, RowAction.CREATE, (), ()),
        (4, RowAction.CREATE, (), ()),
    ]
    summary = plan_summary(plans)
    assert (summary.create, summary.update, summary.unchanged, summary.errors) == (3, 0, 0, 0)
    assert summary.new_classes == ["11A (2026-2027)", "11B (2026-2027)"]


def test_an_import_creates_the_classes_and_students(in_alpha):
    school = School.objects.create(name="School No. 5")

    result = roster_import(school=school, preview=parse(ROSTER))

    assert result == ImportResult(created=3, updated=0, unchanged=0, skipped=0, classes_created=2)
    students = Student.objects.filter(school_class__school=school).order_by("external_id", "pk")
    assert [
        (s.school_class.name, s.school_class.school_year, s.first_name, s.last_name, s.external_id,
         s.parent_emails, s.parent_phones, s.do_not_publish)
        for s in students
    ] == [
        ("11B", "2026-2027", "Oleg", "Sidorov", "", ["oleg.mum@example.com"], [], False),
        ("11A", "2026-2027", "Ivan", "Petrov", "A1", ["papa@example.com"], ["+79000000001"], False),
        ("11A", "2026-2027", "Maria", "Ivanova", "A2", [], [], False),
    ]  # fmt: skip


def test_importing_the_same_file_again_creates_nothing_new(in_alpha):
    school = School.objects.create(name="School No. 5")
    roster_import(school=school, preview=parse(ROSTER))
    before = counts()

    plans = roster_plan(school=school, preview=parse(ROSTER))
    result = roster_import(school=school, preview=parse(ROSTER))

    assert [plan.action for plan in plans] == [RowAction.UNCHANGED] * 3
    assert result == ImportResult(created=0, updated=0, unchanged=3, skipped=0, classes_created=0)
    assert counts() == before


def test_a_changed_email_updates_the_student_and_only_that(in_alpha):
    school = School.objects.create(name="School No. 5")
    roster_import(school=school, preview=parse(ROSTER))
    changed = ROSTER.replace("papa@example.com", "father@example.com").replace(
        "oleg.mum@example.com", "olegs.mum@example.com"
    )

    plans = roster_plan(school=school, preview=parse(changed))
    result = roster_import(school=school, preview=parse(changed))

    assert plan_rows(plans) == [
        (2, RowAction.UPDATE, (Change.EMAILS,), ()),
        (3, RowAction.UNCHANGED, (), ()),
        (4, RowAction.UPDATE, (Change.EMAILS,), ()),
    ]
    assert result == ImportResult(created=0, updated=2, unchanged=1, skipped=0, classes_created=0)
    assert Student.objects.get(external_id="A1").parent_emails == ["father@example.com"]
    assert Student.objects.get(last_name="Sidorov").parent_emails == ["olegs.mum@example.com"]
    assert Student.objects.count() == 3


def test_a_reimport_moves_a_student_to_another_class(in_alpha):
    school = School.objects.create(name="School No. 5")
    roster_import(school=school, preview=parse(ROSTER))
    student = Student.objects.get(external_id="A2")
    moved = ROSTER.replace("11A;Ivanova;Maria;A2", "10C;Ivanova;Maria;A2")

    plans = roster_plan(school=school, preview=parse(moved))
    result = roster_import(school=school, preview=parse(moved))

    assert plans[1].action == RowAction.UPDATE
    assert plans[1].changes == (Change.CLASS,)
    assert result == ImportResult(created=0, updated=1, unchanged=2, skipped=0, classes_created=1)
    student.refresh_from_db()
    assert (student.pk, student.school_class.name) == (
        Student.objects.get(external_id="A2").pk,
        "10C",
    )
    assert Student.objects.count() == 3


def test_a_reimport_with_a_corrected_name_updates_by_external_id(in_alpha):
    school = School.objects.create(name="School No. 5")
    roster_import(school=school, preview=parse(ROSTER))

    result = roster_import(school=school, preview=parse(ROSTER.replace("Maria", "Mariya")))

    assert result.updated == 1
    assert Student.objects.get(external_id="A2").first_name == "Mariya"


def test_rows_without_external_id_match_by_name_in_the_same_class_only(in_alpha):
    school = School.objects.create(name="School No. 5")
    roster_import(school=school, preview=parse(ROSTER))
    text = (
        "Class;Last name;First name;Phone\n"
        "11B;Sidorov;Oleg;+7 900 111-22-33\n"  # the same class: an update
        "11A;Sidorov;Oleg;\n"  # another class: a new student
    )

    plans = roster_plan(school=school, preview=parse(text))
    roster_import(school=school, preview=parse(text))

    assert plan_rows(plans) == [
        (2, RowAction.UPDATE, (Change.PHONES,), ()),
        (3, RowAction.CREATE, (), ()),
    ]
    assert sorted(
        (s.school_class.name, s.parent_emails, s.parent_phones)
        for s in Student.objects.filter(last_name="Sidorov")
    ) == [
        ("11A", [], []),
        ("11B", ["oleg.mum@example.com"], ["+79001112233"]),
    ]


def test_a_row_with_a_new_external_id_adopts_a_student_of_that_name_who_has_none(in_alpha):
    school = School.objects.create(name="School No. 5")
    school_class = SchoolClass.objects.create(school=school, name="11B", school_year="2026-2027")
    student = Student.objects.create(
        school_class=school_class, first_name="Oleg", last_name="Sidorov"
    )

    plans = roster_plan(school=school, preview=parse("Class;Name;ID\n11b;Oleg Sidorov;S9\n"))
    roster_import(school=school, preview=parse("Class;Name;ID\n11b;Oleg Sidorov;S9\n"))

    assert plan_rows(plans) == [(2, RowAction.UPDATE, (Change.EXTERNAL_ID,), ())]
    student.refresh_from_db()
    assert (student.external_id, student.school_class_id, Student.objects.count()) == (
        "S9",
        school_class.pk,
        1,
    )


def test_empty_email_and_phone_cells_keep_what_is_stored(in_alpha):
    school = School.objects.create(name="School No. 5")
    roster_import(school=school, preview=parse(ROSTER))

    plans = roster_plan(
        school=school, preview=parse("Class;Name;ID;Email;Phone\n11A;Ivan Petrov;A1;;\n")
    )

    assert plan_rows(plans) == [(2, RowAction.UNCHANGED, (), ())]
    student = Student.objects.get(external_id="A1")
    assert (student.parent_emails, student.parent_phones) == (
        ["papa@example.com"],
        ["+79000000001"],
    )


def test_valid_rows_import_and_rows_with_errors_are_skipped(in_alpha):
    school = School.objects.create(name="School No. 5")
    text = ROSTER + "11A;Bad;Mail;A3;x@;\n;No;Class;A4;;\n11A;Again;Dup;A1;;\n"

    preview = parse(text)
    result = roster_import(school=school, preview=preview)

    assert preview.row_errors == [
        "row 5: invalid e-mail 'x@'",
        "row 6: class is missing",
        "row 7: duplicate external id 'A1' in this file",
    ]
    assert result == ImportResult(created=3, updated=0, unchanged=0, skipped=3, classes_created=2)
    assert sorted(Student.objects.values_list("last_name", flat=True)) == [
        "Ivanova",
        "Petrov",
        "Sidorov",
    ]


def test_students_of_another_school_with_the_same_external_id_are_not_touched(in_alpha):
    other = School.objects.create(name="Lyceum 2")
    other_class = SchoolClass.objects.create(school=other, name="11A", school_year="2026-2027")
    theirs = Student.objects.create(
        school_class=other_class, first_name="X", last_name="Y", external_id="A1"
    )
    school = School.objects.create(name="School No. 5")

    result = roster_import(school=school, preview=parse(ROSTER))

    assert (result.created, result.updated) == (3, 0)
    theirs.refresh_from_db()
    assert (theirs.first_name, theirs.school_class_id) == ("X", other_class.pk)


def test_an_existing_class_is_matched_case_insensitively_in_the_same_year(in_alpha):
    school = School.objects.create(name="School No. 5")
    existing = SchoolClass.objects.create(school=school, name="11А", school_year="2026-2027")
    text = "Класс;ФИО;Учебный год\n11а;Петров Иван;2026-2027\n11а;Сидоров Олег;2027-2028\n"

    result = roster_import(school=school, preview=parse(text))

    assert result == ImportResult(created=2, updated=0, unchanged=0, skipped=0, classes_created=1)
    assert sorted(SchoolClass.objects.values_list("name", "school_year")) == [
        ("11А", "2026-2027"),
        ("11а", "2027-2028"),
    ]
    assert Student.objects.get(last_name="Петров").school_class == existing


def test_an_import_of_a_file_with_file_errors_is_refused(in_alpha):
    from django.core.exceptions import ValidationError

    school = School.objects.create(name="School No. 5")

    with pytest.raises(ValidationError):
        roster_import(school=school, preview=roster_parse_text("Name\nAnn Lee\n"))
    assert Student.objects.count() == 0
