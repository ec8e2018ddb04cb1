import zoneinfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django_tenants.utils import get_public_schema_name


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


class StudioLocaleMiddleware:
    """Language: the visitor's own choice (cookie) first, then on a studio's host the studio's
    default language, on the bare domain the browser's. Time zone: the studio's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        on_studio = tenant is not None and tenant.schema_name != get_public_schema_name()
        language = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        if language is None:
            language = (
                _supported(tenant.language)
                if on_studio
                else translation.get_language_from_request(request)
            ) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        if on_studio:
            try:
                timezone.activate(zoneinfo.ZoneInfo(tenant.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", language)
        return response
