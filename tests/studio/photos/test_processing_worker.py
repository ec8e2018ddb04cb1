"""Photos processed by a real Celery worker process, in the right studio's schema."""

import time

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.photos.models import Photo, PhotoStatus
from studio.photos.services.ingest import photo_ingest_file
from studio.schools.models import School
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_create
from tests.studio.photos.images import corrupt_jpeg, jpeg_bytes, write

pytestmark = pytest.mark.worker


@pytest.fixture
def two_shoots(live_studios, committed, live_media):
    """A picture day in alpha and one in beta (committed: the worker must see them)."""
    shoots = {}
    with committed():
        for slug in ("alpha", "beta"):
            with schema_context(live_studios[slug].schema):
                photographer = User.objects.create_user(
                    email=f"worker-{slug}@x.test", password="pw-123456", role=Role.PHOTOGRAPHER
                )
                shoots[slug] = (
                    shoot_create(
                        school=School.objects.create(name=f"{slug} school"),
                        name=f"{slug} day",
                        date="2026-10-01",
                    ),
                    photographer,
                )
    yield shoots
    with committed():
        for slug in ("alpha", "beta"):
            with schema_context(live_studios[slug].schema):
                Photo.objects.all().delete()
                Shoot.objects.all().delete()
                School.objects.all().delete()
                User.objects.filter(email__startswith="worker-").delete()


def wait_until_done(committed, schema, count, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with committed(), schema_context(schema):
            done = Photo.objects.filter(status__in=[PhotoStatus.READY, PhotoStatus.FAILED])
            if done.count() >= count:
                return {
                    p.original_name: (p.status, p.failure_reason, bool(p.preview))
                    for p in Photo.objects.all()
                }
        time.sleep(0.3)
    raise TimeoutError("photos not processed in time")


def test_the_worker_processes_each_studios_photos_in_its_own_schema(
    two_shoots, live_studios, committed, live_media, celery_worker_process, tmp_path
):
    for slug, files in {
        "alpha": {"A1.jpg": jpeg_bytes(seed=1), "A2.jpg": corrupt_jpeg()},
        "beta": {"B1.jpg": jpeg_bytes(seed=2)},
    }.items():
        shoot, photographer = two_shoots[slug]
        with committed(), schema_context(live_studios[slug].schema), transaction.atomic():
            for name, data in files.items():
                photo_ingest_file(
                    shoot=shoot,
                    path=write(tmp_path / f"{slug}-{name}", data),
                    file_name=name,
                    uploaded_by=photographer,
                )

    assert wait_until_done(committed, live_studios["alpha"].schema, 2) == {
        "A1.jpg": (PhotoStatus.READY, "", True),
        "A2.jpg": (PhotoStatus.FAILED, "The image data is damaged and cannot be read.", False),
    }
    assert wait_until_done(committed, live_studios["beta"].schema, 1) == {
        "B1.jpg": (PhotoStatus.READY, "", True)
    }
    with committed(), schema_context(live_studios["beta"].schema):
        preview = Photo.objects.get().preview
        assert preview.path.startswith(live_media["MEDIA_ROOT"] + "/studio_beta/")
