from saas_platform.accounts.models import Role

from .models import Shoot


def shoots_visible_to(*, user):
    """Photographers see the picture days they are assigned to; managing roles see all."""
    shoots = Shoot.objects.select_related("school")
    if user.role == Role.PHOTOGRAPHER:
        shoots = shoots.filter(photographers=user)
    return shoots
