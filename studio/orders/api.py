"""Orders and payments over the API: what the staff order pages show and do, through the same
selectors and services (``order_search``, ``payment_record_offline``, ``order_move``,
``lines_fulfilment_move``), so the same money and fulfilment rules hold. Refunds may go
through a payment provider, so they live in ``studio.payments.api``."""

from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from studio.core.api import MoneyField, PolicyPermission, service_refusal
from studio.core.policy import Action
from tenants.selectors import current_studio, studio_tzinfo

from . import selectors
from .forms import PAYMENT_METHODS
from .fulfilment import lines_fulfilment_move, order_fulfilment_lines
from .models import (
    FULFILMENT_KINDS,
    FulfilmentStatus,
    Order,
    OrderLine,
    OrderProgress,
    OrderStatus,
    Payment,
    Refund,
)
from .services import order_move, payment_record_offline

# An amount no order reaches; the database column holds 13 digits.
MAX_AMOUNT = Decimal("9999999999")


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**31 - 1})
class IdFilter(django_filters.Filter):
    """An id in the query (a school, a class); one that names nothing matches nothing."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return qs  # ``OrderFilter.filter_queryset`` hands every filter to ``order_search``


class OrderFilter(django_filters.FilterSet):
    """The staff list's filters, answered by ``selectors.order_search`` (dates are whole days
    in the studio's time zone)."""

    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)
    payment_method = django_filters.ChoiceFilter(choices=[*PAYMENT_METHODS, ("stripe", "Card")])
    school = IdFilter()
    school_class = IdFilter()
    q = django_filters.CharFilter(
        max_length=100, help_text="Order number, e-mail or the child's name."
    )
    date_from = django_filters.DateFilter()
    date_to = django_filters.DateFilter()

    class Meta:
        model = Order
        fields = []

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        return selectors.order_search(
            status=data.get("status") or "",
            payment_method=data.get("payment_method") or "",
            school_id=data.get("school"),
            class_id=data.get("school_class"),
            query=data.get("q") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            tz=studio_tzinfo(current_studio()),
        ).select_related("parent")


class OrderLineSerializer(serializers.ModelSerializer):
    unit_price = MoneyField("unit_price")
    gross = MoneyField("gross")
    net = MoneyField("net")
    fulfilment_status = serializers.ChoiceField(
        choices=FulfilmentStatus.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "kind",
            "description",
            "child",
            "photo",
            "shoot",
            "product",
            "package",
            "quantity",
            "unit_price",
            "gross",
            "adjustments",
            "net",
            "print_size",
            "options",
            "fulfilment_status",
            "tracking_number",
            "refunded",
        ]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    amount = MoneyField("amount")
    order_number = serializers.CharField(source="order.number", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "order",
            "order_number",
            "provider",
            "amount",
            "currency",
            "status",
            "reference",
            "recorded_by",
            "created_at",
            "confirmed_at",
        ]
        read_only_fields = fields


class RefundSerializer(serializers.ModelSerializer):
    amount = MoneyField("amount")

    class Meta:
        model = Refund
        fields = ["id", "order", "payment", "amount", "reason", "recorded_by", "created_at"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    """An order in a list: its state and its money."""

    subtotal = MoneyField("subtotal")
    discount_total = MoneyField("discount_total")
    total = MoneyField("total")
    paid_total = MoneyField("paid_total")
    refunded_total = MoneyField("refunded_total")
    balance_due = MoneyField("balance_due")
    overpaid = MoneyField("overpaid")
    payment_state = serializers.CharField(read_only=True)
    refund_state = serializers.CharField(read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "parent",
            "email",
            "status",
            "progress",
            "payment_state",
            "refund_state",
            "payment_method",
            "currency",
            "subtotal",
            "discount_total",
            "total",
            "paid_total",
            "refunded_total",
            "balance_due",
            "overpaid",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    """One order: its lines (with their fulfilment), payments and refunds."""

    lines = OrderLineSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    refunds = RefundSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "delivery", "lines", "payments", "refunds"]
        read_only_fields = fields


class OfflinePaymentSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=13, decimal_places=3, min_value=Decimal("0.001"), max_value=MAX_AMOUNT
    )
    method = serializers.ChoiceField(choices=PAYMENT_METHODS)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    idempotency_key = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Sending the same key again returns the first payment and records nothing.",
    )


class MoveSerializer(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=[OrderProgress.IN_FULFILMENT, OrderProgress.COMPLETED, OrderProgress.CANCELLED]
    )


class FulfilmentMoveSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=FulfilmentStatus.choices)
    tracking_number = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    lines = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        max_length=1000,
        help_text="Print or album lines of this order; all of them when left out.",
    )


class FailedLineSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    reason = serializers.CharField()


class FulfilmentResultSerializer(serializers.Serializer):
    moved = serializers.ListField(child=serializers.IntegerField(), help_text="Line ids moved.")
    failed = FailedLineSerializer(many=True)


PAYMENT_REFUSED = (
    "The order is cancelled or nothing is due on it, or the idempotency key was used for "
    "another order; `detail` says which."
)
MOVE_REFUSED = (
    "The move is not allowed from the order's progress, or its money refuses it (not paid in "
    "full, refunded in full, or money still held when cancelling); `detail` says which."
)


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The studio's orders, for whoever manages orders (owners and managers)."""

    permission_classes = [PolicyPermission]
    read_action = write_action = Action.MANAGE_ORDERS
    policy_actions = {"payments": Action.RECORD_PAYMENT}
    filterset_class = OrderFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return Order.objects.select_related("parent").prefetch_related(
                "lines", "payments", "refunds"
            )
        return Order.objects.select_related("parent")

    def get_serializer_class(self):
        return OrderDetailSerializer if self.action == "retrieve" else OrderSerializer

    @extend_schema(
        request=OfflinePaymentSerializer,
        responses={201: PaymentSerializer, 409: OpenApiResponse(description=PAYMENT_REFUSED)},
        examples=[
            OpenApiExample(
                "Cash handed to the class coordinator",
                value={"amount": "25.00", "method": "cash", "reference": "Mrs Ivanova, 9B"},
                request_only=True,
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def payments(self, request, pk=None):
        """Money received by bank transfer or in cash, full or partial (the parent is
        e-mailed)."""
        order = self.get_object()
        data = OfflinePaymentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = data.validated_data.get("idempotency_key")
        try:
            payment = payment_record_offline(
                order=order,
                amount=data.validated_data["amount"],
                method=data.validated_data["method"],
                reference=data.validated_data["reference"],
                actor=request.user,
                idempotency_key=f"api-{key}" if key else None,
            )
        except DjangoValidationError as error:
            raise service_refusal(
                error, field_codes={"amount": "amount", "method": "method"}
            ) from error
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=MoveSerializer,
        responses={200: OrderDetailSerializer, 409: OpenApiResponse(description=MOVE_REFUSED)},
        examples=[OpenApiExample("Into fulfilment", value={"to": "in_fulfilment"})],
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """The order's progress: into fulfilment, completed, or cancelled."""
        order = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            order = order_move(order=order, to=data.validated_data["to"], actor=request.user)
        except DjangoValidationError as error:
            raise service_refusal(error) from error
        return Response(OrderDetailSerializer(self.get_queryset().get(pk=order.pk)).data)

    @extend_schema(
        request=FulfilmentMoveSerializer,
        responses={200: FulfilmentResultSerializer},
        examples=[
            OpenApiExample(
                "Shipped with a tracking number",
                value={"to": "shipped", "tracking_number": "RA123456789UA"},
                request_only=True,
            ),
            OpenApiExample(
                "One print refused",
                value={"moved": [41], "failed": [{"line": 42, "reason": "…"}]},
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def fulfilment(self, request, pk=None):
        """Moves the order's prints and albums (all, or the ``lines`` named) the way the
        order page does; a line that may not move is reported with the reason and never
        stops the others."""
        order = self.get_object()
        data = FulfilmentMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = data.validated_data.get("lines")
        line_ids = (
            order_fulfilment_lines([order.pk])
            if wanted is None
            else list(
                order.lines.filter(pk__in=wanted, kind__in=FULFILMENT_KINDS).values_list(
                    "pk", flat=True
                )
            )
        )
        if not line_ids:
            raise ValidationError({"lines": [_("Choose at least one print.")]})
        result = lines_fulfilment_move(
            line_ids=line_ids,
            to=data.validated_data["to"],
            actor=request.user,
            tracking_number=data.validated_data["tracking_number"],
        )
        return Response(
            {
                "moved": [event.line_id for event in result.moved],
                "failed": [{"line": line.pk, "reason": reason} for line, reason in result.failed],
            }
        )


class PaymentFilter(django_filters.FilterSet):
    created_from = django_filters.DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_to = django_filters.DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Payment
        fields = ["order", "provider", "status"]


class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every payment of the studio's orders, newest first (card, transfer, cash)."""

    permission_classes = [PolicyPermission]
    read_action = write_action = Action.MANAGE_ORDERS
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    queryset = Payment.objects.select_related("order").order_by("-created_at", "pk")
