"""A parent sees their child's and class's photos, watermarked previews only, nothing else."""

import html
import re
from urllib.parse import parse_qs, unquote
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from saas_platform.wsgi import application
from studio.access.models import AccessCode
from studio.access.services import access_codes_issue
from studio.photos.models import Photo, PhotoStatus
from studio.photos.services.ingest import photo_ingest_file
from studio.photos.services.processing import photo_process
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.services import shoot_create
from tests.conftest import host_client
from tests.studio.photos.images import jpeg_bytes, write


@pytest.fixture
def published(alpha, media_in_tmp, tmp_path, django_capture_on_commit_callbacks):
    """A published picture day: Anna (2 photos), Boris (1), a hidden child (1), a class photo."""
    with schema_context(alpha.schema):
        photographer = User.objects.create_user(
            email="ph-gal@alpha.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
        school = School.objects.create(name="School 9")
        school_class = SchoolClass.objects.create(school=school, name="4A", school_year="2026-2027")
        kids = {
            name: Student.objects.create(
                school_class=school_class,
                first_name=name,
                last_name="K",
                do_not_publish=name == "Hidden",
            )
            for name in ("Anna", "Boris", "Hidden")
        }
        shoot = shoot_create(school=school, name="Autumn", date="2026-10-01")

        def photo(name, *, students=(), group=False, seed=0):
            with django_capture_on_commit_callbacks(execute=False):
                outcome = photo_ingest_file(
                    shoot=shoot,
                    path=write(tmp_path / name, jpeg_bytes(seed=seed)),
                    file_name=name,
                    uploaded_by=photographer,
                )
            item = photo_process(photo_id=outcome.photo_id)
            item.students.set(students)
            item.school_class = school_class
            item.is_group = group
            item.save()
            return item

        photos = {
            "anna1": photo("anna1.jpg", students=[kids["Anna"]], seed=1),
            "anna2": photo("anna2.jpg", students=[kids["Anna"]], seed=2),
            "boris": photo("boris.jpg", students=[kids["Boris"]], seed=3),
            "hidden": photo("hidden.jpg", students=[kids["Hidden"]], seed=4),
            "group": photo("group.jpg", group=True, seed=5),
            "group_with_hidden": photo("group2.jpg", students=[kids["Hidden"]], group=True, seed=6),
        }
        shoot.status = "published"
        shoot.save()
        access_codes_issue(shoot=shoot)
        codes = {
            code.student.first_name if code.student else "class": code.code
            for code in AccessCode.objects.all()
        }
    return {"studio": alpha, "photos": photos, "codes": codes}


def parent_with(published, *codes):
    client = host_client(published["studio"].host)
    for code in codes:
        response = client.post("/access/", {"code": code})
        assert response.status_code == 302, response.content[:300]
    return client


def image_srcs(page: str) -> list[str]:
    """The signed image links of a page (its ``<img>`` tags and the preview it prefetches)."""
    prefix = re.escape(settings.IMAGE_URL_PREFIX)
    return [html.unescape(url) for url in re.findall(f'(?:src|href)="({prefix}[^"]+)"', page)]


def shown_ids(page):
    return {int(parse_qs(url.partition("?")[2])["p"][0]) for url in image_srcs(page)}


def photo_page(client, published, photo) -> str:
    """The parent's full view of one of a child's photos."""
    with schema_context(published["studio"].schema):
        child_id = photo.students.get().pk
    response = client.get(f"/gallery/{photo.pk}/?child={child_id}")
    assert response.status_code == 200
    return response.content.decode()


def image_get(url: str) -> tuple[str, dict, bytes]:
    """Fetches a page's image link through the real WSGI application (the signed-link
    handler in front of Django), as a browser without cookies would."""
    path, _, query = url.partition("?")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": unquote(path), "QUERY_STRING": query}
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers):
        answer.update(status=status, headers=dict(headers))

    body = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], body


def test_a_code_opens_the_childs_photos_and_the_class_photos(published):
    page = parent_with(published, published["codes"]["Anna"]).get("/gallery/").content.decode()

    photos = published["photos"]
    assert shown_ids(page) == {photos["anna1"].pk, photos["anna2"].pk, photos["group"].pk}
    assert "Anna K" in page and "Class 4A" in page


def test_a_family_with_two_codes_sees_both_children(published):
    page = (
        parent_with(published, published["codes"]["Anna"], published["codes"]["Boris"])
        .get("/gallery/")
        .content.decode()
    )

    photos = published["photos"]
    assert shown_ids(page) == {
        photos["anna1"].pk,
        photos["anna2"].pk,
        photos["boris"].pk,
        photos["group"].pk,
    }


def test_the_parent_of_one_child_cannot_get_another_childs_photo_by_id(published):
    client = parent_with(published, published["codes"]["Anna"])
    photos = published["photos"]

    own = photo_page(client, published, photos["anna1"])
    assert shown_ids(own) == {photos["anna1"].pk, photos["anna2"].pk}  # the photo, next one
    for other in ("boris", "hidden", "group_with_hidden"):
        assert client.get(f"/gallery/{photos[other].pk}/").status_code == 404


def test_a_child_marked_do_not_publish_appears_nowhere(published):
    page = parent_with(published, published["codes"]["Hidden"]).get("/gallery/")

    assert page.status_code == 302  # nothing to show: back to code entry
    class_page = (
        parent_with(published, published["codes"]["class"]).get("/gallery/").content.decode()
    )
    assert shown_ids(class_page) == {published["photos"]["group"].pk}


def test_the_preview_served_is_the_watermarked_one(published):
    client = parent_with(published, published["codes"]["Anna"])
    photo = published["photos"]["anna1"]

    page = photo_page(client, published, photo)
    status, headers, served = image_get(image_srcs(page)[0])

    assert (status, headers["Content-Type"]) == ("200 OK", "image/jpeg")

    with schema_context(published["studio"].schema):
        stored = Photo.objects.get(pk=photo.pk)
        assert served == stored.preview.read()
        assert served != stored.original.read()
        assert stored.status == PhotoStatus.READY


def test_without_a_code_there_is_no_gallery(published):
    client = host_client(published["studio"].host)

    assert client.get("/gallery/")["Location"] == "/"
    assert client.get(f"/gallery/{published['photos']['anna1'].pk}/").status_code == 404
