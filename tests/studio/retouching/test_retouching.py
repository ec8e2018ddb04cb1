"""From the queue to approved: claim, download, upload matched by name, submit, review."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.photos.models import Photo, PhotoStatus, RetouchStatus
from studio.photos.services.ingest import photo_ingest_file
from studio.photos.services.processing import photo_process
from studio.retouching.models import RetouchEvent
from studio.retouching.services import (
    photos_send_to_retouch,
    retouch_approve,
    retouch_claim_batch,
    retouch_send_back,
    retouch_submit,
    retouch_upload_versions,
)
from tests.conftest import logged_in_client
from tests.studio.photos.images import jpeg_bytes, write


@pytest.fixture
def ready_photos(production, tmp_path, django_capture_on_commit_callbacks):
    """Three processed photos of the production shoot, inside alpha's schema."""
    with schema_context(production["studio"].schema):
        ids = []
        for n in range(3):
            path = write(tmp_path / f"in{n}.jpg", jpeg_bytes(seed=300 + n))
            with django_capture_on_commit_callbacks(execute=False):
                outcome = photo_ingest_file(
                    shoot=production["shoot"],
                    path=path,
                    file_name=f"IMG_{n:04d}.JPG",
                    uploaded_by=production["users"][Role.PHOTOGRAPHER],
                )
            photo_process(photo_id=outcome.photo_id)
            ids.append(outcome.photo_id)
        yield list(Photo.objects.filter(pk__in=ids).order_by("original_name"))


def retouched(tmp_path, name, seed):
    return (name, write(tmp_path / f"r-{seed}-{name}", jpeg_bytes(seed=seed)))


def test_the_whole_round_from_queue_to_approved(
    production, ready_photos, tmp_path, django_capture_on_commit_callbacks
):
    manager = production["users"][Role.MANAGER]
    retoucher = production["users"][Role.RETOUCHER]

    assert photos_send_to_retouch(photos=ready_photos, actor=manager) == 3
    batch = retouch_claim_batch(shoot=production["shoot"], retoucher=retoucher)
    assert sorted(p.original_name for p in batch.photos.all()) == [
        "IMG_0000.JPG",
        "IMG_0001.JPG",
        "IMG_0002.JPG",
    ]

    result = retouch_upload_versions(
        batch=batch,
        files=[
            retouched(tmp_path, "img_0000.jpg", 1),  # case and extension differ: still matched
            retouched(tmp_path, "IMG_0001.tif.jpg", 2),  # not a name of the batch
            retouched(tmp_path, "IMG_0001.jpeg", 3),
            retouched(tmp_path, "IMG_0002.JPG", 4),
            retouched(tmp_path, "holiday.jpg", 5),
        ],
        actor=retoucher,
    )
    assert result.matched == ["img_0000.jpg", "IMG_0001.jpeg", "IMG_0002.JPG"]
    assert result.unmatched == ["IMG_0001.tif.jpg", "holiday.jpg"]

    assert retouch_submit(batch=batch, actor=retoucher) == 3
    first, second, third = (Photo.objects.get(pk=p.pk) for p in ready_photos)
    assert {first.retouch_status, second.retouch_status, third.retouch_status} == {
        RetouchStatus.SUBMITTED
    }

    with django_capture_on_commit_callbacks(execute=False) as reprocess:
        retouch_approve(photo=first, actor=manager)
        retouch_approve(photo=third, actor=manager)
    retouch_send_back(photo=second, actor=manager, comment="Remove the red eye, please")

    # the sent-back photo is back in the retoucher's batch with the comment; a new version goes up
    second.refresh_from_db()
    assert (second.retouch_status, second.retouch_batch_id) == (RetouchStatus.SENT_BACK, batch.pk)
    retouch_upload_versions(
        batch=batch, files=[retouched(tmp_path, "IMG_0001.jpg", 6)], actor=retoucher
    )
    assert retouch_submit(batch=batch, actor=retoucher) == 1
    with django_capture_on_commit_callbacks(execute=False):
        retouch_approve(photo=second, actor=manager)

    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.retouch_status, second.approved_version.number) == (RetouchStatus.APPROVED, 2)
    assert second.versions.count() == 2  # every version is kept
    assert first.original.read() != first.approved_version.file.read()  # the original is untouched
    # previews remade from it, and each approval announced (``retouch_approved``, for staff pay)
    bumps = [c for c in reprocess if c.__module__ == "saas_platform.versions"]
    # and each approval takes the photo out of the galleries until its previews are remade
    assert (first.status, len(reprocess) - len(bumps), len(bumps)) == (PhotoStatus.UPLOADED, 4, 2)
    kinds = list(
        RetouchEvent.objects.filter(photo=second).values_list("kind", "actor__role", "comment")
    )
    assert kinds == [
        ("queued", "manager", ""),
        ("claimed", "retoucher", ""),
        ("uploaded", "retoucher", ""),
        ("submitted", "retoucher", ""),
        ("sent_back", "manager", "Remove the red eye, please"),
        ("uploaded", "retoucher", ""),
        ("submitted", "retoucher", ""),
        ("approved", "manager", ""),
    ]


def test_after_approval_the_preview_is_made_from_the_retouched_version(
    production, ready_photos, tmp_path, django_capture_on_commit_callbacks
):
    manager, retoucher = production["users"][Role.MANAGER], production["users"][Role.RETOUCHER]
    photo = ready_photos[0]
    before = photo.preview.read()
    photos_send_to_retouch(photos=[photo], actor=manager)
    batch = retouch_claim_batch(shoot=production["shoot"], retoucher=retoucher)
    retouch_upload_versions(
        batch=batch, files=[retouched(tmp_path, photo.original_name, 77)], actor=retoucher
    )
    retouch_submit(batch=batch, actor=retoucher)
    with django_capture_on_commit_callbacks(execute=False):
        retouch_approve(photo=photo, actor=manager)

    photo = photo_process(photo_id=photo.pk)

    assert photo.status == PhotoStatus.READY
    assert photo.preview.name.endswith("-v1-preview.jpg")
    assert photo.preview.read() != before


def test_submitting_without_a_retouched_file_is_refused(production, ready_photos):
    retoucher = production["users"][Role.RETOUCHER]
    photos_send_to_retouch(photos=ready_photos, actor=production["users"][Role.MANAGER])
    batch = retouch_claim_batch(shoot=production["shoot"], retoucher=retoucher)

    with pytest.raises(ValidationError, match="Upload retouched files before submitting."):
        retouch_submit(batch=batch, actor=retoucher)


def test_sending_back_needs_a_comment(production, ready_photos, tmp_path):
    manager, retoucher = production["users"][Role.MANAGER], production["users"][Role.RETOUCHER]
    photos_send_to_retouch(photos=ready_photos[:1], actor=manager)
    batch = retouch_claim_batch(shoot=production["shoot"], retoucher=retoucher)
    retouch_upload_versions(
        batch=batch, files=[retouched(tmp_path, "IMG_0000.JPG", 8)], actor=retoucher
    )
    retouch_submit(batch=batch, actor=retoucher)

    with pytest.raises(ValidationError, match="Say what should change."):
        retouch_send_back(photo=ready_photos[0], actor=manager, comment="  ")


def test_the_batch_zip_holds_every_original_untouched_under_its_name(production, ready_photos):
    retoucher = production["users"][Role.RETOUCHER]
    with schema_context(production["studio"].schema):
        photos_send_to_retouch(photos=ready_photos, actor=production["users"][Role.MANAGER])
        batch = retouch_claim_batch(shoot=production["shoot"], retoucher=retoucher)
    client = logged_in_client(production["studio"], retoucher)

    response = client.get(f"/staff/retouch/batches/{batch.pk}/download/")

    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/zip"
    assert int(response["Content-Length"]) == len(body)
    with zipfile.ZipFile(io.BytesIO(body)) as archive, schema_context(production["studio"].schema):
        assert archive.namelist() == ["IMG_0000.JPG", "IMG_0001.JPG", "IMG_0002.JPG"]
        for photo in Photo.objects.order_by("original_name"):
            assert archive.read(photo.original_name) == photo.original.read()
            assert archive.getinfo(photo.original_name).compress_type == zipfile.ZIP_STORED


def test_a_batch_belongs_to_its_retoucher(production, ready_photos):
    with schema_context(production["studio"].schema):
        photos_send_to_retouch(photos=ready_photos, actor=production["users"][Role.MANAGER])
        batch = retouch_claim_batch(
            shoot=production["shoot"], retoucher=production["users"][Role.RETOUCHER]
        )
        other = User.objects.create_user(
            email="r2@alpha.test", password="pw-123456", role=Role.RETOUCHER
        )

    for user, status in [
        (other, 403),
        (production["users"][Role.PHOTOGRAPHER], 403),
        (production["users"][Role.PARENT], 403),
        (production["users"][Role.RETOUCHER], 200),
    ]:
        client = logged_in_client(production["studio"], user)
        assert client.get(f"/staff/retouch/batches/{batch.pk}/download/").status_code == status, (
            user.role
        )


def test_two_retouchers_claiming_get_different_photos(production, ready_photos):
    with schema_context(production["studio"].schema):
        photos_send_to_retouch(photos=ready_photos, actor=production["users"][Role.MANAGER])
        other = User.objects.create_user(
            email="r3@alpha.test", password="pw-123456", role=Role.RETOUCHER
        )
        first = retouch_claim_batch(
            shoot=production["shoot"], retoucher=production["users"][Role.RETOUCHER], size=2
        )
        second = retouch_claim_batch(shoot=production["shoot"], retoucher=other, size=2)
        third = retouch_claim_batch(shoot=production["shoot"], retoucher=other, size=2)

        assert (first.photos.count(), second.photos.count(), third) == (2, 1, None)
        assert not set(first.photos.values_list("pk", flat=True)) & set(
            second.photos.values_list("pk", flat=True)
        )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.MANAGER, 200),
        (Role.OWNER, 200),
        (Role.RETOUCHER, 403),
        (Role.PHOTOGRAPHER, 403),
        (Role.PRINCIPAL, 403),
    ],
)
def test_only_managing_roles_review(production, role, status):
    client = logged_in_client(production["studio"], production["users"][role])

    assert client.get(f"/staff/retouch/review/{production['shoot'].pk}/").status_code == status


def test_review_shows_preview_size_copies_and_keeps_full_size_a_click_away(
    production, ready_photos
):
    from PIL import Image

    manager = production["users"][Role.MANAGER]
    client = logged_in_client(production["studio"], manager)
    photo = ready_photos[0]

    review = client.get(f"/staff/photos/{photo.pk}/original/?size=review")
    full = client.get(f"/staff/photos/{photo.pk}/original/")

    review_bytes = b"".join(review.streaming_content)
    with Image.open(io.BytesIO(review_bytes)) as image:
        assert max(image.size) <= 1600
        assert dict(image.getexif()) == {}
    with schema_context(production["studio"].schema):
        assert b"".join(full.streaming_content) == Photo.objects.get(pk=photo.pk).original.read()
    assert (
        client.get(f"/staff/photos/{photo.pk}/original/?size=review").status_code == 200
    )  # cached copy
    parent = logged_in_client(production["studio"], production["users"][Role.PARENT])
    assert parent.get(f"/staff/photos/{photo.pk}/original/?size=review").status_code == 404
