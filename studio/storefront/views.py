"""The parents' shop: gallery, cart, checkout and their account. Views only translate HTTP:
what may be seen comes from ``selectors``, every change goes through ``services``."""

import hashlib
import logging
from pathlib import Path

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saas_platform.images import image_link_expiry
from saas_platform.versions import version_get
from studio.catalogue.models import Package, Product
from studio.catalogue.selectors import studio_currency
from studio.downloads.services import order_downloads
from studio.orders.models import Order
from studio.parents.selectors import family_children
from studio.payments.providers import enabled_providers, provider_for
from studio.preorders.selectors import order_credits, parent_credits
from studio.privacy.models import ConsentDecision, ConsentSource
from studio.privacy.selectors import parent_decidable_student_ids
from studio.privacy.services import consent_record, consent_text_current, parent_may_decide
from studio.schools.models import Student
from studio.schools.services import student_update

from .account import parent_account_delete
from .cart import cart_price
from .forms import CheckoutForm
from .selectors import (
    GALLERY_CACHE_SECONDS,
    cached_at,
    gallery_photo,
    gallery_sections,
    image_links,
    image_links_for_session,
    late_order_notices,
    opened_child_code,
    photo_offer_target,
    shop_offer,
)
from .services import (
    CheckoutDetails,
    Offer,
    cart_add_package,
    cart_add_product,
    cart_for_request,
    cart_glance,
    cart_item_set_quantity,
    cart_set_coupon,
    cart_toggle_favourite,
    checkout_place,
)
from .templatetags import gallery_grid
from .templatetags.gallery_grid import favourite_marks
from .yearbook_pose import photo_pose_state

logger = logging.getLogger(__name__)


def _is_parent(user) -> bool:
    return user.is_authenticated and user.role == "parent"


def _shop_context(request, cart=None, **extra) -> dict:
    cart = cart if cart is not None else cart_for_request(request)
    count = sum(item.quantity for item in cart.items.all()) if cart else 0
    return {"cart": cart, "cart_count": count, **extra}


def _back(request, default: str = "/gallery/"):
    target = request.POST.get("back", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else default)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- gallery


def _render_id() -> str:
    """What the cached HTML was rendered by: the templates, the tiles' code and the
    translations. A release that changes any of them renders afresh instead of serving HTML
    cached by the one before."""
    base = Path(settings.BASE_DIR)
    files = [
        *(base / "templates" / "storefront").glob("*.html"),
        base / "templates" / "base.html",
        Path(gallery_grid.__file__),
        *(base / "locale").glob("*/LC_MESSAGES/django.mo"),
    ]
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(files):
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


_RENDER_ID = _render_id()

# Stand-ins in a cached section for what differs per page: replaced on every request.
_CSRF_MARK, _POSITION_MARK = "csrf0mark0in0a0cached0section", "0position0mark0"


def _section_render(section, *, favourites, gallery_url: str, counter, csrf_token) -> str:
    return render_to_string(
        "storefront/_gallery_section.html",
        {
            "section": section,
            "favourites": favourites,
            "only_favourites": bool(favourites),
            "gallery_url": gallery_url,
            "counter": counter,
            "csrf_token": csrf_token,
        },
    )


def _sections_html(sections, *, token: str, only_favourites: bool, favourites: set, also=()):
    """Each section's HTML, and what the cache holds under the keys ``also`` (same round
    trip). What every parent of the section sees is rendered once per language and version
    (``GallerySection.stamp``: the studio's galleries' and the picture day's, moved on by
    the services that change them) and cached with it; this parent's CSRF token, the
    section's position and ♥ marks are put in afterwards. The favourites filter is one
    parent's, so it is rendered each time."""
    gallery_url = reverse("storefront:gallery")
    if only_favourites:
        for section in sections:
            section.photo_ids = [pk for pk in section.photo_ids if pk in favourites]
            section.offer = shop_offer(shoot_id=section.shoot_id)
        html = [
            _section_render(
                s, favourites=favourites, gallery_url=gallery_url, counter=n, csrf_token=token
            )
            for n, s in enumerate(sections, start=1)
        ]
        return html, cache.get_many(list(also)) if also else {}
    language = get_language()
    keys = [f"gallery-html:{_RENDER_ID}:{language}:{s.cache_key}" for s in sections]
    cached = cache.get_many([*keys, *also])
    html = []
    for number, (section, key) in enumerate(zip(sections, keys, strict=True), start=1):
        shared = cached_at(cached, key, section.stamp)
        if shared is None:
            section.offer = shop_offer(shoot_id=section.shoot_id)
            shared = _section_render(
                section,
                favourites=(),
                gallery_url=gallery_url,
                counter=_POSITION_MARK,
                csrf_token=_CSRF_MARK,
            )
            cache.set(key, (section.stamp, shared), GALLERY_CACHE_SECONDS)
        own = shared.replace(_CSRF_MARK, token).replace(_POSITION_MARK, str(number))
        own = favourite_marks(own, favourites.intersection(section.photo_ids))
        html.append(mark_safe(own))  # noqa: S308 - our template, ints and our marks put in
    return html, cached


# The page around the sections, for the marks below: shared by every visitor of the studio
# who sees the same look, language and menu (signed in as a parent or not).
_CART_MARK, _FAVOURITES_MARK, _SECTIONS_MARK = "0cart0mark0", "0favourites0mark0", "0sections0"
_CART_BADGE = f' <span class="badge">{_CART_MARK}</span>'  # as storefront/_nav.html shows it


def _shell_key(request) -> str:
    studio, user = request.tenant, request.user
    look = "\n".join(
        str(value)
        for value in (
            studio.pk,
            studio.name,
            studio.brand_color,
            studio.logo.name if studio.logo else "",
            studio.contact_email,
            studio.contact_phone,
            studio.support_text,
            user.is_authenticated and user.role,
        )
    )
    digest = hashlib.blake2b(look.encode(), digest_size=16).hexdigest()
    return f"gallery-page:{_RENDER_ID}:{get_language()}:{digest}"


def gallery(request):
    """The photos the access codes opened in this browser: watermarked previews only. The
    page around the sections (the studio's header and footer, the menu) is rendered once
    per look, language and menu and cached; a page with messages to show, or the
    favourites filter, is rendered whole."""
    withdrawn = version_get("withdrawn")  # read before the check: a withdrawal in between wins
    sections = gallery_sections(session=request.session)
    if not sections:
        return redirect("/")
    favourites, cart_count = cart_glance(request)
    only_favourites = request.GET.get("favourites") == "1"
    expires = image_link_expiry()
    for section in sections:  # the rendered grid holds signed links: re-rendered per window
        section.stamp = f"{section.stamp}.{withdrawn}.{expires}"
        section.withdrawn = withdrawn
    token = get_token(request)  # masked once: the sections and the page's footer share it
    credits = _gallery_credits(request, sections)
    late = late_order_notices(session=request.session, now=timezone.now())
    whole = (
        only_favourites
        or bool(request.GET)
        or bool(credits)
        or bool(late)
        or len(messages.get_messages(request)) > 0
    )
    shell_key = None if whole else _shell_key(request)
    section_html, cached = _sections_html(
        sections,
        token=token,
        only_favourites=only_favourites,
        favourites=favourites,
        also=[shell_key] if shell_key else (),
    )
    context = {
        "cart_count": cart_count,
        "favourites_count": f" ({len(favourites)})" if favourites else "",
        "only_favourites": only_favourites,
        "section_html": section_html,
        "csrf_token": token,
        "credits": credits,
        "late_days": late,
        "currency": studio_currency() if late else "",
    }
    if whole:
        return render(request, "storefront/gallery.html", context)
    shell = cached.get(shell_key)
    if shell is None:
        marks = {
            "cart_count": _CART_MARK,
            "favourites_count": _FAVOURITES_MARK,
            "section_html": [_SECTIONS_MARK],
            "csrf_token": _CSRF_MARK,
        }
        shell = render_to_string("storefront/gallery.html", {**context, **marks}, request)
        cache.set(shell_key, shell, GALLERY_CACHE_SECONDS)
    badge = _CART_BADGE.replace(_CART_MARK, str(cart_count)) if cart_count else ""
    page = (
        shell.replace(_CSRF_MARK, token)
        .replace(_CART_BADGE, badge)
        .replace(_FAVOURITES_MARK, context["favourites_count"])
        .replace(_SECTIONS_MARK, "".join(section_html))
    )
    return HttpResponse(page)


def _gallery_credits(request, sections) -> list:
    """The signed-in parent's pre-paid packages for the children shown (one query, and none
    for a visitor who is not signed in as a parent)."""
    if not _is_parent(request.user):
        return []
    shown = {(s.shoot_id, s.child_id) for s in sections if s.child_id}
    return [
        state
        for state in parent_credits(parent=request.user, child_ids={c for _s, c in shown})
        if (state.credit.shoot_id, state.credit.child_id) in shown
    ]


def photo_view(request, photo_id):
    """The full view of one photo, with its neighbours (swipe or arrows) and what it sells."""
    child_id = _int(request.GET.get("child"))
    withdrawn = version_get("withdrawn")  # read before the check: a withdrawal in between wins
    target = photo_offer_target(session=request.session, photo_id=photo_id, child_id=child_id)
    if target is None:
        raise Http404
    photo, child_id = target
    section = next(
        (
            s
            for s in gallery_sections(session=request.session)
            if s.child_id == child_id and photo.pk in s.photo_ids
        ),
        None,
    )
    if section is None:
        raise Http404
    ids = section.photo_ids
    index = ids.index(photo.pk)
    next_id = ids[index + 1] if index + 1 < len(ids) else None
    cart = cart_for_request(request)
    return render(
        request,
        "storefront/photo.html",
        _shop_context(
            request,
            cart,
            photo=photo,
            section=section,
            child_id=child_id,
            offer=shop_offer(shoot_id=section.shoot_id),
            position=index + 1,
            count=len(ids),
            previous_id=ids[index - 1] if index > 0 else None,
            next_id=next_id,
            favourite=bool(cart and photo.pk in cart.favourite_photo_ids),
            yearbook=photo_pose_state(photo=photo, section=section, child_id=child_id),
            previews=image_links(
                photo_ids=[photo.pk, next_id] if next_id else [photo.pk],
                rendition="preview",
                version=withdrawn,
            ),
        ),
    )


@require_POST
def favourite_toggle(request, photo_id):
    if gallery_photo(session=request.session, photo_id=photo_id) is None:
        raise Http404
    cart = cart_for_request(request, create=True)
    cart_toggle_favourite(cart=cart, photo_id=photo_id)
    return _back(request)


@require_POST
def child_hide(request):
    """A parent asks that their child's photos appear in no gallery (class galleries too).
    Only the parent holding the child's code may ask; staff can undo it on the roster."""
    code = _child_code(request, _int(request.POST.get("child")))
    student = student_update(
        student=get_object_or_404(Student, pk=code.student_id), do_not_publish=True
    )
    messages.success(
        request,
        _("%(name)s’s photos are no longer shown in any gallery. Contact the studio to undo this.")
        % {"name": student.full_name},
    )
    return redirect("storefront:gallery")


# --------------------------------------------------------------------------- cart


def _product_and_options(value: str):
    product_id, _sep, option_id = (value or "").partition(":")
    product = Product.objects.filter(pk=_int(product_id), active=True).first()
    options = [_int(option_id)] if _int(option_id) else []
    return product, options


@require_POST
def cart_add(request):
    """Adds a product of one or several photos (``photo`` repeated: "select all")."""
    child_id = _int(request.POST.get("child"))
    product, option_ids = _product_and_options(request.POST.get("product"))
    photo_ids = [_int(v) for v in request.POST.getlist("photo") if _int(v)]
    if product is None:
        messages.error(request, _("Choose what to order."))
        return _back(request)
    if product.requires_photo and not photo_ids:
        messages.error(request, _("Select at least one photo."))
        return _back(request)
    cart = cart_for_request(request, create=True)
    added = 0
    try:
        if product.requires_photo:
            for photo_id in photo_ids:
                target = photo_offer_target(
                    session=request.session, photo_id=photo_id, child_id=child_id
                )
                if target is None:
                    raise Http404
                photo, child = target
                cart_add_product(
                    cart=cart,
                    offer=Offer(shoot_id=photo.shoot_id, child_id=child, photo_id=photo.pk),
                    product=product,
                    quantity=request.POST.get("quantity", 1),
                    option_ids=option_ids,
                )
                added += 1
        else:
            code = _child_code(request, child_id)
            cart_add_product(
                cart=cart,
                offer=Offer(shoot_id=code.shoot_id, child_id=child_id),
                product=product,
                quantity=request.POST.get("quantity", 1),
                option_ids=option_ids,
            )
            added = 1
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request)
    # the number of items, as the cart counts them (two prints of one photo: × 2)
    per_target = max(_int(request.POST.get("quantity", 1)) or 1, 1)
    messages.success(
        request,
        _("Added to your cart: %(product)s × %(count)d.")
        % {"product": product.name, "count": added * per_target},
    )
    return _back(request)


def _child_code(request, child_id):
    shoot_id = _int(request.POST.get("shoot"))
    code = (
        opened_child_code(session=request.session, shoot_id=shoot_id, child_id=child_id)
        if child_id and shoot_id
        else None
    )
    if code is None:
        raise Http404
    return code


@require_POST
def cart_add_package_view(request):
    child_id = _int(request.POST.get("child"))
    code = _child_code(request, child_id)
    package = get_object_or_404(Package, pk=_int(request.POST.get("package")), active=True)
    photo_id = _int(request.POST.get("photo"))
    if photo_id:
        target = photo_offer_target(session=request.session, photo_id=photo_id, child_id=child_id)
        if target is None:
            raise Http404
    cart = cart_for_request(request, create=True)
    try:
        cart_add_package(
            cart=cart,
            offer=Offer(shoot_id=code.shoot_id, child_id=child_id, photo_id=photo_id),
            package=package,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(request)
    messages.success(request, _("Added to your cart: %(package)s.") % {"package": package.name})
    return _back(request)


def cart_view(request):
    cart = cart_for_request(request)
    priced = cart_price(cart=cart, now=timezone.now()) if cart else None
    thumbs = image_links_for_session(
        session=request.session,
        photo_ids={row.item.photo_id for row in priced.rows if row.item.photo_id} if priced else (),
        rendition="thumb",
    )
    return render(
        request, "storefront/cart.html", _shop_context(request, cart, priced=priced, thumbs=thumbs)
    )


@require_POST
def cart_update(request):
    cart = cart_for_request(request)
    if cart is None:
        return redirect("storefront:cart")
    if "coupon" in request.POST:
        cart_set_coupon(cart=cart, code=request.POST.get("coupon", ""))
        return redirect("storefront:cart")
    try:
        cart_item_set_quantity(
            cart=cart,
            item_id=_int(request.POST.get("item")),
            quantity=request.POST.get("quantity", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("storefront:cart")


# --------------------------------------------------------------------------- checkout


def checkout(request):
    """Delivery and payment, then one order. Signing in first keeps the order in the
    account; the cart comes along."""
    if not _is_parent(request.user):
        return redirect("/account/sign-in/?next=/checkout/")
    cart = cart_for_request(request)
    if cart is None:
        return redirect("storefront:cart")
    providers = enabled_providers(request.tenant)
    form = None
    if request.method == "POST":
        # Not priced here: ``checkout_place`` prices the cart and checks the delivery itself,
        # and doing it twice doubled every checkout's work on deadline night. (A repeated
        # "Place order" finds its order there, though the cart is empty now.)
        form = CheckoutForm(request.POST, providers=providers, needs_delivery=None)
        if form.is_valid():
            placed = _checkout_place(request, cart, form)
            if isinstance(placed, Order):
                return _payment_start(request, placed)
            if placed is not None:
                return placed
    priced = cart_price(cart=cart, now=timezone.now())
    if priced.is_empty:
        return redirect("storefront:cart")
    if form is None:
        form = CheckoutForm(
            providers=providers,
            needs_delivery=priced.needs_delivery,
            initial={"email": request.user.email, "key": cart.checkout_key},
        )
    elif not priced.needs_delivery:
        form.delivery_drop()
    return render(
        request,
        "storefront/checkout.html",
        _shop_context(request, cart, priced=priced, form=form),
    )


def _checkout_place(request, cart, form):
    """The order; or None, the service's objections put on the form; or, when they are about
    the cart, a message and the way back to the cart."""
    data = form.cleaned_data
    try:
        return checkout_place(
            cart=cart,
            parent=request.user,
            key=data["key"],
            language=request.LANGUAGE_CODE,
            details=CheckoutDetails(
                email=request.user.email,
                name=data["name"],
                phone=data["phone"],
                payment_method=data["payment_method"],
                delivery_method=data.get("delivery_method") or "none",
                address=data.get("address", ""),
                city=data.get("city", ""),
                postcode=data.get("postcode", ""),
                country=data.get("country", ""),
            ),
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field_name, errors in error.message_dict.items():
                form.add_error(field_name if field_name in form.fields else None, errors)
            return None
        messages.error(request, " ".join(error.messages))
        return redirect("storefront:cart")


def _payment_start(request, order):
    try:
        start = provider_for(order.payment_method).payment_start(order=order, request=request)
    except (ValidationError, stripe.StripeError):
        # The order stands; the parent pays from its page once the provider answers.
        logger.exception("payment start failed for order %s", order.number)
        messages.error(request, _("The payment page could not be opened; try again."))
        start = None
    return redirect(start or order.get_absolute_url())


# --------------------------------------------------------------------------- account


def _parent_required(request):
    if not _is_parent(request.user):
        return redirect(f"/account/sign-in/?next={request.path}")
    return None


def account(request):
    if (response := _parent_required(request)) is not None:
        return response
    orders = Order.objects.filter(parent=request.user).order_by("-created_at")
    return render(
        request,
        "storefront/account.html",
        _shop_context(
            request,
            children=family_children(parent=request.user),
            orders=orders,
            credits=parent_credits(parent=request.user),
            consent_text=consent_text_current(),
            decidable=parent_decidable_student_ids(parent=request.user),
        ),
    )


@require_POST
def consent_decide(request):
    """A parent gives or withdraws consent to publish for a child whose code their account
    holds; any other child is a 404. A withdrawal hides the child from the next request."""
    if (response := _parent_required(request)) is not None:
        return response
    student = parent_may_decide(parent=request.user, student_id=_int(request.POST.get("child")))
    decision = request.POST.get("decision")
    if student is None or decision not in ConsentDecision.values:
        raise Http404
    try:
        consent_record(
            student=student, decision=decision, source=ConsentSource.PARENT, actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            (
                _("Thank you: %(name)s’s photos may be shown to the family.")
                if decision == ConsentDecision.GIVEN
                else _("Consent withdrawn: %(name)s’s photos are no longer shown in any gallery.")
            )
            % {"name": student.full_name},
        )
    return redirect("storefront:account")


def account_delete(request):
    """The confirm step, then the deletion; the parent is signed out and lands on the home
    page."""
    if (response := _parent_required(request)) is not None:
        return response
    error = None
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error = _("Tick the box to confirm.")
        else:
            try:
                parent_account_delete(parent=request.user)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                logout(request)
                messages.success(request, _("Your account has been deleted."))
                return redirect("/")
    orders = Order.objects.filter(parent=request.user).count()
    return render(
        request,
        "storefront/account_delete.html",
        _shop_context(request, error=error, orders=orders),
    )


def order_detail(request, number):
    """The parent's own order: what, how much, what is still due and how to pay it,
    downloads, print status. Another parent's order number is a 404."""
    if (response := _parent_required(request)) is not None:
        return response
    order = get_object_or_404(Order, number=number, parent=request.user)
    provider = provider_for(order.payment_method)
    can_pay_online = (
        provider.is_online
        and bool(order.balance_due)
        and order.is_payable
        and provider.is_enabled(request.tenant)
    )
    lines = list(order.lines.select_related("child"))
    return render(
        request,
        "storefront/order.html",
        _shop_context(
            request,
            order=order,
            lines=lines,
            thumbs=image_links_for_session(  # only photos the codes opened here still show
                session=request.session,
                photo_ids={line.photo_id for line in lines if line.photo_id},
                rendition="thumb",
            ),
            payments=list(order.payments.confirmed()),
            provider=provider,
            can_pay_online=can_pay_online,
            downloads=order_downloads(order=order),
            credits=order_credits(order=order),
            # a print is "accepted" from the start, but that means nothing to a family
            # before they have paid
            show_fulfilment=order.is_fulfillable,
            instructions=provider.instructions(order=order, studio=request.tenant)
            if order.balance_due
            else "",
        ),
    )


@require_POST
def order_pay(request, number):
    """Pay an online order (again): a parent back from an abandoned card page, or a double
    click, lands on the same open payment session."""
    if (response := _parent_required(request)) is not None:
        return response
    order = get_object_or_404(Order, number=number, parent=request.user)
    provider = provider_for(order.payment_method)
    if not provider.is_online or not order.balance_due:
        return redirect("storefront:order", order.number)
    try:
        return redirect(provider.payment_start(order=order, request=request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except stripe.StripeError:
        logger.exception("payment start failed for order %s", order.number)
        messages.error(request, _("The payment page could not be opened; try again."))
    return redirect("storefront:order", order.number)
