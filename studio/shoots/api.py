from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from studio.core.api import PolicyPermission, conflict_from
from studio.core.policy import Action

from .models import Shoot, ShootStatus
from .selectors import shoots_visible_to
from .services import late_orders_error, shoot_create, shoot_delete, shoot_transition, shoot_update


class ShootSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shoot
        fields = [
            "id",
            "school",
            "name",
            "date",
            "photographers",
            "sales_deadline",
            "late_orders_until",
            "late_fee",
            "notes",
            "status",
        ]
        read_only_fields = ["status"]

    def validate(self, attrs):
        """The late orders end after the deadline (as it will be after this change)."""
        instance = self.instance
        deadline = attrs.get("sales_deadline", getattr(instance, "sales_deadline", None))
        until = attrs.get("late_orders_until", getattr(instance, "late_orders_until", None))
        error = late_orders_error(sales_deadline=deadline, late_orders_until=until)
        if error:
            raise ValidationError({"late_orders_until": [error]})
        return attrs

    def create(self, validated_data):
        return shoot_create(
            school=validated_data["school"],
            name=validated_data["name"],
            date=validated_data["date"],
            sales_deadline=validated_data.get("sales_deadline"),
            photographers=validated_data.get("photographers", ()),
            notes=validated_data.get("notes", ""),
            late_orders_until=validated_data.get("late_orders_until"),
            late_fee=validated_data.get("late_fee", Decimal("0")),
        )

    def update(self, instance, validated_data):
        """Every writable field goes through ``shoot_update`` (a moved deadline moves the
        codes); a picture day stays with its school."""
        if "school" in validated_data and validated_data["school"] != instance.school:
            raise ValidationError({"school": [_("A picture day stays with its school.")]})
        validated_data.pop("school", None)
        return shoot_update(shoot=instance, **validated_data)


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=ShootStatus.choices)


_CONFLICT = (
    "The picture day still has access codes, orders or ledger entries; the reason says which."
)


class ShootViewSet(viewsets.ModelViewSet):
    serializer_class = ShootSerializer
    permission_classes = [PolicyPermission]
    read_action = Action.VIEW_PRODUCTION
    write_action = Action.MANAGE_SHOOTS
    filterset_fields = ["school", "status", "date"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Shoot.objects.none()
        return shoots_visible_to(user=self.request.user).prefetch_related("photographers")

    @extend_schema(responses={204: None, 409: OpenApiResponse(description=_CONFLICT)})
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        try:
            shoot_delete(shoot=instance)
        except DjangoValidationError as error:
            raise conflict_from(error) from error

    @extend_schema(request=TransitionSerializer, responses=ShootSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        shoot = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            shoot = shoot_transition(shoot=shoot, to=data.validated_data["to"], actor=request.user)
        except DjangoValidationError as error:
            raise ValidationError({"to": error.messages}) from error
        return Response(ShootSerializer(shoot).data)
