from django.contrib.auth import logout

from .services import SESSION_SCHEMA_KEY, session_belongs_here


class SchemaBoundSessionMiddleware:
    """Second guard behind per-schema session tables: an authenticated session must have been
    issued for the schema serving this request, or it is flushed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        stamped_or_logged_in = SESSION_SCHEMA_KEY in session or request.user.is_authenticated
        if stamped_or_logged_in and not session_belongs_here(session=session):
            logout(request)
        return self.get_response(request)
