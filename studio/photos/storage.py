"""Where originals live: private, prefixed by schema, never given a public URL."""

from django.core.files.storage import storages


def originals_storage():
    """Callable, so FileFields resolve ``STORAGES["originals"]`` at run time (tests swap it)."""
    return storages["originals"]
