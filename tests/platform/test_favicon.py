"""The site's icon: ``/favicon.ico`` answers on the bare domain and on every studio host, and
every page points at it."""

from django.conf import settings
from django_tenants.utils import get_public_schema_name, schema_context

from saas_platform.views import FAVICON
from tenants.models import Studio, StudioStatus
from tests.conftest import host_client


def test_favicon_is_served_on_the_bare_domain_and_studio_hosts(alpha):
    icon = FAVICON.read_bytes()
    assert icon[:4] == b"\x00\x00\x01\x00"  # an ICO file
    with schema_context(get_public_schema_name()):
        Studio.objects.filter(pk=alpha.studio.pk).update(status=StudioStatus.BLOCKED)
    for host in (settings.BASE_DOMAIN, alpha.host):
        response = host_client(host).get("/favicon.ico")
        assert response.status_code == 200, host
        assert response["Content-Type"] == "image/x-icon"
        assert response["Cache-Control"] == "public, max-age=604800"
        assert response.content == icon
    assert host_client(alpha.host).post("/favicon.ico").status_code == 405
    assert host_client("unknown." + settings.BASE_DOMAIN).get("/favicon.ico").status_code == 404


def test_pages_link_the_icon(alpha):
    for host in (settings.BASE_DOMAIN, alpha.host):
        page = host_client(host).get("/").content.decode()
        assert '<link rel="icon" href="/favicon.ico" sizes="48x48">' in page
        assert 'href="/static/favicon.svg" type="image/svg+xml"' in page
