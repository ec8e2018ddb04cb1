"""Editing a picture day, from the page and the API, through one service: a moved sales
deadline moves the access codes with it."""

import datetime

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.access.models import AccessCode
from studio.access.services import access_codes_issue
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_create, shoot_update
from tests.conftest import logged_in_client
from tests.studio.test_api import api_for

OLD = timezone.now().replace(microsecond=0) + datetime.timedelta(days=30)
NEW = OLD + datetime.timedelta(days=7)


@pytest.fixture
def day(alpha):
    with schema_context(alpha.schema):
        school = School.objects.create(name="School 5")
        school_class = SchoolClass.objects.create(school=school, name="5A", school_year="2026-2027")
        Student.objects.create(school_class=school_class, first_name="Ann", last_name="Lee")
        shoot = shoot_create(school=school, name="Autumn", date="2026-10-01", sales_deadline=OLD)
        access_codes_issue(shoot=shoot)
        photographer = User.objects.create_user(
            email="ph@alpha.test", password="x", role=Role.PHOTOGRAPHER
        )
        manager = User.objects.create_user(email="mg@alpha.test", password="x", role=Role.MANAGER)
    return {"studio": alpha, "shoot": shoot, "photographer": photographer, "manager": manager}


def code_expiries(schema) -> set:
    with schema_context(schema):
        return set(AccessCode.objects.values_list("expires_at", flat=True))


def test_the_service_changes_only_what_it_is_given_and_codes_follow_the_deadline(day):
    with schema_context(day["studio"].schema):
        shoot = shoot_update(
            shoot=day["shoot"],
            sales_deadline=NEW,
            notes="Gym, 9:00",
            photographers=[day["photographer"]],
        )
        shoot.refresh_from_db()
        assert (shoot.name, str(shoot.date), shoot.sales_deadline, shoot.notes) == (
            "Autumn",
            "2026-10-01",
            NEW,
            "Gym, 9:00",
        )
        assert list(shoot.photographers.all()) == [day["photographer"]]
    assert code_expiries(day["studio"].schema) == {NEW}


def test_the_page_edits_the_picture_day_and_moves_the_codes(day):
    client = logged_in_client(day["studio"], day["manager"])
    url = f"/staff/shoots/{day['shoot'].pk}/edit/"
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "name": "Autumn portraits",
            "date": "2026-10-02",
            "sales_deadline": timezone.localtime(NEW).strftime("%Y-%m-%dT%H:%M"),
            "photographers": [day["photographer"].pk],
            "notes": "Bring the grey backdrop",
        },
    )

    assert response.status_code == 302
    with schema_context(day["studio"].schema):
        shoot = Shoot.objects.get(pk=day["shoot"].pk)
        assert (shoot.name, str(shoot.date), shoot.notes) == (
            "Autumn portraits",
            "2026-10-02",
            "Bring the grey backdrop",
        )
        assert list(shoot.photographers.values_list("pk", flat=True)) == [day["photographer"].pk]
    assert code_expiries(day["studio"].schema) == {shoot.sales_deadline}
    assert shoot.sales_deadline == NEW.replace(second=0)


def test_an_api_patch_of_the_deadline_moves_the_codes_too(day):
    client = api_for(day["studio"], Role.MANAGER)

    response = client.patch(
        f"/api/shoots/{day['shoot'].pk}/",
        {"sales_deadline": NEW.isoformat(), "notes": "Side door"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["notes"] == "Side door"
    assert code_expiries(day["studio"].schema) == {NEW}


def test_the_api_keeps_a_picture_day_with_its_school(day):
    with schema_context(day["studio"].schema):
        other = School.objects.create(name="Other")
    client = api_for(day["studio"], Role.MANAGER)

    response = client.patch(
        f"/api/shoots/{day['shoot'].pk}/", {"school": other.pk}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "school" in response.json()


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL, Role.PARENT])
def test_only_managing_roles_edit(day, role):
    with schema_context(day["studio"].schema):
        user = User.objects.create_user(email=f"{role}-e@alpha.test", password="x", role=role)
    client = logged_in_client(day["studio"], user)

    assert client.get(f"/staff/shoots/{day['shoot'].pk}/edit/").status_code == 403


def test_another_studios_picture_day_is_not_found(day, beta):
    with schema_context(beta.schema):
        manager = User.objects.create_user(email="mg@beta.test", password="x", role=Role.MANAGER)
    client = logged_in_client(beta, manager)

    assert client.get(f"/staff/shoots/{day['shoot'].pk}/edit/").status_code == 404
