"""Two drawings of one composite finishing at once (a double "Regenerate" handled by two
worker processes), on two real connections that both commit: one photo, versions in turn."""

import threading
from uuid import uuid4

from django.db import connections, transaction
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.photos.models import Photo
from studio.photos.services.ingest import photo_ingest_file
from studio.photos.services.processing import photo_process
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.services import shoot_create
from studio.yearbook.composite import composite_build
from studio.yearbook.models import Composite
from tests.studio.photos.images import jpeg_bytes, write


def test_two_drawings_at_once_make_one_photo(
    live_studios, committed, media_in_tmp, tmp_path, monkeypatch
):
    from studio.photos import tasks

    monkeypatch.setattr(tasks.process_photo, "enqueue_on_commit", lambda *args: None)
    schema = live_studios["alpha"].schema
    tag = uuid4().hex[:6]
    with committed(), schema_context(schema):
        manager = User.objects.create_user(email=f"race-{tag}@x.test", role=Role.MANAGER)
        school = School.objects.create(name=f"Race {tag}")
        school_class = SchoolClass.objects.create(school=school, name="1A", school_year="2026")
        shoot = shoot_create(school=school, name="Day", date="2026-10-01")
        for n in range(2):
            kid = Student.objects.create(
                school_class=school_class, first_name=f"K{n}", last_name="R"
            )
            with transaction.atomic():
                outcome = photo_ingest_file(
                    shoot=shoot,
                    path=write(tmp_path / f"{n}.jpg", jpeg_bytes(200, 250, seed=n)),
                    file_name=f"{n}.jpg",
                    uploaded_by=manager,
                )
            photo_process(photo_id=outcome.photo_id).students.set([kid])
        composite = Composite.objects.create(
            shoot=shoot, school_class=school_class, updated_by=manager
        )
    start, errors = threading.Barrier(2), []

    def draw():
        try:
            with schema_context(schema):
                start.wait(10)
                composite_build(composite_id=composite.pk)
        except Exception as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=draw) for _ in range(2)]
        with committed():
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
        assert not any(thread.is_alive() for thread in threads)
        assert errors == []
        with committed(), schema_context(schema):
            composite.refresh_from_db()
            assert composite.generation == 2
            [photo] = Photo.objects.filter(shoot=shoot, is_group=True)
            assert composite.photo_id == photo.pk
            assert list(photo.versions.values_list("number", flat=True)) == [1]
            assert photo.approved_version.number == 1
    finally:
        with committed(), schema_context(schema):
            Composite.objects.filter(pk=composite.pk).delete()
            Photo.objects.filter(shoot=shoot).delete()
            shoot.delete()
            school.delete()
            manager.delete()
