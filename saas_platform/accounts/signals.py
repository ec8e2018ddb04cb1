from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import session_stamp_schema


@receiver(user_logged_in)
def stamp_session_with_schema(sender, request, user, **kwargs):
    """Every login, whatever view performs it, binds the session to this schema."""
    if request is not None and hasattr(request, "session"):
        session_stamp_schema(session=request.session)
