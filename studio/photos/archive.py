"""Streaming ZIPs of originals: constant memory whatever the size. JPEGs are stored, not
compressed (they do not compress), so the archive's length is known before the first byte."""

from collections.abc import Iterable

from django.http import StreamingHttpResponse
from zipstream import ZIP_STORED, ZipStream

READ_CHUNK = 1024 * 1024


def _read(field_file):
    """Chunks of a stored file. On S3 the object's body is streamed: django-storages' own file
    object would first download the whole original into memory."""
    bucket = getattr(field_file.storage, "bucket", None)
    if bucket is not None:
        key = field_file.storage._normalize_name(field_file.name)
        yield from bucket.Object(key).get()["Body"].iter_chunks(READ_CHUNK)
        return
    with field_file.open("rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            yield chunk


def zip_response(
    entries: Iterable[tuple[str, object, int]], download_name: str
) -> StreamingHttpResponse:
    """``entries``: (name in the archive, a stored FieldFile, its size in bytes). Sizes come
    from our own records, so no storage round trip is needed before the first byte."""
    archive = ZipStream(compress_type=ZIP_STORED, sized=True)
    for name, field_file, size in entries:
        archive.add(_read(field_file), arcname=name, size=size)
    response = StreamingHttpResponse(archive, content_type="application/zip")
    response["Content-Length"] = str(len(archive))
    response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    response["Cache-Control"] = "private, no-store"
    return response
