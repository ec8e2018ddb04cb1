"""Login tokens and API tokens, both bound to the schema they were issued in."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import ApiToken, LoginToken, User

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


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    raw = "pd_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        token_hash=_hash(raw),
        key_prefix=raw[:8],
        name=name,
        user=user,
        schema_name=connection.schema_name,
    )
    return token, raw


def api_token_authenticate(*, raw_token: str) -> ApiToken | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash(raw_token), revoked_at__isnull=True)
        .first()
    )
    if token is None or token.schema_name != connection.schema_name or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def session_stamp_schema(*, session) -> None:
    session[SESSION_SCHEMA_KEY] = connection.schema_name


def session_belongs_here(*, session) -> bool:
    return session.get(SESSION_SCHEMA_KEY) == connection.schema_name
