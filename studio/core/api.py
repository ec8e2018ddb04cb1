"""What every studio API view shares: permissions from the role policy."""

from rest_framework import permissions

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
