from django.db import connection
from django.http import HttpResponse


def healthz(request):
    """Liveness and readiness: answers once the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok\n", content_type="text/plain")
