"""Parents as staff see them over the API: who they are, their children (from the family's
access codes, as their account page shows them) and their orders. No secrets: no password,
no sign-in codes, no access codes. Whoever manages orders (owners and managers) may read it."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from rest_framework import mixins, serializers, viewsets

from saas_platform.accounts.models import Role
from studio.core.api import MoneyField, PolicyPermission
from studio.core.policy import Action
from studio.orders.models import Order

from .selectors import family_children


class ParentOrderSerializer(serializers.ModelSerializer):
    total = MoneyField("total")
    balance_due = MoneyField("balance_due")

    class Meta:
        model = Order
        fields = ["id", "number", "status", "currency", "total", "balance_due", "created_at"]
        read_only_fields = fields


class ParentChildSerializer(serializers.Serializer):
    student = serializers.IntegerField(source="student.pk")
    first_name = serializers.CharField(source="student.first_name")
    last_name = serializers.CharField(source="student.last_name")
    school_class = serializers.IntegerField(source="school_class.pk")
    class_name = serializers.CharField(source="school_class.name")
    school_name = serializers.CharField(source="school_class.school.name")
    shoots = serializers.SerializerMethodField(help_text="Picture days the family holds a code of.")

    def get_shoots(self, child) -> list[int]:
        return [shoot.pk for shoot in child.shoots]


class ParentSerializer(serializers.ModelSerializer):
    children = serializers.SerializerMethodField()
    orders = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "email",
            "full_name",
            "language",
            "is_active",
            "date_joined",
            "last_login",
            "children",
            "orders",
        ]
        read_only_fields = fields

    def get_children(self, parent) -> ParentChildSerializer(many=True):
        return ParentChildSerializer(family_children(parent=parent), many=True).data

    def get_orders(self, parent) -> ParentOrderSerializer(many=True):
        return ParentOrderSerializer(
            Order.objects.filter(parent=parent).order_by("-created_at", "-pk"), many=True
        ).data


class ParentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", max_length=254, help_text="Part of the e-mail address or the name."
    )
    student = django_filters.NumberFilter(
        field_name="family_codes__access_code__student",
        min_value=1,
        distinct=True,
        help_text="Parents holding a code of this child.",
    )

    class Meta:
        model = get_user_model()
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(email__icontains=value) | Q(full_name__icontains=value))


class ParentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The studio's parent accounts, newest first."""

    permission_classes = [PolicyPermission]
    read_action = write_action = Action.MANAGE_ORDERS
    serializer_class = ParentSerializer
    filterset_class = ParentFilter

    def get_queryset(self):
        return get_user_model().objects.filter(role=Role.PARENT).order_by("-date_joined", "-pk")
