"""A parent on a phone opens the link from the printed card and sees their child's photos."""

from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import pytest
from django.db import transaction
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from saas_platform.accounts.models import Role, User
from studio.access import codes
from studio.access.models import AccessCode
from studio.photos.models import Photo
from studio.photos.services.ingest import photo_ingest_file
from studio.photos.services.processing import photo_process
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_create, shoot_transition
from tests.studio.photos.images import jpeg_bytes, write

pytestmark = pytest.mark.browser


def photos_published(*, shoot, school_class, manager, folder, tagging, seed):
    """Real JPEGs through the pipeline into ``shoot``, one per (children, is group photo) of
    ``tagging``, then the picture day published; returns it and the photo ids."""
    photos = []
    for n, (students, group) in enumerate(tagging):
        with transaction.atomic():
            outcome = photo_ingest_file(
                shoot=shoot,
                path=write(folder / f"{n}.jpg", jpeg_bytes(900, 600, seed=seed + n)),
                file_name=f"IMG_{n}.jpg",
                uploaded_by=manager,
            )
        photo = photo_process(photo_id=outcome.photo_id)
        photo.students.set(students)
        photo.school_class, photo.is_group = school_class, group
        photo.save()
        photos.append(photo.pk)
    for status in ("uploading", "in_review", "published"):
        shoot = shoot_transition(shoot=shoot, to=status, actor=manager)
    return shoot, photos


@pytest.fixture
def published_day(live_studios, committed, live_media, tmp_path, monkeypatch):
    """In alpha: a published picture day with two photos of Lena, one of Mark, a class photo."""
    from studio.photos import tasks

    monkeypatch.setattr(tasks.process_photo, "enqueue_on_commit", lambda *args: None)
    alpha = live_studios["alpha"]
    tag = uuid4().hex[:6]
    with committed(), schema_context(alpha.schema):
        manager = User.objects.create_user(
            email=f"m-{tag}@x.test", password="pw-123456", role=Role.MANAGER
        )
        school = School.objects.create(name=f"Gallery school {tag}")
        school_class = SchoolClass.objects.create(school=school, name="3C", school_year="2026-2027")
        lena = Student.objects.create(
            school_class=school_class, first_name="Lena", last_name="Orlova"
        )
        mark = Student.objects.create(
            school_class=school_class, first_name="Mark", last_name="Ivanov"
        )
        shoot = shoot_create(school=school, name=f"Spring {tag}", date="2026-10-01")
        shoot, photos = photos_published(
            shoot=shoot,
            school_class=school_class,
            manager=manager,
            folder=tmp_path,
            tagging=[([lena], False), ([lena], False), ([mark], False), ([], True)],
            seed=700,
        )
        code = AccessCode.objects.get(shoot=shoot, student=lena).code
    yield {"studio": alpha, "code": code, "photos": photos}
    with committed(), schema_context(alpha.schema):
        AccessCode.objects.filter(shoot=shoot).delete()
        Photo.objects.filter(shoot=shoot).delete()
        Shoot.objects.filter(pk=shoot.pk).delete()
        Student.objects.filter(school_class=school_class).delete()
        SchoolClass.objects.filter(pk=school_class.pk).delete()
        School.objects.filter(pk=school.pk).delete()


def test_a_parent_opens_the_card_link_and_sees_only_their_childs_photos(
    published_day, web_server, context_factory, screenshot_dir
):
    base = f"http://alpha.localhost:{web_server}"
    page = context_factory("phone").new_page()

    # the QR code on the card opens the storefront with the code filled in
    page.goto(f"{base}/")
    page.get_by_label("Access code").fill(codes.display(published_day["code"]))
    page.screenshot(path=screenshot_dir / "gallery-phone-01-code.png", full_page=True)
    page.get_by_role("button", name="Open gallery").click()
    expect(page).to_have_url(f"{base}/gallery/")
    page.goto(f"{base}/?code={published_day['code']}")  # the card's link opens it directly

    expect(page).to_have_url(f"{base}/gallery/")
    expect(page.get_by_role("heading", name="Lena Orlova")).to_be_visible()
    expect(page.get_by_role("heading", name="Class 3C")).to_be_visible()
    images = page.locator(".gallery-grid img")
    expect(images).to_have_count(3)  # Lena's two and the class photo, not Mark's
    for index in range(3):
        images.nth(index).scroll_into_view_if_needed()
        expect(images.nth(index)).to_have_js_property("complete", True)
        assert images.nth(index).evaluate("img => img.naturalWidth") > 0
    page.screenshot(path=screenshot_dir / "gallery-phone-02-gallery.png", full_page=True)

    # Mark's photo is not reachable by guessing its address, nor by editing a signed link
    mark_photo = published_day["photos"][2]
    link = images.nth(0).get_attribute("src")
    assert page.goto(f"{base}/gallery/{mark_photo}/").status == 404
    status = "url => fetch(url, {credentials: 'omit'}).then(r => r.status)"  # no cookie
    assert page.evaluate(status, link) == 200
    photo_id = parse_qs(urlsplit(link).query)["p"][0]
    assert page.evaluate(status, link.replace(f"p={photo_id}&", f"p={mark_photo}&")) == 403
