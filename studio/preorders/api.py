"""``/api/preorders/``: each picture day's pre-order settings (open or closed, the packages
offered), the classes' pre-order codes, and the credits parents bought (with what is still
unused, which staff may refund). The same services as the staff pages; setting up and reading
need ``MANAGE_SHOOTS``, a refund ``REFUND_ORDER``."""

import django_filters
import stripe
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from saas_platform.api_schema import error_response
from saas_platform.money import quantize
from studio.core.api import PolicyPermission, conflict_from
from studio.core.policy import Action
from studio.schools.models import SchoolClass

from .models import Credit, PreorderLink
from .selectors import (
    credit_state,
    preorder_setup_for,
    sheet_packages,
    shoots_for_preorders,
)
from .services import credit_refund_unused, preorder_links_issue, preorder_setup_update


class PreorderCodeSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="display", read_only=True)
    class_name = serializers.CharField(source="school_class.name", read_only=True)

    class Meta:
        model = PreorderLink
        fields = ["id", "shoot", "school_class", "class_name", "code", "created_at"]


class IssueCodesSerializer(serializers.Serializer):
    school_class = serializers.PrimaryKeyRelatedField(
        queryset=SchoolClass.objects.all(),
        required=False,
        allow_null=True,
        help_text="one class of the picture day; empty: every class without a code",
    )


# --- settings per picture day ----------------------------------------------------------------


class PreorderSetupSerializer(serializers.Serializer):
    shoot = serializers.IntegerField(source="pk", read_only=True)
    name = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    enabled = serializers.BooleanField()
    packages = serializers.ListField(
        child=serializers.IntegerField(), help_text="ids of the packages offered"
    )
    available_packages = serializers.ListField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text="the active packages of the picture day's price sheet: what may be offered",
    )

    def to_representation(self, shoot):
        setup = preorder_setup_for(shoot=shoot)
        return {
            "shoot": shoot.pk,
            "name": shoot.name,
            "status": shoot.status,
            "enabled": setup.enabled,
            "packages": sorted(setup.packages.values_list("pk", flat=True)) if setup.pk else [],
            "available_packages": list(sheet_packages(shoot=shoot).values_list("pk", flat=True)),
        }


_SETUP_EXAMPLE = OpenApiExample(
    "Pre-orders open with two packages",
    value={"enabled": True, "packages": [3, 4]},
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(responses={200: PreorderSetupSerializer(many=True)}),
    retrieve=extend_schema(
        responses={200: PreorderSetupSerializer},
        examples=[
            OpenApiExample(
                "Open, one of two packages offered",
                value={
                    "shoot": 7,
                    "name": "Spring",
                    "status": "planned",
                    "enabled": True,
                    "packages": [3],
                    "available_packages": [3, 4],
                },
                response_only=True,
            )
        ],
    ),
    update=extend_schema(
        examples=[_SETUP_EXAMPLE],
        responses={200: PreorderSetupSerializer},
    ),
    partial_update=extend_schema(
        examples=[_SETUP_EXAMPLE],
        responses={200: PreorderSetupSerializer},
    ),
)
class PreorderSetupViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Pre-orders of each picture day not closed, by the picture day's id: open them and
    choose the packages offered (from the day's price sheet; 400 once its photos are online,
    when parents buy from the gallery)."""

    serializer_class = PreorderSetupSerializer
    permission_classes = [PolicyPermission]
    read_action = write_action = Action.MANAGE_SHOOTS
    filterset_fields = ["school", "status"]

    def get_queryset(self):
        return shoots_for_preorders()

    def update(self, request, *args, **kwargs):
        shoot = self.get_object()
        current = self.get_serializer(shoot).data
        data = self.get_serializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        try:
            preorder_setup_update(
                shoot=shoot,
                enabled=data.validated_data.get("enabled", current["enabled"]),
                package_ids=data.validated_data.get("packages", current["packages"]),
            )
        except DjangoValidationError as error:
            raise ValidationError({"non_field_errors": error.messages}) from error
        return Response(self.get_serializer(shoot).data)

    @extend_schema(
        request=IssueCodesSerializer,
        responses={201: PreorderCodeSerializer(many=True)},
        examples=[
            OpenApiExample("Every class without a code", value={}, request_only=True),
            OpenApiExample("Class 4A only", value={"school_class": 4}, request_only=True),
        ],
    )
    @action(
        detail=True, methods=["post"], url_path="codes", pagination_class=None, filter_backends=[]
    )
    def issue_codes(self, request, pk=None):
        """A pre-order code for a class (``school_class``) or for every class of the picture
        day that has none; a class never gets two. Returns the picture day's codes."""
        shoot = self.get_object()
        data = IssueCodesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            preorder_links_issue(shoot=shoot, school_class=data.validated_data.get("school_class"))
        except DjangoValidationError as error:
            raise ValidationError({"school_class": error.messages}) from error
        links = PreorderLink.objects.filter(shoot=shoot).select_related("school_class")
        return Response(
            PreorderCodeSerializer(links, many=True).data, status=status.HTTP_201_CREATED
        )


# --- class codes -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(responses={200: PreorderCodeSerializer(many=True)}),
    retrieve=extend_schema(
        responses={200: PreorderCodeSerializer},
        examples=[
            OpenApiExample(
                "Class 4A's code",
                value={
                    "id": 9,
                    "shoot": 7,
                    "school_class": 4,
                    "class_name": "4A",
                    "code": "K7QM-2X9D-PT4R",
                    "created_at": "2026-09-01T08:00:00Z",
                },
                response_only=True,
            )
        ],
    ),
)
class PreorderCodeViewSet(viewsets.ReadOnlyModelViewSet):
    """The classes' pre-order codes (``?shoot=``, ``?school_class=``); issue them with
    ``POST /api/preorders/shoots/{id}/codes/``."""

    serializer_class = PreorderCodeSerializer
    permission_classes = [PolicyPermission]
    read_action = write_action = Action.MANAGE_SHOOTS
    filterset_fields = ["shoot", "school_class"]
    queryset = PreorderLink.objects.select_related("school_class")


# --- credits ---------------------------------------------------------------------------------


class CreditStatus(models.TextChoices):
    """A credit as the API reports and filters it."""

    PENDING = "pending", "pending"  # the order is not paid yet
    CREDITED = "credited", "credited"  # paid: spent once the photos are online
    REFUNDED = "refunded", "refunded"  # something of it was given back


class CreditFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CreditStatus.choices, method="by_status")

    class Meta:
        model = Credit
        fields = ["shoot", "order", "child", "package", "status"]

    def by_status(self, queryset, name, value):
        if value == CreditStatus.PENDING:
            return queryset.filter(credited_at__isnull=True)
        if value == CreditStatus.REFUNDED:
            return queryset.filter(refunded_amount__gt=0)
        return queryset.filter(credited_at__isnull=False)


class CreditSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    slots = serializers.SerializerMethodField(help_text="lines waiting for a photo")
    slots_used = serializers.SerializerMethodField(help_text="slots filled with a photo")
    slots_refunded = serializers.SerializerMethodField()
    slots_unused = serializers.SerializerMethodField(help_text="slots neither used nor refunded")
    unused_amount = serializers.SerializerMethodField(
        help_text="what may still be refunded, in the order's currency"
    )
    refunded_amount = serializers.SerializerMethodField()
    currency = serializers.CharField(source="order.currency", read_only=True)

    class Meta:
        model = Credit
        fields = [
            "id",
            "order",
            "shoot",
            "child",
            "package",
            "all_photos",
            "status",
            "credited_at",
            "slots",
            "slots_used",
            "slots_refunded",
            "slots_unused",
            "unused_amount",
            "refunded_amount",
            "currency",
            "created_at",
        ]

    def _state(self, credit):
        cache = self.context.setdefault("_states", {})
        if credit.pk not in cache:
            cache[credit.pk] = credit_state(credit)
        return cache[credit.pk]

    @extend_schema_field(serializers.ChoiceField(choices=CreditStatus.choices))
    def get_status(self, credit) -> str:
        if credit.credited_at is None:
            return CreditStatus.PENDING
        return CreditStatus.REFUNDED if credit.refunded_amount > 0 else CreditStatus.CREDITED

    def get_slots(self, credit) -> int:
        return self._state(credit).slots

    def get_slots_used(self, credit) -> int:
        return self._state(credit).picked

    def get_slots_refunded(self, credit) -> int:
        return self._state(credit).refunded_slots

    def get_slots_unused(self, credit) -> int:
        return self._state(credit).free

    def get_unused_amount(self, credit) -> str:
        return str(quantize(self._state(credit).unused_amount, credit.order.currency))

    def get_refunded_amount(self, credit) -> str:
        return str(quantize(credit.refunded_amount, credit.order.currency))


class CreditRefundSerializer(serializers.Serializer):
    refund = serializers.IntegerField(help_text="the order refund's id")
    amount = serializers.DecimalField(max_digits=13, decimal_places=2)
    currency = serializers.CharField()
    credit = CreditSerializer()


class StripeRefused(APIException):
    """502: Stripe refused the card refund; nothing was recorded."""

    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = _("Stripe refused the refund.")
    default_code = "stripe_refused"


@extend_schema_view(
    list=extend_schema(responses={200: CreditSerializer(many=True)}),
    retrieve=extend_schema(
        responses={200: CreditSerializer},
        examples=[
            OpenApiExample(
                "A bundle paid, two of its six slots used",
                value={
                    "id": 5,
                    "order": 812,
                    "shoot": 7,
                    "child": 31,
                    "package": 3,
                    "all_photos": False,
                    "status": "credited",
                    "credited_at": "2026-09-20T10:15:00Z",
                    "slots": 6,
                    "slots_used": 2,
                    "slots_refunded": 0,
                    "slots_unused": 4,
                    "unused_amount": "10.00",
                    "refunded_amount": "0.00",
                    "currency": "EUR",
                    "created_at": "2026-09-20T10:12:00Z",
                },
                response_only=True,
            )
        ],
    ),
)
class CreditViewSet(viewsets.ReadOnlyModelViewSet):
    """Pre-ordered packages (``?shoot=``, ``?order=``, ``?status=pending|credited|refunded``),
    each with its slots used and unused and the amount still unused. ``refund`` gives that
    amount back through the order's refund, like the staff page."""

    serializer_class = CreditSerializer
    permission_classes = [PolicyPermission]
    read_action = Action.MANAGE_SHOOTS
    write_action = Action.REFUND_ORDER
    policy_actions = {"refund": Action.REFUND_ORDER}
    filterset_class = CreditFilter
    queryset = (
        Credit.objects.select_related("order", "line", "child", "shoot", "package")
        .prefetch_related("slots")
        .order_by("created_at", "pk")
    )

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="the same key again returns the first refund, made once",
            )
        ],
        responses={
            201: CreditRefundSerializer,
            409: error_response("409"),
            502: OpenApiResponse(description="Stripe refused the card refund."),
        },
        examples=[
            OpenApiExample(
                "Two unpicked photos given back",
                value={
                    "refund": 17,
                    "amount": "6.00",
                    "currency": "EUR",
                    "credit": {"id": 5, "slots": 6, "slots_used": 4, "slots_unused": 0},
                },
                response_only=True,
                status_codes=["201"],
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        """Gives back what the credit left unused (409 when nothing is, or it is unpaid)."""
        credit = self.get_object()
        key = request.headers.get("Idempotency-Key", "").strip()[:100]
        try:
            refund = credit_refund_unused(
                credit=credit,
                actor=request.user,
                idempotency_key=f"preorder-api-{credit.pk}-{key}" if key else None,
            )
        except DjangoValidationError as error:
            raise conflict_from(error) from error
        except stripe.StripeError as error:
            raise StripeRefused(str(getattr(error, "user_message", "") or error)) from error
        credit = self.get_queryset().get(pk=credit.pk)
        return Response(
            {
                "refund": refund.pk,
                "amount": str(quantize(refund.amount, credit.order.currency)),
                "currency": credit.order.currency,
                "credit": CreditSerializer(credit).data,
            },
            status=status.HTTP_201_CREATED,
        )
