"""Every studio endpoint against another studio's ids and against the wrong role."""

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role, User
from studio.photos.models import Photo, Upload
from studio.retouching.models import RetouchBatch
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_create
from tests.conftest import push_id_sequences


def _objects(count_offset: int):
    """A full chain of production objects; ``count_offset`` extra rows push ids apart."""
    for n in range(count_offset):
        School.objects.create(name=f"padding {n}")
    school = School.objects.create(name="Isolated school")
    for n in range(count_offset):
        padding = SchoolClass.objects.create(school=school, name=f"pad{n}", school_year="2026-2027")
        Student.objects.create(school_class=padding, first_name="Pad", last_name=str(n))
    school_class = SchoolClass.objects.create(school=school, name="9B", school_year="2026-2027")
    student = Student.objects.create(school_class=school_class, first_name="Iso", last_name="Lated")
    owner = User.objects.filter(role=Role.OWNER).first()
    retoucher = User.objects.create_user(
        email=f"iso-r{count_offset}@x.test", password="pw-123456", role=Role.RETOUCHER
    )
    shoots = [
        shoot_create(school=school, name=f"Iso {n}", date="2026-10-01")
        for n in range(count_offset + 1)
    ]
    shoot = shoots[-1]
    for n in range(count_offset):
        Photo.objects.create(
            shoot=shoot,
            original_name=f"pad{n}.jpg",
            content_hash=f"p{n:063d}",
            size_bytes=1,
            photographer=owner,
        )
        RetouchBatch.objects.create(shoot=shoot, retoucher=retoucher)
    photo = Photo.objects.create(
        shoot=shoot,
        original_name="iso.jpg",
        content_hash=f"{count_offset:064d}",
        size_bytes=1,
        photographer=owner,
    )
    batch = RetouchBatch.objects.create(shoot=shoot, retoucher=retoucher)
    upload = Upload.objects.create(shoot=shoot, file_name="x.jpg", size_bytes=10, created_by=owner)
    return {
        "school": school.pk,
        "class": school_class.pk,
        "student": student.pk,
        "shoot": shoot.pk,
        "photo": photo.pk,
        "batch": batch.pk,
        "upload": str(upload.pk),
    }


ENDPOINTS = [
    # (method, url template, kind of id)
    ("get", "/api/schools/{school}/", "school"),
    ("patch", "/api/schools/{school}/", "school"),
    ("delete", "/api/schools/{school}/", "school"),
    ("get", "/api/classes/{class}/", "class"),
    ("get", "/api/students/{student}/", "student"),
    ("patch", "/api/students/{student}/", "student"),
    ("get", "/api/shoots/{shoot}/", "shoot"),
    ("get", "/api/shoots/{shoot}/progress/", "shoot"),
    ("post", "/api/shoots/{shoot}/transition/", "shoot"),
    ("post", "/api/shoots/{shoot}/files/", "shoot"),
    ("get", "/api/photos/{photo}/", "photo"),
    ("patch", "/api/photos/{photo}/", "photo"),
    ("post", "/api/photos/{photo}/retry/", "photo"),
    ("get", "/api/uploads/{upload}/", "upload"),
    ("put", "/api/uploads/{upload}/chunk/", "upload"),
    ("get", "/staff/shoots/{shoot}/", "shoot"),
    ("post", "/staff/shoots/{shoot}/status/", "shoot"),
    ("post", "/staff/photos/shoot/{shoot}/bulk/", "shoot"),
    ("get", "/staff/photos/{photo}/original/", "photo"),
    ("get", "/staff/retouch/batches/{batch}/", "batch"),
    ("get", "/staff/retouch/batches/{batch}/download/", "batch"),
    ("post", "/staff/retouch/batches/{batch}/submit/", "batch"),
    ("get", "/staff/retouch/review/{shoot}/", "shoot"),
    ("post", "/staff/retouch/decide/{photo}/", "photo"),
]


@pytest.fixture
def foreign_ids(alpha, beta):
    """Ids that exist in beta and not in alpha."""
    with schema_context(alpha.schema):
        _objects(0)
    with schema_context(beta.schema):
        push_id_sequences([School, SchoolClass, Student, Shoot, Photo, RetouchBatch])
        ids = _objects(3)
    with schema_context(alpha.schema):
        assert not School.objects.filter(pk=ids["school"]).exists()
        assert not SchoolClass.objects.filter(pk=ids["class"]).exists()
        assert not Student.objects.filter(pk=ids["student"]).exists()
        assert not Shoot.objects.filter(pk=ids["shoot"]).exists()
        assert not Photo.objects.filter(pk=ids["photo"]).exists()
        assert not RetouchBatch.objects.filter(pk=ids["batch"]).exists()
    return ids


@pytest.mark.parametrize(("method", "url", "kind"), ENDPOINTS)
def test_another_studios_ids_are_not_found(alpha, foreign_ids, method, url, kind):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    client = APIClient(HTTP_HOST=alpha.host)
    with schema_context(alpha.schema):
        client.force_login(owner)

    response = getattr(client, method)(url.format(**foreign_ids), {}, format="json")

    assert response.status_code == 404, response.content[:200]


MANAGER_ACTIONS = [
    ("post", "/api/schools/", {"name": "New"}),
    ("post", "/api/shoots/", {"name": "X", "date": "2026-10-01", "school": 0}),
    ("post", "/api/shoots/{shoot}/transition/", {"to": "uploading"}),
    ("patch", "/api/photos/{photo}/", {"is_group": True}),
    ("post", "/staff/shoots/{shoot}/status/", {"to": "uploading"}),
    ("post", "/staff/photos/shoot/{shoot}/bulk/", {"action": "retry", "photos": ["{photo}"]}),
    ("post", "/staff/retouch/send/{shoot}/", {"photos": ["{photo}"]}),
    ("get", "/staff/retouch/review/{shoot}/", {}),
]


@pytest.fixture
def own_ids(alpha):
    with schema_context(alpha.schema):
        return _objects(0)


@pytest.mark.parametrize("role", [Role.PARENT, Role.RETOUCHER, Role.PRINCIPAL, Role.PHOTOGRAPHER])
@pytest.mark.parametrize(("method", "url", "data"), MANAGER_ACTIONS)
def test_other_roles_may_not_do_what_managers_do(alpha, own_ids, role, method, url, data):
    with schema_context(alpha.schema):
        user = User.objects.create_user(
            email=f"{role}-iso@alpha.test", password="pw-123456", role=role
        )
    client = APIClient(HTTP_HOST=alpha.host)
    with schema_context(alpha.schema):
        client.force_login(user)
    payload = {
        k: (
            v.format(**own_ids)
            if isinstance(v, str)
            else [i.format(**own_ids) for i in v]
            if isinstance(v, list)
            else v
        )
        for k, v in data.items()
    }
    if "school" in payload:
        payload["school"] = own_ids["school"]

    response = getattr(client, method)(
        url.format(**own_ids), payload, format="json" if url.startswith("/api/") else None
    )

    assert response.status_code == 403
