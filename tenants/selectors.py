import datetime
import zoneinfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context

from .models import Domain, DomainStatus, Studio

_NO_STUDIO = "no-studio"


def current_studio() -> Studio:
    """The studio whose schema the connection is in: the one place that answers it (the
    request's tenant when there is one, else looked up by schema, as in tasks)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Studio) and tenant.schema_name == connection.schema_name:
        return tenant
    return Studio.objects.get(schema_name=connection.schema_name)


def studio_tzinfo(studio: Studio):
    """The studio's time zone; UTC when its name is not a known zone."""
    try:
        return zoneinfo.ZoneInfo(studio.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def _host_cache_key(hostname: str) -> str:
    return f"tenants:host:{hostname}"


def studio_for_host(*, hostname: str) -> Studio:
    """The studio serving ``hostname`` (exact match), cached since every request asks.

    Raises ``Domain.DoesNotExist`` for unknown hosts; misses are cached too so a flood of
    bogus hosts does not reach the database.
    """
    with schema_context(get_public_schema_name()):
        key = _host_cache_key(hostname)
        found = cache.get(key)
        if found is None:
            domain = (
                Domain.objects.select_related("tenant")
                .filter(domain=hostname, status=DomainStatus.ACTIVE)
                .first()
            )
            found = domain.tenant if domain else _NO_STUDIO
            cache.set(key, found, settings.HOST_LOOKUP_CACHE_SECONDS)
    if found == _NO_STUDIO:
        raise Domain.DoesNotExist(hostname)
    return found


def host_cache_forget(*, hostnames) -> None:
    with schema_context(get_public_schema_name()):
        cache.delete_many([_host_cache_key(h) for h in hostnames])


def serving_studios():
    """Real studios: not the public row, not the base schema new studios are cloned from."""
    return Studio.objects.exclude(
        schema_name__in=[get_public_schema_name(), settings.TENANT_BASE_SCHEMA]
    )


def working_studios():
    """Serving studios whose schema is in step with the code: a studio whose migration failed
    (``maintenance_since``) gets no background work until a later migration succeeds."""
    return serving_studios().filter(maintenance_since__isnull=True)


def studio_primary_host(*, studio: Studio) -> str:
    active = studio.domains.filter(status=DomainStatus.ACTIVE)
    domain = active.filter(is_primary=True).first() or active.order_by("pk").first()
    return domain.domain if domain else f"{studio.slug}.{settings.BASE_DOMAIN}"


def _scheme_and_port(request) -> tuple[str, str]:
    """From the request when there is one (the port the visitor used, as in the Host header),
    otherwise from settings (e-mails, commands)."""
    if request is not None:
        host = request.get_host()
        port = host.rsplit(":", 1)[1] if ":" in host and not host.endswith("]") else ""
        return request.scheme, port
    return settings.PUBLIC_SCHEME, settings.PUBLIC_PORT


def studio_url(*, studio: Studio, path: str = "/", request=None) -> str:
    """Absolute URL on the studio's own host (used where cookies cannot follow)."""
    scheme, port = _scheme_and_port(request)
    return f"{scheme}://{studio_primary_host(studio=studio)}{':' + port if port else ''}{path}"


def public_url(*, path: str = "/", request=None) -> str:
    scheme, port = _scheme_and_port(request)
    return f"{scheme}://{settings.BASE_DOMAIN}{':' + port if port else ''}{path}"
