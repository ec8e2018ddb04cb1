"""The gallery's cached parts are keyed by versions the staff's services move on: whatever
staff change through a service shows on the very next request, with every page before it
served from the cache (warmed here first), and one studio's versions and cached parts are
never another's."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from saas_platform.versions import version_get, versions_bump
from studio.access.models import AccessCode, AccessCodeKind
from studio.access.services import access_code_regenerate, access_codes_issue
from studio.catalogue.services.price_sheets import price_sheet_item_set
from studio.photos.models import Photo, PhotoStatus
from studio.photos.services.ingest import photo_ingest_file
from studio.photos.services.processing import photo_process
from studio.photos.services.tagging import photos_assign
from studio.privacy.models import ConsentDecision, ConsentSource
from studio.privacy.services import consent_record, consent_text_publish
from studio.schools.models import School, SchoolClass, Student
from studio.schools.services import student_update
from studio.shoots.models import Shoot, ShootStatus
from studio.shoots.services import shoot_create, shoot_transition
from tests.studio.photos.images import jpeg_bytes, write
from tests.studio.storefront.test_gallery import image_get, image_srcs, parent_with, shown_ids


@pytest.fixture
def staff(published, django_capture_on_commit_callbacks):
    """Runs a staff service in the studio's schema and commits it, as a request would (the
    versions move on after commit)."""
    studio = published["studio"]

    def run(service, **kwargs):
        with schema_context(studio.schema), django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


def owner(studio):
    with schema_context(studio.schema):
        return User.objects.get(email=studio.owner_email)


def warm(client):
    """Two pages: the second one is served from the cache (the test of that is elsewhere)."""
    client.get("/gallery/")
    return client.get("/gallery/").content.decode()


def test_a_child_hidden_by_staff_is_gone_from_the_next_page(published, staff):
    client = parent_with(published, published["codes"]["Anna"], published["codes"]["Boris"])
    photos = published["photos"]
    links = image_srcs(warm(client))
    assert photos["anna1"].pk in shown_ids(warm(client))

    with schema_context(published["studio"].schema):
        anna = Student.objects.get(first_name="Anna")
    staff(student_update, student=anna, do_not_publish=True)

    page = client.get("/gallery/").content.decode()
    assert shown_ids(page) == {photos["boris"].pk, photos["group"].pk}
    assert "Anna K" not in page
    assert {image_get(url)[0] for url in links} == {"403 Forbidden"}  # signed before: refused
    assert {image_get(url)[0] for url in image_srcs(page)} == {"200 OK"}  # Boris's, anew


def test_a_parent_hiding_their_child_takes_effect_at_once(
    published, django_capture_on_commit_callbacks
):
    client = parent_with(published, published["codes"]["Anna"])
    warm(client)
    with schema_context(published["studio"].schema):
        anna = Student.objects.get(first_name="Anna")
        shoot_id = Shoot.objects.get().pk

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/gallery/hide-child/", {"child": anna.pk, "shoot": shoot_id})

    assert client.get("/gallery/").status_code == 302  # nothing left to show


def test_a_photo_untagged_by_staff_leaves_the_childs_gallery_at_once(published, staff):
    client = parent_with(published, published["codes"]["Anna"])
    photos = published["photos"]
    assert photos["anna2"].pk in shown_ids(warm(client))

    staff(photos_assign, photos=[photos["anna2"]], students=[], replace_students=True)

    assert shown_ids(client.get("/gallery/").content.decode()) == {
        photos["anna1"].pk,
        photos["group"].pk,
    }
    assert client.get(f"/gallery/{photos['anna2'].pk}/").status_code == 404


def test_a_photo_staff_publish_shows_on_the_next_page(
    published, staff, tmp_path, django_capture_on_commit_callbacks
):
    client = parent_with(published, published["codes"]["Anna"])
    before = shown_ids(warm(client))
    studio = published["studio"]
    with schema_context(studio.schema):
        anna = Student.objects.get(first_name="Anna")
        with django_capture_on_commit_callbacks(execute=False):  # its processing comes below
            outcome = photo_ingest_file(
                shoot=Shoot.objects.get(),
                path=write(tmp_path / "anna3.jpg", jpeg_bytes(seed=9)),
                file_name="anna3.jpg",
                uploaded_by=User.objects.get(email="ph-gal@alpha.test"),
            )
        new = Photo.objects.get(pk=outcome.photo_id)
    staff(photos_assign, photos=[new], students=[anna])
    assert shown_ids(client.get("/gallery/").content.decode()) == before  # not ready yet

    staff(photo_process, photo_id=new.pk)

    assert shown_ids(client.get("/gallery/").content.decode()) == before | {new.pk}


def test_a_picture_day_closed_by_staff_opens_nothing_from_the_next_request(published, staff):
    client = parent_with(published, published["codes"]["Anna"])
    links = image_srcs(warm(client))
    with schema_context(published["studio"].schema):
        shoot = Shoot.objects.get()

    staff(shoot_transition, shoot=shoot, to=ShootStatus.CLOSED, actor=owner(published["studio"]))

    assert client.get("/gallery/").status_code == 302
    assert {image_get(url)[0] for url in links} == {"403 Forbidden"}


def test_a_revoked_code_opens_nothing_from_the_next_request(published, staff):
    client = parent_with(published, published["codes"]["Anna"])
    warm(client)
    with schema_context(published["studio"].schema):
        code = AccessCode.objects.get(code=published["codes"]["Anna"])

    staff(access_code_regenerate, code=code)

    assert client.get("/gallery/").status_code == 302


def test_consent_withdrawn_by_staff_hides_the_child_from_the_next_request(published, staff):
    client = parent_with(published, published["codes"]["Anna"], published["codes"]["Boris"])
    photos = published["photos"]
    warm(client)
    studio = published["studio"]
    staff(consent_text_publish, actor=owner(studio), body="We show photos to families.")
    with schema_context(studio.schema):
        boris = Student.objects.get(first_name="Boris")
    staff(
        consent_record,
        student=boris,
        decision=ConsentDecision.WITHDRAWN,
        source=ConsentSource.STAFF,
        actor=owner(studio),
    )

    page = client.get("/gallery/").content.decode()
    assert photos["boris"].pk not in shown_ids(page) and "Boris K" not in page


def test_a_new_price_shows_on_the_next_page(shop, staff):
    client = parent_with(shop, shop["codes"]["Anna"])
    assert "5.00" in warm(client)
    with schema_context(shop["studio"].schema):
        sheet, digital = shop["catalogue"].sheet, shop["catalogue"].digital

    staff(price_sheet_item_set, sheet=sheet, product=digital, price="7.25")

    assert "7.25" in client.get("/gallery/").content.decode()


def test_a_cached_page_carries_this_parents_token_favourites_and_positions(published):
    photos = published["photos"]
    other = parent_with(published, published["codes"]["Boris"])  # shares the class section
    warm(other)
    client = Client(HTTP_HOST=published["studio"].host, enforce_csrf_checks=True)
    page = client.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    client.post("/access/", {"code": published["codes"]["Anna"], "csrfmiddlewaretoken": token})
    page = warm(client)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = client.post(
        f"/gallery/{photos['anna2'].pk}/favourite/",
        {"csrfmiddlewaretoken": token, "back": "/gallery/"},
    )
    assert response.status_code == 302  # the token in the cached section is this parent's

    page = client.get("/gallery/").content.decode()
    assert page.count('class="fav-mark"') == 1
    assert re.search(rf'data-photo="{photos["anna2"].pk}"><span class="fav-mark"', page)
    assert 'id="section-1"' in page and 'id="section-2"' in page
    assert "mark" not in "".join(re.findall(r'value="([^"]*mark[^"]*)"', page))
    assert 'class="fav-mark"' not in other.get("/gallery/").content.decode()
    assert "Favourites</a>" not in page and "Favourites (1)</a>" in page
    favourites = client.get("/gallery/?favourites=1").content.decode()
    assert shown_ids(favourites) == {photos["anna2"].pk}


def test_the_cached_page_shows_this_parents_cart_and_nothing_of_its_stand_ins(shop):
    client = parent_with(shop, shop["codes"]["Anna"])
    page = warm(client)
    assert 'class="badge"' not in page
    with schema_context(shop["studio"].schema):
        anna = Student.objects.get(first_name="Anna")
    response = client.post(
        "/cart/add/",
        {
            "child": anna.pk,
            "product": shop["catalogue"].digital.pk,
            "photo": [shop["photos"]["anna1"].pk, shop["photos"]["anna2"].pk],
        },
    )
    assert response.status_code == 302

    client.get("/cart/")  # the "added" message is shown (and used up) there
    page = client.get("/gallery/").content.decode()
    assert '<span class="badge">2</span>' in page
    for stand_in in ("0cart0mark0", "0favourites0mark0", "0sections0", "0mark0"):
        assert stand_in not in page
    assert page.count("<section") == 2 and 'name="next" value="/gallery/"' in page


def _beta_gallery(beta) -> tuple[str, int]:
    """A published picture day in beta with one child and one photo: the code, the photo."""
    with schema_context(beta.schema):
        photographer = User.objects.create_user(
            email="ph-iso@beta.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
        school = School.objects.create(name="Beta School")
        school_class = SchoolClass.objects.create(school=school, name="9Z", school_year="2026-2027")
        child = Student.objects.create(school_class=school_class, first_name="Zoe", last_name="B")
        shoot = shoot_create(school=school, name="Beta Day", date="2026-10-01")
        photo = Photo.objects.create(
            shoot=shoot,
            school_class=school_class,
            original="originals/iso.jpg",
            original_name="IMG_ISO.jpg",
            content_hash="f" * 64,
            size_bytes=1000,
            photographer=photographer,
            status=PhotoStatus.READY,
            thumbnail="derived/iso-thumb.jpg",
            preview="derived/iso-preview.jpg",
        )
        photo.students.add(child)
        shoot.status = ShootStatus.PUBLISHED
        shoot.save()
        access_codes_issue(shoot=shoot)
        return AccessCode.objects.get(kind=AccessCodeKind.STUDENT).code, photo.pk


def test_another_studios_versions_and_cached_galleries_are_never_read(
    published, beta, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    alpha = published["studio"]
    beta_code, beta_photo = _beta_gallery(beta)
    with schema_context(alpha.schema):
        alpha_code = AccessCode.objects.get(code=published["codes"]["Anna"])
    # the worst case: beta's code has alpha's code's id, and both studios the same version
    with schema_context(beta.schema):
        AccessCode.objects.filter(code=beta_code).update(id=alpha_code.pk)
    with schema_context(alpha.schema):
        version = version_get("gallery")
    with schema_context(beta.schema):
        cache.set("version:gallery", version, None)
    alpha_page = warm(parent_with(published, alpha_code.code))
    assert "Anna K" in alpha_page

    beta_page = warm(parent_with({"studio": beta}, beta_code))

    assert "Zoe B" in beta_page and "Anna K" not in beta_page
    assert shown_ids(beta_page) == {beta_photo}  # (ids may be alpha's too: each schema counts)
    photos = published["photos"]
    assert shown_ids(alpha_page) == {photos["anna1"].pk, photos["anna2"].pk, photos["group"].pk}
    with schema_context(alpha.schema), capture(execute=True):
        versions_bump("gallery")  # alpha's staff change something
    with schema_context(beta.schema):
        assert version_get("gallery") == version  # beta's galleries stay as they were
