"""The studio API: documented, paginated, filtered, and the same rules as the pages."""

from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role, User
from studio.schools.models import School, SchoolClass, Student


def api_for(studio, role):
    with schema_context(studio.schema):
        user = User.objects.create_user(email=f"{role}-api@x.test", password="pw-123456", role=role)
    client = APIClient(HTTP_HOST=studio.host)
    with schema_context(studio.schema):
        client.force_login(user)
    return client


def test_the_openapi_schema_and_swagger_ui_are_served(alpha):
    client = APIClient(HTTP_HOST=alpha.host)

    schema = client.get("/api/schema/?format=json").json()
    docs = client.get("/api/docs/")

    assert {
        "/api/schools/",
        "/api/shoots/{id}/transition/",
        "/api/uploads/{id}/chunk/",
        "/api/photos/{id}/",
    } <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "API token (pd_…)",
    }
    assert docs.status_code == 200


def test_lists_are_paginated_and_filtered(alpha):
    with schema_context(alpha.schema):
        school = School.objects.create(name="Lyceum")
        classes = [
            SchoolClass.objects.create(school=school, name=f"{n}A", school_year="2026-2027")
            for n in range(1, 4)
        ]
        for n in range(60):
            Student.objects.create(school_class=classes[n % 3], first_name=f"S{n}", last_name="X")
    client = api_for(alpha, Role.MANAGER)

    first_page = client.get("/api/students/").json()
    filtered = client.get(f"/api/students/?school_class={classes[0].pk}").json()

    assert (first_page["count"], len(first_page["results"]), first_page["next"] is not None) == (
        60,
        50,
        True,
    )
    assert filtered["count"] == 20


def test_writes_through_the_api_follow_the_same_rules_as_the_pages(alpha):
    client = api_for(alpha, Role.MANAGER)

    bad = client.post("/api/schools/", {"name": "X", "commission_percent": "120"}, format="json")
    good = client.post(
        "/api/schools/", {"name": "Gymnasium 3", "commission_percent": "12.50"}, format="json"
    )
    school_class = client.post(
        "/api/classes/",
        {"school": good.json()["id"], "name": "10B", "school_year": "2026/2027"},
        format="json",
    )

    assert bad.status_code == 400
    assert "commission_percent" in bad.json()
    assert (good.status_code, good.json()["commission_percent"]) == (201, "12.50")
    assert (school_class.status_code, school_class.json()["school_year"]) == (201, "2026-2027")


def test_parents_contacts_are_shown_only_to_managing_roles(alpha):
    with schema_context(alpha.schema):
        school_class = SchoolClass.objects.create(
            school=School.objects.create(name="S"), name="1A", school_year="2026-2027"
        )
        student = Student.objects.create(
            school_class=school_class, first_name="A", last_name="B", parent_emails=["mum@x.test"]
        )

    as_manager = api_for(alpha, Role.MANAGER).get(f"/api/students/{student.pk}/").json()
    as_photographer = api_for(alpha, Role.PHOTOGRAPHER).get(f"/api/students/{student.pk}/").json()

    assert as_manager["parent_emails"] == ["mum@x.test"]
    assert "parent_emails" not in as_photographer and "parent_phones" not in as_photographer


def test_a_token_from_another_studio_reads_nothing(alpha, beta):
    from saas_platform.accounts.services import api_token_create

    with schema_context(beta.schema):
        _token, raw = api_token_create(
            user=User.objects.get(email=beta.owner_email), name="beta tool"
        )
    client = APIClient(HTTP_HOST=alpha.host)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert client.get("/api/schools/").status_code == 401
