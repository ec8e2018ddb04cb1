"""A suspended studio's staff may look but not change: unsafe requests to the staff pages and
the API are refused with a page that says why (the billing page stays open to pay, and the
owner's data export stays open: a studio keeps its data and may take it out)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tenants.models import Studio

GUARDED = ("/staff/", "/api/")
OPEN = ("/staff/billing/", "/staff/settings/export/")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class LicenceReadOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        studio = getattr(request, "tenant", None)
        if (
            isinstance(studio, Studio)
            and studio.is_read_only
            and request.method not in SAFE_METHODS
            and request.path.startswith(GUARDED)
            and not request.path.startswith(OPEN)
        ):
            message = _(
                "Your studio is suspended, so nothing can be changed. Your data is kept; "
                "choose a plan or update your card to reactivate it."
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "licence_suspended"}, status=403)
            return render(request, "billing/suspended.html", {"message": message}, status=403)
        return self.get_response(request)
