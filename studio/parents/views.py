"""Parents sign in with their e-mail, or their phone when the studio has an SMS provider, and
a one-time code; what this browser opened (codes, cart, favourites) joins the account."""

from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from saas_platform import ratelimit
from studio.access.selectors import SESSION_KEY, SESSION_MAX_CODES, session_code_ids
from studio.sms.selectors import sms_configured

from .forms import EmailForm, PhoneForm, SignInCodeForm, SmsSignInCodeForm
from .selectors import family_code_ids
from .services import (
    family_add_codes,
    sign_in_code_send,
    sign_in_code_send_sms,
    sign_in_code_verify,
    sign_in_code_verify_sms,
)
from .signals import parent_signed_in

SIGN_IN_EMAIL_KEY = "parent_sign_in_email"
SIGN_IN_PHONE_KEY = "parent_sign_in_phone"
SEND_PER_IP = ratelimit.Limit(10, 60 * 60)
SEND_PER_ADDRESS = ratelimit.Limit(5, 60 * 60)
VERIFY_PER_IP = ratelimit.Limit(30, 15 * 60)


def _next_url(request, default: str = "/account/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def sign_in(request):
    """Step 1: the e-mail address, or the phone number (when the studio sends texts); a
    code goes there. Both count against the same limits."""
    by_phone = sms_configured()
    posted_phone = request.method == "POST" and by_phone and "phone" in request.POST
    region = request.tenant.country
    form = EmailForm(request.POST if request.method == "POST" and not posted_phone else None)
    phone_form = (
        PhoneForm(request.POST if posted_phone else None, region=region) if by_phone else None
    )
    context = {"form": form, "phone_form": phone_form, "next": _next_url(request)}
    chosen = phone_form if posted_phone else form
    if request.method == "POST" and chosen.is_valid():
        to = chosen.cleaned_data["phone" if posted_phone else "email"]
        counted = ratelimit.attempt(
            [
                (f"signin:ip:{ratelimit.client_ip(request)}", SEND_PER_IP),
                (f"signin:to:{to}", SEND_PER_ADDRESS),
            ]
        )
        if isinstance(counted, ratelimit.Blocked):
            return ratelimit.blocked_response(request, "parents/sign_in.html", context, counted)
        if posted_phone:
            sign_in_code_send_sms(phone=to, studio=request.tenant, language=request.LANGUAGE_CODE)
            request.session.pop(SIGN_IN_EMAIL_KEY, None)
            request.session[SIGN_IN_PHONE_KEY] = to
        else:
            sign_in_code_send(email=to, studio=request.tenant, language=request.LANGUAGE_CODE)
            request.session.pop(SIGN_IN_PHONE_KEY, None)
            request.session[SIGN_IN_EMAIL_KEY] = to
        return redirect(f"/account/sign-in/code/?next={context['next']}")
    return render(request, "parents/sign_in.html", context)


def sign_in_code(request):
    """Step 2: the six digits from the e-mail or the SMS."""
    email = request.session.get(SIGN_IN_EMAIL_KEY)
    phone = request.session.get(SIGN_IN_PHONE_KEY)
    if not email and not phone:
        return redirect("parents:sign_in")
    form = (SmsSignInCodeForm if phone else SignInCodeForm)(request.POST or None)
    context = {"form": form, "email": email, "phone": phone, "next": _next_url(request)}
    if request.method == "POST" and form.is_valid():
        counted = ratelimit.attempt(
            [(f"signin:verify:{ratelimit.client_ip(request)}", VERIFY_PER_IP)]
        )
        if isinstance(counted, ratelimit.Blocked):
            return ratelimit.blocked_response(
                request, "parents/sign_in_code.html", context, counted
            )
        try:
            if phone:
                parent = sign_in_code_verify_sms(
                    phone=phone, code=form.cleaned_data["code"], language=request.LANGUAGE_CODE
                )
            else:
                parent = sign_in_code_verify(
                    email=email, code=form.cleaned_data["code"], language=request.LANGUAGE_CODE
                )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            opened = session_code_ids(request.session)
            login(request, parent, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(SIGN_IN_EMAIL_KEY, None)
            request.session.pop(SIGN_IN_PHONE_KEY, None)
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
