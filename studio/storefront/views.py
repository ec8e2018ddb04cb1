"""The parents' shop: gallery, cart, checkout and their account. Views only translate HTTP:
what may be seen comes from ``selectors``, every change goes through ``services``."""

import logging

import stripe
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saas_platform.versions import version_get
from studio.catalogue.models import Package, Product
from studio.downloads.services import order_downloads
from studio.orders.models import Order
from studio.parents.selectors import family_children
from studio.payments.providers import enabled_providers, provider_for
from studio.privacy.models import ConsentDecision, ConsentSource
from studio.privacy.selectors import parent_decidable_student_ids
from studio.privacy.services import consent_record, consent_text_current, parent_may_decide
from studio.schools.services import student_update

from .account import parent_account_delete
from .cart import cart_price
from .forms import CheckoutForm
from .selectors import (
    gallery_forget,
    gallery_photo,
    gallery_sections,
    image_links,
    image_links_for_session,
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
    cart_item_set_quantity,
    cart_set_coupon,
    cart_toggle_favourite,
    checkout_place,
)

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


def gallery(request):
    """The photos the access codes opened in this browser: watermarked previews only."""
    withdrawn = version_get("withdrawn")  # read before the check: a withdrawal in between wins
    sections = gallery_sections(session=request.session)
    if not sections:
        return redirect("/")
    cart = cart_for_request(request)
    favourites = set(cart.favourite_photo_ids) if cart else set()
    only_favourites = request.GET.get("favourites") == "1"
    offers = {}
    for section in sections:
        if section.shoot.pk not in offers:
            offers[section.shoot.pk] = shop_offer(shoot=section.shoot)
        section.offer = offers[section.shoot.pk]
        if only_favourites:
            section.photo_ids = [pk for pk in section.photo_ids if pk in favourites]
    thumbs = image_links(  # one query and one signing pass for every section of the page
        photo_ids={pk for section in sections for pk in section.photo_ids},
        rendition="thumb",
        version=withdrawn,
    )
    for section in sections:
        section.thumbs = thumbs
    return render(
        request,
        "storefront/gallery.html",
        _shop_context(
            request,
            cart,
            sections=sections,
            favourites=favourites,
            only_favourites=only_favourites,
        ),
    )


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
            offer=shop_offer(shoot=section.shoot),
            position=index + 1,
            count=len(ids),
            previous_id=ids[index - 1] if index > 0 else None,
            next_id=next_id,
            favourite=bool(cart and photo.pk in cart.favourite_photo_ids),
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
    student_update(student=code.student, do_not_publish=True)
    gallery_forget(
        shoot_id=code.shoot_id,
        student_id=code.student_id,
        school_class_id=code.student.school_class_id,
    )
    messages.success(
        request,
        _("%(name)s’s photos are no longer shown in any gallery. Contact the studio to undo this.")
        % {"name": code.student.full_name},
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
    priced = cart_price(cart=cart, now=timezone.now()) if cart else None
    if cart is None or (priced.is_empty and request.method != "POST"):
        # (a repeated "Place order" finds its order below, though the cart is empty now)
        return redirect("storefront:cart")
    providers = enabled_providers(request.tenant)
    form = CheckoutForm(
        request.POST or None,
        providers=providers,
        needs_delivery=priced.needs_delivery,
        initial={"email": request.user.email, "key": cart.checkout_key},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = checkout_place(
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
            else:
                messages.error(request, " ".join(error.messages))
                return redirect("storefront:cart")
        else:
            try:
                start = provider_for(order.payment_method).payment_start(
                    order=order, request=request
                )
            except (ValidationError, stripe.StripeError):
                # The order stands; the parent pays from its page once the provider answers.
                logger.exception("payment start failed for order %s", order.number)
                messages.error(request, _("The payment page could not be opened; try again."))
                start = None
            return redirect(start or order.get_absolute_url())
    return render(
        request,
        "storefront/checkout.html",
        _shop_context(request, cart, priced=priced, form=form),
    )


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
