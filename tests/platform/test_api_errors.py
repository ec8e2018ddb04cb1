"""Under /api/ every error is JSON ``{"detail": ...}``, including those that never reach a
DRF view; elsewhere the HTML pages stay. And the schema and docs are public on purpose."""

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role, User
from studio.shoots.api import ShootViewSet


def owner_api(studio, **extra) -> APIClient:
    with schema_context(studio.schema):
        user = User.objects.create_user(email="o-err@alpha.test", password="pw-1", role=Role.OWNER)
    client = APIClient(HTTP_HOST=studio.host, **extra)
    with schema_context(studio.schema):
        client.force_login(user)
    return client


def test_an_unknown_api_url_is_a_json_404_and_a_page_url_stays_html(alpha):
    client = APIClient(HTTP_HOST=alpha.host)

    api = client.get("/api/no-such-thing/")
    page = client.get("/no-such-page/")

    assert (api.status_code, api["Content-Type"], api.json()) == (
        404,
        "application/json",
        {"detail": "Not found."},
    )
    assert (page.status_code, page["Content-Type"].split(";")[0]) == (404, "text/html")


@pytest.mark.parametrize("fmt", ["json", "multipart"])
def test_a_body_over_the_upload_limit_is_a_json_413(alpha, settings, fmt):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = owner_api(alpha)

    response = client.post("/api/schools/", {"name": "x" * 20_000}, format=fmt)

    assert (response.status_code, response["Content-Type"]) == (413, "application/json")
    assert response.json() == {"detail": "The request body is too large."}


@pytest.fixture
def broken_shoots(monkeypatch):
    def explode(self):
        raise RuntimeError("secret-internal-detail")

    monkeypatch.setattr(ShootViewSet, "get_queryset", explode)


def test_an_unhandled_exception_is_a_json_500_without_its_traceback(alpha, broken_shoots):
    client = owner_api(alpha, raise_request_exception=False)

    response = client.get("/api/shoots/")

    assert (response.status_code, response["Content-Type"]) == (500, "application/json")
    assert response.json() == {"detail": "A server error occurred."}
    assert b"secret-internal-detail" not in response.content
    assert b"Traceback" not in response.content


def test_an_html_refusal_from_a_middleware_becomes_json_with_its_headers(alpha, settings):
    """The rate limiter renders a page; under /api/ the same 429 is JSON and keeps
    Retry-After."""
    from django.http import HttpResponse

    from saas_platform.api_errors import ApiJsonErrorsMiddleware

    def refuse(request):
        response = HttpResponse("<h1>Slow down</h1>", status=429)
        response["Retry-After"] = "30"
        return response

    class Request:
        path = "/api/schools/"

    response = ApiJsonErrorsMiddleware(refuse)(Request())

    assert (response.status_code, response["Retry-After"]) == (429, "30")
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("token", [None, "Bearer pd_not-a-real-token"])
def test_the_schema_and_docs_are_public_even_with_a_stale_token(alpha, token):
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    client = APIClient(HTTP_HOST=alpha.host, **headers)

    schema = client.get("/api/schema/?format=json")
    docs = client.get("/api/docs/")
    data = client.get("/api/schools/")

    assert (schema.status_code, docs.status_code) == (200, 200)
    assert schema.json()["info"]["title"] == "Pictureday API"
    assert data.status_code == 401  # the data itself is not public
