"""What a deleted studio leaves outside the database is found by its schema prefix: on S3
(a real HTTP S3 endpoint, moto's server) and in the cache. Neighbours, including one whose
schema name starts with the same letters, keep theirs."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django_tenants.utils import schema_context
from moto.server import ThreadedMotoServer

from saas_platform import purge
from tests.conftest import _reset_storages, free_port


@pytest.fixture
def s3_storages(settings, tmp_path):
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    options = {
        "bucket_name": "pictureday-purge",
        "endpoint_url": f"http://127.0.0.1:{port}",
        "access_key": "test",
        "secret_key": "test",
        "region_name": "us-east-1",
        "default_acl": "private",
        "file_overwrite": False,
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "saas_platform.storage.TenantS3Storage", "OPTIONS": options},
        "originals": {
            "BACKEND": "saas_platform.storage.TenantS3Storage",
            "OPTIONS": {**options, "bucket_name": "pictureday-purge-originals"},
        },
    }
    settings.UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    _reset_storages()
    for alias in ("default", "originals"):
        storages[alias].connection.create_bucket(Bucket=storages[alias].bucket_name)
    yield
    _reset_storages()
    server.stop()


def _keys(alias: str) -> list[str]:
    return sorted(obj.key for obj in storages[alias].bucket.objects.all())


def test_every_key_under_the_schemas_prefix_goes_from_both_buckets(s3_storages):
    for schema in ("studio_gone", "studio_gone2", "studio_kept"):
        with schema_context(schema):
            storages["default"].save("derived/shoot-1/1-thumb.jpg", ContentFile(b"t"))
            storages["default"].save("branding/logo-1.png", ContentFile(b"l"))
            storages["originals"].save("originals/shoot-1/a.jpg", ContentFile(b"o"))

    assert purge.schema_files_delete(schema_name="studio_gone") == 3

    assert _keys("default") == [
        "studio_gone2/branding/logo-1.png",
        "studio_gone2/derived/shoot-1/1-thumb.jpg",
        "studio_kept/branding/logo-1.png",
        "studio_kept/derived/shoot-1/1-thumb.jpg",
    ]
    assert _keys("originals") == [
        "studio_gone2/originals/shoot-1/a.jpg",
        "studio_kept/originals/shoot-1/a.jpg",
    ]
    assert purge.schema_files_delete(schema_name="studio_gone") == 0  # again: nothing left


def test_cache_keys_of_the_schema_go_and_a_neighbours_stay():
    for schema in ("studio_gone", "studio_gone2"):
        with schema_context(schema):
            cache.set_many({"a": 1, "b": 2}, 60)
    assert purge.schema_cache_delete(schema_name="studio_gone") == 2
    with schema_context("studio_gone"):
        assert cache.get_many(["a", "b"]) == {}
    with schema_context("studio_gone2"):
        assert cache.get_many(["a", "b"]) == {"a": 1, "b": 2}
        cache.delete_many(["a", "b"])
