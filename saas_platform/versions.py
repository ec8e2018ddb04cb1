"""Version counters for a studio's cached things, kept in the cache (Redis) and bumped by the
services that change what they count.

A cached page or list keyed by a version is never served stale: the service that changes it
bumps the version after its transaction commits, and the next request builds a new key. A
signed link that carries a version is refused once the version moved on. Readers of several
versions get them in one round trip (``versions_get``).

Names in use:

* ``"gallery"`` — what parents may see in the studio's galleries changed (photos published,
  hidden, retagged; a child hidden; a code revoked; prices and offers changed). Bumping it
  moves every one of the studio's galleries on.
* ``"gallery:<shoot id>"`` (``shoot_gallery``) — only that picture day's photos changed
  (processed, re-rendered, retagged, sent back to processing): uploads to one picture day do
  not empty the cached galleries of the others. Readers key by both names.
* ``"withdrawn"`` — something parents could see was taken away (a child hidden or erased, consent
  withdrawn, a photo unpublished or deleted, a code revoked): image links signed before it
  are refused.
"""

import time

from django.core.cache import cache
from django.db import connection, transaction
from django_tenants.utils import schema_context

VERSION_TIMEOUT = None  # counters never expire; a lost counter restarts at a fresh value


def _key(name: str) -> str:
    return f"version:{name}"  # the cache's key function prefixes the studio's schema


def versions_get(*names: str) -> dict[str, int]:
    """The current versions of ``names`` in the connection's studio. A counter the cache lost
    starts again at a number no earlier one used (the clock, in microseconds)."""
    keys = {name: _key(name) for name in names}
    found = cache.get_many(list(keys.values()))
    result = {}
    for name, key in keys.items():
        value = found.get(key)
        if value is None:
            cache.add(key, time.time_ns() // 1000, VERSION_TIMEOUT)
            value = cache.get(key)
        result[name] = int(value)
    return result


def versions_get_with(names, keys) -> tuple[dict[str, int], dict]:
    """The current versions of ``names`` and whatever the cache holds under ``keys``, in one
    round trip: for entries that carry the versions they were made at, so a reader checks them
    without a second trip (``studio.storefront.selectors``)."""
    version_keys = {name: _key(name) for name in names}
    found = cache.get_many([*version_keys.values(), *keys])
    versions = {}
    for name, key in version_keys.items():
        value = found.pop(key, None)
        versions[name] = int(value) if value is not None else versions_get(name)[name]
    return versions, found


def version_get(name: str) -> int:
    return versions_get(name)[name]


def shoot_gallery(shoot_id: int) -> str:
    """The version name of one picture day's photos (see the module's docstring)."""
    return f"gallery:{int(shoot_id)}"


def versions_bump(*names: str) -> None:
    """Moves the connection's studio's versions on once the current transaction commits (at
    once outside one), so a reader never caches the old state under the new version."""
    schema = connection.schema_name

    def bump():
        with schema_context(schema):
            for name in names:
                try:
                    cache.incr(_key(name))
                except ValueError:  # not in the cache: start it past anything handed out
                    versions_get(name)
                    cache.incr(_key(name))

    transaction.on_commit(bump)
