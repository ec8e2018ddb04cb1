from django.core.exceptions import DisallowedHost
from django.http import HttpResponseNotFound
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import remove_www

from .selectors import studio_for_host


class CachedTenantMiddleware(TenantMainMiddleware):
    """django-tenants' host → schema routing with the lookup cached, and a plain 404 for any
    host that is not exactly a known Domain (hostile suffixes, trailing dots, upper case,
    malformed hosts)."""

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
