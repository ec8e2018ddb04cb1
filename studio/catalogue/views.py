"""The catalogue editor: products, price sheets with their prices, attachments, packages,
discounts and coupons, and a priced sample cart. Owners and managers (``MANAGE_CATALOGUE``,
checked before anything is looked up); views are thin: forms read, services decide and write.

Orders keep what they were sold at (their lines copy the prices), so nothing here changes an
order already placed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from saas_platform.forms import form_add_errors
from studio.core.policy import Action, require

from .forms import (
    AttachForm,
    CouponForm,
    EarlyBirdForm,
    FreeItemForm,
    OptionForm,
    PackageForm,
    PreviewForm,
    PricesForm,
    ProductForm,
    SheetNameForm,
    SiblingForm,
    TierForm,
)
from .kinds import PackageKind, ProductKind
from .models import (
    Coupon,
    EarlyBird,
    FreeItem,
    Package,
    PriceSheet,
    PriceSheetAttachment,
    Product,
    ProductOption,
    QuantityTier,
    SiblingDiscount,
)
from .selectors import sellable_products
from .services import coupons, discounts, packages, price_sheets, products
from .services.preview import SampleCart, price_sheet_preview

GET_POST = ["GET", "POST"]


def _allowed(request) -> None:
    require(request.user, Action.MANAGE_CATALOGUE)


# --- the catalogue's front page: products and price sheets ------------------------------


@login_required
def index(request):
    _allowed(request)
    return render(
        request,
        "catalogue/index.html",
        {
            "products": Product.objects.annotate(option_count=Count("options")),
            "sheets": PriceSheet.objects.annotate(
                price_count=Count("items", distinct=True),
                package_count=Count("packages", distinct=True),
            ).prefetch_related("attachments__school", "attachments__shoot"),
        },
    )


# --- products ------------------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def product_create(request):
    _allowed(request)
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = products.product_create(**form.cleaned_data, actor=request.user)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Product “%(name)s” added.") % {"name": product.name})
            return redirect("catalogue:product", product_id=product.pk)
    return render(request, "catalogue/product_form.html", {"form": form, "product": None})


def _product_page(request, product, form=None, option_form=None, status=200):
    form = form or ProductForm(
        product=product,
        initial={"kind": product.kind, "name": product.name, "print_size": product.print_size},
    )
    return render(
        request,
        "catalogue/product_form.html",
        {
            "product": product,
            "form": form,
            "option_form": option_form or OptionForm(prefix="new"),
            "options": [
                (option, OptionForm(prefix=f"option-{option.pk}", initial=_option_initial(option)))
                for option in product.options.all()
            ],
            "uses": products.product_uses(product),
        },
        status=status,
    )


def _option_initial(option: ProductOption) -> dict:
    return {"name": option.name, "price_delta": option.price_delta, "active": option.active}


@login_required
@require_http_methods(GET_POST)
def product_edit(request, product_id: int):
    _allowed(request)
    product = get_object_or_404(Product, pk=product_id)
    if request.method != "POST":
        return _product_page(request, product)
    form = ProductForm(request.POST, product=product, initial={"kind": product.kind})
    if form.is_valid():
        try:
            products.product_update(
                product=product,
                actor=request.user,
                name=form.cleaned_data["name"],
                print_size=form.cleaned_data["print_size"],
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Product “%(name)s” saved.") % {"name": product.name})
            return redirect("catalogue:product", product_id=product.pk)
    return _product_page(request, product, form=form)


@login_required
@require_POST
def product_archive(request, product_id: int):
    """Takes a product off sale (``archive=1``) or puts it back; orders keep it either way."""
    _allowed(request)
    product = get_object_or_404(Product, pk=product_id)
    archive = request.POST.get("archive") == "1"
    products.product_update(product=product, active=not archive, actor=request.user)
    text = _("“%(name)s” archived.") if archive else _("“%(name)s” is on sale again.")
    messages.success(request, text % {"name": product.name})
    return redirect("catalogue:product", product_id=product.pk)


@login_required
@require_http_methods(GET_POST)
def product_delete(request, product_id: int):
    """GET asks (and says what uses the product); POST deletes or says why not."""
    _allowed(request)
    product = get_object_or_404(Product, pk=product_id)
    error = None
    if request.method == "POST":
        try:
            products.product_delete(product=product, actor=request.user)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, _("Product “%(name)s” deleted.") % {"name": product.name})
            return redirect("catalogue:index")
    return render(
        request,
        "catalogue/product_delete.html",
        {"product": product, "uses": products.product_uses(product), "error": error},
        status=409 if error else 200,
    )


@login_required
@require_POST
def option_create(request, product_id: int):
    _allowed(request)
    product = get_object_or_404(Product, pk=product_id)
    form = OptionForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            option = products.product_option_create(
                product=product,
                actor=request.user,
                name=form.cleaned_data["name"],
                price_delta=form.cleaned_data["price_delta"],
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Option “%(name)s” added.") % {"name": option.name})
            return redirect("catalogue:product", product_id=product.pk)
    return _product_page(request, product, option_form=form)


@login_required
@require_POST
def option_edit(request, product_id: int, option_id: int):
    _allowed(request)
    option = get_object_or_404(ProductOption, pk=option_id, product_id=product_id)
    form = OptionForm(request.POST, prefix=f"option-{option.pk}")
    if form.is_valid():
        try:
            products.product_option_update(option=option, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Option “%(name)s” saved.") % {"name": option.name})
    else:
        messages.error(request, _("The option was not saved: check its name and price."))
    return redirect("catalogue:product", product_id=product_id)


# --- price sheets --------------------------------------------------------------------------


@login_required
@require_http_methods(GET_POST)
def sheet_create(request):
    _allowed(request)
    form = SheetNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sheet = price_sheets.price_sheet_create(
                name=form.cleaned_data["name"], actor=request.user
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            messages.success(request, _("Price sheet “%(name)s” added.") % {"name": sheet.name})
            return redirect("catalogue:sheet", sheet_id=sheet.pk)
    return render(request, "catalogue/sheet_form.html", {"form": form, "sheet": None})


def _sheet(request, sheet_id: int) -> PriceSheet:
    _allowed(request)
    return get_object_or_404(PriceSheet, pk=sheet_id)


def _sellable(sheet: PriceSheet):
    return sellable_products(sheet=sheet)


def _prices_form(sheet, data=None):
    return PricesForm(
        data,
        prefix="prices",
        products=_sellable(sheet),
        prices={item.product_id: item.price for item in sheet.items.all()},
    )


def _preview(request, sheet):
    """The sample cart of the GET parameters (2 children, 3 of the first print by default)."""
    priced = list(sheet.items.select_related("product").filter(product__active=True))
    on_sale = [item.product for item in priced]
    active_packages = list(sheet.packages.filter(active=True))
    default_product = next((p for p in on_sale if p.kind == ProductKind.PRINT), None) or (
        on_sale[0] if on_sale else None
    )
    data = request.GET if "children" in request.GET else None
    form = PreviewForm(
        data,
        products=on_sale,
        packages=active_packages,
        initial={"product": default_product.pk if default_product else None},
    )
    if data is None:
        sample = SampleCart(
            children=2, product_id=default_product.pk if default_product else None, quantity=3
        )
    elif form.is_valid():
        sample = SampleCart(
            children=form.cleaned_data["children"],
            product_id=form.cleaned_data["product"] or None,
            quantity=form.cleaned_data["quantity"],
            package_id=form.cleaned_data["package"] or None,
            coupon_code=form.cleaned_data["coupon"],
        )
    else:
        return form, None, None
    priced_cart = price_sheet_preview(sheet=sheet, sample=sample, now=timezone.now())
    return form, priced_cart, sample


def _sheet_page(request, sheet, status=200, **forms):
    sheet_products = list(_sellable(sheet))
    preview_form, priced, sample = _preview(request, sheet)
    context = {
        "sheet": sheet,
        "name_form": SheetNameForm(initial={"name": sheet.name}),
        "prices_form": _prices_form(sheet),
        "attach_form": AttachForm(),
        "package_form": PackageForm(products=_sellable(sheet), prefix="package"),
        "tier_form": TierForm(products=sheet_products, prefix="tier"),
        "early_bird_form": EarlyBirdForm(prefix="early"),
        "free_item_form": FreeItemForm(products=sheet_products, prefix="free"),
        "free_items": sheet.free_items.select_related("product"),
        "sibling_form": SiblingForm(
            prefix="sibling",
            initial={
                "percent_off": getattr(
                    SiblingDiscount.objects.filter(sheet=sheet).first(), "percent_off", None
                )
            },
        ),
        "coupon_form": CouponForm(prefix="coupon"),
        "attachments": sheet.attachments.select_related("school", "shoot__school"),
        "packages": sheet.packages.prefetch_related("items__product"),
        "tiers": sheet.quantity_tiers.select_related("product"),
        "early_birds": sheet.early_birds.all(),
        "coupons": Coupon.objects.all(),
        "preview_form": preview_form,
        "priced": priced,
        "sample": sample,
        "children_range": range(1, (sample.children if sample else 0) + 1),
    }
    context.update(forms)
    return render(request, "catalogue/sheet_detail.html", context, status=status)


@login_required
def sheet_detail(request, sheet_id: int):
    return _sheet_page(request, _sheet(request, sheet_id))


def _done(request, sheet, text: str):
    messages.success(request, text)
    return redirect("catalogue:sheet", sheet_id=sheet.pk)


@login_required
@require_POST
def sheet_rename(request, sheet_id: int):
    sheet = _sheet(request, sheet_id)
    form = SheetNameForm(request.POST)
    if form.is_valid():
        try:
            sheet = price_sheets.price_sheet_update(
                sheet=sheet, name=form.cleaned_data["name"], actor=request.user
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            return _done(request, sheet, _("Price sheet saved."))
    return _sheet_page(request, sheet, name_form=form)


@login_required
@require_POST
def sheet_prices(request, sheet_id: int):
    """Sets every product's price at once; an emptied price takes it off the sheet."""
    sheet = _sheet(request, sheet_id)
    form = _prices_form(sheet, request.POST)
    if form.is_valid():
        try:
            price_sheets.price_sheet_prices_set(
                sheet=sheet, prices=form.prices(), actor=request.user
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            return _done(request, sheet, _("Prices saved."))
    return _sheet_page(request, sheet, prices_form=form)


@login_required
@require_POST
def sheet_duplicate(request, sheet_id: int):
    sheet = _sheet(request, sheet_id)
    name = request.POST.get("name", "").strip() or _("%(name)s (copy)") % {"name": sheet.name}
    try:
        copy = price_sheets.price_sheet_duplicate(sheet=sheet, name=name, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("catalogue:sheet", sheet_id=sheet.pk)
    return _done(
        request,
        copy,
        _("“%(copy)s” is a copy of “%(name)s”: attach it where it will sell.")
        % {"copy": copy.name, "name": sheet.name},
    )


@login_required
@require_POST
def sheet_attach(request, sheet_id: int):
    sheet = _sheet(request, sheet_id)
    form = AttachForm(request.POST)
    if form.is_valid():
        school, shoot = form.cleaned_data["school"], form.cleaned_data["shoot"]
        price_sheets.price_sheet_attach(sheet=sheet, school=school, shoot=shoot, actor=request.user)
        return _done(
            request,
            sheet,
            _("%(target)s now sells with this price sheet.") % {"target": school or shoot},
        )
    return _sheet_page(request, sheet, attach_form=form)


@login_required
@require_POST
def sheet_detach(request, sheet_id: int, attachment_id: int):
    sheet = _sheet(request, sheet_id)
    attachment = get_object_or_404(PriceSheetAttachment, pk=attachment_id, sheet=sheet)
    price_sheets.price_sheet_detach(
        school=attachment.school, shoot=attachment.shoot, actor=request.user
    )
    return _done(request, sheet, _("Detached."))


# --- packages ------------------------------------------------------------------------------


def _package_fields(form) -> dict:
    return {
        "items": [
            packages.PackageItemInput(product=product, quantity=quantity, class_photo=class_photo)
            for product, quantity, class_photo in form.items()
        ],
        "name": form.cleaned_data["name"],
        "price": form.cleaned_data["price"],
        "description": form.cleaned_data["description"],
        "active": form.cleaned_data["active"],
    }


@login_required
@require_POST
def package_create(request, sheet_id: int):
    sheet = _sheet(request, sheet_id)
    form = PackageForm(request.POST, products=_sellable(sheet), prefix="package")
    if form.is_valid():
        try:
            package = packages.package_create(
                sheet=sheet,
                kind=form.cleaned_data["kind"],
                actor=request.user,
                **_package_fields(form),
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            return _done(request, sheet, _("Package “%(name)s” added.") % {"name": package.name})
    return _sheet_page(request, sheet, package_form=form)


@login_required
@require_http_methods(GET_POST)
def package_edit(request, sheet_id: int, package_id: int):
    """Changes a package; taking it off sale is how one stops selling it (orders keep it)."""
    sheet = _sheet(request, sheet_id)
    package = get_object_or_404(Package, pk=package_id, sheet=sheet)
    sellable = _sellable(sheet)
    form = PackageForm(
        request.POST or None,
        products=sellable,
        package=package,
        initial=PackageForm.initial_for(package),
    )
    if request.method == "POST" and form.is_valid():
        fields = _package_fields(form)
        if package.kind == PackageKind.ALL_DIGITAL:
            fields["items"] = None
        try:
            packages.package_update(package=package, actor=request.user, **fields)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            return _done(request, sheet, _("Package “%(name)s” saved.") % {"name": package.name})
    return render(
        request,
        "catalogue/package_form.html",
        {"sheet": sheet, "package": package, "form": form},
    )


# --- discounts -----------------------------------------------------------------------------


@login_required
@require_POST
def tier_create(request, sheet_id: int):
    sheet = _sheet(request, sheet_id)
    form = TierForm(request.POST, products=list(_sellable(sheet)), prefix="tier")
    if form.is_valid():
        try:
            discounts.quantity_tier_create(
                sheet=sheet,
                actor=request.user,
                min_quantity=form.cleaned_data["min_quantity"],
                percent_off=form.cleaned_data["percent_off"],
                **form.target_kwargs(),
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            return _done(request, sheet, _("Quantity discount added."))
    return _sheet_page(request, sheet, tier_form=form)


@login_required
@require_POST
def tier_delete(request, sheet_id: int, tier_id: int):
    sheet = _sheet(request, sheet_id)
    discounts.quantity_tier_delete(
        tier=get_object_or_404(QuantityTier, pk=tier_id, sheet=sheet), actor=request.user
    )
    return _done(request, sheet, _("Quantity discount removed."))


@login_required
@require_POST
def early_bird_create(request, sheet_id: int):
    sheet = _sheet(request, sheet_id)
    form = EarlyBirdForm(request.POST, prefix="early")
    if form.is_valid():
        try:
            discounts.early_bird_create(sheet=sheet, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            return _done(request, sheet, _("Early-bird discount added."))
    return _sheet_page(request, sheet, early_bird_form=form)


@login_required
@require_POST
def early_bird_delete(request, sheet_id: int, early_bird_id: int):
    sheet = _sheet(request, sheet_id)
    discounts.early_bird_delete(
        early_bird=get_object_or_404(EarlyBird, pk=early_bird_id, sheet=sheet),
        actor=request.user,
    )
    return _done(request, sheet, _("Early-bird discount removed."))


@login_required
@require_POST
def free_item_create(request, sheet_id: int):
    sheet = _sheet(request, sheet_id)
    form = FreeItemForm(request.POST, products=list(_sellable(sheet)), prefix="free")
    if form.is_valid():
        try:
            discounts.free_item_create(
                sheet=sheet,
                actor=request.user,
                quantity_per_child=form.cleaned_data["quantity_per_child"],
                **form.target_kwargs(),
            )
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            return _done(request, sheet, _("Free item added."))
    return _sheet_page(request, sheet, free_item_form=form)


@login_required
@require_POST
def free_item_delete(request, sheet_id: int, free_item_id: int):
    sheet = _sheet(request, sheet_id)
    discounts.free_item_delete(
        free_item=get_object_or_404(FreeItem, pk=free_item_id, sheet=sheet),
        actor=request.user,
    )
    return _done(request, sheet, _("Free item removed."))


@login_required
@require_POST
def sibling_set(request, sheet_id: int):
    sheet = _sheet(request, sheet_id)
    form = SiblingForm(request.POST, prefix="sibling")
    if form.is_valid():
        discounts.sibling_discount_set(
            sheet=sheet, percent_off=form.cleaned_data["percent_off"], actor=request.user
        )
        return _done(request, sheet, _("Sibling discount saved."))
    return _sheet_page(request, sheet, sibling_form=form)


# --- coupons (studio-wide; edited from a price sheet's page) -------------------------------


@login_required
@require_POST
def coupon_create(request, sheet_id: int):
    sheet = _sheet(request, sheet_id)
    form = CouponForm(request.POST, prefix="coupon")
    if form.is_valid():
        try:
            coupon = coupons.coupon_create(**form.cleaned_data, actor=request.user)
        except ValidationError as error:
            form_add_errors(form, error)
        else:
            return _done(request, sheet, _("Coupon %(code)s added.") % {"code": coupon.code})
    return _sheet_page(request, sheet, coupon_form=form)


@login_required
@require_POST
def coupon_toggle(request, sheet_id: int, coupon_id: int):
    sheet = _sheet(request, sheet_id)
    coupon = get_object_or_404(Coupon, pk=coupon_id)
    coupon = coupons.coupon_update(coupon=coupon, active=not coupon.active, actor=request.user)
    text = _("Coupon %(code)s is on.") if coupon.active else _("Coupon %(code)s is off.")
    return _done(request, sheet, text % {"code": coupon.code})
