import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

RESERVED_SUBDOMAINS = frozenset(
    """www api admin static media mail smtp imap pop ftp app apps dashboard console operator
    public platform billing status help support docs blog pictureday assets cdn auth login
    signup account accounts my shop store test ns ns1 ns2 mx
    webmail root localhost internal template""".split()
)
SUBDOMAIN_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")


def validate_subdomain(value: str) -> str:
    """Returns the normalised (lower-case) subdomain or raises with a message for people."""
    slug = (value or "").strip().lower()
    if not 3 <= len(slug) <= 40:
        raise ValidationError(_("The subdomain must be 3 to 40 characters long."), code="length")
    if not SUBDOMAIN_PATTERN.match(slug):
        raise ValidationError(
            _(
                "Use only Latin letters, digits and hyphens, starting and ending with a letter "
                "or digit."
            ),
            code="invalid",
        )
    if "--" in slug:
        raise ValidationError(
            _("The subdomain cannot contain two hyphens in a row."), code="invalid"
        )
    if slug in RESERVED_SUBDOMAINS:
        raise ValidationError(
            _("“%(slug)s” is reserved. Please choose another.") % {"slug": slug}, code="reserved"
        )
    return slug


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def validate_custom_domain(value: str) -> str:
    """A studio's own host name (``photos.acme-studio.com``), normalised to lower case: two or
    more DNS labels, not an address, not under the platform's domain."""
    host = (value or "").strip().lower().rstrip(".")
    for prefix in ("https://", "http://"):
        host = host.removeprefix(prefix)
    host = host.split("/", 1)[0]
    base = settings.BASE_DOMAIN.lower()
    if host == base or host.endswith("." + base):
        raise ValidationError(
            _("Addresses under %(base)s are given by Pictureday; add a domain of your own.")
            % {"base": base},
            code="platform",
        )
    labels = host.split(".")
    if (
        len(host) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationError(
            _("Enter a host name such as photos.your-studio.com."), code="invalid"
        )
    return host
