"""The catalogue (studio schema): products, price sheets attached to schools or picture days,
packages, and the discount rules of a sheet. Prices are Decimals in the sheet's currency (the
studio's, recorded when the sheet is made); ``pricing.py`` turns all of it into a cart total.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from .kinds import PHOTO_KINDS, CouponKind, PackageKind, ProductKind

PRINT_SIZE_PATTERN = r"^[1-9][0-9]{0,2}x[1-9][0-9]{0,2}$"
COUPON_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9-]{1,38}[A-Z0-9]$"

_money = {"max_digits": 10, "decimal_places": 2}
_not_negative = [MinValueValidator(Decimal("0"))]
_percent = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def _percent_field():
    return models.DecimalField(
        _("percent off"), max_digits=5, decimal_places=2, validators=_percent
    )


def _percent_check(name: str, field: str = "percent_off") -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0}) & Q(**{f"{field}__lte": 100}), name=name
    )


def _product_or_kind_check(name: str) -> models.CheckConstraint:
    """Rules that target either one product or every product of a kind, never both."""
    return models.CheckConstraint(
        condition=(Q(product__isnull=False) & Q(product_kind=""))
        | (Q(product__isnull=True) & ~Q(product_kind="")),
        name=name,
    )


class Product(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=ProductKind.choices)
    name = models.CharField(_("name"), max_length=200)
    print_size = models.CharField(
        _("print size"),
        max_length=9,
        blank=True,
        validators=[RegexValidator(PRINT_SIZE_PATTERN)],
        help_text=_("Prints only, in centimetres, e.g. 10x15."),
    )
    requires_photo = models.BooleanField(
        _("of one photo"),
        default=True,
        help_text=_("Digital files and prints always are; an album may not be."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=ProductKind.PRINT) & ~Q(print_size=""))
                | (~Q(kind=ProductKind.PRINT) & Q(print_size="")),
                name="catalogue_print_size_for_prints_only",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(PHOTO_KINDS)) | Q(requires_photo=True),
                name="catalogue_photo_kinds_require_photo",
            ),
        ]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return self.name


class ProductOption(models.Model):
    """A choice on a product (matte paper, a frame) that adds to its price."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(_("name"), max_length=100)
    price_delta = models.DecimalField(
        _("extra price"), **_money, default=Decimal("0"), validators=_not_negative
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["product", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="catalogue_unique_option"),
            models.CheckConstraint(
                condition=Q(price_delta__gte=0), name="catalogue_option_delta_not_negative"
            ),
        ]
        verbose_name = _("product option")
        verbose_name_plural = _("product options")

    def __str__(self):
        return f"{self.product} – {self.name}"


class PriceSheet(models.Model):
    """A set of products with prices, packages and discount rules. Attached to schools and
    picture days (``PriceSheetAttachment``); one sheet may serve many of them."""

    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("price sheet")
        verbose_name_plural = _("price sheets")

    def __str__(self):
        return self.name


class PriceSheetAttachment(models.Model):
    """Which sheet a school or a picture day sells with; a picture day's own sheet wins over
    its school's (``selectors.price_sheet_for``). At most one per school and per picture day."""

    sheet = models.ForeignKey(PriceSheet, on_delete=models.CASCADE, related_name="attachments")
    school = models.OneToOneField(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="price_sheet_attachment",
    )
    shoot = models.OneToOneField(
        "shoots.Shoot",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="price_sheet_attachment",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(school__isnull=False) & Q(shoot__isnull=True))
                | (Q(school__isnull=True) & Q(shoot__isnull=False)),
                name="catalogue_attached_to_school_or_shoot",
            )
        ]

    def __str__(self):
        return f"{self.sheet_id} → school {self.school_id} / shoot {self.shoot_id}"


class PriceSheetItem(models.Model):
    sheet = models.ForeignKey(PriceSheet, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="sheet_items")
    price = models.DecimalField(_("price"), **_money, validators=_not_negative)

    class Meta:
        ordering = ["sheet", "product__kind", "product__name"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "product"], name="catalogue_one_price"),
            models.CheckConstraint(condition=Q(price__gte=0), name="catalogue_price_not_negative"),
        ]
        verbose_name = _("price")
        verbose_name_plural = _("prices")

    def __str__(self):
        return f"{self.product}: {self.price}"


class Package(models.Model):
    """A fixed-price offer: every photo of the child as digital files, or a bundle of fixed
    contents (``PackageItem``) such as the class photo and five prints of chosen photos."""

    sheet = models.ForeignKey(PriceSheet, on_delete=models.CASCADE, related_name="packages")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PackageKind.choices)
    price = models.DecimalField(_("price"), **_money, validators=_not_negative)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sheet", "price", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "name"], name="catalogue_unique_package"),
            models.CheckConstraint(
                condition=Q(price__gte=0), name="catalogue_package_price_not_negative"
            ),
        ]
        verbose_name = _("package")
        verbose_name_plural = _("packages")

    def __str__(self):
        return self.name


class PackageItem(models.Model):
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    class_photo = models.BooleanField(
        _("class photo"), default=False, help_text=_("Of the class photo, not a chosen photo.")
    )

    class Meta:
        ordering = ["package", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="catalogue_package_item_quantity"
            )
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product}"


class QuantityTier(models.Model):
    """From ``min_quantity`` units of a product (or of every product of a kind) in the cart,
    those lines cost ``percent_off`` less."""

    sheet = models.ForeignKey(PriceSheet, on_delete=models.CASCADE, related_name="quantity_tiers")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, null=True, blank=True)
    product_kind = models.CharField(
        _("product kind"), max_length=20, choices=ProductKind.choices, blank=True
    )
    min_quantity = models.PositiveIntegerField(
        _("from quantity"), validators=[MinValueValidator(1)]
    )
    percent_off = _percent_field()

    class Meta:
        ordering = ["sheet", "min_quantity", "id"]
        constraints = [
            _product_or_kind_check("catalogue_tier_product_or_kind"),
            _percent_check("catalogue_tier_percent"),
            models.CheckConstraint(
                condition=Q(min_quantity__gte=1), name="catalogue_tier_min_quantity"
            ),
            models.UniqueConstraint(
                fields=["sheet", "product", "min_quantity"],
                condition=Q(product__isnull=False),
                name="catalogue_unique_product_tier",
            ),
            models.UniqueConstraint(
                fields=["sheet", "product_kind", "min_quantity"],
                condition=~Q(product_kind=""),
                name="catalogue_unique_kind_tier",
            ),
        ]
        verbose_name = _("quantity discount")
        verbose_name_plural = _("quantity discounts")

    def __str__(self):
        return f"{self.product or self.product_kind} ≥ {self.min_quantity}: −{self.percent_off} %"


class Coupon(models.Model):
    """A code parents type at checkout. Studio-wide; the code is stored in capitals and is
    unique whatever its case."""

    code = models.CharField(
        _("code"), max_length=40, validators=[RegexValidator(COUPON_CODE_PATTERN)]
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CouponKind.choices)
    value = models.DecimalField(
        _("value"),
        **_money,
        validators=_not_negative,
        help_text=_("Percent off, or the amount off in the studio's currency."),
    )
    min_subtotal = models.DecimalField(
        _("minimum order"), **_money, null=True, blank=True, validators=_not_negative
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("maximum uses"), null=True, blank=True)
    uses = models.PositiveIntegerField(_("uses"), default=0, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Upper("code"), name="catalogue_unique_coupon_code"),
            models.CheckConstraint(
                condition=Q(value__gt=0) & (~Q(kind=CouponKind.PERCENT) | Q(value__lte=100)),
                name="catalogue_coupon_value",
            ),
            models.CheckConstraint(
                condition=Q(min_subtotal__isnull=True) | Q(min_subtotal__gte=0),
                name="catalogue_coupon_min_subtotal",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lt=models.F("valid_until")),
                name="catalogue_coupon_window",
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(uses__lte=models.F("max_uses")),
                name="catalogue_coupon_uses_within_max",
            ),
        ]
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")

    def __str__(self):
        return self.code


class CouponRedemption(models.Model):
    """One use of a coupon by one order; redeeming again for the same order is a no-op."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    order_ref = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["coupon", "order_ref"], name="catalogue_one_redemption_per_order"
            )
        ]

    def __str__(self):
        return f"{self.coupon_id} → {self.order_ref}"


class EarlyBird(models.Model):
    """Orders placed before ``until`` cost ``percent_off`` less."""

    sheet = models.ForeignKey(PriceSheet, on_delete=models.CASCADE, related_name="early_birds")
    until = models.DateTimeField(_("until"))
    percent_off = _percent_field()

    class Meta:
        ordering = ["sheet", "until", "id"]
        constraints = [_percent_check("catalogue_early_bird_percent")]
        verbose_name = _("early-bird discount")
        verbose_name_plural = _("early-bird discounts")

    def __str__(self):
        return f"−{self.percent_off} % until {self.until}"


class FreeItem(models.Model):
    """``quantity_per_child`` units of a product (or of any product of a kind) free for each
    child in the order, e.g. one free digital photo per child."""

    sheet = models.ForeignKey(PriceSheet, on_delete=models.CASCADE, related_name="free_items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, null=True, blank=True)
    product_kind = models.CharField(
        _("product kind"), max_length=20, choices=ProductKind.choices, blank=True
    )
    quantity_per_child = models.PositiveSmallIntegerField(
        _("free per child"), default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["sheet", "id"]
        constraints = [
            _product_or_kind_check("catalogue_free_item_product_or_kind"),
            models.CheckConstraint(
                condition=Q(quantity_per_child__gte=1), name="catalogue_free_item_quantity"
            ),
        ]
        verbose_name = _("free item")
        verbose_name_plural = _("free items")

    def __str__(self):
        return f"{self.quantity_per_child} × {self.product or self.product_kind}"


class SiblingDiscount(models.Model):
    """When one order is for several children, every child but the first pays less."""

    sheet = models.OneToOneField(
        PriceSheet, on_delete=models.CASCADE, related_name="sibling_discount"
    )
    percent_off = _percent_field()

    class Meta:
        constraints = [_percent_check("catalogue_sibling_percent")]
        verbose_name = _("sibling discount")
        verbose_name_plural = _("sibling discounts")

    def __str__(self):
        return f"−{self.percent_off} %"
