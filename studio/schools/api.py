from rest_framework import serializers, viewsets

from studio.core.api import PolicyPermission
from studio.core.policy import Action

from .models import School, SchoolClass, Student


class SchoolSerializer(serializers.ModelSerializer):
    class Meta:
        model = School
        fields = ["id", "name", "address", "contact_email", "contact_phone", "commission_percent"]


class SchoolClassSerializer(serializers.ModelSerializer):
    class Meta:
        model = SchoolClass
        fields = ["id", "school", "name", "school_year"]


class StudentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Student
        fields = [
            "id",
            "school_class",
            "first_name",
            "last_name",
            "external_id",
            "parent_emails",
            "parent_phones",
            "do_not_publish",
        ]


class _ProductionViewSet(viewsets.ModelViewSet):
    permission_classes = [PolicyPermission]
    read_action = Action.VIEW_PRODUCTION
    write_action = Action.MANAGE_SCHOOLS


class SchoolViewSet(_ProductionViewSet):
    queryset = School.objects.all()
    serializer_class = SchoolSerializer
    filterset_fields = ["name"]


class SchoolClassViewSet(_ProductionViewSet):
    queryset = SchoolClass.objects.all()
    serializer_class = SchoolClassSerializer
    filterset_fields = ["school", "school_year", "name"]


class StudentViewSet(_ProductionViewSet):
    queryset = Student.objects.select_related("school_class")
    serializer_class = StudentSerializer
    filterset_fields = {
        "school_class": ["exact"],
        "school_class__school": ["exact"],
        "external_id": ["exact"],
    }
