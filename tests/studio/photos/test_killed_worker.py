"""A worker killed while it holds a photo's task loses nothing and doubles nothing."""

import time
from pathlib import Path

import psutil
import psycopg2
import pytest
from django.db import connection
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.photos.models import Photo, PhotoStatus
from studio.photos.services.ingest import photo_ingest_file
from studio.photos.tasks import process_photo
from studio.schools.models import School
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_create
from tests.studio.photos.images import jpeg_bytes, write

pytestmark = pytest.mark.worker


def _waiting_backends(photo_table: str) -> set[int]:
    """Database sessions blocked on a lock while selecting from the photos table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
            [f"%{photo_table}%FOR UPDATE%"],
        )
        return {row[0] for row in cursor.fetchall()}


def _wait_for(condition, timeout=60, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise TimeoutError(condition)


def test_a_killed_worker_child_hands_the_photo_to_the_next_one(
    live_studios, committed, live_media, celery_worker_process, tmp_path, monkeypatch
):
    worker, _log = celery_worker_process
    alpha = live_studios["alpha"]
    db = connection.settings_dict
    with committed(), schema_context(alpha.schema):
        photographer = User.objects.create_user(
            email="killed-worker@x.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
        shoot = shoot_create(
            school=School.objects.create(name="Kill school"), name="Kill day", date="2026-10-01"
        )
        # Hold the photo's row lock from another connection, so the worker's task blocks
        # right where it starts, and we know when it holds the task.
        locker = psycopg2.connect(
            dbname=db["NAME"],
            user=db["USER"],
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            password=db["PASSWORD"] or None,
        )
        try:
            monkeypatch.setattr(process_photo, "enqueue_on_commit", lambda *args: None)
            outcome = photo_ingest_file(
                shoot=shoot,
                path=write(tmp_path / "k.jpg", jpeg_bytes(seed=55)),
                file_name="k.jpg",
                uploaded_by=photographer,
            )
            with locker.cursor() as cursor:
                cursor.execute(
                    f'SELECT id FROM "{alpha.schema}".photos_photo WHERE id = %s FOR UPDATE',
                    [outcome.photo_id],
                )
            process_photo.apply_async(args=[outcome.photo_id], schema=alpha.schema)

            first = _wait_for(lambda: _waiting_backends("photos_photo"))
            children = psutil.Process(worker.pid).children()
            for child in children:
                child.kill()  # SIGKILL: the way the kernel's OOM killer ends a worker
            # the task comes back (acks_late + reject_on_worker_lost) to a fresh child
            _wait_for(lambda: _waiting_backends("photos_photo") - first)
        finally:
            locker.commit()
            locker.close()

        def processed():
            photo = Photo.objects.get(pk=outcome.photo_id)
            return photo if photo.status in (PhotoStatus.READY, PhotoStatus.FAILED) else None

        photo = _wait_for(processed, timeout=90, step=0.3)
        derived = sorted(
            p.name for p in Path(live_media["MEDIA_ROOT"], alpha.schema).rglob(f"{photo.pk}-*")
        )
        try:
            assert (photo.status, photo.processing_attempts) == (PhotoStatus.READY, 1)
            assert Photo.objects.filter(shoot=shoot).count() == 1
            assert derived == [f"{photo.pk}-preview.jpg", f"{photo.pk}-thumb.jpg"]
            assert all(not child.is_running() for child in children)
        finally:
            Photo.objects.filter(shoot=shoot).delete()
            Shoot.objects.filter(pk=shoot.pk).delete()
            School.objects.filter(name="Kill school").delete()
            User.objects.filter(pk=photographer.pk).delete()
