"""Files on local disk that ingest, uploads and processing share: the studio's scratch
folder, a local path for a stored file, and a file's content hash."""

import contextlib
import hashlib
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection

HASH_CHUNK = 1024 * 1024


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def upload_temp_dir() -> str:
    path = Path(settings.UPLOAD_TEMP_DIR) / connection.schema_name
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


@contextlib.contextmanager
def local_path(field_file):
    """A local path for a stored file: the file itself on disk storage, a temporary copy
    from object storage."""
    try:
        yield field_file.path
        return
    except (NotImplementedError, AttributeError):
        pass
    suffix = Path(field_file.name).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix, dir=upload_temp_dir()) as copy:
        with field_file.open("rb") as source:
            shutil.copyfileobj(source, copy, HASH_CHUNK)
        copy.flush()
        yield copy.name
