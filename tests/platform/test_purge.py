"""What a deleted studio leaves outside the database is found by its schema prefix: on S3
(a real HTTP S3 endpoint, moto's server) and in the cache. Neighbours, including one whose
schema name starts with the same letters, keep theirs."""

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django_tenants.utils import schema_context

from saas_platform import purge


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
