"""Login tokens and API tokens, both bound to the schema they were issued in; the language a
person's e-mails are written in."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import API_TOKEN_SCOPES, ApiToken, LoginToken, User

SESSION_SCHEMA_KEY = "_pictureday_schema"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def login_token_issue(*, user: User) -> str:
    """Returns the raw token; only its hash is kept."""
    raw = secrets.token_urlsafe(32)
    LoginToken.objects.create(
        token_hash=_hash(raw),
        user=user,
        schema_name=connection.schema_name,
        expires_at=timezone.now() + timedelta(seconds=settings.LOGIN_TOKEN_TTL_SECONDS),
    )
    return raw


@transaction.atomic
def login_token_redeem(*, raw_token: str) -> User | None:
    """The user the token was issued to, once: used, expired or foreign tokens give None."""
    token = (
        LoginToken.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=_hash(raw_token), schema_name=connection.schema_name)
        .first()
    )
    if token is None or token.used_at is not None or token.expires_at <= timezone.now():
        return None
    token.used_at = timezone.now()
    token.save(update_fields=["used_at"])
    return token.user if token.user.is_active else None


# A token's ``last_used_at`` is written at most once a minute, not on every request.
API_TOKEN_LAST_USED_EVERY = timedelta(minutes=1)


def api_token_create(*, user: User, name: str, role: str | None = None) -> tuple[ApiToken, str]:
    """Returns the token and its raw value, which is shown once and never stored. ``role``
    (the creator's own by default) must be one the creator may hand out."""
    role = role or user.role
    if role not in API_TOKEN_SCOPES.get(user.role, ()):
        raise ValidationError({"role": _("You cannot issue a token with this role.")}, code="role")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")}, code="name")
    raw = "pd_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        token_hash=_hash(raw),
        key_prefix=raw[:8],
        name=name[:100],
        user=user,
        role=role,
        schema_name=connection.schema_name,
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Refused from the next request on; revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=token.revoked_at
        )
    return token


def api_token_authenticate(*, raw_token: str) -> ApiToken | None:
    """The live token of this schema whose creator is active and may still hand out its role,
    or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash(raw_token), revoked_at__isnull=True)
        .first()
    )
    if (
        token is None
        or token.schema_name != connection.schema_name
        or not token.user.is_active
        or token.role not in API_TOKEN_SCOPES.get(token.user.role, ())
    ):
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at <= now - API_TOKEN_LAST_USED_EVERY:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - API_TOKEN_LAST_USED_EVERY)
        ).update(last_used_at=now)
    return token


def session_stamp_schema(*, session) -> None:
    session[SESSION_SCHEMA_KEY] = connection.schema_name


def session_belongs_here(*, session) -> bool:
    return session.get(SESSION_SCHEMA_KEY) == connection.schema_name


def user_language_remember(*, user: User, language: str | None) -> str:
    """Keeps ``language`` (the one the person's browser is using now) as the language of the
    e-mails they get; an unsupported or empty one changes nothing. Returns the stored one."""
    try:
        supported = translation.get_supported_language_variant(language or "")
    except LookupError:
        return user.language
    if user.language != supported:
        user.language = supported
        User.objects.filter(pk=user.pk).update(language=supported)
    return user.language
