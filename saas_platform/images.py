"""Signed, short-lived links to a studio's thumbnails and previews, and the tiny WSGI handler
that serves them from local storage before Django's request cycle.

A link is the capability: it names one studio (schema), one photo, one rendition and the
stored file, carries the studio's ``"withdrawn"`` version and an expiry, and is signed with a
key derived from SECRET_KEY. Only the studio's code that checked the parent's access signs one
(``studio.storefront.selectors.image_links``). The handler checks the signature, the expiry
and the version (one cache GET, nothing else: no session, no database, no middleware) and
streams the file with ``wsgi.file_wrapper``. With object storage (S3) the links are the
storage's own presigned URLs instead (``image_link``); they cannot carry the version and die
by expiry alone.

Expiries are rounded up to a window (``IMAGE_LINK_SECONDS``): every page rendered in the same
window gets the same URL for a photo, so browsers reuse what they fetched and a rendered
grid can be cached per window (``image_link_expiry`` belongs in such a cache key).
"""

import functools
import hashlib
import hmac
import os
import re
import time
from base64 import urlsafe_b64encode
from urllib.parse import parse_qs, quote
from wsgiref.util import FileWrapper

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils.encoding import force_bytes
from django_tenants.utils import schema_context

from saas_platform.versions import version_get

RENDITIONS = ("thumb", "preview")  # never "original": originals go through studio/downloads
_SCHEMA = re.compile(r"^[a-z0-9_]{1,63}$")
_NAME = re.compile(r"^derived/[A-Za-z0-9_./-]+\.jpg$")
_KEY_SALT = b"saas_platform.images.link"


def image_link_expiry(now: float | None = None) -> int:
    """When links signed now expire: the end of the next window, so a link lives between one
    and two windows and is the same for every page of the current window."""
    window = settings.IMAGE_LINK_SECONDS
    now = time.time() if now is None else now
    return (int(now) // window + 2) * window


@functools.lru_cache(maxsize=4)
def _derived_key(secret: str) -> bytes:
    return hashlib.sha256(_KEY_SALT + force_bytes(secret)).digest()


def _key() -> bytes:
    return _derived_key(settings.SECRET_KEY)


def image_signature(
    *, schema: str, photo_id: int, rendition: str, name: str, version: int, expires: int
) -> str:
    message = f"{schema}\n{int(photo_id)}\n{rendition}\n{name}\n{int(version)}\n{int(expires)}"
    digest = hmac.new(_key(), message.encode(), hashlib.sha256).digest()[:18]
    return urlsafe_b64encode(digest).decode()


def _signable(rendition: str, name: str) -> bool:
    return rendition in RENDITIONS and bool(_NAME.match(name)) and ".." not in name.split("/")


def image_link(
    *, schema: str, photo_id: int, rendition: str, name: str, version: int, expires: int
) -> str:
    """The URL of one stored thumbnail or preview of ``schema``'s photo. The caller has
    checked the parent may see the photo; this refuses anything but a derived image."""
    if not _signable(rendition, name):
        raise ValueError(f"not a signable image: {rendition} {name!r}")
    if not isinstance(default_storage, FileSystemStorage):
        # Object storage signs its own URL (the caller is in the studio's schema, which the
        # storage uses as the key prefix); it lives until the same expiry.
        return default_storage.url(name, expire=max(1, expires - int(time.time())))
    signature = image_signature(
        schema=schema,
        photo_id=photo_id,
        rendition=rendition,
        name=name,
        version=version,
        expires=expires,
    )
    return (
        f"{settings.IMAGE_URL_PREFIX}{schema}/{quote(name)}"
        f"?p={int(photo_id)}&r={rendition}&v={int(version)}&e={int(expires)}&s={signature}"
    )


def image_link_check(path: str, query: str, now: float | None = None) -> tuple[str, str] | None:
    """``(schema, name)`` if the link is well signed, unexpired and carries the studio's
    current ``"withdrawn"`` version; otherwise None."""
    schema, _, name = path.removeprefix(settings.IMAGE_URL_PREFIX).partition("/")
    params = {key: values[0] for key, values in parse_qs(query).items()}
    try:
        photo_id, version, expires = int(params["p"]), int(params["v"]), int(params["e"])
        rendition, signature = params["r"], params["s"]
    except (KeyError, ValueError):
        return None
    if not _SCHEMA.match(schema) or not _signable(rendition, name):
        return None
    if expires < (time.time() if now is None else now):
        return None
    expected = image_signature(
        schema=schema,
        photo_id=photo_id,
        rendition=rendition,
        name=name,
        version=version,
        expires=expires,
    )
    if not hmac.compare_digest(expected, signature):
        return None
    with schema_context(schema):  # the cache key function prefixes the schema
        if version_get("withdrawn") != version:
            return None
    return schema, name


def _answer(start_response, status: str):
    start_response(status, [("Content-Length", "0"), ("Cache-Control", "no-store")])
    return [b""]


def _file_path(schema: str, name: str) -> str:
    """Where the studio's local storage keeps ``name`` (object storage never links here)."""
    if not isinstance(default_storage, FileSystemStorage):
        raise FileNotFoundError(name)
    with schema_context(schema):
        return default_storage.path(name)  # joined safely under the studio's folder


def serve_image(environ, start_response):
    """Answers one signed image link: 200 with the file, 403 for a link that is not (or no
    longer) valid, 404 when the file is gone."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return _answer(start_response, "405 Method Not Allowed")
    path = environ.get("PATH_INFO", "")
    checked = image_link_check(path, environ.get("QUERY_STRING", ""))
    if checked is None:
        return _answer(start_response, "403 Forbidden")  # an <img> shows no words anyway
    try:
        handle = open(_file_path(*checked), "rb")  # noqa: SIM115 - the server closes it
    except (OSError, SuspiciousFileOperation):
        return _answer(start_response, "404 Not Found")
    size = os.fstat(handle.fileno()).st_size
    start_response(
        "200 OK",
        [
            ("Content-Type", "image/jpeg"),
            ("Content-Length", str(size)),
            # The URL changes when the version or the window does: the browser may keep it.
            ("Cache-Control", f"private, max-age={settings.IMAGE_LINK_CACHE_SECONDS}, immutable"),
            ("X-Content-Type-Options", "nosniff"),
        ],
    )
    if environ["REQUEST_METHOD"] == "HEAD":
        handle.close()
        return [b""]
    return environ.get("wsgi.file_wrapper", FileWrapper)(handle, 64 * 1024)


def with_image_links(app):
    """Wraps the Django WSGI app: image links are answered here, everything else by Django."""
    prefix = settings.IMAGE_URL_PREFIX

    def application(environ, start_response):
        if environ.get("PATH_INFO", "").startswith(prefix):
            return serve_image(environ, start_response)
        return app(environ, start_response)

    return application
