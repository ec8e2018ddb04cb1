from django.conf import settings
from django_tenants.utils import get_public_schema_name

from .support import support_email


def platform(request):
    """The current studio (for branding), whether we are on the bare domain, and the
    platform's support address."""
    tenant = getattr(request, "tenant", None)
    on_public = tenant is None or tenant.schema_name == get_public_schema_name()
    return {
        "studio": None if on_public else tenant,
        "on_public_site": on_public,
        "base_domain": settings.BASE_DOMAIN,
        "support_email": support_email(),
    }
