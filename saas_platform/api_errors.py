"""Every error under ``/api/`` is JSON in DRF's ``{"detail": ...}`` shape.

DRF answers its own views' errors as JSON, but a request can fail before or outside a DRF
view: an unknown URL (Django's 404 page), a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (400
page), an unhandled exception (500 page) or a middleware's refusal rendered as HTML. A tool
parsing the answer should never get HTML, and a 500 never shows its traceback."""

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def reason_for(status: int) -> str:
    reasons = {
        400: _("Malformed request."),
        401: _("Authentication credentials were not provided."),
        403: _("You do not have permission to perform this action."),
        404: _("Not found."),
        405: _("Method not allowed."),
        413: _("The request body is too large."),
        429: _("Too many requests; try again later."),
        503: _("Service temporarily unavailable; try again later."),
    }
    if status in reasons:
        return reasons[status]
    return _("A server error occurred.") if status >= 500 else _("Request refused.")


def api_error(status: int, detail: str | None = None) -> JsonResponse:
    return JsonResponse({"detail": detail or reason_for(status)}, status=status)


def bad_request(request, exception, *args, **kwargs):
    """``handler400``: an oversized body is a 413 for the API (the HTML 400 elsewhere)."""
    if is_api(request):
        return api_error(413 if isinstance(exception, RequestDataTooBig) else 400)
    return defaults.bad_request(request, exception, *args, **kwargs)


def page_not_found(request, exception, *args, **kwargs):
    if is_api(request):
        return api_error(404)
    return defaults.page_not_found(request, exception, *args, **kwargs)


def server_error(request, *args, **kwargs):
    """``handler500``: the generic sentence only; the traceback goes to the log."""
    if is_api(request):
        return api_error(500)
    return defaults.server_error(request, *args, **kwargs)


class ApiJsonErrorsMiddleware:
    """Turns a page (``text/...``) answered as an error under ``/api/`` (a middleware's HTML
    refusal, a handler's page) into ``{"detail": ...}`` with the same status and headers.
    Empty and JSON answers are left alone (an upload's 409 carries its news in headers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api(request)
            and response.get("Content-Type", "").startswith("text/")
        ):
            replacement = api_error(response.status_code)
            for header, value in response.items():
                if header.lower() not in ("content-type", "content-length"):
                    replacement[header] = value
            return replacement
        return response
