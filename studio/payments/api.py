"""Refunds over the API, as the order page's refund form: ``order_refund`` gives the money
back through Stripe when the order was paid by card, otherwise records it (the same module
split as ``staff_views``: ``studio.orders`` knows nothing of providers)."""

from decimal import Decimal

import stripe
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from studio.core.api import Conflict, PolicyPermission, service_refusal
from studio.core.policy import Action
from studio.orders.api import MAX_AMOUNT, RefundSerializer
from studio.orders.models import Order

from .services import order_refund


class RefundRequestSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=13, decimal_places=3, min_value=Decimal("0.001"), max_value=MAX_AMOUNT
    )
    reason = serializers.CharField(max_length=300)
    lines = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        default=list,
        max_length=1000,
        help_text="Lines the money is for (not refunded yet, with a price): their downloads close.",
    )
    idempotency_key = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="Sending the same key again returns the first refund and gives back nothing.",
    )

    def validate_lines(self, lines):
        order = self.context["order"]
        refundable = set(
            order.lines.filter(pk__in=lines, refunded=False, net__gt=0).values_list("pk", flat=True)
        )
        if set(lines) - refundable:
            raise serializers.ValidationError(
                _("Choose items of this order that are not refunded yet.")
            )
        return lines


REFUND_REFUSED = (
    "More than the order holds (paid less refunded), or the card processor refused the refund; "
    "`detail` says why."
)


class OrderRefundView(APIView):
    """Owners and managers give money back on an order (``REFUND_ORDER``)."""

    permission_classes = [PolicyPermission]
    read_action = write_action = Action.REFUND_ORDER

    @extend_schema(
        operation_id="orders_refund",
        request=RefundRequestSerializer,
        responses={201: RefundSerializer, 409: OpenApiResponse(description=REFUND_REFUSED)},
        examples=[
            OpenApiExample(
                "A damaged print",
                value={"amount": "8.00", "reason": "Print damaged in the post", "lines": [42]},
                request_only=True,
            )
        ],
    )
    def post(self, request, pk: int):
        order = get_object_or_404(Order, pk=pk)
        data = RefundRequestSerializer(data=request.data, context={"order": order})
        data.is_valid(raise_exception=True)
        key = data.validated_data.get("idempotency_key")
        try:
            refund = order_refund(
                order=order,
                amount=data.validated_data["amount"],
                reason=data.validated_data["reason"],
                actor=request.user,
                idempotency_key=f"api-{key}" if key else None,
                line_ids=data.validated_data["lines"],
            )
        except DjangoValidationError as error:
            raise service_refusal(error) from error
        except stripe.StripeError as error:
            raise Conflict(
                _("Stripe refused the refund: %s") % (error.user_message or error)
            ) from error
        return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)
