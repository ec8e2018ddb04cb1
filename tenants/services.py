"""Creating studios. Everything a sign-up makes happens in one transaction, including the
schema itself (PostgreSQL DDL is transactional), so a failure leaves nothing behind."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from saas_platform.accounts.models import Role, User
from saas_platform.accounts.services import login_token_issue

from .countries import country_defaults
from .models import Domain, Studio, StudioStatus
from .signals import studio_signed_up
from .spares import spare_take
from .validators import validate_currency, validate_subdomain, validate_timezone


@dataclass(frozen=True)
class SignUpResult:
    studio: Studio
    owner: User
    login_token: str


def schema_name_for(slug: str) -> str:
    return "studio_" + slug.replace("-", "_")


def studio_host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def subdomain_check_available(*, slug: str) -> str:
    """Validates format, reserved names and uniqueness; returns the normalised slug."""
    slug = validate_subdomain(slug)
    if (
        Studio.objects.filter(slug__iexact=slug).exists()
        or Domain.objects.filter(domain__iexact=studio_host(slug)).exists()
    ):
        raise ValidationError(_("This subdomain is already taken."), code="taken")
    return slug


@transaction.atomic
def studio_create(
    *,
    name: str,
    slug: str,
    owner_email: str,
    owner_name: str,
    owner_password: str | None,
    country: str = "",
    currency: str | None = None,
    language: str | None = None,
    timezone: str | None = None,
) -> SignUpResult:
    """Creates the studio, its host and its schema (a spare schema renamed, else a copy of the
    base schema), and the owner inside that schema. Returns a one-time login token for the
    studio's host. Currency, language and time zone not given are proposed from the country
    (``tenants.countries``), else EUR, English and UTC."""
    proposed = country_defaults(country)
    if country and proposed is None:
        raise ValidationError(_("Choose a country from the list."), code="country")
    currency = validate_currency(currency or (proposed.currency if proposed else "EUR"))
    language = language or (proposed.language if proposed else "en")
    timezone = validate_timezone(timezone or (proposed.timezone if proposed else "UTC"))
    with schema_context(get_public_schema_name()):
        slug = subdomain_check_available(slug=slug)
        studio = Studio(
            schema_name=schema_name_for(slug),
            name=name.strip(),
            slug=slug,
            status=StudioStatus.TRIAL,
            licence_valid_until=dj_timezone.now() + timedelta(days=settings.TRIAL_DAYS),
            country=country.upper(),
            currency=currency,
            language=language,
            timezone=timezone,
            owner_email=owner_email.lower(),
        )
        # A spare renamed to the studio's schema leaves ``save`` nothing to create; with no
        # spare to take, ``save`` copies the base schema.
        if spare_take(schema_name=studio.schema_name):
            studio.auto_create_schema = False
        studio.save(verbosity=0)
        Domain.objects.create(domain=studio_host(slug), tenant=studio, is_primary=True)
        transaction.on_commit(
            lambda: studio_signed_up.send(sender=Studio, studio=studio), robust=True
        )
    with schema_context(studio.schema_name):
        owner = User.objects.create_user(
            email=owner_email, password=owner_password, full_name=owner_name, role=Role.OWNER
        )
        token = login_token_issue(user=owner)
    connection.set_schema_to_public()
    return SignUpResult(studio=studio, owner=owner, login_token=token)


def ensure_public_tenant() -> Studio:
    """The row that routes the bare domain to the public schema (idempotent)."""
    with schema_context(get_public_schema_name()):
        studio, _created = Studio.objects.get_or_create(
            schema_name=get_public_schema_name(),
            defaults={"name": "Pictureday", "slug": "public", "status": StudioStatus.ACTIVE},
        )
        Domain.objects.get_or_create(
            domain=settings.BASE_DOMAIN, defaults={"tenant": studio, "is_primary": True}
        )
    return studio


def ensure_template_studio() -> Studio:
    """The base schema new studios are cloned from, kept as a studio row with no host so that
    every ``migrate_schemas`` migrates it along with the real studios (idempotent)."""
    with schema_context(get_public_schema_name()):
        studio = Studio.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA).first()
        if studio is None:
            studio = Studio(
                schema_name=settings.TENANT_BASE_SCHEMA,
                name="Template",
                slug="template",
                status=StudioStatus.BLOCKED,
                status_reason="Base schema for new studios; never served.",
            )
            studio.save(verbosity=0)
    return studio
