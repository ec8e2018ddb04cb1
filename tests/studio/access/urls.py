"""The studio URLs with the access-code pages mounted where they belong (``/`` and
``/staff/access/``), for as long as the project's URL conf does not mount them itself."""

from django.urls import include, path

from saas_platform import urls_tenant

_mounted = {getattr(pattern, "namespace", None) for pattern in urls_tenant.urlpatterns}
urlpatterns = [
    *([] if "access" in _mounted else [path("", include("studio.access.urls"))]),
    *(
        []
        if "access_staff" in _mounted
        else [path("staff/access/", include("studio.access.staff_urls"))]
    ),
    *urls_tenant.urlpatterns,
]
