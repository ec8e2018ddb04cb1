"""The PSPA export built by a real Celery worker process, in the studio's own schema."""

import io
import time
import zipfile
from uuid import uuid4

import pytest
from django.core.files.storage import storages
from django.db import transaction
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.photos.models import Photo
from studio.photos.services.ingest import photo_ingest_file
from studio.photos.services.processing import photo_process
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_create
from studio.yearbook.models import JobStatus, YearbookExport
from studio.yearbook.services import yearbook_export_start
from tests.studio.photos.images import jpeg_bytes, write

pytestmark = pytest.mark.worker


@pytest.fixture
def day(live_studios, committed, live_media, tmp_path, monkeypatch):
    from studio.photos import tasks

    monkeypatch.setattr(tasks.process_photo, "enqueue_on_commit", lambda *args: None)
    alpha = live_studios["alpha"]
    tag = uuid4().hex[:6]
    with committed(), schema_context(alpha.schema):
        manager = User.objects.create_user(
            email=f"ybw-{tag}@x.test", password="pw-123456", role=Role.MANAGER
        )
        school = School.objects.create(name=f"Школа {tag}")
        school_class = SchoolClass.objects.create(school=school, name="2В", school_year="2026-2027")
        kid = Student.objects.create(
            school_class=school_class, first_name="Іра", last_name="Коваль", external_id="K-1"
        )
        shoot = shoot_create(school=school, name="Day", date="2026-10-01")
        with transaction.atomic():
            outcome = photo_ingest_file(
                shoot=shoot,
                path=write(tmp_path / "ira.jpg", jpeg_bytes(320, 400, seed=77)),
                file_name="ira.jpg",
                uploaded_by=manager,
            )
        photo_process(photo_id=outcome.photo_id).students.set([kid])
    yield {"studio": alpha, "manager": manager, "shoot": shoot, "school": school}
    with committed(), schema_context(alpha.schema):
        YearbookExport.objects.filter(school=school).delete()
        Photo.objects.filter(shoot=shoot).delete()
        Shoot.objects.filter(pk=shoot.pk).delete()
        School.objects.filter(pk=school.pk).delete()


def test_the_worker_builds_the_zip_in_the_studios_schema(day, committed, celery_worker_process):
    with committed(), schema_context(day["studio"].schema), transaction.atomic():
        export = yearbook_export_start(actor=day["manager"], shoot=day["shoot"])

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with committed(), schema_context(day["studio"].schema):
            export.refresh_from_db()
            if export.status in (JobStatus.READY, JobStatus.FAILED):
                data = storages["originals"].open(export.file_name, "rb").read()
                break
        time.sleep(0.3)
    else:
        raise TimeoutError("the export was not built in time")

    assert (export.status, export.students, export.error) == (JobStatus.READY, 1, "")
    zf = zipfile.ZipFile(io.BytesIO(data))
    folder = f"Школа_{day['school'].name.split()[-1]}"
    assert sorted(zf.namelist()) == ["INDEX.TXT", "README.TXT", "index.csv", f"{folder}/K-1.jpg"]
    assert zf.read("INDEX.TXT").decode() == (
        f"{day['school'].name}\t{folder}\tK-1.jpg\t2\tКоваль\tІра\t2В\t\t\t\t\tN\t\tK-1\r\n"
    )
