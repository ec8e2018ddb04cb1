from django.core.exceptions import DisallowedHost
from django.http import HttpResponse, HttpResponseNotFound
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import remove_www

from .domains import TLS_ASK_PATH, WELL_KNOWN_PATH, tls_allowed, verification_token_of
from .maintenance import maintenance_response
from .selectors import studio_for_host


class CachedTenantMiddleware(TenantMainMiddleware):
    """django-tenants' host → schema routing with the lookup cached, and a plain 404 for any
    host that is not exactly a known Domain (hostile suffixes, trailing dots, upper case,
    malformed hosts)."""

    def process_request(self, request):
        """Two answers come before routing, whatever the host: the TLS proxy's question
        (``/tls/ask?domain=…``: 200 only for an active host) and a custom domain's
        ownership token, which a pending host must serve before it routes anything. A studio
        whose schema failed to migrate gets the maintenance page (``tenants.maintenance``)."""
        if request.path == TLS_ASK_PATH:
            allowed = tls_allowed(request.GET.get("domain", ""))
            return HttpResponse("ok\n" if allowed else "no\n", status=200 if allowed else 404)
        if request.path.startswith(WELL_KNOWN_PATH):
            token = verification_token_of(self.hostname_from_request(request))
            if token and request.path == WELL_KNOWN_PATH + token:
                return HttpResponse(token, content_type="text/plain")
            return self.no_tenant_found(request, "")
        response = super().process_request(request)
        tenant = getattr(request, "tenant", None)
        if response is None and tenant is not None and tenant.maintenance_since is not None:
            return maintenance_response(tenant)
        return response

    @staticmethod
    def hostname_from_request(request):
        try:
            return remove_www(request.get_host().split(":")[0])
        except DisallowedHost:
            return ""  # matches no Domain, so it takes the same 404 as any unknown host

    def get_tenant(self, domain_model, hostname):
        return studio_for_host(hostname=hostname)

    def no_tenant_found(self, request, hostname):
        return HttpResponseNotFound("Not found\n", content_type="text/plain; charset=utf-8")
