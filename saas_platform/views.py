from functools import cache
from pathlib import Path

from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

FAVICON = Path(__file__).resolve().parent / "static" / "favicon.ico"


def healthz(request):
    """Liveness and readiness: answers once the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok\n", content_type="text/plain")


@cache
def _favicon_bytes() -> bytes:
    return FAVICON.read_bytes()


@require_safe
@cache_control(public=True, max_age=7 * 24 * 60 * 60)
def favicon(request):
    """``/favicon.ico`` on the bare domain and every studio host (browsers and bots ask for it
    whatever the page's ``<link rel=icon>`` says)."""
    return HttpResponse(_favicon_bytes(), content_type="image/x-icon")
