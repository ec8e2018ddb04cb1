from saas_platform.accounts.models import Role
from studio.core.policy import Action, may

from .models import Shoot


def shoots_visible_to(*, user):
    """Photographers see the picture days they are assigned to; managing roles see all."""
    shoots = Shoot.objects.select_related("school")
    if not may(user, Action.VIEW_PRODUCTION):
        return shoots.none()
    if user.role == Role.PHOTOGRAPHER:
        shoots = shoots.filter(photographers=user)
    return shoots
