"""Owners and managers issue and revoke the studio's API tokens; both are audited. The tokens
themselves (hashing, the schema binding, the check on each request) are
``saas_platform.accounts``'."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from saas_platform.accounts.models import ApiToken, User
from saas_platform.accounts.services import api_token_create, api_token_revoke
from studio.audit.models import AuditKind
from studio.audit.services import audit_record
from studio.core.policy import api_token_roles


@transaction.atomic
def api_token_issue(*, actor: User, name: str, role: str) -> tuple[ApiToken, str]:
    """A new token acting as ``role`` (one the actor may hand out); returns it and its raw
    value, which is shown once."""
    if role not in api_token_roles(actor):
        raise ValidationError({"role": _("You cannot issue a token with this role.")}, code="role")
    token, raw = api_token_create(user=actor, name=name, role=role)
    audit_record(
        actor=actor,
        kind=AuditKind.API_TOKEN_CREATED,
        subject=token.name,
        changes=[{"field": "role", "old": None, "new": token.role}],
    )
    return token, raw


@transaction.atomic
def api_token_withdraw(*, actor: User, token: ApiToken) -> ApiToken:
    """Revokes the token (from its next request on); revoking a revoked token records nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    api_token_revoke(token=token)
    audit_record(
        actor=actor,
        kind=AuditKind.API_TOKEN_REVOKED,
        subject=token.name,
        changes=[{"field": "role", "old": token.role, "new": None}],
    )
    return token
