"""What every studio API view shares: permissions from the role policy."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, status
from rest_framework.exceptions import APIException

from .policy import may


class PolicyPermission(permissions.BasePermission):
    """Asks the policy. A view names the action for reads and for writes
    (``read_action`` / ``write_action``), or per DRF action in ``policy_actions``."""

    def _action(self, request, view):
        by_action = getattr(view, "policy_actions", {})
        if getattr(view, "action", None) in by_action:
            return by_action[view.action]
        if request.method in permissions.SAFE_METHODS:
            return view.read_action
        return view.write_action

    def has_permission(self, request, view):
        return may(request.user, self._action(request, view))

    def has_object_permission(self, request, view, obj):
        return may(request.user, self._action(request, view), obj)


class Conflict(APIException):
    """409: the request is valid but the records' present state refuses it (a picture day
    that still has access codes cannot be deleted)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the records.")
    default_code = "conflict"


def conflict_from(error: DjangoValidationError) -> Conflict:
    """A service's refusal as a 409 whose ``detail`` is the service's (translated) reason."""
    return Conflict(" ".join(error.messages), code=getattr(error, "code", None) or "conflict")


_ERROR_DESCRIPTIONS = {
    400: "The data is invalid: ``{field: [messages]}`` or ``[messages]``.",
    401: "No token, or a token that is unknown, revoked, expired or of another studio.",
    403: "The token's or session's role may not do this.",
    404: "No such record in this studio.",
    409: "Valid, but the records' present state refuses it: ``detail`` says why.",
}


def error_responses(*codes: int) -> dict:
    """The error statuses an operation can return, for ``extend_schema(responses=...)``."""
    return {code: OpenApiResponse(description=_ERROR_DESCRIPTIONS[code]) for code in codes}
