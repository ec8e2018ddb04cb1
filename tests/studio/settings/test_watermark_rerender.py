"""A new watermark re-renders the existing previews in the background, with progress, once."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.photos.imaging import WatermarkSpec
from studio.photos.models import Photo, PhotoStatus
from studio.photos.services.ingest import photo_ingest_file
from studio.photos.services.processing import photo_process
from studio.schools.models import School
from studio.settings.models import WatermarkRerender
from studio.settings.services import studio_settings_update, watermark_rerender_run
from studio.shoots.services import shoot_create
from tenants.models import Studio
from tests.conftest import logged_in_client
from tests.studio.photos.images import jpeg_bytes, write

from .images import huge_png, logo_bytes, watermark_png

SETTINGS = {"brand_color": "#2563eb", "currency": "EUR", "language": "en", "timezone": "UTC"}


@pytest.fixture
def ready_photos(alpha, tmp_path, django_capture_on_commit_callbacks):
    """Three photos of alpha processed through the real pipeline with the old watermark."""
    with schema_context(alpha.schema):
        photographer = User.objects.create_user(
            email="ph@alpha.test", password="x", role=Role.PHOTOGRAPHER
        )
        school = School.objects.create(name="School No. 5")
        shoot = shoot_create(
            school=school, name="Autumn", date="2026-10-01", photographers=[photographer]
        )
        photos = []
        for seed in range(3):
            path = write(tmp_path / f"in-{seed}.jpg", jpeg_bytes(1200, 800, seed=seed))
            with django_capture_on_commit_callbacks(execute=False):
                outcome = photo_ingest_file(
                    shoot=shoot, path=path, file_name=f"IMG_{seed}.jpg", uploaded_by=photographer
                )
            photos.append(photo_process(photo_id=outcome.photo_id))
        yield photos


def previews(photos) -> dict[int, bytes]:
    return {p.pk: Photo.objects.get(pk=p.pk).preview.read() for p in photos}


def change_watermark(alpha, text, callbacks, **watermark):
    with callbacks(execute=False) as queued:
        studio_settings_update(
            studio=alpha.studio,
            actor=None,
            name=alpha.studio.name,
            watermark_text=text,
            **SETTINGS,
            **watermark,
        )
    return queued


def tasks(callbacks) -> list:
    """The callbacks run after commit but the galleries' version bump (the settings changed)."""
    return [c for c in callbacks if c.__module__ != "saas_platform.versions"]


def test_a_new_watermark_rerenders_every_preview_once(
    alpha, ready_photos, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema):
        before = previews(ready_photos)

        queued = change_watermark(alpha, "NEW MARK", django_capture_on_commit_callbacks)

        job = WatermarkRerender.objects.get()
        identity = WatermarkSpec(text="NEW MARK", opacity=45).identity
        assert (job.watermark, job.total, job.done, job.is_finished) == (identity, 3, 0, False)
        assert len(tasks(queued)) == 1  # the task, sent after commit
        job = watermark_rerender_run(job_id=job.pk)
        after = previews(ready_photos)
        assert (job.done, job.total, job.is_finished) == (3, 3, True)
        assert all(after[pk] != before[pk] for pk in before)
        assert set(Photo.objects.values_list("status", flat=True)) == {PhotoStatus.READY}

        # idempotent: a redelivered task renders nothing again
        watermark_rerender_run(job_id=job.pk)
        assert previews(ready_photos) == after
        assert WatermarkRerender.objects.get(pk=job.pk).done == 3


def test_a_redelivered_task_resumes_after_the_last_photo_done(
    alpha, ready_photos, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema):
        change_watermark(alpha, "RESUME", django_capture_on_commit_callbacks)
        job = WatermarkRerender.objects.get()
        first = ready_photos[0]
        WatermarkRerender.objects.filter(pk=job.pk).update(last_photo_id=first.pk, done=1)
        untouched = Photo.objects.get(pk=first.pk).preview.read()

        job = watermark_rerender_run(job_id=job.pk)

        assert (job.done, job.is_finished) == (3, True)
        assert Photo.objects.get(pk=first.pk).preview.read() == untouched


def test_an_unchanged_watermark_renders_nothing(
    alpha, ready_photos, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema):
        queued = change_watermark(alpha, "", django_capture_on_commit_callbacks)  # = the name

        assert not WatermarkRerender.objects.exists()
        assert queued == []


def test_a_newer_change_supersedes_an_unfinished_run(
    alpha, ready_photos, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema):
        change_watermark(alpha, "FIRST", django_capture_on_commit_callbacks)
        change_watermark(alpha, "SECOND", django_capture_on_commit_callbacks)
        first, second = WatermarkRerender.objects.order_by("pk")

        assert watermark_rerender_run(job_id=first.pk).done == 0
        assert watermark_rerender_run(job_id=second.pk).done == 3


def test_the_settings_page_shows_the_progress(
    alpha, ready_photos, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema):
        change_watermark(alpha, "PROGRESS", django_capture_on_commit_callbacks)
        owner = User.objects.get(email=alpha.owner_email)
    client = logged_in_client(alpha, owner)

    page = client.get("/staff/settings/studio/").content.decode()
    assert "<span data-done>0</span> / <span data-total>3</span>" in page
    assert client.get("/staff/settings/studio/watermark-progress/").json() == {
        "total": 3,
        "done": 0,
        "finished": False,
    }
    with schema_context(alpha.schema):
        watermark_rerender_run(job_id=WatermarkRerender.objects.get().pk)
    assert (
        "Previews re-rendered with the current watermark: 3 / 3."
        in client.get("/staff/settings/studio/").content.decode()
    )


def test_a_new_opacity_alone_rerenders_once_under_a_new_identity(
    alpha, ready_photos, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema):
        before = previews(ready_photos)
        queued = change_watermark(
            alpha, "", django_capture_on_commit_callbacks, watermark_opacity=70
        )

        job = WatermarkRerender.objects.get()
        assert len(tasks(queued)) == 1
        assert job.watermark == WatermarkSpec(text=alpha.studio.name, opacity=70).identity
        assert job.watermark != WatermarkSpec(text=alpha.studio.name, opacity=45).identity
        watermark_rerender_run(job_id=job.pk)
        after = previews(ready_photos)
        assert all(after[pk] != before[pk] for pk in before)

        # the same opacity again changes nothing
        assert (
            change_watermark(alpha, "", django_capture_on_commit_callbacks, watermark_opacity=70)
            == []
        )
        assert WatermarkRerender.objects.count() == 1


def test_an_image_watermark_rerenders_once_and_removing_it_falls_back_to_the_text(
    alpha, ready_photos, django_capture_on_commit_callbacks
):
    png = watermark_png()
    with schema_context(alpha.schema):
        before = previews(ready_photos)
        queued = change_watermark(
            alpha,
            "TEXT MARK",
            django_capture_on_commit_callbacks,
            watermark_image=SimpleUploadedFile("mark.png", png),
        )

        studio = Studio.objects.get(pk=alpha.studio.pk)
        assert studio.watermark_image.name.startswith("watermark/watermark-")
        assert studio.watermark_image.read() == png
        job = WatermarkRerender.objects.get()
        assert len(tasks(queued)) == 1
        assert job.watermark == WatermarkSpec(text="TEXT MARK", image=png, opacity=45).identity
        assert job.watermark != WatermarkSpec(text="TEXT MARK", opacity=45).identity
        watermark_rerender_run(job_id=job.pk)
        with_image = previews(ready_photos)
        assert all(with_image[pk] != before[pk] for pk in before)

        queued = change_watermark(
            alpha, "TEXT MARK", django_capture_on_commit_callbacks, remove_watermark_image=True
        )
        assert not Studio.objects.get(pk=alpha.studio.pk).watermark_image
        latest = WatermarkRerender.objects.order_by("-pk").first()
        assert latest.watermark == WatermarkSpec(text="TEXT MARK", opacity=45).identity
        assert len(tasks(queued)) == 2  # the task, and deleting the old file
        watermark_rerender_run(job_id=latest.pk)
        assert all(previews(ready_photos)[pk] != with_image[pk] for pk in before)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: logo_bytes("JPEG"), "Upload the watermark image as a PNG."),
        (lambda: huge_png(3000, 3000), "keep it under 2048 × 2048"),
        (lambda: b"\x89PNG" + b"\0" * (3 * 1024 * 1024), "the limit is 2 MB"),
        (lambda: b"not an image", "not"),
        (lambda: watermark_png()[:80], "damaged"),
    ],
)
def test_a_watermark_image_must_be_a_modest_png(alpha, upload, message):
    with schema_context(alpha.schema), pytest.raises(ValidationError) as refused:
        studio_settings_update(
            studio=alpha.studio,
            actor=None,
            name=alpha.studio.name,
            watermark_image=SimpleUploadedFile("mark.png", upload()),
            **SETTINGS,
        )

    assert message in " ".join(refused.value.message_dict["watermark_image"])
    assert not Studio.objects.get(pk=alpha.studio.pk).watermark_image


@pytest.mark.parametrize("opacity", [5, 81])
def test_an_opacity_out_of_range_is_refused(alpha, opacity):
    with schema_context(alpha.schema), pytest.raises(ValidationError) as refused:
        studio_settings_update(
            studio=alpha.studio,
            actor=None,
            name=alpha.studio.name,
            watermark_opacity=opacity,
            **SETTINGS,
        )

    assert "watermark_opacity" in refused.value.message_dict
    assert Studio.objects.get(pk=alpha.studio.pk).watermark_opacity == 45
