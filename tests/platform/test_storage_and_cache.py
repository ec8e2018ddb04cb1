"""Per-studio prefixes for media keys and cache keys."""

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context

from saas_platform.storage import TenantS3Storage


def test_media_files_are_stored_under_the_current_studios_prefix(alpha, beta, media_in_tmp):
    tmp_path = media_in_tmp / "media"
    with schema_context(alpha.schema):
        alpha_name = default_storage.save("logos/logo.png", ContentFile(b"alpha"))
        alpha_path = default_storage.path(alpha_name)
    with schema_context(beta.schema):
        beta_name = default_storage.save("logos/logo.png", ContentFile(b"beta"))
        beta_path = default_storage.path(beta_name)
        assert default_storage.open(beta_name).read() == b"beta"

    assert alpha_path == str(tmp_path / "studio_alpha" / "logos" / "logo.png")
    assert beta_path == str(tmp_path / "studio_beta" / "logos" / "logo.png")


def test_s3_location_follows_the_schema_of_each_call_not_of_the_first():
    storage = TenantS3Storage(bucket_name="pictureday-test", location="ignored")
    with schema_context("studio_alpha"):
        assert storage.location == "studio_alpha"
        assert storage._normalize_name("photos/1.jpg") == "studio_alpha/photos/1.jpg"
    with schema_context("studio_beta"):
        assert storage._normalize_name("photos/1.jpg") == "studio_beta/photos/1.jpg"


def test_the_same_cache_key_in_two_studios_never_collides(alpha, beta):
    with schema_context(alpha.schema):
        cache.set("greeting", "alpha", 30)
    with schema_context(beta.schema):
        assert cache.get("greeting") is None
        cache.set("greeting", "beta", 30)
    with schema_context(alpha.schema):
        assert cache.get("greeting") == "alpha"


def test_originals_are_private_and_prefixed_by_schema(alpha, beta, media_in_tmp):
    from django.core.files.storage import storages

    originals = storages["originals"]
    with schema_context(alpha.schema):
        name = originals.save("originals/a.jpg", ContentFile(b"alpha original"))
        assert originals.path(name) == str(
            media_in_tmp / "private" / "studio_alpha" / "originals" / "a.jpg"
        )
    with schema_context(beta.schema):
        assert not originals.exists(name)
    import pytest

    with pytest.raises(NotImplementedError):
        originals.url(name)
