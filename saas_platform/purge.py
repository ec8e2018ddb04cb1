"""Removing everything a schema left outside the database: its files in every storage and
its cache keys. Both are found by the schema prefix every studio's keys carry (storage
``location`` and django-tenants' cache key function), so another studio's are never reached.
"""

import os
import re
import shutil
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import storages
from django_tenants.utils import get_public_schema_name, schema_context

# Every configured storage but the static files is per schema (a storage added later, e.g.
# for exports, is purged too; one that is not prefixed by the schema stops the purge with an
# error rather than be skipped). Upload chunks are objects under the schema's prefix in the
# private storage; UPLOAD_TEMP_DIR/<schema> is a process's scratch space, emptied here too.
NOT_PER_SCHEMA = {"staticfiles"}


def _aliases() -> list[str]:
    return [alias for alias in settings.STORAGES if alias not in NOT_PER_SCHEMA]


_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass
class PurgeReport:
    files: int = 0
    cache_keys: int = 0


def _checked(schema_name: str) -> str:
    if (
        not _SCHEMA_RE.match(schema_name or "")
        or schema_name == get_public_schema_name()
        or schema_name == getattr(settings, "TENANT_BASE_SCHEMA", None)
    ):
        raise ValueError(f"refusing to purge schema {schema_name!r}")
    return schema_name


def _tree_delete(path: str) -> int:
    if not os.path.isdir(path):
        return 0
    count = sum(len(files) for _root, _dirs, files in os.walk(path))
    shutil.rmtree(path)
    return count


def schema_files_delete(*, schema_name: str) -> int:
    """Deletes every stored file of the schema (media, originals and versions, scans, logos,
    watermark, thumbnails, upload chunks); returns how many there were."""
    schema_name = _checked(schema_name)
    deleted = 0
    with schema_context(schema_name):
        for alias in _aliases():
            storage = storages[alias]
            bucket = getattr(storage, "bucket", None)
            if bucket is not None:  # S3: every key under "<schema>/"
                prefix = storage.location.strip("/") + "/"
                if prefix != f"{schema_name}/":
                    raise ValueError(f"storage {alias} is not prefixed by the schema")
                for obj in bucket.objects.filter(Prefix=prefix):
                    obj.delete()
                    deleted += 1
            else:
                location = storage.location
                if os.path.basename(os.path.normpath(location)) != schema_name:
                    raise ValueError(f"storage {alias} is not prefixed by the schema")
                deleted += _tree_delete(location)
    deleted += _tree_delete(os.path.join(settings.UPLOAD_TEMP_DIR, schema_name))
    return deleted


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def schema_cache_delete(*, schema_name: str) -> int:
    """Deletes the schema's cache keys (``<schema>:<KEY_PREFIX>:<version>:<key>``, the
    tenant key function's shape); returns how many."""
    schema_name = _checked(schema_name)
    client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client is None:  # not Redis (a local-memory cache in a bare setup): nothing shared
        return 0
    redis = client(write=True)
    pattern = _glob_escape(f"{schema_name}:{cache.key_prefix}:") + "*"
    deleted = 0
    batch = []
    for key in redis.scan_iter(match=pattern, count=500):
        batch.append(key)
        if len(batch) >= 500:
            deleted += redis.delete(*batch)
            batch = []
    if batch:
        deleted += redis.delete(*batch)
    return deleted


def schema_leftovers_delete(*, schema_name: str) -> PurgeReport:
    return PurgeReport(
        files=schema_files_delete(schema_name=schema_name),
        cache_keys=schema_cache_delete(schema_name=schema_name),
    )
