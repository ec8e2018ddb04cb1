import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connection
from storages.backends.s3 import S3Storage


class TenantS3Storage(S3Storage):
    """S3 storage whose key prefix is the current schema. ``location`` must be a property:
    a plain attribute is read once per process and would mix studios."""

    @property
    def location(self):
        return connection.schema_name

    @location.setter
    def location(self, value):
        """S3Storage's constructor assigns ``location``; the schema always wins."""


class TenantPrivateFileSystemStorage(FileSystemStorage):
    """Local private files under ``<location>/<schema>/``; no URL is ever handed out."""

    @property
    def location(self):
        return os.path.join(self._private_root, connection.schema_name)

    @property
    def base_location(self):
        return self.location

    def __init__(self, location=None, **kwargs):
        super().__init__(location=location, **kwargs)
        self._private_root = os.path.abspath(location or settings.PRIVATE_MEDIA_ROOT)

    def url(self, name):
        raise NotImplementedError("private files have no URL; serve them through a view")
