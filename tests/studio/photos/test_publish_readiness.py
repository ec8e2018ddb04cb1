"""A picture day is published only when its photos are ready for parents: retouching finished
and every ready photo tagged; the page and the API say what stops it."""

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role
from studio.access.models import AccessCode
from studio.photos.models import Photo, PhotoStatus, RetouchStatus
from studio.shoots.models import ShootStatus
from studio.shoots.services import shoot_transition
from tests.conftest import logged_in_client

RETOUCHING = "3 photos are still in retouching (Waiting for a retoucher: 1, Sent back: 2)."
UNTAGGED = (
    "2 ready photos are tagged to no student and are not class photos: IMG_0003.jpg, IMG_0004.jpg."
)


def _photo(production, name, *, students=(), retouch=RetouchStatus.NONE, **fields):
    photo = Photo.objects.create(
        shoot=production["shoot"],
        original_name=name,
        content_hash=name,
        size_bytes=1,
        photographer=production["users"][Role.PHOTOGRAPHER],
        status=fields.pop("status", PhotoStatus.READY),
        retouch_status=retouch,
        **fields,
    )
    photo.students.set(students)
    return photo


@pytest.fixture
def in_review(production):
    """The production picture day in review: Anna tagged and approved, Boris tagged, a class
    photo, a failed upload (not ready: not counted as untagged)."""
    with schema_context(production["studio"].schema):
        _photo(production, "A17_1.jpg", students=[production["anna"]], retouch="approved")
        _photo(production, "B02_1.jpg", students=[production["boris"]])
        _photo(production, "class.jpg", school_class=production["class"], is_group=True)
        _photo(production, "broken.jpg", status=PhotoStatus.FAILED)
        shoot = production["shoot"]
        for status in (ShootStatus.UPLOADING, ShootStatus.IN_REVIEW):
            shoot = shoot_transition(
                shoot=shoot, to=status, actor=production["users"][Role.MANAGER]
            )
    production["shoot"] = shoot
    return production


def _not_ready(production):
    anna, boris = production["anna"], production["boris"]
    _photo(production, "IMG_0001.jpg", students=[anna], retouch=RetouchStatus.SENT_BACK)
    _photo(production, "IMG_0002.jpg", students=[boris], retouch=RetouchStatus.SENT_BACK)
    _photo(production, "IMG_0005.jpg", students=[boris], retouch=RetouchStatus.QUEUED)
    _photo(production, "IMG_0004.jpg", school_class=production["class"])  # class, not group
    _photo(production, "IMG_0003.jpg")


def test_a_picture_day_with_unfinished_retouching_or_untagged_photos_is_not_published(
    in_review,
):
    with schema_context(in_review["studio"].schema):
        _not_ready(in_review)

        with pytest.raises(ValidationError) as error:
            shoot_transition(
                shoot=in_review["shoot"],
                to=ShootStatus.PUBLISHED,
                actor=in_review["users"][Role.MANAGER],
            )

        assert error.value.messages == [RETOUCHING, UNTAGGED]
        in_review["shoot"].refresh_from_db()
        assert in_review["shoot"].status == ShootStatus.IN_REVIEW
        assert not AccessCode.objects.filter(shoot=in_review["shoot"]).exists()


@pytest.mark.parametrize(
    "status", [RetouchStatus.QUEUED, RetouchStatus.CLAIMED, RetouchStatus.SUBMITTED]
)
def test_every_unfinished_retouching_state_stops_publishing(in_review, status):
    with schema_context(in_review["studio"].schema):
        _photo(in_review, "IMG_9.jpg", students=[in_review["anna"]], retouch=status)

        with pytest.raises(ValidationError) as error:
            shoot_transition(
                shoot=in_review["shoot"],
                to=ShootStatus.PUBLISHED,
                actor=in_review["users"][Role.MANAGER],
            )

    assert error.value.messages == [
        f"1 photo is still in retouching ({RetouchStatus(status).label}: 1)."
    ]


def test_a_ready_picture_day_is_published(in_review):
    with schema_context(in_review["studio"].schema):
        shoot = shoot_transition(
            shoot=in_review["shoot"],
            to=ShootStatus.PUBLISHED,
            actor=in_review["users"][Role.MANAGER],
        )

        assert shoot.status == ShootStatus.PUBLISHED
        assert AccessCode.objects.filter(shoot=shoot).exists()


def test_the_page_says_what_stops_publishing_and_the_api_refuses_with_the_reason(in_review):
    with schema_context(in_review["studio"].schema):
        _not_ready(in_review)
    manager = in_review["users"][Role.MANAGER]
    shoot_id = in_review["shoot"].pk
    page = logged_in_client(in_review["studio"], manager)

    shown = page.get(f"/staff/shoots/{shoot_id}/").content.decode()
    refused = page.post(f"/staff/shoots/{shoot_id}/status/", {"to": "published"}, follow=True)
    api = APIClient(HTTP_HOST=in_review["studio"].host)
    with schema_context(in_review["studio"].schema):
        api.force_login(manager)
    response = api.post(f"/api/shoots/{shoot_id}/transition/", {"to": "published"})

    assert "Not ready to publish:" in shown
    assert f"<li>{RETOUCHING}</li>" in shown and f"<li>{UNTAGGED}</li>" in shown
    assert 'value="published" disabled' in shown
    assert f"{RETOUCHING} {UNTAGGED}" in refused.content.decode()
    assert (response.status_code, response.json()) == (400, {"to": [RETOUCHING, UNTAGGED]})
    with schema_context(in_review["studio"].schema):
        in_review["shoot"].refresh_from_db()
        assert in_review["shoot"].status == ShootStatus.IN_REVIEW


def test_a_ready_picture_day_shows_no_blockers(in_review):
    page = logged_in_client(in_review["studio"], in_review["users"][Role.MANAGER])

    shown = page.get(f"/staff/shoots/{in_review['shoot'].pk}/").content.decode()

    assert "Not ready to publish:" not in shown
    assert 'value="published"' in shown and 'value="published" disabled' not in shown


def test_once_published_the_page_leads_to_the_codes_for_the_parents(in_review):
    manager = in_review["users"][Role.MANAGER]
    shoot = in_review["shoot"]
    page = logged_in_client(in_review["studio"], manager)
    codes_link = f'href="/staff/access/shoots/{shoot.pk}/"'

    before = page.get(f"/staff/shoots/{shoot.pk}/").content.decode()
    page.post(f"/staff/shoots/{shoot.pk}/status/", {"to": "published"})
    after = page.get(f"/staff/shoots/{shoot.pk}/").content.decode()

    assert 'id="share-codes"' not in before and codes_link not in before
    assert 'id="share-codes"' in after and codes_link in after
