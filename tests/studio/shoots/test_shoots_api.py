"""Deleting a picture day through the API: refused with 409 and the reason while records
still need it, never a 500."""

from django.conf import settings
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role, User
from studio.access.models import AccessCode
from studio.access.services import access_codes_issue
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_create


def manager_api(studio) -> APIClient:
    with schema_context(studio.schema):
        user = User.objects.create_user(
            email="manager-shoots@alpha.test", password="pw-123456", role=Role.MANAGER
        )
    client = APIClient(HTTP_HOST=studio.host)
    with schema_context(studio.schema):
        client.force_login(user)
    return client


def a_picture_day(studio, *, with_codes: bool) -> Shoot:
    with schema_context(studio.schema):
        school = School.objects.create(name="School No. 9")
        school_class = SchoolClass.objects.create(school=school, name="3B", school_year="2026-2027")
        Student.objects.create(school_class=school_class, first_name="Olga", last_name="K")
        shoot = shoot_create(school=school, name="Autumn", date="2026-10-01")
        if with_codes:
            access_codes_issue(shoot=shoot)
    return shoot


def test_a_picture_day_with_access_codes_is_refused_with_409_and_the_reason(alpha):
    shoot = a_picture_day(alpha, with_codes=True)
    client = manager_api(alpha)

    response = client.delete(f"/api/shoots/{shoot.pk}/")

    assert response.status_code == 409
    assert "access codes" in response.json()["detail"]
    with schema_context(alpha.schema):
        assert Shoot.objects.filter(pk=shoot.pk).exists()
        assert AccessCode.objects.filter(shoot=shoot).count() == 2  # the class's and Olga's


def test_the_reason_is_translated(alpha):
    shoot = a_picture_day(alpha, with_codes=True)
    client = manager_api(alpha)

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    response = client.delete(f"/api/shoots/{shoot.pk}/")

    assert response.status_code == 409
    assert "Этот день съёмки нельзя удалить" in response.json()["detail"]


def test_a_picture_day_nothing_refers_to_is_deleted(alpha):
    shoot = a_picture_day(alpha, with_codes=False)
    client = manager_api(alpha)

    response = client.delete(f"/api/shoots/{shoot.pk}/")

    assert response.status_code == 204
    with schema_context(alpha.schema):
        assert not Shoot.objects.filter(pk=shoot.pk).exists()


def test_the_schema_documents_the_409(alpha):
    schema = APIClient(HTTP_HOST=alpha.host).get("/api/schema/?format=json").json()

    assert "409" in schema["paths"]["/api/shoots/{id}/"]["delete"]["responses"]
