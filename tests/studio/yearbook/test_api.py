"""``/api/yearbook/``: poses (the studio's choice audited like the staff page's), the parents'
deadline, PSPA exports and their ZIP, class composites; lower roles, other studios' ids and
tokens refused."""

import datetime
import io
import zipfile

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.schools.models import School, SchoolClass
from studio.yearbook.models import (
    Composite,
    JobStatus,
    Pose,
    PoseChoice,
    YearbookExport,
    YearbookSettings,
)
from tests.conftest import host_client, logged_in_client
from tests.studio.preorders.test_api import token_client


def _made(yb, manager_api, capture, url, data):
    """A POST whose Celery task runs in this process once the request commits."""
    with capture(execute=True):
        response = manager_api.post(url, data, format="json")
    assert response.status_code in (201, 202), response.content
    return response.json()


@pytest.fixture
def made(yb, run_tasks, django_capture_on_commit_callbacks):
    """An export and a composite of the picture day, both built."""
    api = token_client(yb["studio"], Role.MANAGER)
    capture = django_capture_on_commit_callbacks
    export = _made(yb, api, capture, "/api/yearbook/exports/", {"shoot": yb["shoot"].pk})
    composite = _made(
        yb,
        api,
        capture,
        "/api/yearbook/composites/",
        {"shoot": yb["shoot"].pk, "school_class": yb["anna"].school_class_id, "title": "4A"},
    )
    return {**yb, "api": api, "export": export, "composite": composite}


def _operations(fixture):
    shoot, school = fixture["shoot"].pk, fixture["shoot"].school_id
    export, composite = fixture["export"]["id"], fixture["composite"]["id"]
    pose = {"shoot": shoot, "student": fixture["anna"].pk, "photo": fixture["photos"]["anna2"].pk}
    return [
        ("get", f"/api/yearbook/poses/?shoot={shoot}", {}),
        ("post", "/api/yearbook/poses/", pose),
        ("get", f"/api/yearbook/deadlines/{shoot}/", {}),
        ("put", f"/api/yearbook/deadlines/{shoot}/", {"pose_deadline": None}),
        ("get", "/api/yearbook/exports/", {}),
        ("post", "/api/yearbook/exports/", {"school": school}),
        ("get", f"/api/yearbook/exports/{export}/", {}),
        ("get", f"/api/yearbook/exports/{export}/download/", {}),
        ("get", "/api/yearbook/composites/", {}),
        ("post", "/api/yearbook/composites/", {"shoot": shoot, "school_class": 1}),
        ("get", f"/api/yearbook/composites/{composite}/", {}),
        ("put", f"/api/yearbook/composites/{composite}/", {"title": "x"}),
        ("patch", f"/api/yearbook/composites/{composite}/", {"title": "x"}),
        ("post", f"/api/yearbook/composites/{composite}/regenerate/", {}),
    ]


def test_poses_list_each_childs_pose_and_the_studio_chooses_one(yb):
    api = token_client(yb["studio"], Role.MANAGER)
    shoot, photos, anna = yb["shoot"], yb["photos"], yb["anna"]
    listed = api.get(f"/api/yearbook/poses/?shoot={shoot.pk}").json()
    rows = {row["name"]: row for row in listed["results"]}
    assert listed["count"] == 3 and set(rows) == {"Anna K", "Boris K", "Hidden K"}
    assert rows["Anna K"]["candidates"] == [photos["anna1"].pk, photos["anna2"].pk]
    assert (rows["Anna K"]["photo"], rows["Anna K"]["source"]) == (photos["anna1"].pk, "")

    chosen = api.post(
        "/api/yearbook/poses/",
        {"shoot": shoot.pk, "student": anna.pk, "photo": photos["anna2"].pk},
        format="json",
    )
    assert chosen.status_code == 201, chosen.content
    assert (chosen.json()["photo"], chosen.json()["source"]) == (photos["anna2"].pk, "staff")
    again = api.get(
        f"/api/yearbook/poses/?shoot={shoot.pk}&school_class={anna.school_class_id}"
    ).json()
    assert {r["name"]: r["photo"] for r in again["results"]}["Anna K"] == photos["anna2"].pk
    with schema_context(yb["studio"].schema):
        [audit] = PoseChoice.objects.all()
        assert (audit.student_id, audit.photo_id, audit.source) == (
            anna.pk,
            photos["anna2"].pk,
            "staff",
        )
        assert audit.actor_label == "owner@alpha.test"  # the token's user (issued by the owner)


def test_a_pose_the_service_refuses_is_a_400_and_the_list_needs_its_picture_day(yb):
    api = token_client(yb["studio"], Role.OWNER)
    shoot, photos = yb["shoot"], yb["photos"]
    not_hers = api.post(
        "/api/yearbook/poses/",
        {"shoot": shoot.pk, "student": yb["anna"].pk, "photo": photos["boris"].pk},
        format="json",
    )
    assert not_hers.status_code == 400
    assert not_hers.json() == {
        "photo": ["Only a ready portrait of this child alone can be their yearbook photo."]
    }
    missing = api.get("/api/yearbook/poses/")
    assert missing.status_code == 400 and missing.json() == {"shoot": ["Choose a picture day."]}
    assert api.get(f"/api/yearbook/poses/?shoot={shoot.pk + 1000}").status_code == 404
    with schema_context(yb["studio"].schema):
        assert not Pose.objects.exists() and not PoseChoice.objects.exists()


def test_the_deadline_is_read_and_set(yb):
    api = token_client(yb["studio"], Role.MANAGER)
    url = f"/api/yearbook/deadlines/{yb['shoot'].pk}/"
    assert api.get(url).json() == {
        "shoot": yb["shoot"].pk,
        "pose_deadline": None,
        "locked": False,
    }
    past = api.put(url, {"pose_deadline": "2026-01-01T10:00:00+00:00"}, format="json")
    assert past.status_code == 200 and past.json()["locked"] is True
    with schema_context(yb["studio"].schema):
        assert YearbookSettings.objects.get().pose_deadline == datetime.datetime(
            2026, 1, 1, 10, tzinfo=datetime.UTC
        )
    assert api.put(url, {"pose_deadline": "soon"}, format="json").status_code == 400
    cleared = api.put(url, {"pose_deadline": None}, format="json").json()
    assert (cleared["pose_deadline"], cleared["locked"]) == (None, False)
    assert api.patch(url, {}, format="json").status_code == 405


def test_an_export_is_started_listed_and_its_zip_downloaded_when_ready(made):
    api, export = made["api"], made["export"]
    assert (export["shoot"], export["school"]) == (made["shoot"].pk, made["shoot"].school_id)
    one = api.get(f"/api/yearbook/exports/{export['id']}/").json()
    assert (one["status"], one["students"]) == ("ready", 2)  # the hidden child left out
    download = api.get(f"/api/yearbook/exports/{export['id']}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert any(name.lower().endswith(".jpg") for name in names) and len(names) >= 2
    listed = api.get(f"/api/yearbook/exports/?shoot={made['shoot'].pk}&status=ready").json()
    assert [row["id"] for row in listed["results"]] == [export["id"]]


def test_an_export_not_ready_is_a_409_and_a_scope_is_required(
    yb, django_capture_on_commit_callbacks
):
    api = token_client(yb["studio"], Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=False):  # no worker: it stays queued
        queued = api.post(
            "/api/yearbook/exports/", {"school": yb["shoot"].school_id}, format="json"
        ).json()
        again = api.post(
            "/api/yearbook/exports/", {"school": yb["shoot"].school_id}, format="json"
        ).json()
    assert (queued["status"], queued["shoot"], again["id"]) == ("queued", None, queued["id"])
    refused = api.get(f"/api/yearbook/exports/{queued['id']}/download/")
    assert refused.status_code == 409
    assert refused.json()["detail"] == "The export is not ready: it is waiting to start."
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "uk"  # the visitor's chosen language
    ukrainian = api.get(f"/api/yearbook/exports/{queued['id']}/download/")
    assert ukrainian.json()["detail"] == "Експорт ще не готовий, його статус: очікує запуску."
    both = api.post(
        "/api/yearbook/exports/",
        {"shoot": yb["shoot"].pk, "school": yb["shoot"].school_id},
        format="json",
    )
    assert both.status_code == 400
    assert api.post("/api/yearbook/exports/", {}, format="json").status_code == 400
    with schema_context(yb["studio"].schema):
        assert YearbookExport.objects.count() == 1


def test_a_composite_is_made_renamed_reordered_and_regenerated(
    made, django_capture_on_commit_callbacks
):
    api, composite = made["api"], made["composite"]
    url = f"/api/yearbook/composites/{composite['id']}/"
    built = api.get(url).json()
    assert (built["status"], built["title"], built["generation"]) == ("ready", "4A", 1)
    assert built["photo"] is not None
    with django_capture_on_commit_callbacks(execute=True):
        renamed = api.patch(
            url, {"title": "Class 4A", "order": [made["boris"].pk]}, format="json"
        ).json()
    assert (renamed["title"], renamed["order"]) == ("Class 4A", [made["boris"].pk])
    after = api.get(url).json()
    assert (after["status"], after["generation"], after["photo"]) == (
        "ready",
        2,
        built["photo"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(f"{url}regenerate/")
    assert again.status_code == 202 and again.json()["title"] == "Class 4A"
    assert api.get(url).json()["generation"] == 3
    listed = api.get(
        f"/api/yearbook/composites/?shoot={made['shoot'].pk}&school_class="
        f"{made['anna'].school_class_id}"
    ).json()
    assert [row["id"] for row in listed["results"]] == [composite["id"]]
    with schema_context(made["studio"].schema):
        assert Composite.objects.get().status == JobStatus.READY


def test_a_composite_of_a_class_of_another_school_is_refused(yb):
    api = token_client(yb["studio"], Role.MANAGER)
    with schema_context(yb["studio"].schema):
        other = SchoolClass.objects.create(
            school=School.objects.create(name="Elsewhere"), name="1A", school_year="2026-2027"
        )
    response = api.post(
        "/api/yearbook/composites/",
        {"shoot": yb["shoot"].pk, "school_class": other.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"school_class": ["This class is not on this picture day."]}


def _nothing_changed(fixture):
    with schema_context(fixture["studio"].schema):
        assert not Pose.objects.exists() and not YearbookSettings.objects.exists()
        assert YearbookExport.objects.count() == 1
        composite = Composite.objects.get()
        assert (composite.title, composite.generation) == ("4A", 1)


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER])
def test_lower_roles_tokens_are_refused_every_operation(
    made, role, django_capture_on_commit_callbacks
):
    api = token_client(made["studio"], role)
    for method, url, data in _operations(made):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = getattr(api, method)(url, data, format="json")
        assert response.status_code == 403, url
        assert queued == []
    _nothing_changed(made)


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.PARENT])
def test_principal_and_parent_sessions_are_refused_every_operation(
    made, role, django_capture_on_commit_callbacks
):
    with schema_context(made["studio"].schema):
        user = User.objects.create_user(
            email=f"{role}-api-yb@alpha.test", password="pw-123456", role=role
        )
    session = logged_in_client(made["studio"], user)
    for method, url, data in _operations(made):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = getattr(session, method)(url, data, content_type="application/json")
        assert response.status_code == 403, url
        assert queued == []
    _nothing_changed(made)


def test_another_studios_ids_are_not_found_and_its_tokens_refused(
    made, beta, django_capture_on_commit_callbacks
):
    own_owner = token_client(beta, Role.OWNER)
    for method, url, data in _operations(made):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = getattr(own_owner, method)(url, data, format="json")
        if url in ("/api/yearbook/exports/", "/api/yearbook/composites/") and method == "get":
            assert response.status_code == 200 and response.json()["count"] == 0, url
        elif (
            url.startswith(
                ("/api/yearbook/poses/", "/api/yearbook/exports/", "/api/yearbook/composites/")
            )
            and method == "post"
            and "/regenerate/" not in url
        ):
            # alpha's ids in the body name nothing in this studio
            assert response.status_code == 400, url
        else:
            assert response.status_code == 404, url
        assert queued == []
    stranger = token_client(beta, Role.OWNER, host=made["studio"].host)
    for method, url, data in _operations(made):
        assert getattr(stranger, method)(url, data, format="json").status_code == 401, url
    assert host_client(made["studio"].host).get("/api/yearbook/exports/").status_code == 401
    _nothing_changed(made)
    with schema_context(beta.schema):
        assert not YearbookExport.objects.exists() and not Composite.objects.exists()


def test_the_schema_describes_every_yearbook_operation_and_its_errors(alpha, db):
    paths = host_client(alpha.host).get("/api/schema/?format=json").json()["paths"]
    download = paths["/api/yearbook/exports/{id}/download/"]["get"]
    assert {"200", "401", "403", "404", "409"} <= set(download["responses"])
    assert "application/zip" in download["responses"]["200"]["content"]
    pose = paths["/api/yearbook/poses/"]["post"]
    assert {"201", "400", "401", "403"} <= set(pose["responses"])
    assert "examples" in str(pose["requestBody"])
    poses = paths["/api/yearbook/poses/"]["get"]
    assert {"shoot", "school_class", "page"} <= {p["name"] for p in poses["parameters"]}
    exports = paths["/api/yearbook/exports/"]["get"]
    assert {"shoot", "school", "status", "page"} <= {p["name"] for p in exports["parameters"]}
    assert {
        "/api/yearbook/deadlines/{id}/",
        "/api/yearbook/exports/{id}/",
        "/api/yearbook/composites/",
        "/api/yearbook/composites/{id}/",
        "/api/yearbook/composites/{id}/regenerate/",
    } <= set(paths)
