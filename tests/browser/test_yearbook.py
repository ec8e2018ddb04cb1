"""Yearbook on a phone: a parent picks their child's yearbook pose in the gallery, and a
manager orders a class composite, which the real Celery worker draws, and previews it."""

import zipfile
from uuid import uuid4

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from saas_platform.accounts.models import Role, User
from studio.access import codes
from studio.access.models import AccessCode
from studio.photos.models import Photo
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_create
from studio.yearbook.models import Composite, Pose, PoseSource, YearbookExport
from tests.browser.test_parent_gallery import photos_published
from tests.browser.test_photo_pipeline import PASSWORD, load_every_image, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def yearbook_day(live_studios, committed, live_media, tmp_path, monkeypatch):
    """In alpha (committed): a published picture day, Lena with two portraits, Mark with one,
    a class photo; a manager."""
    from studio.photos import tasks

    monkeypatch.setattr(tasks.process_photo, "enqueue_on_commit", lambda *args: None)
    alpha = live_studios["alpha"]
    tag = uuid4().hex[:6]
    with committed(), schema_context(alpha.schema):
        manager = User.objects.create_user(
            email=f"yb-{tag}@x.test", password=PASSWORD, role=Role.MANAGER
        )
        school = School.objects.create(name=f"Yearbook school {tag}")
        school_class = SchoolClass.objects.create(
            school=school, name="5Б", school_year="2026-2027", teacher="Ольга Петровна"
        )
        lena = Student.objects.create(
            school_class=school_class, first_name="Лена", last_name="Орлова"
        )
        mark = Student.objects.create(
            school_class=school_class, first_name="Mark", last_name="Ivanov"
        )
        shoot = shoot_create(school=school, name=f"Autumn {tag}", date="2026-10-01")
        shoot, photos = photos_published(
            shoot=shoot,
            school_class=school_class,
            manager=manager,
            folder=tmp_path,
            tagging=[([lena], False), ([lena], False), ([mark], False), ([], True)],
            seed=900,
        )
        code = AccessCode.objects.get(shoot=shoot, student=lena).code
    shoot.school = school
    yield {
        "studio": alpha,
        "code": code,
        "photos": photos,
        "shoot": shoot,
        "class": school_class,
        "lena": lena,
        "mark": mark,
        "manager": manager,
    }
    with committed(), schema_context(alpha.schema):
        AccessCode.objects.filter(shoot=shoot).delete()
        YearbookExport.objects.filter(school=school).delete()
        Composite.objects.filter(shoot=shoot).delete()
        Photo.objects.filter(shoot=shoot).delete()
        Shoot.objects.filter(pk=shoot.pk).delete()
        Student.objects.filter(school_class=school_class).delete()
        SchoolClass.objects.filter(pk=school_class.pk).delete()
        School.objects.filter(pk=school.pk).delete()


def test_a_parent_picks_the_yearbook_pose_on_a_phone(
    yearbook_day, web_server, context_factory, screenshot_dir, committed
):
    base = f"http://alpha.localhost:{web_server}"
    page = context_factory("phone").new_page()
    page.goto(f"{base}/")
    page.get_by_label("Access code").fill(codes.display(yearbook_day["code"]))
    page.get_by_role("button", name="Open gallery").click()
    expect(page).to_have_url(f"{base}/gallery/")

    second = yearbook_day["photos"][1]
    page.goto(f"{base}/gallery/{second}/?child={yearbook_day['lena'].pk}")
    button = page.get_by_role("button", name="Use for the yearbook")
    expect(button).to_be_visible()
    page.screenshot(path=screenshot_dir / "yearbook-phone-01-photo.png", full_page=True)
    button.click()

    expect(page.locator("ul.messages li.success")).to_contain_text("in the yearbook")
    expect(page.locator("#yearbook-pose")).to_contain_text("This is the yearbook photo.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "yearbook-phone-02-chosen.png", full_page=True)
    with committed(), schema_context(yearbook_day["studio"].schema):
        pose = Pose.objects.get(shoot=yearbook_day["shoot"])
        assert (pose.student_id, pose.photo_id, pose.source) == (
            yearbook_day["lena"].pk,
            second,
            PoseSource.PARENT,
        )
    # the first photo, no longer the pose, offers the button again
    page.goto(f"{base}/gallery/{yearbook_day['photos'][0]}/?child={yearbook_day['lena'].pk}")
    expect(page.get_by_role("button", name="Use for the yearbook")).to_be_visible()


def test_a_manager_previews_a_class_composite_on_a_phone(
    yearbook_day, web_server, celery_worker_process, context_factory, screenshot_dir, committed
):
    base = f"http://alpha.localhost:{web_server}"
    shoot, school_class = yearbook_day["shoot"], yearbook_day["class"]
    page = context_factory("phone").new_page()
    log_in(page, base, yearbook_day["manager"].email, f"/staff/yearbook/{shoot.pk}/")
    expect(page.get_by_role("heading", name="Yearbook poses")).to_be_visible()
    expect(page.locator(f"#child-{yearbook_day['lena'].pk}")).to_contain_text("automatic")
    load_every_image(page.locator("main img"))
    page.screenshot(path=screenshot_dir / "yearbook-phone-03-poses.png", full_page=True)

    page.get_by_role("link", name="Class composite").click()
    page.get_by_label("Title").fill("5Б — выпуск 2027")
    # Mark first: the order is the staff's to set
    page.get_by_role("button", name="Move Mark Ivanov up").click()
    expect(page.locator("#order-list li").first).to_contain_text("Mark Ivanov")
    page.get_by_role("button", name="Make the composite").click()

    preview = page.get_by_role("img", name="Class composite")
    expect(preview).to_be_visible(timeout=90_000)  # the worker draws it; the page reloads
    loaded = load_every_image(preview)
    assert loaded[0]["width"] > 300
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "yearbook-phone-04-composite.png", full_page=True)
    with committed(), schema_context(yearbook_day["studio"].schema):
        composite = Composite.objects.get(shoot=shoot, school_class=school_class)
        assert composite.names == ["Mark Ivanov", "Лена Орлова"]
        assert composite.title == "5Б — выпуск 2027"
        photo = composite.photo
        assert (photo.is_group, photo.school_class_id, photo.status) == (
            True,
            school_class.pk,
            "ready",
        )


def test_a_manager_exports_the_yearbook_zip_on_a_phone(
    yearbook_day, web_server, celery_worker_process, context_factory, screenshot_dir, tmp_path
):
    base = f"http://alpha.localhost:{web_server}"
    shoot = yearbook_day["shoot"]
    page = context_factory("phone").new_page()
    log_in(page, base, yearbook_day["manager"].email, f"/staff/shoots/{shoot.pk}/")
    page.get_by_role("link", name="Yearbook: poses, export, composites").click()
    page.get_by_role("button", name="Make the export").click()
    expect(page.locator("ul.messages li.success")).to_contain_text("export has started")

    download_link = page.locator("#exports").get_by_role("link", name="Download")
    for _attempt in range(60):  # the worker builds it; the page says so once reloaded
        if download_link.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(download_link).to_be_visible()
    expect(page.locator("#exports")).to_contain_text("2 children")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#exports").scroll_into_view_if_needed()
    page.screenshot(path=screenshot_dir / "yearbook-phone-05-export.png", full_page=True)
    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "yearbook.zip"
    info.value.save_as(path)
    with zipfile.ZipFile(path) as zf:
        index = zf.read("INDEX.TXT").decode().splitlines()
        assert [line.split("\t")[5] for line in index] == ["Mark", "Лена"]
        assert len([n for n in zf.namelist() if n.endswith(".jpg")]) == 2

    page.get_by_role("link", name="The whole school’s export").click()
    expect(page.get_by_role("heading", name=shoot.school.name)).to_be_visible()
    expect(page.locator("#exports")).to_contain_text("No export yet.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "yearbook-phone-06-school-export.png", full_page=True)
