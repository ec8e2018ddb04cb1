"""Staff pages for schools, classes, students and roster import: who may see and do what,
and the forms end to end."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.schools.models import School, SchoolClass, Student
from tests.conftest import host_client, logged_in_client


def make_user(role: str, email: str | None = None) -> User:
    return User.objects.create_user(
        email=email or f"{role}-test@alpha.test", password="pw-123456", role=role
    )


def make_school(name: str = "School No. 5", *, commission="0"):
    school = School.objects.create(name=name, commission_percent=commission)
    school_class = SchoolClass.objects.create(school=school, name="11A", school_year="2026-2027")
    student = Student.objects.create(
        school_class=school_class,
        first_name="Ivan",
        last_name="Petrov",
        external_id="A1",
        parent_emails=["papa@example.com"],
    )
    return school, school_class, student


def counts() -> tuple[int, int, int]:
    return (School.objects.count(), SchoolClass.objects.count(), Student.objects.count())


def manager_client(studio):
    with schema_context(studio.schema):
        manager = make_user(Role.MANAGER)
    return logged_in_client(studio, manager)


# --- who may see and do what ---------------------------------------------------------------

PAGES = {
    "list": "/staff/schools/",
    "detail": "/staff/schools/{school}/",
    "class": "/staff/schools/{school}/classes/{school_class}/",
    "create": "/staff/schools/new/",
    "edit": "/staff/schools/{school}/edit/",
    "delete": "/staff/schools/{school}/delete/",
    "class_create": "/staff/schools/{school}/classes/new/",
    "class_edit": "/staff/schools/{school}/classes/{school_class}/edit/",
    "student_create": "/staff/schools/{school}/classes/{school_class}/students/new/",
    "student_edit": "/staff/schools/{school}/classes/{school_class}/students/{student}/edit/",
    "student_delete": "/staff/schools/{school}/classes/{school_class}/students/{student}/delete/",
    "import": "/staff/schools/{school}/import/",
}

# "principal" is bound to the school; "other_principal" to another school only.
MATRIX = """
page            owner manager principal other_principal photographer retoucher parent
list             200    200      200         200            403         403      403
detail           200    200      200         404            403         403      403
class            200    200      200         404            403         403      403
create           200    200      403         403            403         403      403
edit             200    200      403         403            403         403      403
delete           200    200      403         403            403         403      403
class_create     200    200      403         403            403         403      403
class_edit       200    200      403         403            403         403      403
student_create   200    200      403         403            403         403      403
student_edit     200    200      403         403            403         403      403
student_delete   200    200      403         403            403         403      403
import           200    200      403         403            403         403      403
"""


def _matrix():
    header, *rows = [line.split() for line in MATRIX.strip().splitlines()]
    return [(row[0], role, int(status)) for row in rows for role, status in zip(header[1:], row[1:], strict=True)]  # fmt: skip


def test_the_matrix_covers_every_page_and_every_role():
    assert {page for page, _role, _status in _matrix()} == set(PAGES)
    assert {role for _page, role, _status in _matrix()} == {*Role.values, "other_principal"}


@pytest.mark.parametrize(("page", "role", "status"), _matrix())
def test_each_role_gets_what_the_matrix_says(alpha, page, role, status):
    with schema_context(alpha.schema):
        school, school_class, student = make_school()
        other_school = School.objects.create(name="Lyceum 2")
        user = make_user(Role.PRINCIPAL if role == "other_principal" else role)
        if role == Role.PRINCIPAL:
            school.principals.add(user)
        if role == "other_principal":
            other_school.principals.add(user)
        url = PAGES[page].format(school=school.pk, school_class=school_class.pk, student=student.pk)

    response = logged_in_client(alpha, user).get(url)

    assert response.status_code == status


@pytest.mark.parametrize("page", list(PAGES))
def test_anonymous_visitors_are_sent_to_log_in(alpha, page):
    with schema_context(alpha.schema):
        school, school_class, student = make_school()
    url = PAGES[page].format(school=school.pk, school_class=school_class.pk, student=student.pk)

    response = host_client(alpha.host).get(url)

    assert (response.status_code, response["Location"]) == (302, f"/accounts/login/?next={url}")


def test_a_principal_reads_their_school_without_any_way_to_change_it(alpha):
    with schema_context(alpha.schema):
        school, school_class, _student = make_school()
        School.objects.create(name="Lyceum 2")
        principal = make_user(Role.PRINCIPAL)
        school.principals.add(principal)
    client = logged_in_client(alpha, principal)

    pages = [
        client.get("/staff/schools/").content.decode(),
        client.get(f"/staff/schools/{school.pk}/").content.decode(),
        client.get(f"/staff/schools/{school.pk}/classes/{school_class.pk}/").content.decode(),
    ]

    assert "School No. 5" in pages[0]
    assert "Lyceum 2" not in pages[0]
    assert "Petrov" in pages[2] and "papa@example.com" in pages[2]
    for content in pages:
        assert "/edit/" not in content
        assert "/new/" not in content
        assert "/import/" not in content
        assert "/delete/" not in content


def test_a_principal_cannot_write_even_by_posting(alpha):
    with schema_context(alpha.schema):
        school, school_class, student = make_school()
        principal = make_user(Role.PRINCIPAL)
        school.principals.add(principal)
    client = logged_in_client(alpha, principal)

    responses = [
        client.post(f"/staff/schools/{school.pk}/edit/", {"name": "Hacked", "commission_percent": "99"}),
        client.post(f"/staff/schools/{school.pk}/delete/", {"confirm": "yes"}),
        client.post(f"/staff/schools/{school.pk}/classes/{school_class.pk}/students/{student.pk}/delete/"),
        client.post(f"/staff/schools/{school.pk}/import/", {"file": SimpleUploadedFile("r.csv", b"Class,Name\n1A,A B\n")}),
    ]  # fmt: skip

    assert [response.status_code for response in responses] == [403, 403, 403, 403]
    with schema_context(alpha.schema):
        school.refresh_from_db()
        assert (school.name, counts()) == ("School No. 5", (1, 1, 1))


def test_a_school_of_another_studio_is_not_found(alpha, beta):
    with schema_context(beta.schema):
        school, school_class, student = make_school("Beta School")
    with schema_context(alpha.schema):
        assert not School.objects.filter(pk=school.pk).exists()
        assert not SchoolClass.objects.filter(pk=school_class.pk).exists()
    client = manager_client(alpha)

    statuses = [
        client.get(PAGES[page].format(school=school.pk, school_class=school_class.pk, student=student.pk)).status_code
        for page in PAGES
        if page not in ("list", "create")
    ]  # fmt: skip
    delete = client.post(f"/staff/schools/{school.pk}/delete/", {"confirm": "yes"})

    assert statuses == [404] * (len(PAGES) - 2)
    assert delete.status_code == 404
    assert "Beta School" not in client.get("/staff/schools/").content.decode()
    with schema_context(beta.schema):
        assert counts() == (1, 1, 1)


def test_a_class_is_found_only_under_its_own_school(alpha):
    with schema_context(alpha.schema):
        school, school_class, student = make_school()
        other = School.objects.create(name="Lyceum 2")
    client = manager_client(alpha)

    assert client.get(f"/staff/schools/{other.pk}/classes/{school_class.pk}/").status_code == 404
    assert (
        client.get(
            f"/staff/schools/{other.pk}/classes/{school_class.pk}/students/{student.pk}/edit/"
        ).status_code
        == 404
    )


# --- schools -------------------------------------------------------------------------------


def test_the_list_shows_class_and_student_counts_and_the_commission(alpha):
    with schema_context(alpha.schema):
        school, school_class, _student = make_school(commission="12.5")
        second = SchoolClass.objects.create(school=school, name="11B", school_year="2026-2027")
        Student.objects.create(school_class=second, first_name="Oleg", last_name="Sidorov")
        Student.objects.create(school_class=second, first_name="Maria", last_name="Ivanova")
        School.objects.create(name="Lyceum 2")

    content = manager_client(alpha).get("/staff/schools/").content.decode()

    assert (
        f'<td><a href="/staff/schools/{school.pk}/">School No. 5</a></td>\n'
        '      <td class="num">2</td>\n'
        '      <td class="num">3</td>\n'
        '      <td class="num">12.50%</td>'
    ) in content
    assert "Lyceum 2" in content


def test_a_manager_adds_a_school_with_a_principal(alpha):
    with schema_context(alpha.schema):
        principal = make_user(Role.PRINCIPAL)
        photographer = make_user(Role.PHOTOGRAPHER)
    client = manager_client(alpha)

    form = client.get("/staff/schools/new/").content.decode()
    response = client.post(
        "/staff/schools/new/",
        {
            "name": "School No. 5",
            "address": "1 Main St",
            "contact_email": "office@school5.test",
            "contact_phone": "+7 343 000-00-00",
            "commission_percent": "12.5",
            "principals": [principal.pk],
        },
    )

    assert principal.email in form
    assert photographer.email not in form
    with schema_context(alpha.schema):
        school = School.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/staff/schools/{school.pk}/"
        assert (school.name, str(school.commission_percent), school.contact_email) == (
            "School No. 5",
            "12.50",
            "office@school5.test",
        )
        assert list(school.principals.all()) == [principal]


SCHOOL_FORM_ERRORS = [
    ({"commission_percent": "150"}, "Ensure this value is less than or equal to 100."),
    ({"commission_percent": "-1"}, "Ensure this value is greater than or equal to 0."),
    ({"commission_percent": "abc"}, "Enter a number."),
    ({"name": ""}, "This field is required."),
    ({"contact_email": "office@"}, "Enter a valid email address."),
]


@pytest.mark.parametrize(("data", "error"), SCHOOL_FORM_ERRORS)
def test_an_invalid_school_form_is_shown_again_with_its_error(alpha, data, error):
    client = manager_client(alpha)

    response = client.post("/staff/schools/new/", {"name": "S", "commission_percent": "5", **data})

    assert response.status_code == 200
    assert error in response.content.decode()
    with schema_context(alpha.schema):
        assert School.objects.count() == 0


def test_a_manager_edits_a_school_and_unbinds_its_principal(alpha):
    with schema_context(alpha.schema):
        school, _class, _student = make_school()
        principal = make_user(Role.PRINCIPAL)
        school.principals.add(principal)
    client = manager_client(alpha)

    form = client.get(f"/staff/schools/{school.pk}/edit/").content.decode()
    response = client.post(
        f"/staff/schools/{school.pk}/edit/", {"name": "Lyceum 5", "commission_percent": "7"}
    )

    assert 'value="School No. 5"' in form
    assert f'value="{principal.pk}"' in form and "checked" in form
    assert response.status_code == 302
    with schema_context(alpha.schema):
        school.refresh_from_db()
        assert (school.name, school.commission_percent, list(school.principals.all())) == (
            "Lyceum 5",
            7,
            [],
        )


def test_deleting_a_school_with_classes_asks_first(alpha):
    with schema_context(alpha.schema):
        school, _class, _student = make_school()
    client = manager_client(alpha)

    unconfirmed = client.post(f"/staff/schools/{school.pk}/delete/")
    with schema_context(alpha.schema):
        assert counts() == (1, 1, 1)
    confirmed = client.post(f"/staff/schools/{school.pk}/delete/", {"confirm": "yes"})

    assert unconfirmed.status_code == 200
    assert "has 1 class(es) with 1 student(s)" in unconfirmed.content.decode()
    assert 'name="confirm" value="yes"' in unconfirmed.content.decode()
    assert (confirmed.status_code, confirmed["Location"]) == (302, "/staff/schools/")
    with schema_context(alpha.schema):
        assert counts() == (0, 0, 0)


def test_an_empty_school_is_deleted_by_one_post_and_a_get_deletes_nothing(alpha):
    with schema_context(alpha.schema):
        school = School.objects.create(name="Empty")
    client = manager_client(alpha)

    assert client.get(f"/staff/schools/{school.pk}/delete/").status_code == 200
    with schema_context(alpha.schema):
        assert School.objects.count() == 1
    assert client.post(f"/staff/schools/{school.pk}/delete/").status_code == 302
    with schema_context(alpha.schema):
        assert School.objects.count() == 0


# --- classes and students ------------------------------------------------------------------


def test_the_school_page_lists_its_classes_with_student_counts(alpha):
    with schema_context(alpha.schema):
        school, school_class, _student = make_school()
        SchoolClass.objects.create(school=school, name="10B", school_year="2025-2026")

    content = manager_client(alpha).get(f"/staff/schools/{school.pk}/").content.decode()

    assert (
        f'<td><a href="/staff/schools/{school.pk}/classes/{school_class.pk}/">11A</a></td>\n'
        "      <td>2026-2027</td>\n"
        '      <td class="num">1</td>'
    ) in content
    assert "<td>2025-2026</td>" in content


CLASS_FORMS = [
    # school year typed, stored or the error shown
    ("2026-2027", "2026-2027"),
    ("2026/2027", "2026-2027"),
    ("2026-2028", "Enter the school year as YYYY-YYYY with consecutive years, e.g. 2026-2027."),
    ("2026", "Enter the school year as YYYY-YYYY with consecutive years, e.g. 2026-2027."),
]


@pytest.mark.parametrize(("typed", "outcome"), CLASS_FORMS)
def test_a_manager_adds_a_class(alpha, typed, outcome):
    with schema_context(alpha.schema):
        school = School.objects.create(name="School")
    client = manager_client(alpha)

    response = client.post(
        f"/staff/schools/{school.pk}/classes/new/", {"name": "11A", "school_year": typed}
    )

    with schema_context(alpha.schema):
        years = list(SchoolClass.objects.values_list("school_year", flat=True))
    if outcome.startswith("Enter"):
        assert (response.status_code, years) == (200, [])
        assert outcome in response.content.decode()
    else:
        assert (response.status_code, years) == (302, [outcome])


def test_a_duplicate_class_is_refused_with_a_message_on_the_name(alpha):
    with schema_context(alpha.schema):
        school, _class, _student = make_school()
    client = manager_client(alpha)

    response = client.post(
        f"/staff/schools/{school.pk}/classes/new/", {"name": "11a", "school_year": "2026-2027"}
    )

    assert response.status_code == 200
    assert "This school already has class 11a in 2026-2027." in response.content.decode()


def test_the_class_page_lists_its_students(alpha):
    with schema_context(alpha.schema):
        school, school_class, student = make_school()
        student.parent_phones = ["+7 900 000-00-01"]
        student.do_not_publish = True
        student.save()

    content = (
        manager_client(alpha)
        .get(f"/staff/schools/{school.pk}/classes/{school_class.pk}/")
        .content.decode()
    )

    assert "<td>Petrov Ivan</td>" in content
    assert "<td>A1</td>" in content
    assert "<li>papa@example.com</li>" in content
    assert "<li>+7 900 000-00-01</li>" in content
    assert '<strong class="error-text">Do not publish</strong>' in content


def test_a_manager_adds_a_student_with_several_emails_and_phones(alpha):
    alpha.studio.country = "RU"  # national numbers are read as the studio's country's
    alpha.studio.save(update_fields=["country"])
    with schema_context(alpha.schema):
        school, school_class, _student = make_school()
    client = manager_client(alpha)

    response = client.post(
        f"/staff/schools/{school.pk}/classes/{school_class.pk}/students/new/",
        {
            "school_class": school_class.pk,
            "first_name": "Maria",
            "last_name": "Ivanova",
            "external_id": "A2",
            "parent_emails": "Mum@Example.com, dad@example.com\ngran@example.com",
            "parent_phones": "+7 900 000-00-01\n+7 900 000-00-02, 8 (343) 123-45-67",
            "do_not_publish": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"/staff/schools/{school.pk}/classes/{school_class.pk}/"
    with schema_context(alpha.schema):
        student = Student.objects.get(external_id="A2")
        assert (student.parent_emails, student.parent_phones, student.do_not_publish) == (
            ["mum@example.com", "dad@example.com", "gran@example.com"],
            ["+79000000001", "+79000000002", "+73431234567"],  # E.164, as the roster import
            True,
        )


STUDENT_FORM_ERRORS = [
    ({"parent_emails": "ok@example.com, x@"}, "Not valid e-mail addresses: x@."),
    ({"parent_phones": "12"}, "Not valid phone numbers: 12."),
    ({"external_id": "A1"}, "Another student of this school has external id A1."),
    ({"last_name": ""}, "This field is required."),
]


@pytest.mark.parametrize(("data", "error"), STUDENT_FORM_ERRORS)
def test_an_invalid_student_form_is_shown_again_with_its_error(alpha, data, error):
    with schema_context(alpha.schema):
        school, school_class, _student = make_school()
    client = manager_client(alpha)

    response = client.post(
        f"/staff/schools/{school.pk}/classes/{school_class.pk}/students/new/",
        {"school_class": school_class.pk, "first_name": "Maria", "last_name": "Ivanova", **data},
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    with schema_context(alpha.schema):
        assert Student.objects.count() == 1


def test_a_manager_moves_a_student_to_another_class_and_then_deletes_them(alpha):
    with schema_context(alpha.schema):
        school, school_class, student = make_school()
        other_class = SchoolClass.objects.create(school=school, name="11B", school_year="2026-2027")
    client = manager_client(alpha)
    base = f"/staff/schools/{school.pk}/classes/{school_class.pk}/students/{student.pk}"

    form = client.get(f"{base}/edit/").content.decode()
    moved = client.post(
        f"{base}/edit/",
        {
            "school_class": other_class.pk,
            "first_name": "Ivan",
            "last_name": "Petrov",
            "external_id": "A1",
            "parent_emails": "papa@example.com",
        },
    )

    assert "papa@example.com</textarea>" in form
    assert moved["Location"] == f"/staff/schools/{school.pk}/classes/{other_class.pk}/"
    with schema_context(alpha.schema):
        assert Student.objects.get().school_class == other_class
    # The old address no longer finds the student, the new one does.
    assert client.post(f"{base}/delete/").status_code == 404
    deleted = client.post(
        f"/staff/schools/{school.pk}/classes/{other_class.pk}/students/{student.pk}/delete/"
    )
    assert deleted.status_code == 302
    with schema_context(alpha.schema):
        assert Student.objects.count() == 0


def test_a_student_cannot_be_put_in_a_class_of_another_school(alpha):
    with schema_context(alpha.schema):
        school, school_class, student = make_school()
        _other, foreign_class, _x = make_school("Lyceum 2")
    client = manager_client(alpha)

    response = client.post(
        f"/staff/schools/{school.pk}/classes/{school_class.pk}/students/{student.pk}/edit/",
        {"school_class": foreign_class.pk, "first_name": "Ivan", "last_name": "Petrov"},
    )

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    with schema_context(alpha.schema):
        student.refresh_from_db()
        assert student.school_class == school_class


# --- roster import -------------------------------------------------------------------------

ROSTER = (
    "Класс;ФИО;Номер;Примечание;Email родителя\n"  # "Примечание" (a note) is not a known header
    "11А;Петров Иван Сергеевич;A1;x;papa@example.ru\n"
    "11А;Иванова Мария;A2;y;x@\n"
    "11Б;Сидоров Олег;A3;z;\n"
).encode("cp1251")


def upload(client, school, data: bytes = ROSTER, name: str = "roster.csv"):
    return client.post(
        f"/staff/schools/{school.pk}/import/", {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def test_the_upload_page_lists_the_headers_each_column_is_recognised_by(alpha):
    with schema_context(alpha.schema):
        school = School.objects.create(name="School No. 5")

    content = manager_client(alpha).get(f"/staff/schools/{school.pk}/import/").content.decode()

    assert "<tr><td>Class</td><td>class, класс, клас</td></tr>" in content
    assert (
        "<tr><td>Parent phones</td><td>phone, parent phone, телефон, телефон родителя, телефон батьків</td></tr>"
    ) in content
    assert 'enctype="multipart/form-data"' in content


def test_the_roster_is_previewed_without_writing_and_imported_on_confirmation(alpha):
    with schema_context(alpha.schema):
        school = School.objects.create(name="School No. 5")
        before = counts()
    client = manager_client(alpha)

    uploaded = upload(client, school)
    preview = client.get(f"/staff/schools/{school.pk}/import/preview/")
    with schema_context(alpha.schema):
        after_preview = counts()
    digest = preview.context["digest"]
    confirmed = client.post(f"/staff/schools/{school.pk}/import/preview/", {"digest": digest})

    assert (uploaded.status_code, uploaded["Location"]) == (
        302,
        f"/staff/schools/{school.pk}/import/preview/",
    )
    content = preview.content.decode()
    assert "row 3: invalid e-mail &#x27;x@&#x27;" in content
    assert "Import 2 valid rows" in content
    assert "Ignored columns: Примечание" in content
    assert "<p>New classes: 11А (2026-2027), 11Б (2026-2027)</p>" in content
    assert after_preview == before
    assert (confirmed.status_code, confirmed["Location"]) == (302, f"/staff/schools/{school.pk}/")
    with schema_context(alpha.schema):
        assert sorted(
            Student.objects.values_list("school_class__name", "last_name", "first_name", "parent_emails")
        ) == [("11А", "Петров", "Иван", ["papa@example.ru"]), ("11Б", "Сидоров", "Олег", [])]  # fmt: skip
    followed = client.get(f"/staff/schools/{school.pk}/")
    assert (
        "Roster imported. Created: 2, updated: 0, unchanged: 0, skipped with errors: 1, "
        "new classes: 2."
    ) in followed.content.decode()
    # The stored upload is gone: confirming again imports nothing twice.
    again = client.post(f"/staff/schools/{school.pk}/import/preview/", {"digest": digest})
    assert again["Location"] == f"/staff/schools/{school.pk}/import/"
    with schema_context(alpha.schema):
        assert Student.objects.count() == 2


def test_the_studio_country_reads_national_phones_and_a_bad_phone_skips_only_its_row(alpha):
    alpha.studio.country = "UA"
    alpha.studio.save(update_fields=["country"])
    with schema_context(alpha.schema):
        school = School.objects.create(name="School No. 5")
    client = manager_client(alpha)
    roster = (
        "Клас;ПІБ;Номер;Телефон батьків\n"
        "1А;Лі Ганна;A1;050 123 4567\n"  # national: read as Ukrainian
        "1А;Рей Богдан;A2;+48 512 345 678\n"  # international
        "1А;Парк Клео;A3;050 123\n"  # too short: not a Ukrainian number, skipped
    ).encode()

    page = client.get(f"/staff/schools/{school.pk}/import/").content.decode()
    upload(client, school, roster)
    preview = client.get(f"/staff/schools/{school.pk}/import/preview/")
    content = preview.content.decode()
    client.post(
        f"/staff/schools/{school.pk}/import/preview/", {"digest": preview.context["digest"]}
    )

    assert "Phone numbers without a country code are read as numbers of Ukraine" in page
    assert "<td>+380501234567</td>" in content
    assert "<td>+48512345678</td>" in content
    assert (
        "row 4: invalid phone &#x27;050 123&#x27;: not a valid number for the country code +380"
        in content
    )
    with schema_context(alpha.schema):
        assert sorted(Student.objects.values_list("external_id", "parent_phones")) == [
            ("A1", ["+380501234567"]),
            ("A2", ["+48512345678"]),
        ]


def test_without_a_studio_country_phones_need_a_country_code(alpha):
    alpha.studio.country = ""
    alpha.studio.save(update_fields=["country"])
    with schema_context(alpha.schema):
        school = School.objects.create(name="School No. 5")
    client = manager_client(alpha)

    page = client.get(f"/staff/schools/{school.pk}/import/").content.decode()
    upload(client, school, b"Class;Name;Phone\n1A;Ann Lee;050 123 4567\n")
    content = client.get(f"/staff/schools/{school.pk}/import/preview/").content.decode()

    assert "Write phone numbers with + and the country code" in page
    assert (
        "row 2: invalid phone &#x27;050 123 4567&#x27;: no country code: "
        "write it as +, the country code and the number"
    ) in content


def test_the_preview_keeps_nothing_in_the_browser_but_a_digest(alpha):
    with schema_context(alpha.schema):
        school = School.objects.create(name="School No. 5")
    client = manager_client(alpha)
    upload(client, school)

    content = client.get(f"/staff/schools/{school.pk}/import/preview/").content.decode()

    start = content.index('<form method="post">')
    form = content[start : content.index("</form>", start)]
    assert form.count("<input") == 2  # the CSRF token and the digest
    assert 'name="digest"' in form


def test_a_confirmation_for_another_upload_imports_nothing(alpha):
    with schema_context(alpha.schema):
        school = School.objects.create(name="School No. 5")
    client = manager_client(alpha)
    upload(client, school)
    first_digest = client.get(f"/staff/schools/{school.pk}/import/preview/").context["digest"]
    upload(client, school, b"Class,Name\n1A,Ann Lee\n")

    response = client.post(f"/staff/schools/{school.pk}/import/preview/", {"digest": first_digest})

    assert response["Location"] == f"/staff/schools/{school.pk}/import/preview/"
    with schema_context(alpha.schema):
        assert counts() == (1, 0, 0)


def test_a_roster_that_cannot_be_read_is_refused_on_the_upload_page(alpha):
    with schema_context(alpha.schema):
        school = School.objects.create(name="School No. 5")
    client = manager_client(alpha)

    response = upload(client, school, b"First name,Last name\nAnn,Lee\n")

    assert response.status_code == 200
    assert "The file has no class column" in response.content.decode()
    assert client.get(f"/staff/schools/{school.pk}/import/preview/")["Location"] == (
        f"/staff/schools/{school.pk}/import/"
    )


def test_the_preview_of_one_school_is_not_the_preview_of_another(alpha):
    with schema_context(alpha.schema):
        school = School.objects.create(name="School No. 5")
        other = School.objects.create(name="Lyceum 2")
    client = manager_client(alpha)
    upload(client, school)

    response = client.get(f"/staff/schools/{other.pk}/import/preview/")

    assert response["Location"] == f"/staff/schools/{other.pk}/import/"


def test_discarding_a_preview_forgets_the_upload(alpha):
    with schema_context(alpha.schema):
        school = School.objects.create(name="School No. 5")
    client = manager_client(alpha)
    upload(client, school)

    client.post(f"/staff/schools/{school.pk}/import/discard/")

    assert client.get(f"/staff/schools/{school.pk}/import/preview/").status_code == 302


def test_a_class_has_a_teacher_set_in_its_form(alpha):
    with schema_context(alpha.schema):
        school, school_class, _student = make_school()
    client = manager_client(alpha)

    client.post(
        f"/staff/schools/{school.pk}/classes/new/",
        {"name": "5C", "school_year": "2026-2027", "teacher": "  Olga   Smirnova "},
    )
    client.post(
        f"/staff/schools/{school.pk}/classes/{school_class.pk}/edit/",
        {"name": "11A", "school_year": "2026-2027", "teacher": "Ivan Ivanovich"},
    )

    with schema_context(alpha.schema):
        teachers = dict(SchoolClass.objects.values_list("name", "teacher"))
    assert teachers == {"11A": "Ivan Ivanovich", "5C": "Olga Smirnova"}
    page = client.get(f"/staff/schools/{school.pk}/classes/{school_class.pk}/").content.decode()
    assert "Ivan Ivanovich" in page
