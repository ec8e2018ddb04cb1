from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .services import api_token_authenticate


class SchemaBoundTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer pd_…``; a token issued in another studio is simply unknown.

    The request acts with the token's role: the user is loaded for this request only and
    carries the token's role in memory (``User.save`` refuses to write it), so the policy and every selector
    that reads ``user.role`` see the narrower scope."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        token = api_token_authenticate(raw_token=header[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        user = token.user
        user.role = user.role_of_token = token.role  # the model refuses to save this role
        return user, token

    def authenticate_header(self, request):
        return self.keyword


class SchemaBoundTokenScheme(OpenApiAuthenticationExtension):
    """Documents the bearer token in the OpenAPI schema."""

    target_class = SchemaBoundTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "API token (pd_…)"}
