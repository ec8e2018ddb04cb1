from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from saas_platform import ratelimit

from .forms import EmailAuthenticationForm
from .services import login_token_redeem


class LoginView(auth_views.LoginView):
    """Staff log-in on a studio's host. Failed log-ins are limited per address and per
    e-mail (``ratelimit.login_attempt``, counted per studio); a success gives its attempt
    back, and while a counter is full even the right password is refused with a 429."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        email = request.POST.get("username", "")
        counted = ratelimit.login_attempt(request, scope="staff-login", email=email)
        if isinstance(counted, ratelimit.Blocked):
            # An unbound form: rendering the bound one would check the password after all
            # and tell a right one from a wrong one while blocked.
            form = self.get_form_class()(request, initial={"username": email})
            return ratelimit.login_blocked_response(
                request, self.template_name, self.get_context_data(form=form), counted
            )
        self.counted = counted
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        self.counted.refund()
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """Sends a reset link, at most a few times an hour per address and per e-mail (counted
    per studio): every request may send a mail, so none is given back."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        email = request.POST.get("email", "")
        counted = ratelimit.password_reset_attempt(request, email=email)
        if isinstance(counted, ratelimit.Blocked):
            form = self.get_form_class()(initial={"email": email})
            return ratelimit.login_blocked_response(
                request, self.template_name, self.get_context_data(form=form), counted, reset=True
            )
        return super().post(request, *args, **kwargs)


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
