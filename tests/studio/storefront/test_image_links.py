"""Parents' images come through signed links the pages hand out: they load without a session,
only for what the codes opened, and stop working when the child is hidden. On S3 they are
the storage's own presigned URLs."""

import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context
from moto.server import ThreadedMotoServer

from studio.photos.models import Photo
from studio.schools.models import Student
from studio.schools.services import student_update
from studio.storefront.selectors import image_links, image_links_for_session
from tests.conftest import _reset_storages, free_port, host_client
from tests.studio.storefront.test_gallery import (
    image_get,
    image_srcs,
    parent_with,
    photo_page,
    published,  # noqa: F401 - the fixture
    shown_ids,
)


def test_the_gallerys_images_load_without_a_session(published):  # noqa: F811
    page = parent_with(published, published["codes"]["Anna"]).get("/gallery/").content.decode()
    links = image_srcs(page)

    assert len(links) == 3 and all("&s=" in url and "&e=" in url for url in links)
    with schema_context(published["studio"].schema):
        stored = {p.pk: p.thumbnail.read() for p in Photo.objects.all()}
    for url in links:  # image_get sends no cookie: the link alone is the capability
        status, headers, body = image_get(url)
        assert (status, headers["Content-Type"]) == ("200 OK", "image/jpeg")
        assert body == stored[int(url.split("p=")[1].split("&")[0])]


def test_the_photo_page_links_the_preview(published):  # noqa: F811
    client = parent_with(published, published["codes"]["Anna"])
    photo = published["photos"]["anna1"]

    status, _headers, body = image_get(image_srcs(photo_page(client, published, photo))[0])

    with schema_context(published["studio"].schema):
        assert (status, body) == ("200 OK", Photo.objects.get(pk=photo.pk).preview.read())


def test_hiding_the_child_refuses_the_links_already_handed_out(
    published,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    links = image_srcs(
        parent_with(published, published["codes"]["Anna"]).get("/gallery/").content.decode()
    )
    assert {image_get(url)[0] for url in links} == {"200 OK"}

    with (
        schema_context(published["studio"].schema),
        django_capture_on_commit_callbacks(execute=True),
    ):
        student_update(student=Student.objects.get(first_name="Anna"), do_not_publish=True)

    assert {image_get(url)[0] for url in links} == {"403 Forbidden"}


def test_only_what_the_opened_codes_show_gets_a_link(published):  # noqa: F811
    photos = published["photos"]
    ids = [photos[name].pk for name in ("anna1", "boris", "hidden", "group")]
    boris_parent = parent_with(published, published["codes"]["Boris"])
    stranger = host_client(published["studio"].host)
    stranger.get("/")

    with schema_context(published["studio"].schema):
        for_boris = image_links_for_session(
            session=boris_parent.session, photo_ids=ids, rendition="thumb"
        )
        for_stranger = image_links_for_session(
            session=stranger.session, photo_ids=ids, rendition="thumb"
        )
        with pytest.raises(KeyError):
            image_links(photo_ids=ids, rendition="original")

    assert set(for_boris) == {photos["boris"].pk, photos["group"].pk}
    assert for_stranger == {}
    assert shown_ids(boris_parent.get("/gallery/").content.decode()) == set(for_boris)


@pytest.fixture
def thumbnails_on_s3(published, settings):  # noqa: F811
    """The published day's thumbnails copied to S3 (moto's server), S3 the default storage."""
    with schema_context(published["studio"].schema):
        files = {p.thumbnail.name: p.thumbnail.read() for p in Photo.objects.all()}
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "saas_platform.storage.TenantS3Storage",
            "OPTIONS": {
                "bucket_name": "pictureday-images",
                "endpoint_url": f"http://127.0.0.1:{port}",
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "default_acl": "private",
                "querystring_auth": True,
                "signature_version": "s3v4",
                "file_overwrite": True,
            },
        },
    }
    _reset_storages()
    default_storage.connection.create_bucket(Bucket="pictureday-images")
    with schema_context(published["studio"].schema):
        for name, data in files.items():
            default_storage.save(name, ContentFile(data))
    yield files
    _reset_storages()
    server.stop()


def test_on_s3_the_gallery_links_are_presigned_urls_that_download(published, thumbnails_on_s3):  # noqa: F811
    page = parent_with(published, published["codes"]["Anna"]).get("/gallery/").content.decode()
    links = [
        src.split('"')[0].replace("&amp;", "&")
        for src in page.split('src="')[1:]
        if src.startswith("http://127.0.0.1")
    ]

    assert len(links) == 3
    for url in links:
        assert "X-Amz-Signature=" in url and "X-Amz-Expires=" in url
        assert f"/{published['studio'].schema}/derived/" in url  # the studio's prefix
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - moto's server
            assert response.read() in thumbnails_on_s3.values()
        unsigned = url.split("?")[0]
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(unsigned, timeout=10)  # noqa: S310
