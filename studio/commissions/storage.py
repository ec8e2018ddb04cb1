"""Signed scans are private, like originals: under the studio's prefix, never given a URL."""

from django.core.files.storage import storages


def private_storage():
    """Callable, so the FileField resolves ``STORAGES["originals"]`` at run time (tests swap
    it)."""
    return storages["originals"]
