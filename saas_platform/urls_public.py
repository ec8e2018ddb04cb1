"""URLs on the bare domain: marketing, sign-up, the operators' console and admin."""

from django.contrib import admin
from django.urls import include, path

from .views import favicon, healthz

urlpatterns = [
    path("", include("public_site.urls")),
    path("admin/", admin.site.urls),
    path("console/", include("operator_console.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("billing.urls")),  # Stripe's webhook
]
