"""The gallery page costs the same number of SQL queries however many photos a child has
(benchmarks/storefront.py measures the same at 10 and 40 photos under load), and none at all
once its parts are cached for the current versions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from saas_platform.versions import versions_bump
from studio.access.models import AccessCode
from studio.access.services import access_codes_issue
from studio.photos.models import Photo, PhotoStatus
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.services import shoot_create
from tests.conftest import host_client


@pytest.fixture
def two_children(alpha):
    """A published picture day: Few has 5 photos, Many has 30, and the class one group photo.
    Rows only (READY, no files): the page lists photos, it does not open them."""
    with schema_context(alpha.schema):
        photographer = User.objects.create_user(
            email="ph-queries@alpha.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
        school = School.objects.create(name="School 12")
        school_class = SchoolClass.objects.create(school=school, name="2B", school_year="2026-2027")
        shoot = shoot_create(school=school, name="Spring", date="2026-10-01")
        counter = iter(range(1000))

        def photo(**extra):
            n = next(counter)
            return Photo.objects.create(
                shoot=shoot,
                school_class=school_class,
                original=f"originals/q-{n}.jpg",
                original_name=f"IMG_{n:03d}.jpg",
                content_hash=f"{n:064x}",
                size_bytes=1000,
                photographer=photographer,
                status=PhotoStatus.READY,
                thumbnail=f"derived/q-{n}-thumb.jpg",
                preview=f"derived/q-{n}-preview.jpg",
                **extra,
            )

        for name, count in (("Few", 5), ("Many", 30)):
            child = Student.objects.create(
                school_class=school_class, first_name=name, last_name="Q"
            )
            for _ in range(count):
                photo().students.add(child)
        photo(is_group=True)
        shoot.status = "published"
        shoot.save()
        access_codes_issue(shoot=shoot)
        codes = {
            code.student.first_name: code.code
            for code in AccessCode.objects.filter(student__isnull=False)
        }
    return {"studio": alpha, "codes": codes}


def gallery_page_queries(two_children, name: str, capture) -> tuple[int, int, int]:
    """Queries of a gallery page right after staff changed something (the studio's "gallery"
    version moved on), of the page after it, and the number of thumbnails it shows."""
    client = host_client(two_children["studio"].host)
    assert client.post("/access/", {"code": two_children["codes"][name]}).status_code == 302
    client.get("/gallery/")
    with schema_context(two_children["studio"].schema), capture(execute=True):
        versions_bump("gallery")
    with CaptureQueriesContext(connection) as cold:
        assert client.get("/gallery/").status_code == 200
    with CaptureQueriesContext(connection) as warm:
        response = client.get("/gallery/")
    assert response.status_code == 200
    shown = response.content.decode().count("-thumb.jpg?")
    return len(cold.captured_queries), len(warm.captured_queries), shown


def test_the_gallery_costs_the_same_queries_for_5_and_for_30_photos(
    two_children, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    few_cold, few_warm, few_shown = gallery_page_queries(two_children, "Few", capture)
    many_cold, many_warm, many_shown = gallery_page_queries(two_children, "Many", capture)

    assert (few_shown, many_shown) == (5 + 1, 30 + 1)  # the child's photos and the class photo
    # after a change: the codes, the two sections' photo ids, the offer (picture day, sheet)
    assert few_cold == many_cold
    assert 0 < few_cold <= 8
    # then nothing: the codes, photo ids and rendered grid come from the cache
    assert few_warm == many_warm == 0
