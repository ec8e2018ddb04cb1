"""Host → studio routing: exact known hosts only; everything else a plain 404."""

import pytest
from django.db import connection

from tenants.models import Domain
from tenants.selectors import studio_for_host
from tests.conftest import host_client

HOSTS = [
    # (host header, expected status, expected studio slug or None)
    ("localhost", 200, None),
    ("alpha.localhost", 200, "alpha"),
    ("beta.localhost", 200, "beta"),
    ("alpha.localhost:8000", 200, "alpha"),
    ("www.alpha.localhost", 200, "alpha"),
    ("unknown.localhost", 404, None),
    ("alpha.localhost.evil.net", 404, None),
    ("evil.net", 404, None),
    ("alpha.localhost.", 404, None),
    ("ALPHA.localhost", 404, None),
    ("Alpha.Localhost", 404, None),
    ("alpha..localhost", 404, None),
    ("alpha.localhost@evil.net", 404, None),
    ("studio_template.localhost", 404, None),
    ("template.localhost", 404, None),
    ("", 404, None),
]


@pytest.mark.parametrize(("host", "status", "slug"), HOSTS)
def test_hosts_route_to_their_studio_or_get_a_plain_404(alpha, beta, host, status, slug):
    response = host_client(host).get("/")

    assert response.status_code == status
    if status == 404:
        assert response["Content-Type"].startswith("text/plain")
        assert response.content == b"Not found\n"
    elif slug:
        assert response.wsgi_request.tenant.slug == slug
    else:
        assert response.wsgi_request.tenant.schema_name == "public"


def test_host_lookup_is_cached_and_forgotten_when_the_domain_changes(alpha):
    studio_for_host(hostname="alpha.localhost")  # warm
    with pytest.raises(Domain.DoesNotExist):
        studio_for_host(hostname="photos.alpha-custom.test")

    def queries_for_lookup():
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            found = studio_for_host(hostname="alpha.localhost")
        return found, len(ctx.captured_queries)

    found, queries = queries_for_lookup()
    assert (found.slug, queries) == ("alpha", 0)

    Domain.objects.create(domain="photos.alpha-custom.test", tenant=alpha.studio)
    assert studio_for_host(hostname="photos.alpha-custom.test").slug == "alpha"

    domain = Domain.objects.get(domain="photos.alpha-custom.test")
    domain.domain = "pics.alpha-custom.test"
    domain.save()
    with pytest.raises(Domain.DoesNotExist):
        studio_for_host(hostname="photos.alpha-custom.test")
    assert studio_for_host(hostname="pics.alpha-custom.test").slug == "alpha"


def test_studio_changes_reach_the_cached_lookup(alpha):
    studio_for_host(hostname="alpha.localhost")
    alpha.studio.name = "Alpha Renamed"
    alpha.studio.save()

    assert studio_for_host(hostname="alpha.localhost").name == "Alpha Renamed"
