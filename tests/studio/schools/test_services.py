"""Schools, classes and students services: what they store and the rules they refuse to break."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from saas_platform.accounts.models import Role, User
from studio.schools.models import School, SchoolClass, Student
from studio.schools.services import (
    school_class_create,
    school_class_delete,
    school_class_update,
    school_create,
    school_delete,
    school_update,
    student_create,
    student_delete,
    student_update,
)


def errors_of(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as raised:
        call(**kwargs)
    return raised.value.message_dict


def user(role: str, email: str) -> User:
    return User.objects.create_user(email=email, password="pw-123456", role=role)


# --- schools -------------------------------------------------------------------------------


def test_a_school_is_created_with_its_principals(in_alpha):
    principal = user(Role.PRINCIPAL, "head@alpha.test")

    school = school_create(
        name="  School   No. 5 ",
        address="1 Main St",
        contact_email="office@school5.test",
        contact_phone="+7 343 000-00-00",
        commission_percent=Decimal("12.5"),
        principals=[principal],
    )

    school.refresh_from_db()
    assert (school.name, school.address, school.contact_email, school.commission_percent) == (
        "School No. 5",
        "1 Main St",
        "office@school5.test",
        Decimal("12.50"),
    )
    assert list(school.principals.all()) == [principal]


COMMISSIONS = [
    (Decimal("0"), None),
    (Decimal("100"), None),
    (Decimal("33.33"), None),
    (Decimal("-0.01"), ["The commission must be between 0 and 100%."]),
    (Decimal("100.01"), ["The commission must be between 0 and 100%."]),
]


@pytest.mark.parametrize(("commission", "errors"), COMMISSIONS)
def test_the_commission_is_a_percentage_from_0_to_100(in_alpha, commission, errors):
    if errors is None:
        assert (
            school_create(name="S", commission_percent=commission).commission_percent == commission
        )
    else:
        assert errors_of(school_create, name="S", commission_percent=commission) == {
            "commission_percent": errors
        }
        assert School.objects.count() == 0


def test_only_principals_can_be_bound_to_a_school(in_alpha):
    manager = user(Role.MANAGER, "m@alpha.test")

    assert errors_of(school_create, name="S", principals=[manager]) == {
        "principals": ["Not principals of this studio: m@alpha.test."]
    }


def test_a_school_update_changes_only_what_it_is_given(in_alpha):
    principal = user(Role.PRINCIPAL, "head@alpha.test")
    school = school_create(name="School", address="Here", principals=[principal])

    school_update(school=school, commission_percent=Decimal("5"))
    school.refresh_from_db()
    assert (school.name, school.address, school.commission_percent) == ("School", "Here", 5)
    assert list(school.principals.all()) == [principal]

    school_update(school=school, name="Lyceum", principals=[])
    school.refresh_from_db()
    assert (school.name, list(school.principals.all())) == ("Lyceum", [])


def test_a_school_with_classes_is_deleted_only_when_confirmed_and_takes_them_along(in_alpha):
    school = school_create(name="School")
    school_class = school_class_create(school=school, name="1A", school_year="2026-2027")
    student_create(school_class=school_class, first_name="Ann", last_name="Lee")

    with pytest.raises(ValidationError) as raised:
        school_delete(school=school)
    assert raised.value.code == "has_classes"
    assert (School.objects.count(), SchoolClass.objects.count(), Student.objects.count()) == (
        1,
        1,
        1,
    )

    school_delete(school=school, with_classes=True)
    assert (School.objects.count(), SchoolClass.objects.count(), Student.objects.count()) == (
        0,
        0,
        0,
    )


def test_an_empty_school_is_deleted_without_confirmation(in_alpha):
    school_delete(school=school_create(name="School"))

    assert School.objects.count() == 0


def test_a_school_with_picture_days_cannot_be_deleted(in_alpha):
    from studio.shoots.models import Shoot

    school = school_create(name="School")
    Shoot.objects.create(school=school, name="Autumn", date=datetime.date(2026, 10, 1))

    with pytest.raises(ValidationError) as raised:
        school_delete(school=school, with_classes=True)

    assert raised.value.messages == [
        "It cannot be deleted while other records refer to it: picture days."
    ]
    assert School.objects.count() == 1


# --- classes -------------------------------------------------------------------------------

YEARS = [
    ("2026-2027", "2026-2027"),
    ("2026/2027", "2026-2027"),
    (" 2026 – 2027 ", "2026-2027"),
    ("2026-2028", None),
    ("2026", None),
    ("", None),
]


@pytest.mark.parametrize(("value", "stored"), YEARS)
def test_a_class_school_year_is_yyyy_yyyy_with_consecutive_years(in_alpha, value, stored):
    school = school_create(name="School")

    if stored:
        assert (
            school_class_create(school=school, name="11A", school_year=value).school_year == stored
        )
    else:
        assert errors_of(school_class_create, school=school, name="11A", school_year=value) == {
            "school_year": [
                "Enter the school year as YYYY-YYYY with consecutive years, e.g. 2026-2027."
            ]
        }


def test_a_class_name_is_unique_per_school_and_year_ignoring_case(in_alpha):
    school = school_create(name="School")
    other = school_create(name="Other")
    school_class_create(school=school, name="11A", school_year="2026-2027")

    assert errors_of(school_class_create, school=school, name="11a", school_year="2026-2027") == {
        "name": ["This school already has class 11a in 2026-2027."]
    }
    school_class_create(school=school, name="11A", school_year="2027-2028")
    school_class_create(school=other, name="11A", school_year="2026-2027")
    assert SchoolClass.objects.count() == 3


def test_a_class_is_renamed_but_not_onto_another(in_alpha):
    school = school_create(name="School")
    first = school_class_create(school=school, name="11A", school_year="2026-2027")
    school_class_create(school=school, name="11B", school_year="2026-2027")

    assert school_class_update(school_class=first, name="11C").name == "11C"
    assert school_class_update(school_class=first, name="11c").name == "11c"  # itself, other case
    assert errors_of(school_class_update, school_class=first, name="11B") == {
        "name": ["This school already has class 11B in 2026-2027."]
    }


def test_a_class_with_students_is_deleted_only_when_confirmed(in_alpha):
    school_class = school_class_create(
        school=school_create(name="School"), name="1A", school_year="2026-2027"
    )
    student_create(school_class=school_class, first_name="Ann", last_name="Lee")

    with pytest.raises(ValidationError):
        school_class_delete(school_class=school_class)
    school_class_delete(school_class=school_class, with_students=True)

    assert (SchoolClass.objects.count(), Student.objects.count()) == (0, 0)


# --- students ------------------------------------------------------------------------------


def test_a_student_is_created_with_tidied_contacts(in_alpha):
    school_class = school_class_create(
        school=school_create(name="School"), name="1A", school_year="2026-2027"
    )

    student = student_create(
        school_class=school_class,
        first_name=" Ann ",
        last_name="Lee",
        external_id=" A1 ",
        parent_emails=["Mum@Example.com", "dad@example.com", "mum@example.com", ""],
        parent_phones=["+7 900  000-00-01", ""],
        do_not_publish=True,
    )

    student.refresh_from_db()
    assert (
        student.first_name,
        student.external_id,
        student.parent_emails,
        student.parent_phones,
        student.do_not_publish,
    ) == ("Ann", "A1", ["mum@example.com", "dad@example.com"], ["+79000000001"], True)


STUDENT_ERRORS = [
    # arguments, errors
    ({"first_name": ""}, {"first_name": ["This field cannot be blank."]}),
    ({"parent_emails": ["ok@example.com", "x@"]},
     {"parent_emails": ["Not valid e-mail addresses: x@."]}),
    ({"parent_phones": ["12", "+7 900 000-00-01", "call me"]},
     {"parent_phones": ["Not valid phone numbers: 12 (no country code: write it as +, the "
                        "country code and the number), call me (not a phone number)."]}),
    ({"external_id": "A1"}, {"external_id": ["Another student of this school has external id A1."]}),
]  # fmt: skip


@pytest.mark.parametrize(("arguments", "errors"), STUDENT_ERRORS)
def test_a_student_is_refused_when_invalid(in_alpha, arguments, errors):
    school_class = school_class_create(
        school=school_create(name="School"), name="1A", school_year="2026-2027"
    )
    student_create(school_class=school_class, first_name="Bob", last_name="Ray", external_id="A1")

    assert (
        errors_of(
            student_create,
            **{"school_class": school_class, "first_name": "Ann", "last_name": "Lee", **arguments},
        )
        == errors
    )
    assert Student.objects.count() == 1


def test_external_ids_are_unique_per_school_not_per_studio(in_alpha):
    first = school_class_create(school=school_create(name="A"), name="1A", school_year="2026-2027")
    second = school_class_create(school=school_create(name="B"), name="1A", school_year="2026-2027")

    student_create(school_class=first, first_name="Ann", last_name="Lee", external_id="7")
    student_create(school_class=second, first_name="Bob", last_name="Ray", external_id="7")

    assert Student.objects.filter(external_id="7").count() == 2


def test_a_student_moves_between_classes_of_their_school_only(in_alpha):
    school = school_create(name="School")
    first = school_class_create(school=school, name="1A", school_year="2026-2027")
    second = school_class_create(school=school, name="1B", school_year="2026-2027")
    foreign = school_class_create(
        school=school_create(name="B"), name="1A", school_year="2026-2027"
    )
    student = student_create(school_class=first, first_name="Ann", last_name="Lee")

    assert student_update(student=student, school_class=second).school_class == second
    assert errors_of(student_update, student=student, school_class=foreign) == {
        "school_class": ["Choose a class of this student’s school."]
    }
    student.refresh_from_db()
    assert student.school_class == second


def test_a_student_update_keeps_what_it_is_not_given_and_a_delete_removes(in_alpha):
    school_class = school_class_create(
        school=school_create(name="School"), name="1A", school_year="2026-2027"
    )
    student = student_create(
        school_class=school_class, first_name="Ann", last_name="Lee", parent_emails=["a@x.test"]
    )

    student = student_update(student=student, last_name="Lee-Smith", do_not_publish=True)
    assert (student.last_name, student.parent_emails, student.do_not_publish) == (
        "Lee-Smith",
        ["a@x.test"],
        True,
    )

    student_delete(student=student)
    assert Student.objects.count() == 0
