"""A new watermark re-renders the existing previews in the background, with progress, once."""

import pytest
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.photos.models import Photo, PhotoStatus
from studio.photos.services.ingest import photo_ingest_file
from studio.photos.services.processing import photo_process
from studio.schools.models import School
from studio.settings.models import WatermarkRerender
from studio.settings.services import studio_settings_update, watermark_rerender_run
from studio.shoots.services import shoot_create
from tests.conftest import logged_in_client
from tests.studio.photos.images import jpeg_bytes, write

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


def change_watermark(alpha, text, callbacks):
    with callbacks(execute=False) as queued:
        studio_settings_update(
            studio=alpha.studio,
            actor=None,
            name=alpha.studio.name,
            watermark_text=text,
            **SETTINGS,
        )
    return queued


def test_a_new_watermark_rerenders_every_preview_once(
    alpha, ready_photos, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema):
        before = previews(ready_photos)

        queued = change_watermark(alpha, "NEW MARK", django_capture_on_commit_callbacks)

        job = WatermarkRerender.objects.get()
        assert (job.watermark, job.total, job.done, job.is_finished) == ("NEW MARK", 3, 0, False)
        assert len(queued) == 1  # the task, sent after commit
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
