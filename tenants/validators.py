import functools
import re
import zoneinfo

from babel.numbers import get_currency_name, list_currencies
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


# --- studio settings ------------------------------------------------------------------------

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MIN_CONTRAST = 4.5  # WCAG 2 AA for normal text: white button text on the brand colour


def currency_choices() -> list[tuple[str, str]]:
    """ISO 4217 codes Babel knows (and so money formatting and rounding know), with names."""
    return sorted(
        (code, f"{code} — {get_currency_name(code, locale='en')}") for code in _currencies()
    )


@functools.cache
def _currencies() -> frozenset[str]:
    return frozenset(code for code in list_currencies() if len(code) == 3 and code.isalpha())


def validate_currency(value: str) -> str:
    code = (value or "").strip().upper()
    if code not in _currencies():
        raise ValidationError(
            _("“%(value)s” is not an ISO 4217 currency code."),
            code="currency",
            params={"value": value},
        )
    return code


@functools.cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def timezone_choices() -> list[str]:
    return sorted(_timezones())


def validate_timezone(value: str) -> str:
    if value not in _timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone."), code="timezone", params={"value": value}
        )
    return value


def _luminance(hex_colour: str) -> float:
    def channel(part: str) -> float:
        c = int(part, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(hex_colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(hex_colour: str) -> float:
    """WCAG 2 contrast ratio of white text on ``hex_colour`` (1 to 21)."""
    return 1.05 / (_luminance(hex_colour) + 0.05)


def validate_brand_colour(value: str) -> str:
    """A ``#rrggbb`` colour white button text stays readable on (contrast ≥ 4.5:1);
    a lighter one is refused, not silently given dark text."""
    colour = (value or "").strip()
    if not HEX_COLOUR.match(colour):
        raise ValidationError(_("Enter a colour as #rrggbb."), code="colour")
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _(
                "White text on this colour is hard to read (contrast %(ratio)s:1; at least "
                "4.5:1 is needed). Choose a darker colour."
            ),
            code="contrast",
            params={"ratio": f"{ratio:.1f}"},
        )
    return colour.lower()
