"""The catalogue over the API (owners and managers, ``MANAGE_CATALOGUE``): products and their
options, price sheets with their prices, attachments, duplicates and a priced sample cart,
packages, the automatic discounts (quantity tiers, early-birds, free items, the sibling
discount) and coupons: whatever the staff editor does. Every write goes through the same
services as the staff pages, so the same rules hold (a product in use is not deleted; a price
fits the sheet's currency) and the same audit entries name the token's or session's user."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from studio.core.api import PolicyPermission, bad_request_from, conflict_from
from studio.core.policy import Action
from studio.schools.models import School
from studio.shoots.models import Shoot

from .kinds import CouponKind, PackageKind, ProductKind
from .models import (
    Coupon,
    EarlyBird,
    FreeItem,
    Package,
    PriceSheet,
    PriceSheetAttachment,
    PriceSheetItem,
    Product,
    ProductOption,
    QuantityTier,
    SiblingDiscount,
)
from .selectors import sellable_products
from .services import coupons, discounts, packages, price_sheets, products
from .services.preview import MAX_CHILDREN, MAX_QUANTITY, SampleCart, price_sheet_preview


def _call(service, **kwargs):
    try:
        return service(**kwargs)
    except DjangoValidationError as error:
        raise bad_request_from(error) from error


class _CatalogueViewSet(viewsets.GenericViewSet):
    permission_classes = [PolicyPermission]
    read_action = write_action = Action.MANAGE_CATALOGUE

    def call(self, service, **kwargs):
        """A service call on behalf of the request's user (the audit log's actor)."""
        return _call(service, actor=self.request.user, **kwargs)


# --- products ------------------------------------------------------------------------------


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "kind", "name", "print_size", "requires_photo", "active"]
        read_only_fields = ["requires_photo"]
        # the services check the shape (a print's size, the kinds)
        extra_kwargs = {"print_size": {"validators": []}, "active": {"default": True}}


class ProductViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    _CatalogueViewSet,
):
    """Products; ``DELETE`` is refused (409, with the reason) for a product a price sheet,
    package, discount or order uses: set ``active`` false to archive it instead."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_fields = ["kind", "active"]

    def perform_create(self, serializer):
        serializer.instance = self.call(products.product_create, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("kind", None)  # what a product is never changes
        serializer.instance = self.call(
            products.product_update, product=serializer.instance, **data
        )

    @extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(
                description="A price sheet, package, discount or order uses it; archive it."
            ),
        }
    )
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        """In use is the records' state, not bad input: 409, as schools and picture days."""
        try:
            products.product_delete(product=instance, actor=self.request.user)
        except DjangoValidationError as error:
            raise conflict_from(error) from error


class ProductOptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductOption
        fields = ["id", "product", "name", "price_delta", "active"]
        validators = []  # the services check the name is unique on its product
        extra_kwargs = {"active": {"default": True}}


class ProductOptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    _CatalogueViewSet,
):
    """A product's options (glossy, matte, a frame), each with the price it adds to the
    product's; stop offering one with ``active`` false. An option never moves to another
    product."""

    queryset = ProductOption.objects.all()
    serializer_class = ProductOptionSerializer
    filterset_fields = ["product", "active"]

    def perform_create(self, serializer):
        serializer.instance = self.call(products.product_option_create, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("product", None)
        serializer.instance = self.call(
            products.product_option_update, option=serializer.instance, **data
        )


# --- price sheets --------------------------------------------------------------------------


class PriceSheetItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceSheetItem
        fields = ["product", "price"]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceSheetAttachment
        fields = ["id", "school", "shoot"]


class PriceSheetSerializer(serializers.ModelSerializer):
    items = PriceSheetItemSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    sibling_percent_off = serializers.DecimalField(
        source="sibling_discount.percent_off",
        max_digits=5,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="the sibling discount; set it at sibling-discount/",
    )

    class Meta:
        model = PriceSheet
        fields = ["id", "name", "currency", "items", "attachments", "sibling_percent_off"]
        read_only_fields = ["currency"]


class PriceSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    price = serializers.CharField(allow_null=True, help_text="null takes it off the sheet")


class PricesSerializer(serializers.Serializer):
    prices = PriceSerializer(many=True)


class SiblingDiscountSerializer(serializers.Serializer):
    percent_off = serializers.DecimalField(
        max_digits=5, decimal_places=2, allow_null=True, help_text="null or 0 removes it"
    )


class DuplicateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class AttachSerializer(serializers.Serializer):
    school = serializers.PrimaryKeyRelatedField(
        queryset=School.objects.all(), required=False, allow_null=True
    )
    shoot = serializers.PrimaryKeyRelatedField(
        queryset=Shoot.objects.all(), required=False, allow_null=True
    )


class PreviewRequestSerializer(serializers.Serializer):
    children = serializers.IntegerField(min_value=1, max_value=MAX_CHILDREN, default=1)
    product = serializers.IntegerField(required=False, allow_null=True)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1)
    package = serializers.IntegerField(required=False, allow_null=True)
    coupon = serializers.CharField(required=False, allow_blank=True, default="")


class PreviewLineSerializer(serializers.Serializer):
    child_id = serializers.IntegerField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    gross = serializers.DecimalField(max_digits=12, decimal_places=2)
    adjustments = serializers.SerializerMethodField()
    net = serializers.DecimalField(max_digits=12, decimal_places=2)

    def get_adjustments(self, line) -> list[dict]:
        return [{"label": a.label, "amount": str(a.amount)} for a in line.adjustments]


class PreviewSerializer(serializers.Serializer):
    currency = serializers.CharField()
    lines = PreviewLineSerializer(many=True)
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    coupon_message = serializers.CharField()


class PriceSheetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    _CatalogueViewSet,
):
    """Price sheets (in the studio's currency). Changing one never changes an order already
    placed: order lines keep their prices."""

    queryset = PriceSheet.objects.select_related("sibling_discount").prefetch_related(
        "items", "attachments"
    )
    serializer_class = PriceSheetSerializer

    def perform_create(self, serializer):
        serializer.instance = self.call(
            price_sheets.price_sheet_create, name=serializer.validated_data["name"]
        )

    def perform_update(self, serializer):
        serializer.instance = self.call(
            price_sheets.price_sheet_update,
            sheet=serializer.instance,
            name=serializer.validated_data.get("name", serializer.instance.name),
        )

    def _sheet_response(self, sheet, code=status.HTTP_200_OK):
        sheet = self.get_queryset().get(pk=sheet.pk)
        return Response(PriceSheetSerializer(sheet).data, status=code)

    @extend_schema(request=PriceSerializer, responses=PriceSheetSerializer)
    @action(detail=True, methods=["post"])
    def prices(self, request, pk=None):
        """Sets one product's price on the sheet (``null`` removes it)."""
        sheet = self.get_object()
        data = PriceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product, price = data.validated_data["product"], data.validated_data["price"]
        if price is None:
            self.call(price_sheets.price_sheet_item_remove, sheet=sheet, product=product)
        else:
            self.call(price_sheets.price_sheet_item_set, sheet=sheet, product=product, price=price)
        return self._sheet_response(sheet)

    @extend_schema(request=PricesSerializer, responses=PriceSheetSerializer)
    @action(detail=True, methods=["post"], url_path="set-prices")
    def set_prices(self, request, pk=None):
        """Sets many prices at once, all or none, like the editor's price list (``null``
        takes a product off). A refused price is reported as ``price_<product id>`` and
        nothing changes."""
        sheet = self.get_object()
        data = PricesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        prices = {row["product"]: row["price"] for row in data.validated_data["prices"]}
        self.call(price_sheets.price_sheet_prices_set, sheet=sheet, prices=prices)
        return self._sheet_response(sheet)

    @extend_schema(methods=["GET"], responses=SiblingDiscountSerializer)
    @extend_schema(
        methods=["PUT"], request=SiblingDiscountSerializer, responses=SiblingDiscountSerializer
    )
    @action(detail=True, methods=["get", "put"], url_path="sibling-discount")
    def sibling_discount(self, request, pk=None):
        """The percentage off each child after the first in a family's order (``null``: none)."""
        sheet = self.get_object()
        if request.method == "PUT":
            data = SiblingDiscountSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            self.call(
                discounts.sibling_discount_set,
                sheet=sheet,
                percent_off=data.validated_data["percent_off"],
            )
        current = SiblingDiscount.objects.filter(sheet=sheet).first()
        return Response({"percent_off": str(current.percent_off) if current else None})

    @extend_schema(request=DuplicateSerializer, responses={201: PriceSheetSerializer})
    @action(detail=True, methods=["post"])
    def duplicate(self, request, pk=None):
        """A copy for a new season: prices, packages and discounts, attached to nothing."""
        sheet = self.get_object()
        data = DuplicateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        copy = self.call(price_sheets.price_sheet_duplicate, sheet=sheet, **data.validated_data)
        return self._sheet_response(copy, status.HTTP_201_CREATED)

    @extend_schema(request=AttachSerializer, responses=PriceSheetSerializer)
    @action(detail=True, methods=["post"])
    def attach(self, request, pk=None):
        """Sells with this sheet at a school or a picture day (the picture day's wins)."""
        sheet = self.get_object()
        data = AttachSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self.call(
            price_sheets.price_sheet_attach,
            sheet=sheet,
            school=data.validated_data.get("school"),
            shoot=data.validated_data.get("shoot"),
        )
        return self._sheet_response(sheet)

    @extend_schema(request=AttachSerializer, responses=PriceSheetSerializer)
    @action(detail=True, methods=["post"])
    def detach(self, request, pk=None):
        """Stops selling with this sheet at the school or picture day (404 when this sheet
        is not attached there)."""
        sheet = self.get_object()
        data = AttachSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = {k: v for k, v in data.validated_data.items() if v is not None}
        if len(target) == 1 and not sheet.attachments.filter(**target).exists():
            raise NotFound
        self.call(
            price_sheets.price_sheet_detach,
            school=data.validated_data.get("school"),
            shoot=data.validated_data.get("shoot"),
        )
        return self._sheet_response(sheet)

    @extend_schema(request=PreviewRequestSerializer, responses=PreviewSerializer)
    @action(detail=True, methods=["post"])
    def preview(self, request, pk=None):
        """A sample cart priced by ``price_cart`` with this sheet's rules."""
        sheet = self.get_object()
        data = PreviewRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sample = SampleCart(
            children=data.validated_data["children"],
            product_id=data.validated_data.get("product"),
            quantity=data.validated_data["quantity"],
            package_id=data.validated_data.get("package"),
            coupon_code=data.validated_data["coupon"],
        )
        priced = price_sheet_preview(sheet=sheet, sample=sample, now=timezone.now())
        return Response(PreviewSerializer(priced).data)


# --- automatic discounts -------------------------------------------------------------------


class _ProductOrKindSerializer(serializers.ModelSerializer):
    """A rule for one product or for a kind of product (the services refuse both or
    neither); the product is one the sheet may sell, as in the editor's list."""

    product_kind = serializers.ChoiceField(
        choices=ProductKind.choices, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs):
        product, sheet = attrs.get("product"), attrs.get("sheet")
        if (
            product is not None
            and not sellable_products(sheet=sheet).filter(pk=product.pk).exists()
        ):
            raise ValidationError(
                {"product": _("Choose a product on sale or priced on this price sheet.")}
            )
        return attrs


class QuantityTierSerializer(_ProductOrKindSerializer):
    class Meta:
        model = QuantityTier
        fields = ["id", "sheet", "product", "product_kind", "min_quantity", "percent_off"]
        validators = []  # the services say what clashes


class FreeItemSerializer(_ProductOrKindSerializer):
    class Meta:
        model = FreeItem
        fields = ["id", "sheet", "product", "product_kind", "quantity_per_child"]
        validators = []


class EarlyBirdSerializer(serializers.ModelSerializer):
    class Meta:
        model = EarlyBird
        fields = ["id", "sheet", "until", "percent_off"]


class _RuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    _CatalogueViewSet,
):
    """A sheet's rules are added and removed, never edited (as in the editor)."""

    filterset_fields = ["sheet"]
    create_service = delete_service = None
    delete_argument = ""

    def perform_create(self, serializer):
        serializer.instance = self.call(type(self).create_service, **serializer.validated_data)

    def perform_destroy(self, instance):
        self.call(type(self).delete_service, **{self.delete_argument: instance})


class QuantityTierViewSet(_RuleViewSet):
    """Quantity discounts: ``percent_off`` from ``min_quantity`` items of a product, or of a
    kind of product, in one child's order."""

    queryset = QuantityTier.objects.all()
    serializer_class = QuantityTierSerializer
    create_service, delete_service = discounts.quantity_tier_create, discounts.quantity_tier_delete
    delete_argument = "tier"


class EarlyBirdViewSet(_RuleViewSet):
    """Early-bird discounts: ``percent_off`` an order placed before ``until``."""

    queryset = EarlyBird.objects.all()
    serializer_class = EarlyBirdSerializer
    create_service, delete_service = discounts.early_bird_create, discounts.early_bird_delete
    delete_argument = "early_bird"


class FreeItemViewSet(_RuleViewSet):
    """Free items: ``quantity_per_child`` of a product, or of a kind, free for each child."""

    queryset = FreeItem.objects.all()
    serializer_class = FreeItemSerializer
    create_service, delete_service = discounts.free_item_create, discounts.free_item_delete
    delete_argument = "free_item"


# --- packages and coupons ------------------------------------------------------------------


class PackageItemSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.IntegerField(min_value=1, default=1)
    class_photo = serializers.BooleanField(default=False)


class PackageSerializer(serializers.ModelSerializer):
    items = PackageItemSerializer(many=True, required=False)
    kind = serializers.ChoiceField(choices=PackageKind.choices)

    class Meta:
        model = Package
        fields = ["id", "sheet", "name", "kind", "price", "description", "active", "items"]
        validators = []  # the services check the name is unique on its sheet
        extra_kwargs = {"active": {"default": True}}


class PackageViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    _CatalogueViewSet,
):
    """Packages of a sheet; stop selling one with ``active`` false (orders keep it)."""

    queryset = Package.objects.prefetch_related("items")
    serializer_class = PackageSerializer
    filterset_fields = ["sheet", "kind", "active"]

    @staticmethod
    def _items(data):
        return [packages.PackageItemInput(**item) for item in data]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data["items"] = self._items(data.get("items", []))
        serializer.instance = self.call(packages.package_create, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("sheet", None)
        data.pop("kind", None)
        if "items" in data:
            data["items"] = self._items(data["items"])
        serializer.instance = self.call(
            packages.package_update, package=serializer.instance, **data
        )


class CouponSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=CouponKind.choices)

    class Meta:
        model = Coupon
        fields = [
            "id",
            "code",
            "kind",
            "value",
            "min_subtotal",
            "valid_from",
            "valid_until",
            "max_uses",
            "uses",
            "active",
        ]
        read_only_fields = ["uses"]
        validators = []
        extra_kwargs = {"code": {"validators": []}, "active": {"default": True}}


class CouponViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    _CatalogueViewSet,
):
    """Studio-wide coupon codes; the code and the count of uses never change."""

    queryset = Coupon.objects.all()
    serializer_class = CouponSerializer
    filterset_fields = ["active"]

    def perform_create(self, serializer):
        serializer.instance = self.call(coupons.coupon_create, **serializer.validated_data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("code", None)
        serializer.instance = self.call(coupons.coupon_update, coupon=serializer.instance, **data)
