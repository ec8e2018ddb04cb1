"""A school, class or student still in use is a 409 with the reason, as a picture day is."""

from saas_platform.accounts.models import Role
from studio.access.services import access_codes_issue
from studio.schools.models import School, SchoolClass, Student

from .conftest import api_client, user_with


def test_a_school_with_classes_needs_the_confirmation(alpha, in_alpha):
    school = School.objects.create(name="Gymnasium")
    SchoolClass.objects.create(school=school, name="1A", school_year="2026-2027")
    client = api_client(alpha, user_with(Role.MANAGER))

    refused = client.delete(f"/api/schools/{school.pk}/")
    confirmed = client.delete(f"/api/schools/{school.pk}/?with_classes=true")

    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "The school has classes; confirm deleting it with its classes and students."
    }
    assert confirmed.status_code == 204
    assert not School.objects.filter(pk=school.pk).exists()


def test_a_class_or_student_others_refer_to_is_409(alpha, shop):
    access_codes_issue(shoot=shop.shoot)  # codes protect the classes and children they name
    client = api_client(alpha, shop.manager)

    school_class = client.delete(f"/api/classes/{shop.class_a.pk}/?with_students=1")
    student = client.delete(f"/api/students/{shop.ivan.pk}/")

    assert school_class.status_code == 409
    assert school_class.json()["detail"] == (
        "It cannot be deleted while other records refer to it: access codes."
    )
    assert student.status_code == 409
    assert Student.objects.filter(pk=shop.ivan.pk).exists()
    assert SchoolClass.objects.filter(pk=shop.class_a.pk).exists()


def test_an_empty_class_is_deleted(alpha, in_alpha):
    school = School.objects.create(name="Gymnasium")
    empty = SchoolClass.objects.create(school=school, name="1A", school_year="2026-2027")
    client = api_client(alpha, user_with(Role.MANAGER))

    assert client.delete(f"/api/classes/{empty.pk}/").status_code == 204
