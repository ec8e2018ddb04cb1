"""What every studio API view shares: permissions from the role policy, the 409 of a refused
change, amounts at their currency's precision."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import APIException, ValidationError

from saas_platform.money import quantize

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


def bad_request_from(error: DjangoValidationError) -> ValidationError:
    """A service's refusal of the input as a 400: per field when the service named fields."""
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


def conflict_from(error: DjangoValidationError) -> Conflict:
    """A service's refusal as a 409 whose ``detail`` is the service's (translated) reason."""
    return Conflict(" ".join(error.messages), code=getattr(error, "code", None) or "conflict")


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d{1,3})?$", "example": "12.50"}
)
class MoneyField(serializers.Field):
    """An amount of the object's currency as a decimal string at that currency's precision
    ("5.00" EUR, "500" JPY). The currency is the object's ``currency`` or its order's."""

    def __init__(self, attribute: str, **kwargs):
        self.attribute_name = attribute
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        currency = getattr(obj, "currency", None) or obj.order.currency
        return str(quantize(getattr(obj, self.attribute_name), currency))


def service_refusal(error: DjangoValidationError, *, field_codes=()) -> APIException:
    """A service's ``ValidationError`` as the API answers it: a 400 naming ``field`` when its
    code is one of ``field_codes`` (``{"amount": "amount"}``), otherwise a 409 with the
    reason (the input is fine, the records' present state refuses it)."""
    code = getattr(error, "code", None)
    for error_code, field in dict(field_codes).items():
        if code == error_code:
            return ValidationError({field: error.messages})
    return conflict_from(error)
