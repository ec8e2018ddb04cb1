import re

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
