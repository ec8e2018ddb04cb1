"""Parents sign in with their e-mail and a one-time code; what this browser opened (codes,
cart, favourites) joins the account."""

from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from saas_platform import ratelimit
from studio.access.selectors import SESSION_KEY, SESSION_MAX_CODES, session_code_ids

from .forms import EmailForm, SignInCodeForm
from .selectors import family_code_ids
from .services import family_add_codes, sign_in_code_send, sign_in_code_verify
from .signals import parent_signed_in

SIGN_IN_EMAIL_KEY = "parent_sign_in_email"
SEND_PER_IP = ratelimit.Limit(10, 60 * 60)
SEND_PER_ADDRESS = ratelimit.Limit(5, 60 * 60)
VERIFY_PER_IP = ratelimit.Limit(30, 15 * 60)


def _next_url(request, default: str = "/account/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def sign_in(request):
    """Step 1: the e-mail address; a code goes there."""
    form = EmailForm(request.POST or None)
    context = {"form": form, "next": _next_url(request)}
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        counted = ratelimit.attempt(
            [
                (f"signin:ip:{ratelimit.client_ip(request)}", SEND_PER_IP),
                (f"signin:to:{email}", SEND_PER_ADDRESS),
            ]
        )
        if isinstance(counted, ratelimit.Blocked):
            return ratelimit.blocked_response(request, "parents/sign_in.html", context, counted)
        sign_in_code_send(email=email, studio=request.tenant, language=request.LANGUAGE_CODE)
        request.session[SIGN_IN_EMAIL_KEY] = email
        return redirect(f"/account/sign-in/code/?next={context['next']}")
    return render(request, "parents/sign_in.html", context)


def sign_in_code(request):
    """Step 2: the six digits from the e-mail."""
    email = request.session.get(SIGN_IN_EMAIL_KEY)
    if not email:
        return redirect("parents:sign_in")
    form = SignInCodeForm(request.POST or None)
    context = {"form": form, "email": email, "next": _next_url(request)}
    if request.method == "POST" and form.is_valid():
        counted = ratelimit.attempt(
            [(f"signin:verify:{ratelimit.client_ip(request)}", VERIFY_PER_IP)]
        )
        if isinstance(counted, ratelimit.Blocked):
            return ratelimit.blocked_response(
                request, "parents/sign_in_code.html", context, counted
            )
        try:
            parent = sign_in_code_verify(
                email=email, code=form.cleaned_data["code"], language=request.LANGUAGE_CODE
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            opened = session_code_ids(request.session)
            login(request, parent, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(SIGN_IN_EMAIL_KEY, None)
            family_add_codes(parent=parent, code_ids=opened)
            ids = list(dict.fromkeys([*opened, *family_code_ids(parent=parent)]))
            request.session[SESSION_KEY] = ids[-SESSION_MAX_CODES:]
            parent_signed_in.send(sender=type(parent), parent=parent, request=request)
            return redirect(context["next"])
    return render(request, "parents/sign_in_code.html", context)


@require_POST
def sign_out(request):
    logout(request)
    return redirect("/")
