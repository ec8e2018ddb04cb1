"""What the console does when something happens elsewhere on the platform."""

from django.conf import settings
from django.dispatch import receiver
from django_tenants.utils import get_public_schema_name

from tenants.signals import studio_signed_up

from .tasks import signup_notify


@receiver(studio_signed_up, dispatch_uid="operator_console.signup_notify")
def tell_operators_about_signup(sender, studio, **kwargs):
    """Sent after the sign-up committed: queue the operators' e-mail."""
    if settings.OPERATOR_EMAILS:
        signup_notify.apply_async(args=[studio.pk], schema=get_public_schema_name())
