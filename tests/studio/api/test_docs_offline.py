"""Swagger UI is served from the studio's own static files (drf-spectacular-sidecar), never a
CDN: the docs work on a network that reaches nothing else."""

import re

from rest_framework.test import APIClient


def test_swagger_ui_assets_are_local(alpha, client):
    page = APIClient(HTTP_HOST=alpha.host).get("/api/docs/").content.decode()

    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui-bundle.js" in url for url in assets)
    assert not [url for url in assets if url.startswith(("http:", "https:", "//"))]
    bundle = next(url for url in assets if "swagger-ui-bundle.js" in url)
    served = APIClient(HTTP_HOST=alpha.host).get(bundle)
    assert served.status_code == 200
