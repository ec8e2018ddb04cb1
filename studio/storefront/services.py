"""The parent's cart and checkout.

The cart lives in the database (``Cart``), found from the browser's session and, once the
parent signs in, from their account, so it survives a reload, a closed tab and a sign-in.
Checkout re-prices everything, and is idempotent on the cart's ``checkout_key``: the form
carries the key, a second submit (double click, retry, two tabs) finds the order the first
one made.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from saas_platform.accounts.services import user_language_remember
from studio.catalogue.kinds import PackageKind
from studio.catalogue.models import Package, Product
from studio.catalogue.selectors import coupon_by_code
from studio.catalogue.services.coupons import coupon_redeem, normalise_coupon_code
from studio.orders.models import Order
from studio.orders.services import LineInput, order_create
from studio.payments.providers import enabled_providers
from studio.photos.models import Photo, PhotoStatus
from studio.preorders.selectors import preorder_is_open, preorder_packages
from studio.preorders.services import preorder_record
from tenants.selectors import current_studio

from .cart import cart_items, cart_price
from .models import Cart, CartItem
from .tasks import order_confirmation_email

CART_SESSION_KEY = "cart_id"
MAX_QUANTITY = 99


# --------------------------------------------------------------------------- finding the cart


def cart_for_request(request, *, create: bool = False) -> Cart | None:
    """The signed-in parent's cart, else the browser's; made on first use when ``create``."""
    user = request.user
    is_parent = user.is_authenticated and user.role == "parent"
    cart = None
    if is_parent:
        cart = Cart.objects.filter(parent=user).first()
    else:
        cart_id = request.session.get(CART_SESSION_KEY)
        if cart_id:
            cart = Cart.objects.filter(pk=cart_id, parent__isnull=True).first()
    if cart is None and create:
        cart = Cart.objects.create(parent=user if is_parent else None)
        if not is_parent:
            request.session[CART_SESSION_KEY] = str(cart.pk)
    return cart


def cart_glance(request) -> tuple[set[int], int]:
    """The ♥ photos and the number of items in this visitor's cart, in one query (none for a
    visitor without a cart): all a gallery page needs of the cart."""
    user = request.user
    if user.is_authenticated and user.role == "parent":
        carts = Cart.objects.filter(parent=user)
    elif cart_id := request.session.get(CART_SESSION_KEY):
        carts = Cart.objects.filter(pk=cart_id, parent__isnull=True)
    else:
        return set(), 0
    row = (
        carts.annotate(count=Sum("items__quantity"))
        .values_list("favourite_photo_ids", "count")
        .first()
    )
    return (set(row[0]), row[1] or 0) if row else (set(), 0)


@transaction.atomic
def cart_merge_into_account(*, session, parent) -> Cart | None:
    """At sign-in: the browser's cart joins the account's (same items add up)."""
    cart_id = session.pop(CART_SESSION_KEY, None)
    browser_cart = (
        Cart.objects.select_for_update().filter(pk=cart_id, parent__isnull=True).first()
        if cart_id
        else None
    )
    account_cart = Cart.objects.select_for_update().filter(parent=parent).first()
    if browser_cart is None:
        return account_cart
    if account_cart is None:
        browser_cart.parent = parent
        browser_cart.save(update_fields=["parent", "updated_at"])
        return browser_cart
    for item in browser_cart.items.all():
        _add(account_cart, item)
    account_cart.favourite_photo_ids = list(
        dict.fromkeys([*account_cart.favourite_photo_ids, *browser_cart.favourite_photo_ids])
    )
    account_cart.coupon_code = account_cart.coupon_code or browser_cart.coupon_code
    account_cart.save(update_fields=["favourite_photo_ids", "coupon_code", "updated_at"])
    browser_cart.delete()
    return account_cart


# --------------------------------------------------------------------------- editing the cart


def _same_item(cart: Cart, item: CartItem):
    return cart.items.filter(
        shoot_id=item.shoot_id,
        child_id=item.child_id,
        photo_id=item.photo_id,
        product_id=item.product_id,
        package_id=item.package_id,
        option_ids=sorted(item.option_ids),
    ).first()


def _add(cart: Cart, item: CartItem) -> CartItem:
    existing = _same_item(cart, item)
    if existing is not None:
        if existing.package_id:  # a package once per child is enough
            return existing
        existing.quantity = min(existing.quantity + item.quantity, MAX_QUANTITY)
        existing.save(update_fields=["quantity"])
        return existing
    return CartItem.objects.create(
        cart=cart,
        shoot_id=item.shoot_id,
        child_id=item.child_id,
        photo_id=item.photo_id,
        product_id=item.product_id,
        package_id=item.package_id,
        option_ids=sorted(item.option_ids),
        quantity=item.quantity,
    )


@dataclass(frozen=True)
class Offer:
    """What the parent is allowed to buy a product or package for: the shoot, the child and
    (for a product of one photo) the photo; resolved from their access codes by selectors."""

    shoot_id: int
    child_id: int | None
    photo_id: int | None = None


def cart_add_product(
    *, cart: Cart, offer: Offer, product: Product, quantity: int = 1, option_ids=()
) -> CartItem:
    if product.requires_photo and offer.photo_id is None:
        raise ValidationError(_("Choose a photo for this product."), code="photo")
    quantity = _quantity(quantity)
    valid_options = set(
        product.options.filter(pk__in=list(option_ids), active=True).values_list("pk", flat=True)
    )
    item = CartItem(
        shoot_id=offer.shoot_id,
        child_id=offer.child_id,
        photo_id=offer.photo_id if product.requires_photo else None,
        product=product,
        option_ids=sorted(valid_options),
        quantity=quantity,
    )
    with transaction.atomic():
        Cart.objects.select_for_update().filter(pk=cart.pk).first()
        return _add(cart, item)


def cart_add_package(*, cart: Cart, offer: Offer, package: Package) -> CartItem:
    """A package for a child; a bundle of chosen-photo items is of the photo given."""
    needs_photo = package.kind == PackageKind.BUNDLE and any(
        not i.class_photo and i.product.requires_photo for i in package.items.all()
    )
    if needs_photo and offer.photo_id is None:
        raise ValidationError(_("Open a photo to add this package with it."), code="photo")
    item = CartItem(
        shoot_id=offer.shoot_id,
        child_id=offer.child_id,
        photo_id=offer.photo_id if needs_photo else None,
        package=package,
        quantity=1,
    )
    with transaction.atomic():
        Cart.objects.select_for_update().filter(pk=cart.pk).first()
        return _add(cart, item)


def cart_add_preorder(*, cart: Cart, shoot, child, package: Package) -> CartItem:
    """A package pre-ordered for a child before the photos are online: no photo yet; the
    order's payment makes it a credit spent in the gallery later."""
    if not preorder_is_open(shoot=shoot):
        raise ValidationError(_("Pre-orders for this picture day are closed."), code="closed")
    if not preorder_packages(shoot=shoot).filter(pk=package.pk).exists():
        raise ValidationError(_("This package cannot be pre-ordered."), code="package")
    item = CartItem(shoot_id=shoot.pk, child_id=child.pk, package=package, quantity=1)
    with transaction.atomic():
        Cart.objects.select_for_update().filter(pk=cart.pk).first()
        return _add(cart, item)


def _quantity(value) -> int:
    try:
        quantity = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter a quantity."), code="quantity") from None
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(
            _("The quantity must be between 1 and %(max)d.") % {"max": MAX_QUANTITY},
            code="quantity",
        )
    return quantity


def cart_item_set_quantity(*, cart: Cart, item_id: int, quantity) -> None:
    """0 removes the item."""
    if str(quantity).strip() == "0":
        cart.items.filter(pk=item_id).delete()
        return
    quantity = _quantity(quantity)
    cart.items.filter(pk=item_id, package__isnull=True).update(quantity=quantity)


def cart_item_remove(*, cart: Cart, item_id: int) -> None:
    cart.items.filter(pk=item_id).delete()


def cart_set_coupon(*, cart: Cart, code: str) -> None:
    cart.coupon_code = normalise_coupon_code(code)[:40]
    cart.save(update_fields=["coupon_code", "updated_at"])


def cart_toggle_favourite(*, cart: Cart, photo_id: int) -> bool:
    """Returns whether the photo is now a favourite."""
    with transaction.atomic():
        cart = Cart.objects.select_for_update().get(pk=cart.pk)
        ids = list(cart.favourite_photo_ids)
        now_favourite = photo_id not in ids
        ids = [*ids, photo_id] if now_favourite else [i for i in ids if i != photo_id]
        cart.favourite_photo_ids = ids
        cart.save(update_fields=["favourite_photo_ids", "updated_at"])
    return now_favourite


# --------------------------------------------------------------------------- checkout


@dataclass(frozen=True)
class CheckoutDetails:
    email: str
    name: str
    phone: str
    payment_method: str
    delivery_method: str  # "home", "school" or "none"
    address: str = ""
    city: str = ""
    postcode: str = ""
    country: str = ""

    def delivery(self) -> dict:
        data = {"method": self.delivery_method, "name": self.name, "phone": self.phone}
        if self.delivery_method == "home":
            data |= {
                "address": self.address,
                "city": self.city,
                "postcode": self.postcode,
                "country": self.country,
            }
        return data


def _order_lines(priced) -> list[LineInput]:
    """The priced rows as order lines; a bundle package is followed by its contents at no
    price, so prints in a package reach the lab like any other print; late fees come last."""
    lines = []
    for row in priced.rows:
        item, line = row.item, row.priced
        description = line.name
        if line.option_names:
            description += " (" + ", ".join(line.option_names) + ")"
        lines.append(
            LineInput(
                description=description[:200],
                kind=line.kind,
                quantity=line.quantity,
                unit_price=line.unit_price,
                gross=line.gross,
                net=line.net,
                adjustments=line.adjustment_pairs(),
                child_id=item.child_id,
                photo_id=item.photo_id,
                product_id=item.product_id,
                package_id=item.package_id,
                shoot_id=item.shoot_id,
                print_size=item.product.print_size if item.product_id else "",
                options=tuple(line.option_names),
            )
        )
        if item.package_id and item.package.kind == PackageKind.BUNDLE:
            lines.extend(_bundle_contents(item))
    for fee in priced.fees:  # a late picture day's fee: one line, no child, no product
        lines.append(
            LineInput(
                description=fee.priced.name[:200],
                kind=fee.priced.kind,
                quantity=1,
                unit_price=fee.priced.unit_price,
                gross=fee.priced.gross,
                net=fee.priced.net,
                shoot_id=fee.shoot.pk,
            )
        )
    return lines


def _bundle_contents(item: CartItem) -> list[LineInput]:
    class_photo = None
    contents = []
    for part in item.package.items.all():
        photo_id = item.photo_id
        if part.class_photo:
            if class_photo is None and item.child_id:
                class_photo = (
                    Photo.objects.filter(
                        shoot_id=item.shoot_id,
                        school_class_id=item.child.school_class_id,
                        is_group=True,
                        status=PhotoStatus.READY,
                    )
                    .order_by("original_name", "pk")
                    .values_list("pk", flat=True)
                    .first()
                )
            photo_id = class_photo
        # A pre-ordered bundle (no photo yet) gets a line per print of a chosen photo: the
        # parent picks each one later (``studio.preorders``).
        waits = item.photo_id is None and part.product.requires_photo and not part.class_photo
        for quantity in [1] * part.quantity if waits else [part.quantity]:
            contents.append(_bundle_part(item, part, photo_id, quantity))
    return contents


def _bundle_part(item: CartItem, part, photo_id, quantity: int) -> LineInput:
    return LineInput(
        description=(
            _("%(product)s, in “%(package)s”")
            % {"product": part.product.name, "package": item.package.name}
        )[:200],
        kind=part.product.kind,
        quantity=quantity,
        unit_price=0,
        gross=0,
        net=0,
        child_id=item.child_id,
        photo_id=photo_id if part.product.requires_photo else None,
        product_id=part.product_id,
        shoot_id=item.shoot_id,
        print_size=part.product.print_size,
    )


def _validate_details(details: CheckoutDetails, *, needs_delivery: bool) -> None:
    errors = {}
    if not details.name.strip():
        errors["name"] = _("Enter your name.")
    if needs_delivery:
        if details.delivery_method not in ("home", "school"):
            errors["delivery_method"] = _("Choose how the prints reach you.")
        elif details.delivery_method == "home":
            for field_name, message in (
                ("address", _("Enter the street and house number.")),
                ("city", _("Enter the town or city.")),
                ("postcode", _("Enter the postcode.")),
            ):
                if not getattr(details, field_name).strip():
                    errors[field_name] = message
    enabled = {p.identifier for p in enabled_providers(current_studio())}
    if details.payment_method not in enabled:
        errors["payment_method"] = _("Choose a way to pay.")
    if errors:
        raise ValidationError(errors)


def checkout_place(
    *,
    cart: Cart,
    parent,
    details: CheckoutDetails,
    key: str,
    language: str | None = None,
    now=None,
) -> Order:
    """Turns the cart into an order (not while the studio's licence is lapsed), once per
    ``key`` (the cart's ``checkout_key`` that the checkout form carried). Prices are computed again here, from the catalogue as it is now;
    the cart is emptied and given a new key in the same transaction. ``language`` (the
    page's) becomes the parent's e-mail language, the confirmation's included."""
    now = now or timezone.now()
    idempotency_key = f"cart:{key}"
    with transaction.atomic():
        cart = Cart.objects.select_for_update().get(pk=cart.pk)
        existing = Order.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        if not current_studio().is_selling:
            raise ValidationError(
                _("This shop is not taking orders at the moment. Please try again later.")
            )
        if str(cart.checkout_key) != str(key):
            raise ValidationError(
                _(
                    "Your cart changed in another window. Please check it and place the order again."
                ),
                code="stale",
            )
        items = cart_items(cart)
        priced = cart_price(cart=cart, now=now, items=items)
        if priced.is_empty:
            raise ValidationError(_("Your cart is empty."), code="empty")
        _validate_details(details, needs_delivery=priced.needs_delivery)
        if not priced.needs_delivery:
            details = CheckoutDetails(**{**details.__dict__, "delivery_method": "none"})
        lines = _order_lines(priced)
        coupon = coupon_by_code(code=cart.coupon_code) if priced.coupon_applied else None
        # The cart is emptied before the order is made (the same transaction: a refusal below
        # rolls it back), so that little is left between the order number's counter lock,
        # taken last in ``order_create``, and the commit: every other checkout waits on it.
        cart.items.all().delete()
        cart.coupon_code = ""
        cart.checkout_key = uuid.uuid4()
        cart.save(update_fields=["coupon_code", "checkout_key", "updated_at"])
        if parent is not None:
            user_language_remember(user=parent, language=language)
        order = order_create(
            lines=lines,
            currency=priced.currency,
            email=details.email,
            payment_method=details.payment_method,
            idempotency_key=idempotency_key,
            parent=parent,
            delivery=details.delivery(),
            discount_total=priced.discount_total,
            prepare=lambda placed: preorder_record(order=placed),
        )
        if coupon is not None:
            coupon_redeem(coupon=coupon, order_ref=order.number, now=now)
        order_confirmation_email.enqueue_on_commit(order.pk)
    return order
