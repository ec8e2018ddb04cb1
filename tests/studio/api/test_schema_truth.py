"""What schemathesis found the schema did not say, each answered for real and now documented
(regressions of its findings)."""

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role
from studio.photos.models import Upload
from tests.studio.orders.conftest import make_shop

from .conftest import api_client, user_with


@pytest.fixture(scope="module")
def paths():
    return SchemaGenerator().get_schema(request=None, public=True)["paths"]


def test_an_unknown_schema_format_is_a_documented_404(alpha, paths):
    response = APIClient(HTTP_HOST=alpha.host).get("/api/schema/?format=AAA")

    assert response.status_code == 404
    assert "404" in paths["/api/schema/"]["get"]["responses"]


def test_a_body_of_the_wrong_type_is_a_documented_415(alpha, in_alpha, paths):
    client = api_client(alpha, user_with(Role.MANAGER))

    response = client.post("/api/schools/", b"name=x", content_type="text/plain")

    assert response.status_code == 415
    assert response.json()["detail"]
    bodies = [
        operation["responses"]
        for operations in paths.values()
        for method, operation in operations.items()
        if method in ("post", "put", "patch")
    ]
    assert all("415" in responses for responses in bodies)


def test_a_chunk_without_a_length_is_a_documented_411(alpha, in_alpha, media_in_tmp, paths):
    user = user_with(Role.MANAGER)
    client = api_client(alpha, user)
    shoot = make_shop().shoot
    upload = Upload.objects.create(shoot=shoot, file_name="x.jpg", size_bytes=10, created_by=user)

    response = client.generic(
        "PUT", f"/api/uploads/{upload.pk}/chunk/", HTTP_UPLOAD_OFFSET="0", CONTENT_LENGTH=""
    )

    assert response.status_code == 411
    documented = paths["/api/uploads/{id}/chunk/"]["put"]["responses"]
    assert {"409", "411", "413"} <= set(documented)


def test_the_schema_generates_without_a_warning(tmp_path):
    """A warning is a guess drf-spectacular made (a type it could not read): the schema would
    then say less, or other, than the code does."""
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.0.3")
