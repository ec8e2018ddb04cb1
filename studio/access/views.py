"""Parents: enter a code (or arrive from the card's QR code with it filled in), and "find my
code" when the card is lost."""

from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from saas_platform import ratelimit
from saas_platform.accounts.services import session_stamp_schema

from . import codes
from .forms import CodeForm, FindMyCodeForm
from .models import AccessCode
from .selectors import SESSION_KEY, SESSION_MAX_CODES, access_codes_in_session, session_code_ids
from .services import access_code_find_and_send, access_code_resolve
from .signals import access_code_opened
from .state import Reason


def gallery_url() -> str:
    """Where an opened code leads: the storefront's gallery once it exists."""
    try:
        return reverse("storefront:gallery")
    except NoReverseMatch:
        return "/gallery/"


def _enter_context(request, form) -> dict:
    return {
        "form": form,
        "selling": request.tenant.is_selling,
        "opened": access_codes_in_session(session=request.session),
        "gallery_url": gallery_url(),
    }


def enter(request):
    """``/``, and ``/?code=…`` from the card's QR code: a well-formed code is opened at once,
    through the same rate limits as the form (a link is no way around them); anything else
    is shown filled in for the parent to correct."""
    raw = request.GET.get("code", "")
    normalised = codes.parse(raw)
    if normalised and request.tenant.is_selling:
        return _open(request, CodeForm(data={"code": codes.display(normalised)}))
    form = CodeForm(initial={"code": codes.display(normalised) if normalised else raw[:40]})
    return render(request, "access/enter.html", _enter_context(request, form))


def _remember(request, code: AccessCode) -> None:
    """A family may open several children (and class codes): keep them all in the session."""
    ids = session_code_ids(request.session)
    if code.pk not in ids:
        if not ids:
            request.session.cycle_key()
        # bound to this studio's schema, like a login (SchemaBoundSessionMiddleware)
        session_stamp_schema(session=request.session)
        request.session[SESSION_KEY] = [*ids, code.pk][-SESSION_MAX_CODES:]
    access_code_opened.send(sender=AccessCode, code=code, user=request.user)


def submit(request):
    """``POST /access/``: the code entry form."""
    if request.method != "POST":
        return redirect("access:enter")
    return _open(request, CodeForm(request.POST))


def _open(request, form):
    """Opens the code in ``form``: rate-limited per address, per code and per studio, counted
    before the lookup (a correct code is refused too while a counter is full) and given back
    when the code opens a gallery, so only failures add up."""
    if not request.tenant.is_selling or not form.is_valid():
        return render(request, "access/enter.html", _enter_context(request, form))
    normalised = form.cleaned_data["code"]
    counted = ratelimit.attempt(
        [
            (f"code:ip:{ratelimit.client_ip(request)}", ratelimit.CODE_PER_IP),
            (ratelimit.code_key(normalised), ratelimit.CODE_PER_CODE),
            ("code:studio", ratelimit.CODE_PER_STUDIO),
        ]
    )
    if isinstance(counted, ratelimit.Blocked):
        return ratelimit.blocked_response(
            request, "access/enter.html", _enter_context(request, form), counted
        )
    resolution = access_code_resolve(raw=normalised)
    if resolution.ok:
        counted.refund()
        _remember(request, resolution.code)
        return redirect(gallery_url())
    if resolution.reason == Reason.NOT_OPEN:
        counted.refund()
        form.add_error(
            "code",
            _(
                "This code is right, but the photos of this picture day are not online yet. "
                "We’ll e-mail you when they are; please try again then."
            ),
        )
    else:
        # unknown, revoked and expired codes get the same words: no hints for guessers
        form.add_error(
            "code",
            _(
                "This code does not open any gallery. Check it against the card; codes stop "
                "working when the sales period ends. Lost the card? Use “Find my code”."
            ),
        )
    return render(request, "access/enter.html", _enter_context(request, form))


def find_my_code(request):
    """Class code + the child's name: the child's code goes to the parents' e-mail on the
    roster, never to the screen. Whatever happened, the answer is the same redirect to the
    same page (and the e-mail leaves from a task, so not even the timing differs)."""
    selling = request.tenant.is_selling
    form = FindMyCodeForm(request.POST or None)
    context = {"form": form, "selling": selling}
    if request.method == "POST" and selling and form.is_valid():
        counted = ratelimit.attempt(
            [
                (f"find:ip:{ratelimit.client_ip(request)}", ratelimit.FIND_PER_IP),
                ("find:studio", ratelimit.FIND_PER_STUDIO),
            ]
        )
        if isinstance(counted, ratelimit.Blocked):
            return ratelimit.blocked_response(request, "access/find_my_code.html", context, counted)
        data = form.cleaned_data
        access_code_find_and_send(
            class_code=data["class_code"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            language=getattr(request, "LANGUAGE_CODE", None),
        )
        return redirect("access:find_my_code_sent")
    return render(request, "access/find_my_code.html", context)


def find_my_code_sent(request):
    return render(request, "access/find_my_code_sent.html")
