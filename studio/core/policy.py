"""Who may do what inside a studio: the one place that answers it.

Views, the API and tasks all ask ``may(user, action, obj)``; ``tests/studio/test_policy.py``
walks the whole role × action matrix. Object rules narrow a role's permission to the objects
that are theirs (a principal sees only the schools they are bound to).
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from saas_platform.accounts.models import API_TOKEN_SCOPES, Role


class Action(StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    MANAGE_STUDIO_SETTINGS = "manage_studio_settings"
    EXPORT_STUDIO_DATA = "export_studio_data"
    MANAGE_BILLING = "manage_billing"
    MANAGE_STAFF = "manage_staff"
    MANAGE_API_TOKENS = "manage_api_tokens"
    VIEW_AUDIT_LOG = "view_audit_log"
    VIEW_PRODUCTION = "view_production"
    MANAGE_SCHOOLS = "manage_schools"
    MANAGE_SHOOTS = "manage_shoots"
    MANAGE_CATALOGUE = "manage_catalogue"
    UPLOAD_PHOTOS = "upload_photos"
    RETOUCH_PHOTOS = "retouch_photos"
    REVIEW_RETOUCH = "review_retouch"
    PUBLISH_GALLERY = "publish_gallery"
    MANAGE_ORDERS = "manage_orders"
    RECORD_PAYMENT = "record_payment"
    REFUND_ORDER = "refund_order"
    EXPORT_LAB_BATCH = "export_lab_batch"
    VIEW_STUDIO_REPORTS = "view_studio_reports"
    CLOSE_PERIOD = "close_period"  # closing a month in the books cannot be undone
    VIEW_SCHOOL_REPORT = "view_school_report"
    VIEW_OWN_STATEMENT = "view_own_statement"
    VIEW_STAFF_PAY = "view_staff_pay"
    MANAGE_STAFF_PAY = "manage_staff_pay"
    VIEW_CHILD_GALLERY = "view_child_gallery"
    PLACE_ORDER = "place_order"
    ERASE_CHILD = "erase_child"
    RECORD_CONSENT = "record_consent"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    MANAGE_OWN_ACCOUNT = "manage_own_account"


_MANAGER_ACTIONS = {
    Action.VIEW_DASHBOARD,
    Action.VIEW_PRODUCTION,
    Action.MANAGE_SCHOOLS,
    Action.MANAGE_SHOOTS,
    Action.MANAGE_CATALOGUE,
    Action.UPLOAD_PHOTOS,
    Action.REVIEW_RETOUCH,
    Action.PUBLISH_GALLERY,
    Action.MANAGE_ORDERS,
    Action.RECORD_PAYMENT,
    Action.REFUND_ORDER,
    Action.EXPORT_LAB_BATCH,
    Action.VIEW_SCHOOL_REPORT,
    Action.MANAGE_API_TOKENS,
    Action.VIEW_STAFF_PAY,
    Action.ERASE_CHILD,
    Action.RECORD_CONSENT,
    Action.MANAGE_CAMPAIGNS,
}

PERMISSIONS: dict[str, frozenset[Action]] = {
    Role.OWNER: frozenset(
        _MANAGER_ACTIONS
        | {
            Action.MANAGE_STUDIO_SETTINGS,
            Action.EXPORT_STUDIO_DATA,
            Action.MANAGE_BILLING,
            Action.MANAGE_STAFF,
            Action.VIEW_STUDIO_REPORTS,
            Action.CLOSE_PERIOD,
            Action.VIEW_AUDIT_LOG,
            Action.MANAGE_STAFF_PAY,
        }
    ),
    Role.MANAGER: frozenset(_MANAGER_ACTIONS),
    Role.PHOTOGRAPHER: frozenset(
        {
            Action.VIEW_DASHBOARD,
            Action.VIEW_PRODUCTION,
            Action.UPLOAD_PHOTOS,
            Action.VIEW_OWN_STATEMENT,
        }
    ),
    Role.RETOUCHER: frozenset(
        {
            Action.VIEW_DASHBOARD,
            Action.VIEW_PRODUCTION,
            Action.RETOUCH_PHOTOS,
            Action.VIEW_OWN_STATEMENT,
        }
    ),
    Role.PRINCIPAL: frozenset({Action.VIEW_DASHBOARD, Action.VIEW_SCHOOL_REPORT}),
    Role.PARENT: frozenset(
        {Action.VIEW_CHILD_GALLERY, Action.PLACE_ORDER, Action.MANAGE_OWN_ACCOUNT}
    ),
}

STAFF_ROLES = frozenset(
    {Role.OWNER, Role.MANAGER, Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL}
)


# Objects tell the policy what they belong to, so the policy needs none of their apps (it sits
# below them all): ``policy_school`` / ``policy_shoot`` / ``policy_retouch_batch`` when they
# are one or reach it indirectly, otherwise their ``school`` / ``shoot`` attribute.


def _school_of(obj):
    """The school an object belongs to, for rules bound to schools."""
    school = getattr(obj, "policy_school", None)
    return school if school is not None else getattr(obj, "school", None)


def _shoot_of(obj):
    shoot = getattr(obj, "policy_shoot", None)
    return shoot if shoot is not None else getattr(obj, "shoot", None)


def _object_allowed(user, action: Action, obj) -> bool:
    if user.role == Role.PRINCIPAL and action == Action.VIEW_SCHOOL_REPORT:
        school = _school_of(obj)
        return school is not None and school.principals.filter(pk=user.pk).exists()
    if user.role == Role.PHOTOGRAPHER and action == Action.UPLOAD_PHOTOS:
        shoot = _shoot_of(obj)
        return shoot is not None and shoot.photographers.filter(pk=user.pk).exists()
    if user.role == Role.RETOUCHER and action == Action.RETOUCH_PHOTOS:
        return (
            _retouch_batch_of(obj) in (None, "unclaimed")
            or _retouch_batch_of(obj).retoucher_id == user.pk
        )
    return True


def _retouch_batch_of(obj):
    """A batch, "unclaimed" for a photo nobody has claimed, or None for other objects."""
    batch = getattr(obj, "policy_retouch_batch", None)
    if batch is not None:
        return batch
    if hasattr(obj, "retouch_batch_id"):
        return obj.retouch_batch if obj.retouch_batch_id else "unclaimed"
    return None


def may(user, action: Action, obj=None) -> bool:
    """May ``user`` perform ``action`` (on ``obj``, when given) in the current studio?"""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if action not in PERMISSIONS.get(user.role, frozenset()):
        return False
    return obj is None or _object_allowed(user, action, obj)


def require(user, action: Action, obj=None) -> None:
    if not may(user, action, obj):
        raise PermissionDenied(action.value)


def api_token_roles(user) -> tuple[str, ...]:
    """The roles ``user`` may give an API token: none unless they manage tokens, and never one
    above their own (``API_TOKEN_SCOPES``; the token check repeats it on every use)."""
    if not may(user, Action.MANAGE_API_TOKENS):
        return ()
    return API_TOKEN_SCOPES.get(user.role, ())
