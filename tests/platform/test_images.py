"""Signed image links: one studio, one photo, one rendition, until the expiry or the next
withdrawal; served by the handler in front of Django from the real local storage."""

import time
from urllib.parse import parse_qs, urlencode
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django_tenants.utils import schema_context

from saas_platform.images import image_link, image_link_expiry, with_image_links
from saas_platform.versions import version_get, versions_bump

NAME = "derived/shoot-1/7-thumb.jpg"


def django_app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"django"]


app = with_image_links(django_app)


def get(url: str, method: str = "GET") -> tuple[str, dict, bytes]:
    path, _, query = url.partition("?")
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query}
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers):
        answer.update(status=status, headers=dict(headers))

    body = b"".join(app(environ, start_response))
    return answer["status"], answer["headers"], body


@pytest.fixture
def two_studios_files(alpha, beta, media_in_tmp):
    """Both studios have a thumbnail under the same name, with different bytes."""
    for studio, data in ((alpha, b"alpha-thumb"), (beta, b"beta-thumb")):
        with schema_context(studio.schema):
            assert default_storage.save(NAME, ContentFile(data)) == NAME
            default_storage.save("derived/shoot-1/7-preview.jpg", ContentFile(data + b"-p"))
            storages["originals"].save("originals/shoot-1/7.jpg", ContentFile(b"original"))
    return alpha, beta


def link(schema, *, photo_id=7, rendition="thumb", name=NAME, expires=None, version=None):
    with schema_context(schema):
        return image_link(
            schema=schema,
            photo_id=photo_id,
            rendition=rendition,
            name=name,
            version=version_get("withdrawn") if version is None else version,
            expires=expires or image_link_expiry(),
        )


def with_params(url: str, **changes) -> str:
    path, _, query = url.partition("?")
    params = {key: values[0] for key, values in parse_qs(query).items()}
    return f"{path}?{urlencode({**params, **changes})}"


def test_a_signed_link_serves_the_file_without_django(two_studios_files):
    alpha, _beta = two_studios_files
    url = link(alpha.schema)

    status, headers, body = get(url)

    assert (status, body) == ("200 OK", b"alpha-thumb")
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Cache-Control"].startswith("private, max-age=")
    assert "Set-Cookie" not in headers
    assert get(url, "HEAD")[:2] == ("200 OK", headers)
    assert get("/gallery/")[2] == b"django"  # everything else goes to Django


def test_no_part_of_a_link_can_be_changed(two_studios_files):
    alpha, beta = two_studios_files
    url = link(alpha.schema)
    params = parse_qs(url.partition("?")[2])
    changed = [
        url.replace(f"/{alpha.schema}/", f"/{beta.schema}/"),  # another studio's same file
        url.replace("7-thumb.jpg", "7-preview.jpg"),
        with_params(url, p="8"),
        with_params(url, r="preview"),
        with_params(url, e=str(int(params["e"][0]) + 300)),
        with_params(url, v=str(int(params["v"][0]) + 1)),
        with_params(url, s="A" * len(params["s"][0])),
    ]

    assert get(url)[0] == "200 OK"
    assert [get(other)[0] for other in changed] == ["403 Forbidden"] * len(changed)
    assert get(link(beta.schema))[2] == b"beta-thumb"  # beta's own link is beta's file


def test_a_link_expires(two_studios_files, settings):
    alpha, _beta = two_studios_files
    settings.IMAGE_LINK_SECONDS = 300
    now = time.time()

    assert now + 300 <= image_link_expiry(now) <= now + 600
    assert image_link_expiry(now) == image_link_expiry(now - now % 300)  # same in a window
    assert get(link(alpha.schema, expires=int(now) - 1))[0] == "403 Forbidden"
    assert get(link(alpha.schema, expires=int(now) + 60))[0] == "200 OK"


def test_a_withdrawal_refuses_every_link_signed_before_it(
    two_studios_files, django_capture_on_commit_callbacks
):
    alpha, beta = two_studios_files
    before, beta_link = link(alpha.schema), link(beta.schema)

    with schema_context(alpha.schema), django_capture_on_commit_callbacks(execute=True):
        versions_bump("withdrawn")

    assert get(before)[0] == "403 Forbidden"
    assert get(link(alpha.schema))[0] == "200 OK"  # signed afresh, with the new version
    assert get(beta_link)[0] == "200 OK"  # another studio's links live on


def test_originals_and_other_files_are_never_signed_nor_served(two_studios_files):
    alpha, _beta = two_studios_files
    for rendition, name in (
        ("original", NAME),
        ("thumb", "originals/shoot-1/7.jpg"),
        ("thumb", "derived/../originals/shoot-1/7.jpg"),
        ("thumb", "branding/logo.png"),
    ):
        with pytest.raises(ValueError):
            link(alpha.schema, rendition=rendition, name=name)
    # a hand-made link into the private originals, with a signature the key would give
    good = link(alpha.schema)
    for path in ("derived/../../../private/alpha/originals/shoot-1/7.jpg", "originals/7.jpg"):
        assert get(good.replace(NAME, path))[0] == "403 Forbidden"


def test_a_link_to_a_file_that_is_gone_is_404(two_studios_files):
    alpha, _beta = two_studios_files
    url = link(alpha.schema, name="derived/shoot-1/404-thumb.jpg")

    assert get(url)[0] == "404 Not Found"
