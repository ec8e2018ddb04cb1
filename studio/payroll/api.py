"""Read-only staff pay in the API: a person's statement (photographers and retouchers their
own only, the owner and managers anyone's) and the pay runs. Same selectors as the pages."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.money import quantize
from studio.core.api import PolicyPermission
from studio.core.policy import Action

from . import selectors
from .forms import PeriodForm
from .models import PayRun


class Money(serializers.DecimalField):
    """An amount as a decimal string at its currency's precision ("5.00" EUR, "500" JPY):
    the selectors already round it so."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=14, decimal_places=3, **kwargs)

    def to_representation(self, value):
        return str(value)


PERIOD_PARAMETERS = [
    OpenApiParameter("starts", OpenApiTypes.DATE, description="First day (default: the 1st)"),
    OpenApiParameter("ends", OpenApiTypes.DATE, description="Last day, included (default: today)"),
]


class PayStatementLineSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    kind = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()
    amount = Money()


class PayStatementSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person.pk")
    person_name = serializers.CharField(source="person.full_name")
    currency = serializers.CharField()
    starts = serializers.DateField()
    ends = serializers.DateField()
    opening = Money()
    earned = serializers.DictField(child=Money())
    earned_total = Money()
    reversed = Money()
    adjustments = Money()
    paid = Money()
    closing = Money()
    lines = PayStatementLineSerializer(many=True)


def _statement(request, person):
    starts, ends = PeriodForm(request.query_params).period()
    return Response(
        PayStatementSerializer(selectors.statement(person, starts=starts, ends=ends)).data
    )


class MyStatementView(APIView):
    """The signed-in person's own pay statement ("My earnings")."""

    permission_classes = [PolicyPermission]
    read_action = write_action = Action.VIEW_OWN_STATEMENT

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=PayStatementSerializer)
    def get(self, request):
        return _statement(request, request.user)


class PersonStatementView(APIView):
    """Anyone's pay statement, for the owner and managers."""

    permission_classes = [PolicyPermission]
    read_action = write_action = Action.VIEW_STAFF_PAY

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=PayStatementSerializer)
    def get(self, request, person_id: int):
        person = get_object_or_404(get_user_model(), pk=person_id, role__in=selectors.PAYABLE_ROLES)
        return _statement(request, person)


class PayRunLineSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person_id")
    name = serializers.CharField()
    bank_account = serializers.CharField()
    amount = Money()
    reference = serializers.CharField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["amount"] = str(quantize(instance.amount, instance.run.currency))
        return data


class PayRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period_end = serializers.DateField()
    currency = serializers.CharField()
    created_at = serializers.DateTimeField()
    lines = PayRunLineSerializer(many=True)


class PayRunListView(APIView):
    """The pay runs, newest first, with whom each paid."""

    permission_classes = [PolicyPermission]
    read_action = write_action = Action.VIEW_STAFF_PAY

    @extend_schema(responses=PayRunSerializer(many=True))
    def get(self, request):
        runs = PayRun.objects.prefetch_related("lines__run")[:100]
        return Response(PayRunSerializer(runs, many=True).data)
