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
