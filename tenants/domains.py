"""Custom domains: a studio's own host (``photos.acme-studio.com``) beside its
``<slug>.<BASE_DOMAIN>``.

The owner adds the host; it stays *pending* and routes nothing until its ownership is
verified, by a DNS TXT record ``_pictureday.<host>`` holding the token, or by the token
served at ``http://<host>/.well-known/pictureday-domain/<token>`` once the host's CNAME points
at the studio (the tenant middleware answers that path for pending hosts too). A periodic
task checks pending hosts; the owner can ask for a check at once. Only active hosts route
requests and get a certificate from the on-demand TLS proxy (``tls_allowed``, the proxy's
``ask`` endpoint).
"""

import secrets
import urllib.request
from dataclasses import dataclass

import dns.exception
import dns.resolver
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from .models import Domain, DomainStatus, Studio
from .validators import validate_custom_domain

TXT_PREFIX = "_pictureday"
TOKEN_PREFIX = "pictureday-verification="
WELL_KNOWN_PATH = "/.well-known/pictureday-domain/"
TLS_ASK_PATH = "/tls/ask"
CHECK_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class DnsRecord:
    type: str
    name: str
    value: str
    purpose: str


def platform_host(studio: Studio) -> str:
    return f"{studio.slug}.{settings.BASE_DOMAIN}"


def _resolver() -> dns.resolver.Resolver:
    """The system's resolver, or the one ``CUSTOM_DOMAIN_DNS`` names (``host:port``; the
    tests' local DNS server)."""
    configured = settings.CUSTOM_DOMAIN_DNS
    if not configured:
        return dns.resolver.Resolver()
    host, _sep, port = configured.rpartition(":")
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host]
    resolver.port = int(port)
    return resolver


def resolve_txt(name: str) -> list[str]:
    """The TXT strings at ``name`` (empty when there are none)."""
    try:
        answer = _resolver().resolve(name, "TXT", lifetime=CHECK_TIMEOUT_SECONDS)
    except (dns.exception.DNSException, OSError):
        return []
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def fetch_token(host: str, token: str) -> str:
    """What ``host`` serves at the well-known path (empty when unreachable). The host is
    looked up with the same resolver as the TXT record."""
    try:
        address = _resolver().resolve(host, "A", lifetime=CHECK_TIMEOUT_SECONDS)[0].to_text()
    except (dns.exception.DNSException, OSError, IndexError):
        return ""
    request = urllib.request.Request(
        f"http://{address}{WELL_KNOWN_PATH}{token}", headers={"Host": host}
    )
    try:
        with urllib.request.urlopen(request, timeout=CHECK_TIMEOUT_SECONDS) as response:  # noqa: S310 - http only
            return response.read(200).decode("utf-8", "replace").strip()
    except (OSError, ValueError):
        return ""


def custom_domain_records(domain: Domain) -> list[DnsRecord]:
    """What the owner creates at their DNS provider."""
    return [
        DnsRecord(
            "CNAME", domain.domain, platform_host(domain.tenant), _("points the domain at us")
        ),
        DnsRecord(
            "TXT",
            f"{TXT_PREFIX}.{domain.domain}",
            TOKEN_PREFIX + domain.verification_token,
            _("proves the domain is yours"),
        ),
    ]


def custom_domains_of(studio: Studio) -> list[Domain]:
    with schema_context(get_public_schema_name()):
        return list(studio.domains.order_by("-is_primary", "created_at", "pk"))


def custom_domain_add(*, studio: Studio, hostname: str) -> Domain:
    host = validate_custom_domain(hostname)
    with schema_context(get_public_schema_name()):
        if Domain.objects.filter(domain=host).exists():
            raise ValidationError(_("This domain is already in use."), code="taken")
        try:
            with transaction.atomic():
                return Domain.objects.create(
                    domain=host,
                    tenant=studio,
                    is_primary=False,
                    status=DomainStatus.PENDING,
                    verification_token=secrets.token_urlsafe(24),
                )
        except IntegrityError as error:
            raise ValidationError(_("This domain is already in use."), code="taken") from error


def _studio_domain(studio: Studio, domain_id: int) -> Domain:
    domain = Domain.objects.filter(pk=domain_id, tenant=studio).first()
    if domain is None:
        raise Domain.DoesNotExist(domain_id)
    return domain


def custom_domain_check(*, domain: Domain) -> bool:
    """Verifies a pending domain by its TXT record or its well-known token; True once active."""
    with schema_context(get_public_schema_name()):
        domain = Domain.objects.select_related("tenant").get(pk=domain.pk)
        if domain.status == DomainStatus.ACTIVE:
            return True
        token = domain.verification_token
        txt = resolve_txt(f"{TXT_PREFIX}.{domain.domain}")
        verified = TOKEN_PREFIX + token in txt or fetch_token(domain.domain, token) == token
        domain.checked_at = timezone.now()
        if verified:
            domain.status = DomainStatus.ACTIVE
            domain.verified_at = domain.checked_at
            domain.check_error = ""
        else:
            domain.check_error = _(
                "Neither the TXT record nor the CNAME answers yet. DNS changes can take up to "
                "a day to arrive; we check again every few minutes."
            )
        domain.save(update_fields=["status", "verified_at", "checked_at", "check_error"])
    return verified


def custom_domains_check_pending() -> int:
    """Periodic: checks every pending domain; returns how many became active."""
    with schema_context(get_public_schema_name()):
        pending = list(Domain.objects.filter(status=DomainStatus.PENDING))
    return sum(custom_domain_check(domain=domain) for domain in pending)


@transaction.atomic
def custom_domain_remove(*, studio: Studio, domain_id: int) -> None:
    """Removes a custom domain; its host stops routing at once (the host cache forgets it),
    and the studio's own address is primary again if it was."""
    with schema_context(get_public_schema_name()):
        domain = _studio_domain(studio, domain_id)
        if domain.domain == platform_host(studio):
            raise ValidationError(_("The studio's own address cannot be removed."), code="own")
        was_primary = domain.is_primary
        domain.delete()
        if was_primary:
            Domain.objects.filter(tenant=studio, domain=platform_host(studio)).update(
                is_primary=True
            )


@transaction.atomic
def domain_set_primary(*, studio: Studio, domain_id: int) -> Domain:
    """The host e-mails and links use. Only an active domain can be primary."""
    with schema_context(get_public_schema_name()):
        domain = _studio_domain(studio, domain_id)
        if domain.status != DomainStatus.ACTIVE:
            raise ValidationError(
                _("Only a verified domain can be the main address."), code="pending"
            )
        domain.is_primary = True
        domain.save()  # django-tenants' Domain.save() takes the flag from the others
    return domain


def tls_allowed(hostname: str) -> bool:
    """May the TLS proxy get a certificate for ``hostname``? Only for active hosts."""
    with schema_context(get_public_schema_name()):
        return Domain.objects.filter(
            domain=(hostname or "").lower(), status=DomainStatus.ACTIVE
        ).exists()


def verification_token_of(hostname: str) -> str | None:
    """The token a domain serves at the well-known path (pending or active hosts)."""
    with schema_context(get_public_schema_name()):
        return (
            Domain.objects.filter(domain=hostname)
            .exclude(verification_token="")
            .values_list("verification_token", flat=True)
            .first()
        )
