"""Resumable chunked uploads and the tool endpoint, through the API."""

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role
from studio.photos.models import Photo, Upload
from studio.shoots.services import shoot_create
from tests.studio.photos.images import broken_jpeg, jpeg_bytes, zip_bytes


def api_as(studio, user) -> APIClient:
    client = APIClient(HTTP_HOST=studio.host)
    with schema_context(studio.schema):
        client.force_login(user)
    return client


@pytest.fixture
def photographer_api(production):
    return api_as(production["studio"], production["users"][Role.PHOTOGRAPHER])


def start(client, shoot, name, size, **extra):
    return client.post(
        "/api/uploads/",
        {"shoot": shoot.pk, "file_name": name, "size_bytes": size, **extra},
        format="json",
    )


def put_chunk(client, upload_id, offset, data):
    return client.put(
        f"/api/uploads/{upload_id}/chunk/",
        data,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
    )


def test_a_file_arrives_in_chunks_and_resumes_after_a_dropped_connection(
    photographer_api, production, django_capture_on_commit_callbacks
):
    data = jpeg_bytes(800, 600, seed=20)
    fingerprint = f"IMG_1.jpg:{len(data)}:1700000000000"
    started = start(
        photographer_api, production["shoot"], "IMG_1.jpg", len(data), fingerprint=fingerprint
    )
    assert started.status_code == 201
    upload_id = started.json()["id"]
    assert started.json()["received_bytes"] == 0

    first = put_chunk(photographer_api, upload_id, 0, data[:10_000])
    assert first.json()["received_bytes"] == 10_000

    # the tab was closed; the same file chosen again finds the unfinished upload
    resumed = start(
        photographer_api, production["shoot"], "IMG_1.jpg", len(data), fingerprint=fingerprint
    )
    assert (resumed.json()["id"], resumed.json()["received_bytes"]) == (upload_id, 10_000)

    # a chunk sent at the wrong offset is refused and told where to go on
    wrong = put_chunk(photographer_api, upload_id, 5_000, data[5_000:10_000])
    assert (wrong.status_code, wrong.json()["received_bytes"]) == (409, 10_000)

    with django_capture_on_commit_callbacks(execute=False):
        last = put_chunk(photographer_api, upload_id, 10_000, data[10_000:])
    body = last.json()
    assert (body["status"], body["received_bytes"]) == ("done", len(data))
    assert [(o["file_name"], o["result"]) for o in body["outcome"]] == [("IMG_1.jpg", "accepted")]
    with schema_context(production["studio"].schema):
        assert Photo.objects.get().original.read() == data
        assert Upload.objects.get(pk=upload_id).outcome[0]["photo_id"] == Photo.objects.get().pk


def test_a_broken_file_uploaded_in_chunks_is_reported_with_its_reason(photographer_api, production):
    data = broken_jpeg()
    upload_id = start(photographer_api, production["shoot"], "IMG_bad.jpg", len(data)).json()["id"]

    body = put_chunk(photographer_api, upload_id, 0, data).json()

    assert body["status"] == "rejected"
    assert body["outcome"][0]["result"] == "rejected"
    assert body["outcome"][0]["file_name"] == "IMG_bad.jpg"
    assert body["outcome"][0]["reason"]


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("huge.jpg", 60 * 1024 * 1024, "“huge.jpg” is larger than 50 MB."),
        ("empty.jpg", 0, "“empty.jpg” is empty."),
    ],
)
def test_files_announced_too_large_or_empty_are_refused_before_any_byte(
    photographer_api, production, name, size, message
):
    response = start(photographer_api, production["shoot"], name, size)

    assert response.status_code == 400
    assert response.json() == {"file_name": [message]}


def test_a_zip_upload_is_unpacked_in_the_background(
    photographer_api, production, django_capture_on_commit_callbacks
):
    data = zip_bytes({"11A/IMG_1.jpg": jpeg_bytes(seed=21), "11A/IMG_2.jpg": broken_jpeg()})
    upload_id = start(photographer_api, production["shoot"], "day.zip", len(data)).json()["id"]

    with django_capture_on_commit_callbacks(execute=False) as queued:
        body = put_chunk(photographer_api, upload_id, 0, data).json()
    assert (body["status"], len(queued)) == ("receiving", 1)  # queued for unpacking

    from studio.photos.tasks import expand_zip_upload

    with (
        schema_context(production["studio"].schema),
        django_capture_on_commit_callbacks(execute=False),
    ):
        expand_zip_upload.run(upload_id)  # what the worker does with the queued task

    polled = photographer_api.get(f"/api/uploads/{upload_id}/").json()
    assert [(o["file_name"], o["result"]) for o in polled["outcome"]] == [
        ("11A/IMG_1.jpg", "accepted"),
        ("11A/IMG_2.jpg", "rejected"),
    ]


def test_tools_post_several_files_at_once_and_get_an_outcome_each(photographer_api, production):
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [
        SimpleUploadedFile("A.jpg", jpeg_bytes(seed=22), "image/jpeg"),
        SimpleUploadedFile("B.jpg", b"garbage", "image/jpeg"),
        SimpleUploadedFile("C.jpg", jpeg_bytes(seed=23), "image/jpeg"),
    ]
    response = photographer_api.post(
        f"/api/shoots/{production['shoot'].pk}/files/", {"files": files}, format="multipart"
    )

    assert response.status_code == 201
    assert [(o["file_name"], o["result"]) for o in response.json()] == [
        ("A.jpg", "accepted"),
        ("B.jpg", "rejected"),
        ("C.jpg", "accepted"),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("manager", 201),
        ("owner", 201),
        ("outsider", 404),  # a photographer not assigned to this picture day does not see it
        (Role.RETOUCHER, 403),
        (Role.PRINCIPAL, 404),  # roles without production access do not see picture days
        (Role.PARENT, 404),
    ],
)
def test_who_may_upload_into_a_picture_day(production, who, status):
    user = production["outsider"] if who == "outsider" else production["users"][who]
    client = api_as(production["studio"], user)

    response = start(client, production["shoot"], "X.jpg", 1000)

    assert response.status_code == status


def test_uploads_into_a_closed_picture_day_are_refused(photographer_api, production):
    from studio.shoots.models import ShootStatus

    with schema_context(production["studio"].schema):
        production["shoot"].status = ShootStatus.PUBLISHED
        production["shoot"].save()

    response = start(photographer_api, production["shoot"], "late.jpg", 1000)

    assert response.json() == {"file_name": ["This picture day no longer accepts photos."]}


def test_another_studios_picture_day_is_not_found(production, beta):
    from studio.schools.models import School
    from studio.shoots.models import Shoot

    with schema_context(beta.schema):
        school = School.objects.create(name="Beta school")
        foreign = [
            shoot_create(school=school, name=f"Beta day {n}", date="2026-10-02") for n in range(3)
        ][-1]
    with schema_context(production["studio"].schema):
        assert not Shoot.objects.filter(pk=foreign.pk).exists()  # an id only beta has
    client = api_as(production["studio"], production["users"][Role.MANAGER])

    response = start(client, foreign, "X.jpg", 1000)

    assert response.status_code == 400
    assert list(response.json()) == ["shoot"]


def test_a_last_chunk_whose_answer_was_lost_finishes_the_file_when_sent_again(
    photographer_api, production, monkeypatch
):
    data = jpeg_bytes(seed=24)
    upload_id = start(photographer_api, production["shoot"], "IMG_lost.jpg", len(data)).json()["id"]

    def server_error(**kwargs):
        raise RuntimeError("worker restarted")

    monkeypatch.setattr("studio.photos.services.uploads.upload_finish", server_error)
    with pytest.raises(RuntimeError):
        put_chunk(photographer_api, upload_id, 0, data)
    monkeypatch.undo()

    # the client never heard back and sends the same chunk again
    again = put_chunk(photographer_api, upload_id, 0, data).json()

    assert (again["status"], again["received_bytes"]) == ("done", len(data))
    assert [o["result"] for o in again["outcome"]] == ["accepted"]
    with schema_context(production["studio"].schema):
        assert Photo.objects.get().original.read() == data
