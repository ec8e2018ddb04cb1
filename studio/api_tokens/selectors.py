from django.db import connection
from django.db.models import QuerySet

from saas_platform.accounts.models import ApiToken, Role, User


def api_tokens_visible_to(*, user: User) -> QuerySet[ApiToken]:
    """Live tokens of this studio, newest first: an owner sees everyone's, a manager their own."""
    tokens = ApiToken.objects.select_related("user").filter(
        schema_name=connection.schema_name, revoked_at__isnull=True
    )
    if user.role != Role.OWNER:
        tokens = tokens.filter(user=user)
    return tokens.order_by("-created_at", "-id")
