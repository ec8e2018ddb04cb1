"""The PSPA yearbook/ID export: every file and every index line read back from the ZIP."""

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone
from django_tenants.utils import schema_context
from PIL import Image

from saas_platform.accounts.models import Role, User
from studio.photos.models import PhotoVersion
from studio.photos.services.ingest import photo_ingest_file
from studio.photos.services.processing import photo_process
from studio.schools.models import SchoolClass, Student
from studio.shoots.models import Shoot
from studio.yearbook.models import JobStatus, YearbookExport
from studio.yearbook.pspa import INDEX_COLUMNS, grade_of
from studio.yearbook.retention import yearbook_exports_purge
from studio.yearbook.services import pose_choose, yearbook_export_start
from tests.conftest import logged_in_client, push_id_sequences
from tests.studio.photos.images import jpeg_bytes, write


def _rotated_version(photo, user) -> PhotoVersion:
    """An approved retouched version, 300×200 as stored with EXIF orientation 6 (shown
    rotated: 200×300)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    version = PhotoVersion(
        photo=photo, number=1, file_name="anna2_retouched.jpg", content_hash="x", uploaded_by=user
    )
    version.file.save("anna2_retouched.jpg", ContentFile(jpeg_bytes(300, 200, exif=exif)))
    version.save()
    photo.approved_version = version
    photo.save()
    return version


@pytest.fixture
def season(yb):
    photos = yb["photos"]
    with schema_context(yb["studio"].schema):
        SchoolClass.objects.filter(pk=yb["anna"].school_class_id).update(teacher="Мария Ивановна")
        Student.objects.filter(pk=yb["anna"].pk).update(external_id="A-17/001")
        Student.objects.filter(pk=yb["boris"].pk).update(external_id="B002")
        pose_choose(
            actor=yb["manager"], shoot=yb["shoot"], student=yb["anna"], photo=photos["anna2"]
        )
        _rotated_version(photos["anna2"], yb["manager"])
        late = SchoolClass.objects.create(
            school=yb["shoot"].school, name="11-Б", school_year="2026-2027"
        )
        Student.objects.create(school_class=late, first_name="Без", last_name="Фото")
    return yb


def _export(season, run_tasks, capture) -> YearbookExport:
    with schema_context(season["studio"].schema), capture(execute=True):
        export = yearbook_export_start(actor=season["manager"], shoot=season["shoot"])
    assert [name for name, *_ in run_tasks] == ["studio.yearbook.tasks.build_yearbook_export"]
    with schema_context(season["studio"].schema):
        export.refresh_from_db()
    return export


def test_the_zip_holds_each_pose_named_by_id_and_the_pspa_index(
    season, run_tasks, django_capture_on_commit_callbacks
):
    export = _export(season, run_tasks, django_capture_on_commit_callbacks)

    assert export.status == JobStatus.READY, export.error
    assert export.students == 2
    assert export.missing == ["Hidden K (4A)", "Без Фото (11-Б)"]
    with schema_context(season["studio"].schema):
        data = storages["originals"].open(export.file_name, "rb").read()
        original_boris = season["photos"]["boris"].original.open("rb").read()
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(zf.namelist()) == [
        "INDEX.TXT",
        "README.TXT",
        "School_9/A-17_001.jpg",
        "School_9/B002.jpg",
        "index.csv",
    ]
    index = zf.read("INDEX.TXT").decode("utf-8")
    assert index.split("\r\n") == [
        "School 9\tSchool_9\tA-17_001.jpg\t4\tK\tAnna\t4A\t\tМария Ивановна\t\t\tN\t\tA-17/001",
        "School 9\tSchool_9\tB002.jpg\t4\tK\tBoris\t4A\t\tМария Ивановна\t\t\tN\t\tB002",
        "",
    ]
    rows = list(csv.DictReader(io.StringIO(zf.read("index.csv").decode("utf-8-sig"))))
    assert [list(row) for row in rows] == [INDEX_COLUMNS, INDEX_COLUMNS]
    assert [(r["Image File Name"], r["First Name"], r["Student ID"]) for r in rows] == [
        ("A-17_001.jpg", "Anna", "A-17/001"),
        ("B002.jpg", "Boris", "B002"),
    ]
    # Anna's chosen pose is its approved version, turned upright at full resolution.
    anna = Image.open(io.BytesIO(zf.read("School_9/A-17_001.jpg")))
    assert (anna.format, anna.size) == ("JPEG", (200, 300))
    assert anna.getexif().get(0x0112) is None
    # Boris has the default pose: his only photo, at its full size.
    boris = Image.open(io.BytesIO(zf.read("School_9/B002.jpg")))
    assert boris.size == Image.open(io.BytesIO(original_boris)).size
    readme = zf.read("README.TXT").decode("utf-8")
    assert "Hidden K (4A)" in readme and "Без Фото (11-Б)" in readme


def test_the_grade_is_the_class_number():
    assert [grade_of(n) for n in ("4A", "11-Б", " 9 В", "Kindergarten")] == [
        "4",
        "11",
        "9",
        "Kindergarten",
    ]


def test_managers_download_the_zip_and_lower_roles_cannot(
    season, run_tasks, django_capture_on_commit_callbacks
):
    shoot = season["shoot"]
    with django_capture_on_commit_callbacks(execute=True):
        response = season["staff"].post(f"/staff/yearbook/{shoot.pk}/export/")
    assert response.status_code == 302
    with schema_context(season["studio"].schema):
        export = YearbookExport.objects.get()
        photographer = season["photographer"]
        parent = User.objects.create_user(email="p-yb@alpha.test", role=Role.PARENT)
    url = f"/staff/yearbook/{shoot.pk}/export/{export.pk}/download/"
    page = season["staff"].get(f"/staff/yearbook/{shoot.pk}/").content.decode()
    assert url in page

    response = season["staff"].get(url)

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert "INDEX.TXT" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    for user in (photographer, parent):
        client = logged_in_client(season["studio"], user)
        assert client.get(url).status_code in (302, 403)
        assert client.post(f"/staff/yearbook/{shoot.pk}/export/").status_code in (302, 403)
    with schema_context(season["studio"].schema):
        assert YearbookExport.objects.count() == 1


def test_another_studios_owner_cannot_reach_the_zip(
    season, beta, run_tasks, django_capture_on_commit_callbacks
):
    export = _export(season, run_tasks, django_capture_on_commit_callbacks)
    with schema_context(beta.schema):
        push_id_sequences([Shoot, YearbookExport], start=3_000_000)
        owner = User.objects.get(email=beta.owner_email)
    client = logged_in_client(beta, owner)
    url = f"/staff/yearbook/{season['shoot'].pk}/export/{export.pk}/download/"

    assert client.get(url).status_code == 404
    # nor through another picture day of the same studio
    with schema_context(season["studio"].schema):
        other = Shoot.objects.create(school=season["shoot"].school, name="Other", date="2026-11-01")
    wrong = f"/staff/yearbook/{other.pk}/export/{export.pk}/download/"
    assert season["staff"].get(wrong).status_code == 404


def test_a_newer_zip_replaces_the_older_and_old_zips_expire(
    season, run_tasks, django_capture_on_commit_callbacks
):
    first = _export(season, run_tasks, django_capture_on_commit_callbacks)
    run_tasks.clear()
    second = _export(season, run_tasks, django_capture_on_commit_callbacks)
    storage = storages["originals"]
    with schema_context(season["studio"].schema):
        assert storage.exists(second.file_name)
        assert not storage.exists(first.file_name)
        first.refresh_from_db()
        assert (first.status, first.file_name) == (JobStatus.EXPIRED, "")
        assert yearbook_exports_purge() == 0
        assert yearbook_exports_purge(now=timezone.now() + timedelta(days=8)) == 1
        assert not storage.exists(second.file_name)
        second.refresh_from_db()
        assert (second.status, second.file_name) == (JobStatus.EXPIRED, "")


def test_the_whole_schools_export_takes_each_childs_newest_pose(
    season, run_tasks, tmp_path, django_capture_on_commit_callbacks
):
    with schema_context(season["studio"].schema):
        spring = Shoot.objects.create(
            school=season["shoot"].school, name="Spring", date="2027-04-01"
        )
        with django_capture_on_commit_callbacks(execute=False):
            outcome = photo_ingest_file(
                shoot=spring,
                path=write(tmp_path / "boris-spring.jpg", jpeg_bytes(120, 150, seed=42)),
                file_name="boris-spring.jpg",
                uploaded_by=season["manager"],
            )
        photo_process(photo_id=outcome.photo_id).students.set([season["boris"]])
    school_url = f"/staff/yearbook/schools/{season['shoot'].school_id}/"

    with django_capture_on_commit_callbacks(execute=True):
        response = season["staff"].post(school_url)

    assert response.status_code == 302
    with schema_context(season["studio"].schema):
        export = YearbookExport.objects.get()
        assert (export.shoot, export.status, export.students) == (None, JobStatus.READY, 2)
    page = season["staff"].get(school_url).content.decode()
    url = f"{school_url}export/{export.pk}/download/"
    assert url in page
    zf = zipfile.ZipFile(io.BytesIO(b"".join(season["staff"].get(url).streaming_content)))
    # Boris from spring (120×150), Anna from autumn, the only day with her portraits.
    assert Image.open(io.BytesIO(zf.read("School_9/B002.jpg"))).size == (120, 150)
    assert Image.open(io.BytesIO(zf.read("School_9/A-17_001.jpg"))).size == (200, 300)
    readme = zf.read("README.TXT").decode()
    assert "Spring (2027-04-01)" in readme and "Autumn (2026-10-01)" in readme
    # The picture day's own export lists none of the school-wide ones, and vice versa.
    shoot_page = season["staff"].get(f"/staff/yearbook/{season['shoot'].pk}/").content.decode()
    assert f"export/{export.pk}/download/" not in shoot_page


def test_a_zip_whose_picture_day_was_deleted_is_swept(
    season, run_tasks, django_capture_on_commit_callbacks
):
    export = _export(season, run_tasks, django_capture_on_commit_callbacks)
    storage = storages["originals"]
    with schema_context(season["studio"].schema):
        YearbookExport.objects.filter(pk=export.pk).delete()  # as when its picture day goes
        assert storage.exists(export.file_name)
        assert yearbook_exports_purge() == 0  # younger than an hour: maybe being built
        assert yearbook_exports_purge(now=timezone.now() + timedelta(hours=2)) == 1
        assert not storage.exists(export.file_name)
