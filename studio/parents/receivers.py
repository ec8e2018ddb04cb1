from django.dispatch import receiver

from saas_platform.accounts.models import Role
from studio.access.signals import access_code_opened

from .services import family_add_codes


@receiver(access_code_opened, dispatch_uid="parents.keep_opened_code")
def keep_opened_code_in_family(sender, code, user, **kwargs):
    """A signed-in parent who opens a code keeps it: the gallery reopens on a new device."""
    if user.is_authenticated and user.role == Role.PARENT:
        family_add_codes(parent=user, code_ids=[code.pk])
