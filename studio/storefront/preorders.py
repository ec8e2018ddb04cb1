"""Parents' side of pre-orders (``studio.preorders``): the class's pre-order code, the child
and a package into the cart (then the usual checkout and payment), and later, in the
gallery, spending the credit on the child's photos."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from saas_platform import ratelimit
from studio.access import codes
from studio.catalogue.selectors import studio_currency
from studio.preorders.selectors import (
    child_photos,
    credit_state,
    parent_credit,
    preorder_link_find,
    preorder_packages,
    roster_child,
    roster_names,
)
from studio.preorders.services import credit_pick

from .selectors import image_links, opened_child_code
from .services import cart_add_preorder, cart_for_request


def _limits(request, normalised: str):
    return ratelimit.attempt(
        [
            (f"preorder:ip:{ratelimit.client_ip(request)}", ratelimit.CODE_PER_IP),
            (f"preorder:{ratelimit.code_key(normalised)}", ratelimit.CODE_PER_CODE),
            ("preorder:studio", ratelimit.CODE_PER_STUDIO),
        ]
    )


def preorder_enter(request):
    """``/preorder/``: the class's pre-order code, typed; a known code leads to its page.
    Rate-limited like the gallery's codes; a wrong code is counted, a right one is not."""
    context = {"raw": "", "error": "", "selling": request.tenant.is_selling}
    if request.method == "POST" and context["selling"]:
        raw = request.POST.get("code", "")[:40]
        context["raw"] = raw
        normalised = codes.parse(raw) or raw.strip().upper()[:20]
        counted = _limits(request, normalised)
        if isinstance(counted, ratelimit.Blocked):
            return ratelimit.blocked_response(
                request, "storefront/preorder_enter.html", context, counted
            )
        link = preorder_link_find(raw=raw)
        if link is not None:
            counted.refund()
            return redirect("storefront:preorder_class", code=link.code)
        context["error"] = _(
            "This code does not take pre-orders. Check it against the note from school; "
            "pre-orders close when the photos are online."
        )
    return render(request, "storefront/preorder_enter.html", context)


def preorder_class(request, code):
    """``/preorder/<code>/``: the class's roster (first name and initial) and the packages on
    offer; choosing puts the package in the cart, for the usual checkout."""
    if not request.tenant.is_selling:
        raise Http404
    # The code in the address is counted like a typed one: a link is no way around the limits.
    counted = _limits(request, codes.parse(code) or code[:20].upper())
    if isinstance(counted, ratelimit.Blocked):
        context = {"raw": "", "error": "", "selling": True}
        return ratelimit.blocked_response(
            request, "storefront/preorder_enter.html", context, counted
        )
    link = preorder_link_find(raw=code)
    if link is None:
        raise Http404
    counted.refund()
    packages = list(preorder_packages(shoot=link.shoot))
    error = ""
    if request.method == "POST":
        child = roster_child(
            school_class=link.school_class,
            child_id=_int(request.POST.get("child")),
            typed_name=request.POST.get("name", "")[:200],
        )
        package = next((p for p in packages if p.pk == _int(request.POST.get("package"))), None)
        if child is None:
            error = _("Choose your child from the list, or type their first and last name.")
        elif package is None:
            error = _("Choose a package.")
        else:
            try:
                cart_add_preorder(
                    cart=cart_for_request(request, create=True),
                    shoot=link.shoot,
                    child=child,
                    package=package,
                )
            except ValidationError as problem:
                error = " ".join(problem.messages)
            else:
                messages.success(
                    request, _("Pre-ordered: %(package)s.") % {"package": package.name}
                )
                return redirect("storefront:cart")
    return render(
        request,
        "storefront/preorder_class.html",
        {
            "link": link,
            "roster": roster_names(school_class=link.school_class),
            "packages": packages,
            "currency": studio_currency(),
            "error": error,
        },
        status=400 if error else 200,
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _credit_for(request, credit_id):
    """The signed-in parent's credit for a child whose gallery is open in this browser: a
    pre-order alone never shows a child's photos."""
    credit = parent_credit(parent=request.user, credit_id=credit_id)
    if credit is None or credit.child_id is None:
        raise Http404
    if (
        opened_child_code(
            session=request.session, shoot_id=credit.shoot_id, child_id=credit.child_id
        )
        is None
    ):
        raise Http404
    return credit


def credit_page(request, credit_id):
    """``/gallery/credits/<id>/``: the child's photos to spend a pre-paid package on."""
    credit = _credit_for(request, credit_id)
    if request.method == "POST":
        try:
            placed = credit_pick(
                credit=credit, parent=request.user, photo_ids=_ids(request.POST.getlist("photo"))
            )
        except ValidationError as problem:
            messages.error(request, " ".join(problem.messages))
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d photo added to your pre-paid package.",
                    "%(count)d photos added to your pre-paid package.",
                    placed,
                )
                % {"count": placed},
            )
        return redirect("storefront:credit", credit_id=credit.pk)
    state = credit_state(credit)
    photo_ids = list(child_photos(credit=credit).values_list("pk", flat=True))
    picked = [s.line for s in credit.slots.select_related("line") if s.picked_at]
    return render(
        request,
        "storefront/credit.html",
        {
            "state": state,
            "credit": credit,
            "photo_ids": photo_ids,
            "thumbs": image_links(photo_ids=photo_ids, rendition="thumb"),
            "picked_photo_ids": {line.photo_id for line in picked},
        },
    )


def _ids(values) -> list[int]:
    return [n for n in (_int(v) for v in values) if n is not None]
