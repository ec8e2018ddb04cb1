"""Retouching over the API, with the pages' roles: a retoucher claims, downloads, uploads and
submits their own batch; a manager approves or sends back with a comment."""

import io
import zipfile

from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.photos.models import RetouchStatus
from studio.retouching.models import RetouchEvent, RetouchEventKind
from studio.retouching.services import photos_send_to_retouch
from tests.studio.photos.conftest import _media, production  # noqa: F401 - shared fixtures
from tests.studio.photos.images import jpeg_bytes
from tests.studio.retouching.test_retouching import ready_photos  # noqa: F401 - fixture

from .conftest import api_client


def test_claim_upload_submit_and_review(alpha, production, ready_photos):  # noqa: F811
    manager = production["users"][Role.MANAGER]
    retoucher = production["users"][Role.RETOUCHER]
    shoot = production["shoot"]
    with schema_context(alpha.schema):
        photos_send_to_retouch(photos=ready_photos, actor=manager)
    as_retoucher = api_client(alpha, retoucher)
    as_manager = api_client(alpha, manager)

    queue = as_retoucher.get("/api/retouch/queue/").json()
    claimed = as_retoucher.post("/api/retouch/batches/claim/", {"shoot": shoot.pk}, format="json")
    nothing_left = as_retoucher.post(
        "/api/retouch/batches/claim/", {"shoot": shoot.pk}, format="json"
    )
    batch = claimed.json()
    archive = as_retoucher.get(f"/api/retouch/batches/{batch['id']}/download/")
    too_early = as_retoucher.post(f"/api/retouch/batches/{batch['id']}/submit/")
    first = io.BytesIO(jpeg_bytes(seed=901))
    first.name = "img_0000.jpg"
    stray = io.BytesIO(jpeg_bytes(seed=902))
    stray.name = "other.jpg"
    uploaded = as_retoucher.post(
        f"/api/retouch/batches/{batch['id']}/files/", {"files": [first, stray]}, format="multipart"
    )
    submitted = as_retoucher.post(f"/api/retouch/batches/{batch['id']}/submit/")
    photo_id = next(p["id"] for p in batch["photos"] if p["original_name"] == "IMG_0000.JPG")
    no_comment = as_manager.post(
        f"/api/retouch/review/{photo_id}/", {"decision": "send_back"}, format="json"
    )
    sent_back = as_manager.post(
        f"/api/retouch/review/{photo_id}/",
        {"decision": "send_back", "comment": "Too dark"},
        format="json",
    )
    shown = as_retoucher.get(f"/api/retouch/batches/{batch['id']}/").json()

    assert [(q["id"], q["queued"]) for q in queue["results"]] == [(shoot.pk, 3)]
    assert claimed.status_code == 201
    assert len(batch["photos"]) == 3
    assert nothing_left.status_code == 409
    with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as names:
        assert len(names.namelist()) == 3
    assert too_early.status_code == 409
    assert uploaded.json() == {
        "matched": ["img_0000.jpg"],
        "unmatched": ["other.jpg"],
        "rejected": [],
    }
    assert submitted.json() == {"submitted": 1}
    assert no_comment.status_code == 400
    assert list(no_comment.json()) == ["comment"]
    assert sent_back.status_code == 200
    assert sent_back.json()["retouch_status"] == RetouchStatus.SENT_BACK
    photo = next(p for p in shown["photos"] if p["id"] == photo_id)
    assert (photo["sent_back_comment"], photo["versions"]) == ("Too dark", 1)
    with schema_context(alpha.schema):
        assert RetouchEvent.objects.filter(kind=RetouchEventKind.SENT_BACK).count() == 1


def test_approve_and_the_roles_of_the_pages(alpha, production, ready_photos):  # noqa: F811
    manager = production["users"][Role.MANAGER]
    retoucher = production["users"][Role.RETOUCHER]
    with schema_context(alpha.schema):
        photos_send_to_retouch(photos=ready_photos, actor=manager)
        other = User.objects.create_user(email="r2@alpha.test", role=Role.RETOUCHER)
    as_retoucher = api_client(alpha, retoucher)
    as_manager = api_client(alpha, manager)
    batch = as_retoucher.post(
        "/api/retouch/batches/claim/", {"shoot": production["shoot"].pk}, format="json"
    ).json()
    first = io.BytesIO(jpeg_bytes(seed=903))
    first.name = "IMG_0001.jpg"
    as_retoucher.post(f"/api/retouch/batches/{batch['id']}/files/", {"files": [first]})
    as_retoucher.post(f"/api/retouch/batches/{batch['id']}/submit/")
    photo_id = next(p["id"] for p in batch["photos"] if p["original_name"] == "IMG_0001.JPG")

    managers_claim = as_manager.post(
        "/api/retouch/batches/claim/", {"shoot": production["shoot"].pk}, format="json"
    )
    retouchers_review = as_retoucher.post(
        f"/api/retouch/review/{photo_id}/", {"decision": "approve"}, format="json"
    )
    someone_elses = api_client(alpha, other).get(f"/api/retouch/batches/{batch['id']}/")
    managers_view = as_manager.get(f"/api/retouch/batches/{batch['id']}/")
    approved = as_manager.post(
        f"/api/retouch/review/{photo_id}/", {"decision": "approve"}, format="json"
    )
    twice = as_manager.post(
        f"/api/retouch/review/{photo_id}/", {"decision": "approve"}, format="json"
    )

    assert managers_claim.status_code == 403
    assert retouchers_review.status_code == 403
    assert someone_elses.status_code == 404
    assert managers_view.status_code == 200
    assert approved.json()["retouch_status"] == RetouchStatus.APPROVED
    assert twice.status_code == 409
    assert twice.json() == {"detail": "Only submitted photos can be approved."}
