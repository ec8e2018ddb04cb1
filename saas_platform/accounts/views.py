from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .forms import EmailAuthenticationForm
from .services import login_token_redeem


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


def welcome(request, token):
    """Lands a new owner, logged in, on their studio's host after sign-up on the bare domain."""
    user = login_token_redeem(raw_token=token)
    if user is None:
        messages.error(
            request, _("This sign-in link has expired or was already used. Please log in.")
        )
        return redirect("accounts:login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Welcome to your studio!"))
    return redirect("dashboard:dashboard")
