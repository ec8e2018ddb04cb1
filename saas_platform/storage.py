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
    """Local private files under ``PRIVATE_MEDIA_ROOT/<schema>/``; never handed a URL."""

    @property
    def base_location(self):
        return os.path.join(os.path.abspath(settings.PRIVATE_MEDIA_ROOT), connection.schema_name)

    @property
    def location(self):
        return self.base_location

    def url(self, name):
        raise NotImplementedError("private files have no URL; serve them through a view")
