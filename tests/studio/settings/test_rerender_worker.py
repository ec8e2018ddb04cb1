"""A changed watermark re-renders the previews in a real Celery worker, after commit."""

import time

import pytest
from django.db import transaction
from django_tenants.utils import get_public_schema_name, schema_context

from saas_platform.accounts.models import Role, User
from studio.photos.models import Photo, PhotoStatus
from studio.photos.services.ingest import photo_ingest_file
from studio.schools.models import School
from studio.settings.models import WatermarkRerender
from studio.settings.services import studio_settings_update
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_create
from tenants.models import Studio
from tests.studio.photos.images import jpeg_bytes, write

pytestmark = pytest.mark.worker


def wait_for(check, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise TimeoutError("the worker did not finish in time")


@pytest.fixture
def alpha_photos(live_studios, committed, live_media, tmp_path):
    alpha = live_studios["alpha"]
    with committed(), schema_context(get_public_schema_name()):
        before = Studio.objects.get(pk=alpha.studio.pk)
    with committed(), schema_context(alpha.schema), transaction.atomic():
        photographer = User.objects.create_user(
            email="rerender-ph@x.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
        shoot = shoot_create(
            school=School.objects.create(name="Rerender school"), name="Day", date="2026-10-01"
        )
        for seed in (1, 2):
            photo_ingest_file(
                shoot=shoot,
                path=write(tmp_path / f"r{seed}.jpg", jpeg_bytes(seed=seed)),
                file_name=f"R{seed}.jpg",
                uploaded_by=photographer,
            )
    yield alpha, before
    with committed(), schema_context(alpha.schema):
        WatermarkRerender.objects.all().delete()
        Photo.objects.all().delete()
        Shoot.objects.all().delete()
        School.objects.filter(name="Rerender school").delete()
        User.objects.filter(email="rerender-ph@x.test").delete()
    with committed(), schema_context(get_public_schema_name()):
        Studio.objects.filter(pk=before.pk).update(watermark_text=before.watermark_text)


def test_the_worker_rerenders_previews_after_the_watermark_changed(
    alpha_photos, committed, celery_worker_process
):
    alpha, studio = alpha_photos

    def previews():
        with committed(), schema_context(alpha.schema):
            ready = Photo.objects.filter(status=PhotoStatus.READY)
            return {p.pk: p.preview.read() for p in ready} if ready.count() == 2 else None

    before = wait_for(previews)
    with committed(), schema_context(alpha.schema):
        studio_settings_update(
            studio=studio,
            actor=None,
            name=studio.name,
            brand_color=studio.brand_color,
            currency=studio.currency,
            language=studio.language,
            timezone=studio.timezone,
            watermark_text="WORKER MARK",
        )

    def finished():
        with committed(), schema_context(alpha.schema):
            job = WatermarkRerender.objects.get()
            return job if job.is_finished else None

    job = wait_for(finished)
    assert (job.done, job.total) == (2, 2)
    after = previews()
    assert all(after[pk] != before[pk] for pk in before)
