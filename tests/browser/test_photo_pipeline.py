"""The photo pipeline end to end, in Chromium against the real stack (gunicorn, a Celery
worker, the test database and media folders shared between them):

a photographer uploads 20 files (one of them cut off) with the chunked uploader and sees each
file's outcome; the worker makes the thumbnails, which load in the grid; a manager sends the
photos to retouching; a retoucher claims a batch, downloads the originals as a ZIP, uploads
retouched files and submits them; the manager sends one back with a comment and approves
the rest; the retoucher sees the comment.

Desktop for the flow, phone screenshots of the upload page and the batch page; every step
leaves a screenshot in ``test-output/screenshots/pipeline-*.png``.
"""

import io
import re
import time
import zipfile
from datetime import date
from uuid import uuid4

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Locator, Page, expect

from tests.studio.photos.images import broken_jpeg, jpeg_bytes

pytestmark = pytest.mark.browser

PASSWORD = "Darkroom-and-daylight-2026"
BROKEN = "IMG_0013.jpg"
NAMES = [f"IMG_{n:04d}.jpg" for n in range(1, 21)]
GOOD = [name for name in NAMES if name != BROKEN]
PROCESSING_TIMEOUT_MS = 90_000


def shot(page: Page, screenshot_dir, viewport: str, step: str) -> None:
    """A full-page screenshot with every (lazy) image loaded, scrolled back to the top."""
    load_every_image(page.locator("main img"))
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"pipeline-{viewport}-{step}.png", full_page=True)


def log_in(page: Page, base_url: str, email: str, next_path: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}{next_path}")


def expect_message(page: Page, text: str) -> None:
    expect(page.locator("ul.messages li.success")).to_contain_text(text)


def load_every_image(images: Locator) -> list[dict]:
    """Scrolls every (lazy) image into view, waits until all have finished loading, and
    returns their URL and natural size (0 for an image the browser could not load)."""
    handles = images.element_handles()
    for handle in handles:
        handle.scroll_into_view_if_needed()
    if handles:
        images.page.wait_for_function("imgs => imgs.every(img => img.complete)", arg=handles)
    return images.evaluate_all(
        "imgs => imgs.map(img => ({src: img.currentSrc, width: img.naturalWidth,"
        " height: img.naturalHeight}))"
    )


@pytest.fixture
def pipeline(live_studios, committed):
    """In alpha (committed, for the web server and worker): a photographer, a retoucher and a
    manager, a school with a class, and a picture day the photographer works on."""
    from saas_platform.accounts.models import Role, User
    from studio.schools.models import School, SchoolClass
    from studio.shoots.services import shoot_create

    alpha = live_studios["alpha"]
    tag = uuid4().hex[:6]
    with committed(), schema_context(alpha.schema):
        users = {
            role: User.objects.create_user(
                email=f"{role}-{tag}@alpha.test",
                password=PASSWORD,
                role=role,
                full_name=f"{role.capitalize()} {tag.upper()}",
            )
            for role in (Role.PHOTOGRAPHER, Role.RETOUCHER, Role.MANAGER)
        }
        school = School.objects.create(name=f"Lakeside School {tag.upper()}")
        SchoolClass.objects.create(school=school, name="4B", school_year="2026-2027")
        shoot = shoot_create(
            school=school,
            name=f"Spring portraits {tag.upper()}",
            date=date(2026, 4, 14),
            photographers=[users[Role.PHOTOGRAPHER]],
        )
    yield {"studio": alpha, "users": users, "school": school, "shoot": shoot}

    from studio.photos.models import Photo
    from studio.shoots.models import Shoot

    with committed(), schema_context(alpha.schema):
        # Approved photos are processed again from their retouched version: let the worker
        # finish before the rows go, so it does not trip over deleted photos.
        deadline = time.monotonic() + 60
        while (
            Photo.objects.filter(shoot=shoot, status__in=["uploaded", "processing"]).exists()
            and time.monotonic() < deadline
        ):
            time.sleep(0.5)
        Photo.objects.filter(shoot=shoot).delete()
        Shoot.objects.filter(pk=shoot.pk).delete()  # uploads, batches with it
        School.objects.filter(pk=school.pk).delete()
        User.objects.filter(pk__in=[user.pk for user in users.values()]).delete()


def test_photos_go_from_upload_through_retouching_to_approval(
    pipeline,
    web_server,
    celery_worker_process,
    context_factory,
    screenshot_dir,
    tmp_path,
    committed,
):
    from saas_platform.accounts.models import Role
    from studio.photos.models import Photo, PhotoStatus, RetouchStatus

    port = web_server
    alpha = pipeline["studio"]
    base_url = f"http://{alpha.host}:{port}"
    shoot = pipeline["shoot"]
    shoot_path = f"/staff/shoots/{shoot.pk}/"
    photographer, retoucher, manager = (
        pipeline["users"][role] for role in (Role.PHOTOGRAPHER, Role.RETOUCHER, Role.MANAGER)
    )

    originals = tmp_path / "originals"
    originals.mkdir()
    files = []
    for n, name in enumerate(NAMES, start=1):
        data = broken_jpeg() if name == BROKEN else jpeg_bytes(1200, 800, seed=n)
        (originals / name).write_bytes(data)
        files.append(originals / name)

    # --- 1. The photographer uploads 20 files; each row ends with its outcome. ------------
    page = context_factory("desktop").new_page()
    log_in(page, base_url, photographer.email, shoot_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(shoot.name)
    expect(page.get_by_text("No photos yet.")).to_be_visible()
    shot(page, screenshot_dir, "desktop", "01-shoot-empty")

    page.set_input_files("#upload-files", files)
    rows = page.locator(".upload-list > li")
    expect(rows).to_have_count(20)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.upload-list > li')].every(
               li => ['accepted', 'duplicate', 'rejected'].includes(li.dataset.state))""",
        timeout=60_000,
    )
    states = dict(
        zip(
            rows.locator(".name").all_inner_texts(),
            rows.locator(".state").all_inner_texts(),
            strict=True,
        )
    )
    assert sorted(states) == NAMES
    assert {name: states[name] for name in GOOD} == dict.fromkeys(GOOD, "uploaded")
    assert states[BROKEN].startswith("rejected: "), states[BROKEN]
    assert len(states[BROKEN]) > len("rejected: ") + 10, states[BROKEN]  # with a reason
    expect(page.locator("[data-summary]")).to_have_text("20 of 20 files · 1 rejected")
    shot(page, screenshot_dir, "desktop", "02-upload-outcomes")

    # The live counts (polled by the page) reach 19 ready once the worker is done.
    counts = page.locator("#processing")
    expect(counts.locator('[data-count="ready"]')).to_have_text("19", timeout=PROCESSING_TIMEOUT_MS)
    expect(counts.locator('[data-count="total"]')).to_have_text("19")
    expect(counts.locator('[data-count="pending"]')).to_have_text("0")
    expect(counts.locator('[data-count="failed"]')).to_have_text("0")
    expect(page.get_by_role("link", name="New photos are ready — show them")).to_be_visible()
    shot(page, screenshot_dir, "desktop", "03-processing-done")

    # After a reload the grid shows 19 thumbnails, really served through /media/.
    page.reload()
    expect(page.locator(".photo-grid img")).to_have_count(19)
    thumbnails = load_every_image(page.locator(".photo-grid img"))
    assert all(f"/media/{alpha.schema}/derived/" in t["src"] for t in thumbnails), thumbnails
    assert all(t["width"] > 0 and t["height"] > 0 for t in thumbnails), thumbnails
    expect(page.locator(".photo-grid .name")).to_have_text(GOOD)
    shot(page, screenshot_dir, "desktop", "04-grid")

    # The upload page on a phone: the same files again are recognised, the cut-off one
    # refused again.
    phone = context_factory("phone").new_page()
    log_in(phone, base_url, photographer.email, shoot_path)
    expect(phone.locator(".photo-grid img")).to_have_count(19)
    phone.set_input_files("#upload-files", [originals / "IMG_0001.jpg", originals / BROKEN])
    phone_rows = phone.locator(".upload-list > li")
    expect(phone_rows.nth(0).locator(".state")).to_contain_text("already here: ")
    expect(phone_rows.nth(1).locator(".state")).to_contain_text("rejected: ")
    expect(phone.locator("[data-summary]")).to_have_text("2 of 2 files · 1 rejected")
    shot(phone, screenshot_dir, "phone", "05-upload-page")

    # --- 2. The manager sends every photo to retouching. ----------------------------------
    page = context_factory("desktop").new_page()
    log_in(page, base_url, manager.email, shoot_path)
    page.get_by_label("Select all").check()
    assert page.locator("#grid-form input[name=photos]:checked").count() == 19
    page.get_by_role("button", name="Send to retouching").click()
    expect(page).to_have_url(f"{base_url}{shoot_path}")
    expect_message(page, "19 photos sent to retouching.")
    expect(page.locator(".photo-grid .badge", has_text="Waiting for a retoucher")).to_have_count(19)
    shot(page, screenshot_dir, "desktop", "06-sent-to-retouching")

    # --- 3. The retoucher claims a batch, downloads, uploads retouched files, submits. -----
    retouch = context_factory("desktop").new_page()
    log_in(retouch, base_url, retoucher.email, "/staff/retouch/")
    shot(retouch, screenshot_dir, "desktop", "07-retouch-queue")
    waiting = retouch.locator("form", has_text=shoot.name)
    expect(waiting).to_contain_text("19 photos")
    waiting.get_by_role("button", name="Claim a batch").click()
    expect(retouch).to_have_url(re.compile(re.escape(base_url) + r"/staff/retouch/batches/\d+/$"))
    batch_url = retouch.url
    expect(retouch.locator(".photo-grid .name")).to_have_text(GOOD)
    shot(retouch, screenshot_dir, "desktop", "08-batch")

    with retouch.expect_download() as download_info:
        retouch.get_by_role("link", name="Download 19 originals (ZIP)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip"), download.suggested_filename
    archive = zipfile.ZipFile(io.BytesIO(download.path().read_bytes()))
    assert sorted(archive.namelist()) == GOOD
    assert archive.read("IMG_0001.jpg") == (originals / "IMG_0001.jpg").read_bytes()

    retouched = tmp_path / "retouched"
    retouched.mkdir()
    for n, name in enumerate(NAMES, start=1):
        if name != BROKEN:
            (retouched / name).write_bytes(jpeg_bytes(1200, 800, seed=1000 + n))
    retouch.set_input_files("#retouched-files", [retouched / name for name in GOOD])
    retouch.get_by_role("button", name="Upload", exact=True).click()
    expect_message(retouch, "19 retouched files matched.")
    expect(retouch.locator("ul.messages li.error")).to_have_count(0)
    expect(retouch.locator(".photo-grid .meta", has_text="1 version")).to_have_count(19)
    shot(retouch, screenshot_dir, "desktop", "09-batch-uploaded")

    retouch.get_by_role("button", name="Submit for review").click()
    expect(retouch).to_have_url(f"{base_url}/staff/retouch/")
    expect_message(retouch, "19 photos sent for review.")
    shot(retouch, screenshot_dir, "desktop", "10-submitted")

    # --- 4. The manager sends the first photo back and approves the other 18. -------------
    review_path = f"/staff/retouch/review/{shoot.pk}/"
    page.goto(f"{base_url}{shoot_path}")
    page.get_by_role("link", name="Review 19 retouched photos").click()
    expect(page).to_have_url(f"{base_url}{review_path}")
    reviews = page.locator("article.review")
    expect(reviews).to_have_count(19)
    first = reviews.first
    expect(first.get_by_role("heading")).to_have_text("IMG_0001.jpg")
    review_images = load_every_image(first.locator("img"))
    assert [i["width"] for i in review_images] == [1200, 1200], review_images
    shot(page, screenshot_dir, "desktop", "11-review")

    comment = "Soften the shadow under the chin, please."
    first.get_by_label("What should change").fill(comment)
    first.get_by_role("button", name="Send back").click()
    expect_message(page, "“IMG_0001.jpg” sent back.")
    expect(reviews).to_have_count(18)

    for remaining in range(18, 0, -1):
        expect(reviews).to_have_count(remaining)
        name = reviews.first.get_by_role("heading").inner_text()
        reviews.first.get_by_role("button", name="Approve").click()
        expect_message(page, f"“{name}” approved.")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_text("Nothing to review right now.")).to_be_visible()
    shot(page, screenshot_dir, "desktop", "12-review-done")

    # --- 5. The retoucher sees the photo that came back, with the comment. ----------------
    retouch.goto(batch_url)
    sent_back = retouch.locator(".photo-grid li", has_text="IMG_0001.jpg")
    expect(sent_back.locator(".badge")).to_have_text("Sent back")
    expect(sent_back.locator(".reason")).to_have_text(f"Sent back: {comment}")
    expect(retouch.locator(".photo-grid .badge", has_text="Approved")).to_have_count(18)
    expect(retouch.locator(".photo-grid .reason")).to_have_count(1)
    shot(retouch, screenshot_dir, "desktop", "13-batch-sent-back")

    phone = context_factory("phone").new_page()
    log_in(phone, base_url, retoucher.email, batch_url.removeprefix(base_url))
    expect(phone.locator(".photo-grid li", has_text="IMG_0001.jpg")).to_contain_text(comment)
    phone_thumbnails = load_every_image(phone.locator(".photo-grid img"))
    assert len(phone_thumbnails) == 19
    assert all(t["width"] > 0 for t in phone_thumbnails), phone_thumbnails
    shot(phone, screenshot_dir, "phone", "14-batch-page")

    # Approved photos are processed again, now from the retouched version.
    deadline = time.monotonic() + 60
    while True:
        with committed(), schema_context(alpha.schema):
            photos = list(Photo.objects.filter(shoot=shoot).select_related("approved_version"))
        approved = [p for p in photos if p.retouch_status == RetouchStatus.APPROVED]
        if all(p.status == PhotoStatus.READY for p in approved) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(approved) == 18
    assert all(p.status == PhotoStatus.READY for p in approved), [p.status for p in approved]
    assert all(p.approved_version.number == 1 for p in approved)
    assert all(p.thumbnail.name.endswith("-v1-thumb.jpg") for p in approved)
