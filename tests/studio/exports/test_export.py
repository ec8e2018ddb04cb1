"""The owner's full export: started from the settings, built by the task, e-mailed as a
signed link; only owners, only this studio's data."""

import csv
import io
import json
import time
import zipfile
from datetime import timedelta

import pytest
from django.core import signing
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.audit.models import AuditEntry
from studio.exports.build import export_build
from studio.exports.links import LINK_MAX_AGE, export_link_token
from studio.exports.models import ExportStatus, StudioExport
from studio.exports.retention import exports_expired_purge
from studio.exports.tables import PRIVATE, storage_for
from studio.schools.models import School
from tests.conftest import logged_in_client


def _owner(fixture) -> User:
    with schema_context(fixture.schema):
        return User.objects.get(email=fixture.owner_email)


def _start(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/settings/export/start/")
    assert response.status_code == 302
    return StudioExport.objects.get()


def _zip(export) -> zipfile.ZipFile:
    with storage_for(PRIVATE).open(export.file_name, "rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def test_owner_starts_an_export_and_gets_a_zip_and_a_link(
    alpha, alpha_season, run_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    client = logged_in_client(alpha, _owner(alpha))
    assert client.get("/staff/settings/export/").status_code == 200

    export = _start(client, django_capture_on_commit_callbacks)

    assert [name for name, *_ in run_tasks] == ["studio.exports.tasks.build_export"]
    assert export.status == ExportStatus.READY
    assert export.done == export.total > 0
    assert export.file_name.startswith("exports/alpha-")
    archive = _zip(export)
    names = set(archive.namelist())
    assert {"README.md", "manifest.json", "settings.json", "files.sha256"} <= names
    for table in ("schools_school", "schools_student", "photos_photo", "photos_photo_students",
                  "photos_photoversion", "access_accesscode", "catalogue_product",
                  "orders_order", "orders_orderline", "orders_payment", "orders_refund",
                  "accounts_user", "shoots_shoot"):  # fmt: skip
        assert f"tables/{table}.csv" in names and f"tables/{table}.jsonl" in names, table
        assert f"### {table}" in archive.read("README.md").decode()
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tables"]["photos_photo"]["rows"] == 3
    assert manifest["tables"]["orders_order"]["rows"] == 2
    assert manifest["tables"]["orders_refund"]["rows"] == 1
    assert manifest["tables"]["photos_photo_students"]["rows"] == 4
    # Originals, the retouched version and the thumbnail, each with its hash.
    shop = alpha_season["shop"]
    files = {
        f"files/private/{shop.photo_ivan.original.name}",
        f"files/private/{shop.photo_ivan.approved_version.file.name}",
        f"files/private/{alpha_season['group'].original.name}",
        f"files/media/{alpha_season['group'].thumbnail.name}",
    }
    assert files <= names
    assert archive.read(f"files/private/{shop.photo_ivan.original.name}") == b"original ivan"
    sums = archive.read("files.sha256").decode()
    assert all(f"  {name}\n" in sums for name in files)
    # Staff without password hashes; secrets left out.
    users = list(csv.DictReader(io.StringIO(archive.read("tables/accounts_user.csv").decode())))
    assert "password" not in users[0]
    assert {u["email"] for u in users} >= {"owner@alpha.test", "mum@example.com"}
    assert not any("logintoken" in n or "apitoken" in n or "signincode" in n for n in names)
    settings_json = json.loads(archive.read("settings.json"))
    assert settings_json["name"] == "Alpha Photo" and settings_json["currency"] == "EUR"
    # The owner is e-mailed a signed link; it downloads the same ZIP.
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["owner@alpha.test"]
    link = next(line for line in mailoutbox[0].body.splitlines() if "/download/" in line)
    assert link.startswith("http://alpha.")
    path = link.split("localhost", 1)[1].split(":", 1)[-1]
    path = path[path.index("/") :]
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content)[:2] == b"PK"
    kinds = list(AuditEntry.objects.order_by("pk").values_list("kind", "actor_email"))
    assert kinds[-2:] == [
        ("data_export_started", "owner@alpha.test"),
        ("data_export_downloaded", "owner@alpha.test"),
    ]
    progress = client.get("/staff/settings/export/progress/").json()
    assert progress["status"] == "ready" and progress["percent"] == 100
    assert progress["url"] == path


def test_a_second_start_while_one_runs_returns_the_same_export(alpha, in_alpha):
    owner = _owner(alpha)
    client = logged_in_client(alpha, owner)
    client.post("/staff/settings/export/start/")
    client.post("/staff/settings/export/start/")
    assert StudioExport.objects.count() == 1


def test_an_export_holds_only_its_own_studio(
    alpha, beta, alpha_season, run_tasks, django_capture_on_commit_callbacks
):
    with schema_context(beta.schema):
        School.objects.create(name="Beta-only School")
        User.objects.create_user(email="beta-parent@example.com", role=Role.PARENT)
    client = logged_in_client(alpha, _owner(alpha))
    archive = _zip(_start(client, django_capture_on_commit_callbacks))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"Beta-only School" not in everything
    assert b"beta-parent@example.com" not in everything
    assert b"owner@beta.test" not in everything
    assert b"School No. 7" in everything


@pytest.mark.parametrize("role", [Role.MANAGER, Role.PHOTOGRAPHER, Role.PRINCIPAL, Role.PARENT])
def test_other_roles_can_neither_start_nor_see_nor_download(
    alpha, alpha_season, role, run_tasks, django_capture_on_commit_callbacks
):
    export = _start(logged_in_client(alpha, _owner(alpha)), django_capture_on_commit_callbacks)
    token = export_link_token(export)
    someone = User.objects.create_user(email=f"{role}@alpha.test", password="x" * 12, role=role)
    client = logged_in_client(alpha, someone)
    assert client.post("/staff/settings/export/start/").status_code == 403
    assert client.get("/staff/settings/export/").status_code == 403
    assert client.get("/staff/settings/export/progress/").status_code == 403
    assert client.get(f"/staff/settings/export/download/{token}/").status_code == 403
    assert StudioExport.objects.count() == 1


def test_a_link_from_another_studio_or_tampered_or_expired_finds_nothing(
    alpha, beta, alpha_season, run_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    export = _start(logged_in_client(alpha, _owner(alpha)), django_capture_on_commit_callbacks)
    alpha_token = export_link_token(export)
    with schema_context(beta.schema):
        # Beta's owner, with alpha's token and with a token naming alpha's export id.
        beta_owner = User.objects.get(email=beta.owner_email)
        beta_token = export_link_token(StudioExport(pk=export.pk))
    beta_client = logged_in_client(beta, beta_owner)
    assert beta_client.get(f"/staff/settings/export/download/{alpha_token}/").status_code == 404
    assert beta_client.get(f"/staff/settings/export/download/{beta_token}/").status_code == 404
    assert beta_client.get("/staff/settings/export/progress/").json()["status"] == ""
    owner = logged_in_client(alpha, _owner(alpha))
    assert owner.get(f"/staff/settings/export/download/{beta_token}/").status_code == 404
    assert owner.get(f"/staff/settings/export/download/{alpha_token}x/").status_code == 404
    assert owner.get(f"/staff/settings/export/download/{alpha_token}/").status_code == 200
    eight_days_later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: eight_days_later)
    assert owner.get(f"/staff/settings/export/download/{alpha_token}/").status_code == 404


def test_a_newer_export_removes_the_older_file(alpha, alpha_season):
    owner = _owner(alpha)
    first = export_build(export_id=StudioExport.objects.create(created_by=owner).pk)
    second = export_build(export_id=StudioExport.objects.create(created_by=owner).pk)
    storage = storage_for(PRIVATE)
    assert second.status == ExportStatus.READY and storage.exists(second.file_name)
    assert not storage.exists(first.file_name)
    first.refresh_from_db()
    assert first.file_name == "" and first.status == ExportStatus.FAILED


def test_a_zip_is_deleted_once_its_links_expire_and_the_page_says_so(alpha, alpha_season):
    owner = _owner(alpha)
    export = export_build(export_id=StudioExport.objects.create(created_by=owner).pk)
    storage = storage_for(PRIVATE)
    assert exports_expired_purge(now=export.finished_at + LINK_MAX_AGE) == 0  # not yet
    assert storage.exists(export.file_name)

    later = export.finished_at + LINK_MAX_AGE + timedelta(minutes=1)
    assert exports_expired_purge(now=later) == 1
    assert not storage.exists(export.file_name)
    export.refresh_from_db()
    assert (export.status, export.file_name) == (ExportStatus.EXPIRED, "")
    page = logged_in_client(alpha, owner).get("/staff/settings/export/")
    assert "Expired" in page.content.decode()
    assert b"Start a new export" in page.content
    assert exports_expired_purge(now=later) == 0


def test_a_suspended_studio_can_still_take_its_data_out(alpha, in_alpha):
    alpha.studio.status = "suspended"
    alpha.studio.save(update_fields=["status"])
    client = logged_in_client(alpha, _owner(alpha))
    assert client.post("/staff/settings/studio/", {"name": "X"}).status_code == 403
    assert client.post("/staff/settings/export/start/").status_code == 302
    assert StudioExport.objects.count() == 1
