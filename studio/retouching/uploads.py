"""Retouched files posted to a page or the API, written to a scratch folder first: the
service matches them back by name and reads them by path, whatever Django kept in memory."""

import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile

from studio.photos.services.files import upload_temp_dir


@contextmanager
def uploaded_on_disk(files: Iterable[UploadedFile]) -> Iterator[list[tuple[str, Path]]]:
    """(file name, path) per uploaded file, in a folder deleted on leaving."""
    with tempfile.TemporaryDirectory(dir=upload_temp_dir()) as scratch:
        local = []
        for number, uploaded in enumerate(files):
            path = Path(scratch) / f"{number}"
            with open(path, "wb") as sink:
                for chunk in uploaded.chunks():
                    sink.write(chunk)
            local.append((uploaded.name, path))
        yield local
