"""URLs on a studio's host (``<slug>.<BASE_DOMAIN>``). Apps are included by name, so this
file imports none of them."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .accounts.api import me
from .views import favicon, healthz

# Under /api/ these answer JSON (saas_platform.api_errors); elsewhere Django's pages.
handler400 = "saas_platform.api_errors.bad_request"
handler404 = "saas_platform.api_errors.page_not_found"
handler500 = "saas_platform.api_errors.server_error"

urlpatterns = [
    path("", include("studio.access.urls")),  # "/": the storefront's code entry
    path("", include("studio.storefront.urls")),
    path("account/", include("studio.parents.urls")),
    path("staff/", include("studio.dashboard.urls")),
    path("staff/schools/", include("studio.schools.urls")),
    path("staff/shoots/", include("studio.shoots.urls")),
    path("staff/shoots/", include("studio.photos.picture_day_urls")),
    path("staff/catalogue/", include("studio.catalogue.urls")),
    path("staff/photos/", include("studio.photos.urls")),
    path("staff/retouch/", include("studio.retouching.urls")),
    path("staff/access/", include("studio.access.staff_urls")),
    path("staff/orders/", include("studio.orders.urls")),
    path("staff/orders/", include("studio.payments.staff_urls")),  # refunds
    path("staff/settings/studio/", include("studio.settings.urls")),
    path("staff/settings/payments/", include("studio.payments.urls")),
    path("staff/settings/domains/", include("studio.domains.urls")),
    path("staff/settings/export/", include("studio.exports.urls")),
    path("staff/settings/sms/", include("studio.sms.urls")),
    path("staff/billing/", include("studio.plan.urls")),
    path("staff/tokens/", include("studio.api_tokens.urls")),
    path("staff/audit/", include("studio.audit.urls")),
    path("staff/", include("studio.payroll.urls")),  # /staff/pay/, /staff/my-earnings/
    path("staff/commissions/", include("studio.commissions.urls")),
    path("staff/my-schools/", include("studio.commissions.portal_urls")),
    path("staff/reports/", include("studio.reports.urls")),
    path("staff/privacy/", include("studio.privacy.urls")),
    path("staff/campaigns/", include("studio.campaigns.urls")),
    path("unsubscribe/", include("studio.campaigns.public_urls")),
    path("downloads/", include("studio.downloads.urls")),
    path("sms/", include("studio.sms.webhook_urls")),  # Twilio's signed webhooks
    path("accounts/", include("saas_platform.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/me/", me, name="api-me"),
    path("api/", include("studio.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("media/", include("studio.settings.media_urls")),  # the logo, public
    path("media/", include("studio.photos.media_urls")),
]
