"""Resumable chunked uploads and the tool endpoint, through the API."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role
from studio.photos.models import Photo, Upload, UploadChunk
from studio.photos.services.uploads import uploads_abandoned_sweep
from studio.photos.storage import originals_storage
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
        (Role.PRINCIPAL, 403),  # roles that never upload are refused first, as everywhere
        (Role.PARENT, 403),
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


def chunk_objects(studio, upload_id) -> list[str]:
    """What the studio's private storage holds under the upload's chunk folder."""

    with schema_context(studio.schema):
        try:
            return sorted(originals_storage().listdir(f"uploads/{upload_id}")[1])
        except FileNotFoundError:
            return []


class UnreadBody:
    """A request body that fails the test if the server reads a byte of it."""

    def __init__(self):
        self.read_calls = 0

    def read(self, *args):
        self.read_calls += 1
        raise AssertionError("the server read a body it should have refused by its headers")

    readline = read


def put_declared(client, upload_id, offset, length, body=None):
    """A chunk PUT that declares ``length`` bytes in Content-Length, whatever the body holds."""
    return client.generic(
        "PUT",
        f"/api/uploads/{upload_id}/chunk/",
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
        **{"CONTENT_LENGTH": str(length), "wsgi.input": body if body is not None else UnreadBody()},
    )


def test_chunks_are_objects_in_the_studios_storage_until_the_file_is_finished(
    photographer_api, production, media_in_tmp, django_capture_on_commit_callbacks
):
    data = jpeg_bytes(900, 700, seed=25)
    upload_id = start(photographer_api, production["shoot"], "IMG_2.jpg", len(data)).json()["id"]

    put_chunk(photographer_api, upload_id, 0, data[:20_000])
    put_chunk(photographer_api, upload_id, 20_000, data[20_000:40_000])

    stored = chunk_objects(production["studio"], upload_id)
    assert [name.split("-")[0] for name in stored] == [f"{0:015d}", f"{20_000:015d}"]
    # in the studio's private folder, nothing in this process's scratch space
    private = media_in_tmp / "private" / production["studio"].schema / "uploads" / upload_id
    assert sorted(p.name for p in private.iterdir()) == stored
    assert not any(p.is_file() for p in (media_in_tmp / "uploads").rglob("*"))
    with schema_context(production["studio"].schema):
        assert Upload.objects.get(pk=upload_id).received_bytes == 40_000

    with django_capture_on_commit_callbacks(execute=True):
        body = put_chunk(photographer_api, upload_id, 40_000, data[40_000:]).json()

    assert (body["status"], body["outcome"][0]["result"]) == ("done", "accepted")
    with schema_context(production["studio"].schema):
        assert Photo.objects.get().original.read() == data
        assert not Upload.objects.get(pk=upload_id).chunks.exists()
    assert chunk_objects(production["studio"], upload_id) == []
    assert not private.exists()


@pytest.mark.parametrize(
    ("size", "offset", "declared", "status", "error"),
    [
        # 300 MB on an upload announced at 1,000 bytes: over the app's cap
        (1_000, 0, 300_000_000, 413, "A chunk may be at most 5 MB."),
        # within the cap, but past the announced size
        (1_000, 0, 1_001, 400, "More data than the announced file size."),
        (3_000_000, 0, 3_000_001, 400, "More data than the announced file size."),
    ],
)
def test_a_chunk_too_large_is_refused_by_its_headers_without_reading_the_body(
    photographer_api, production, size, offset, declared, status, error
):
    upload_id = start(photographer_api, production["shoot"], "IMG_3.jpg", size).json()["id"]
    body = UnreadBody()

    response = put_declared(photographer_api, upload_id, offset, declared, body)

    assert (response.status_code, response.json()) == (status, {"chunk": [error]})
    assert body.read_calls == 0
    assert chunk_objects(production["studio"], upload_id) == []


def test_a_chunk_at_the_wrong_offset_is_refused_without_reading_the_body(
    photographer_api, production
):
    upload_id = start(photographer_api, production["shoot"], "IMG_4.jpg", 5_000).json()["id"]

    response = put_declared(photographer_api, upload_id, 1_000, 1_000)

    assert (response.status_code, response.json()["received_bytes"]) == (409, 0)


def test_a_chunk_without_content_length_is_refused(photographer_api, production):
    upload_id = start(photographer_api, production["shoot"], "IMG_5.jpg", 5_000).json()["id"]

    response = photographer_api.generic(
        "PUT",
        f"/api/uploads/{upload_id}/chunk/",
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET="0",
        **{"CONTENT_LENGTH": "", "wsgi.input": UnreadBody()},
    )

    assert response.status_code == 411
    assert response.json() == {"chunk": ["Send the chunk with a Content-Length header."]}


def test_a_chunk_cut_off_on_the_way_is_not_acknowledged(photographer_api, production):
    import io

    upload_id = start(photographer_api, production["shoot"], "IMG_6.jpg", 50_000).json()["id"]

    response = put_declared(photographer_api, upload_id, 0, 10_000, io.BytesIO(b"x" * 6_000))

    assert (response.status_code, response.json()) == (
        400,
        {"chunk": ["The chunk arrived incomplete."]},
    )
    assert photographer_api.get(f"/api/uploads/{upload_id}/").json()["received_bytes"] == 0
    assert chunk_objects(production["studio"], upload_id) == []


def test_of_two_attempts_at_one_offset_the_slower_is_told_where_to_go_on(
    photographer_api, production
):
    """A retry sent to another pod while the first attempt is still arriving: both stream to
    objects of their own; the first to be stored wins, the other's object is removed."""
    data = jpeg_bytes(seed=26)
    upload_id = start(photographer_api, production["shoot"], "IMG_7.jpg", len(data)).json()["id"]
    other = api_as(production["studio"], production["users"][Role.PHOTOGRAPHER])

    class RetryArrivesMeanwhile:
        """The slow attempt's body: while it is being read, the retry is stored."""

        def __init__(self, payload):
            self.payload, self.sent = payload, False

        def read(self, size=-1):
            if not self.sent:
                self.sent = True
                assert put_chunk(other, upload_id, 0, data[:10_000]).status_code == 200
                return self.payload
            return b""

        readline = read

    slow = put_declared(
        photographer_api, upload_id, 0, 10_000, RetryArrivesMeanwhile(data[:10_000])
    )

    assert (slow.status_code, slow.json()["received_bytes"]) == (409, 10_000)
    assert len(chunk_objects(production["studio"], upload_id)) == 1
    last = put_chunk(photographer_api, upload_id, 10_000, data[10_000:]).json()
    assert last["status"] == "done"
    with schema_context(production["studio"].schema):
        assert Photo.objects.get().original.read() == data


def test_objects_of_attempts_that_died_before_being_acknowledged_are_swept(
    photographer_api, production, django_capture_on_commit_callbacks
):
    data = jpeg_bytes(seed=27)
    upload_id = start(photographer_api, production["shoot"], "IMG_8.jpg", len(data)).json()["id"]
    with schema_context(production["studio"].schema):
        # a web process killed between storing its chunk and recording it
        originals_storage().save(f"uploads/{upload_id}/000000000000000-dead", ContentFile(b"x"))

    with django_capture_on_commit_callbacks(execute=True):
        body = put_chunk(photographer_api, upload_id, 0, data).json()

    assert body["status"] == "done"
    assert chunk_objects(production["studio"], upload_id) == []


def test_another_studios_upload_and_another_persons_session_are_refused(production, beta):
    data = jpeg_bytes(seed=28)
    owner = api_as(production["studio"], production["users"][Role.PHOTOGRAPHER])
    upload_id = start(owner, production["shoot"], "IMG_9.jpg", len(data)).json()["id"]
    put_chunk(owner, upload_id, 0, data[:10_000])
    with schema_context(beta.schema):
        from saas_platform.accounts.models import User

        beta_owner = User.objects.get(email=beta.owner_email)

    refused = {
        "beta's owner on beta's host": api_as(beta, beta_owner),
        "alpha's manager": api_as(production["studio"], production["users"][Role.MANAGER]),
        "alpha's retoucher": api_as(production["studio"], production["users"][Role.RETOUCHER]),
        "a parent": api_as(production["studio"], production["users"][Role.PARENT]),
        "another photographer": api_as(production["studio"], production["outsider"]),
    }
    for who, client in refused.items():
        body = UnreadBody()
        chunk = put_declared(client, upload_id, 10_000, len(data) - 10_000, body)
        status = client.get(f"/api/uploads/{upload_id}/").status_code
        assert (who, chunk.status_code, status) in {(who, 404, 404), (who, 403, 403)}
        assert body.read_calls == 0

    assert owner.get(f"/api/uploads/{upload_id}/").json()["received_bytes"] == 10_000
    assert len(chunk_objects(production["studio"], upload_id)) == 1


def test_an_upload_abandoned_for_days_is_rejected_with_its_reason_and_its_chunks_go(
    photographer_api, production, settings
):
    data = jpeg_bytes(seed=29)
    old = start(photographer_api, production["shoot"], "IMG_old.jpg", len(data)).json()["id"]
    fresh = start(photographer_api, production["shoot"], "IMG_new.jpg", len(data)).json()["id"]
    put_chunk(photographer_api, old, 0, data[:10_000])
    put_chunk(photographer_api, fresh, 0, data[:10_000])
    with schema_context(production["studio"].schema):
        Upload.objects.filter(pk=old).update(
            created_at=timezone.now() - timedelta(hours=settings.UPLOAD_ABANDON_HOURS + 1)
        )
        assert uploads_abandoned_sweep() == 1
        abandoned, going_on = Upload.objects.get(pk=old), Upload.objects.get(pk=fresh)
        assert abandoned.status == "rejected"
        assert abandoned.outcome[0]["reason"] == "The upload was not finished within 72 hours."
        assert not abandoned.chunks.exists()
        assert going_on.status == "receiving" and going_on.chunks.count() == 1
    assert chunk_objects(production["studio"], old) == []
    assert len(chunk_objects(production["studio"], fresh)) == 1
    # the photographer coming back to the fresh one still finishes it
    assert put_chunk(photographer_api, fresh, 10_000, data[10_000:]).json()["status"] == "done"


def test_chunks_a_finished_upload_still_has_are_swept(photographer_api, production):
    data = jpeg_bytes(seed=30)
    upload_id = start(photographer_api, production["shoot"], "IMG_10.jpg", len(data)).json()["id"]
    # finished, but its clean-up after commit never ran (here: the test's transaction never
    # commits; in production: the process died first)
    assert put_chunk(photographer_api, upload_id, 0, data).json()["status"] == "done"
    assert len(chunk_objects(production["studio"], upload_id)) == 1
    with schema_context(production["studio"].schema):
        assert UploadChunk.objects.filter(upload_id=upload_id).exists()
        assert uploads_abandoned_sweep() == 1
        assert not UploadChunk.objects.filter(upload_id=upload_id).exists()
        assert Photo.objects.get().original.read() == data
    assert chunk_objects(production["studio"], upload_id) == []


@pytest.mark.parametrize("value", ["null", "abc", "1.5", "-3"])
def test_a_class_that_is_not_an_id_is_a_400_naming_the_field(photographer_api, production, value):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = photographer_api.post(
        f"/api/shoots/{production['shoot'].pk}/files/",
        {
            "files": [SimpleUploadedFile("A.jpg", jpeg_bytes(seed=24), "image/jpeg")],
            "school_class": value,
        },
        format="multipart",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["school_class"]
    with schema_context(production["studio"].schema):
        assert not Photo.objects.filter(shoot=production["shoot"]).exists()


def test_a_class_of_another_school_is_a_400_and_the_right_class_is_used(
    photographer_api, production
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from studio.schools.models import School, SchoolClass

    with schema_context(production["studio"].schema):
        elsewhere = SchoolClass.objects.create(
            school=School.objects.create(name="Elsewhere"), name="1A", school_year="2026-2027"
        )
    url = f"/api/shoots/{production['shoot'].pk}/files/"

    foreign = photographer_api.post(
        url,
        {"files": [SimpleUploadedFile("A.jpg", jpeg_bytes(seed=25))], "school_class": elsewhere.pk},
        format="multipart",
    )
    own = photographer_api.post(
        url,
        {
            "files": [SimpleUploadedFile("B.jpg", jpeg_bytes(seed=26))],
            "school_class": production["class"].pk,
        },
        format="multipart",
    )

    assert (foreign.status_code, list(foreign.json())) == (400, ["school_class"])
    assert own.status_code == 201
    with schema_context(production["studio"].schema):
        photo = Photo.objects.get(pk=own.json()[0]["photo_id"])
        assert photo.school_class_id == production["class"].pk
