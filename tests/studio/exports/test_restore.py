"""A new studio from an export: equal to the original in row counts, relations and file
hashes, and no other studio touched."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context

from saas_platform.accounts.models import User
from studio.exports.build import export_write_zip
from studio.exports.restore import studio_restore
from studio.exports.selectors import studio_fingerprint
from studio.orders.models import Order
from studio.schools.models import School
from tenants.models import Domain, Studio

from .conftest import season


def _export(schema: str, path) -> None:
    with schema_context(schema), open(path, "wb") as target:
        export_write_zip(studio=Studio.objects.get(schema_name=schema), target=target)


def _fingerprint(schema: str) -> dict:
    with schema_context(schema):
        return studio_fingerprint()


def test_round_trip_is_equal_and_touches_no_other_studio(alpha, beta, media_in_tmp, tmp_path):
    with schema_context(alpha.schema):
        made = season()
        assert made["shop"].photo_ivan.approved_version_id
    with schema_context(beta.schema):
        season(tag="-beta")
    before = {schema: _fingerprint(schema) for schema in (alpha.schema, beta.schema)}
    archive = tmp_path / "alpha.zip"
    _export(alpha.schema, archive)

    result = studio_restore(archive=archive, slug="alpha-copy")

    copy = result.studio
    assert copy.schema_name == "studio_alpha_copy" and copy.slug == "alpha-copy"
    assert Domain.objects.get(tenant=copy).domain == "alpha-copy.localhost"
    assert copy.name == "Alpha Photo" and copy.currency == alpha.studio.currency
    after = _fingerprint(copy.schema_name)
    original = before[alpha.schema]
    assert after["counts"] == original["counts"]
    assert sum(after["counts"].values()) > 40
    for table in ("ledger_ledgerentry", "catalogue_pricesheetitem", "access_accesscode",
                  "orders_refund", "photos_photo_students"):  # fmt: skip
        assert after["counts"][table] > 0, table
    assert after["photos"] == original["photos"] and len(after["photos"]) == 3
    assert after["versions"] == original["versions"] and len(after["versions"]) == 1
    assert after["orders"] == original["orders"] and len(after["orders"]) == 2
    # A group photo's children and class, and every file hash, came back.
    group = next(p for p in after["photos"] if p[0] == "GROUP.jpg")
    assert group[5] == "3A" and group[6] == ("Ivan Petrov", "Masha Orlova") and group[8]
    # Nobody else changed.
    for schema in (alpha.schema, beta.schema):
        assert _fingerprint(schema) == before[schema]
    with schema_context(copy.schema_name):
        owner = User.objects.get(email="owner@alpha.test")
        assert owner.role == "owner" and not owner.has_usable_password()
        # New rows continue after the restored ids.
        assert School.objects.create(name="New").pk > max(
            School.objects.exclude(name="New").values_list("pk", flat=True)
        )
        assert Order.objects.filter(lines__child__first_name="Ivan").distinct().count() == 2


def test_a_restore_refuses_a_taken_subdomain_and_leaves_nothing(alpha, media_in_tmp, tmp_path):
    with schema_context(alpha.schema):
        season()
    archive = tmp_path / "alpha.zip"
    _export(alpha.schema, archive)
    studios = Studio.objects.count()
    with pytest.raises(ValidationError):
        studio_restore(archive=archive, slug="beta")
    assert Studio.objects.count() == studios


def test_a_failed_restore_leaves_no_studio_and_no_files(alpha, media_in_tmp, tmp_path):
    """An archive with a file outside its folder is refused after the other files are in:
    the transaction goes, and so do the files."""
    with schema_context(alpha.schema):
        season()
    good = tmp_path / "alpha.zip"
    _export(alpha.schema, good)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr("files/private/../../escape.txt", b"no")
    with pytest.raises(ValidationError, match="unexpected file"):
        studio_restore(archive=bad, slug="broken")
    assert not Studio.objects.filter(slug="broken").exists()
    stored = [p for p in media_in_tmp.rglob("*") if p.is_file() and "studio_broken" in str(p)]
    assert stored == []
    assert not (media_in_tmp / "escape.txt").exists()


def test_counts_that_do_not_match_the_manifest_are_refused(alpha, media_in_tmp, tmp_path):
    with schema_context(alpha.schema):
        season()
    good = tmp_path / "alpha.zip"
    _export(alpha.schema, good)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["tables"]["photos_photo"]["rows"] += 1
                data = json.dumps(manifest).encode()
            target.writestr(info, data)
    with pytest.raises(ValidationError, match="photos_photo: 3 rows restored, 4 exported"):
        studio_restore(archive=bad, slug="broken")
    assert not Studio.objects.filter(slug="broken").exists()


def test_the_command_restores_and_says_where(alpha, media_in_tmp, tmp_path):
    with schema_context(alpha.schema):
        season()
    archive = tmp_path / "alpha.zip"
    _export(alpha.schema, archive)
    out = io.StringIO()
    call_command(
        "restore_studio_export", str(archive), "restored", "--name", "Copy",
        "--owner-email", "new-owner@example.com", stdout=out,
    )  # fmt: skip
    assert "Restored Copy at http://restored.localhost" in out.getvalue()
    restored = Studio.objects.get(slug="restored")
    assert restored.name == "Copy" and restored.owner_email == "new-owner@example.com"
    with schema_context(restored.schema_name):
        owners = set(User.objects.filter(role="owner").values_list("email", flat=True))
        assert owners == {"owner@alpha.test", "new-owner@example.com"}
    with pytest.raises(CommandError):
        call_command("restore_studio_export", str(archive), "restored", stdout=out)
