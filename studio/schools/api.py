"""Schools, classes and students over the API: writes go through the same services as the
staff pages, so the same rules hold; parents' contacts are only shown to managing roles."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from studio.core.api import PolicyPermission
from studio.core.policy import Action, may

from . import services
from .models import School, SchoolClass, Student


def _drf_error(error: DjangoValidationError) -> ValidationError:
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


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

    def to_representation(self, student):
        data = super().to_representation(student)
        request = self.context.get("request")
        if request is not None and not may(request.user, Action.MANAGE_SCHOOLS):
            data.pop("parent_emails")
            data.pop("parent_phones")
        return data


class _ServiceViewSet(viewsets.ModelViewSet):
    """Reads for production staff; create/update/delete through ``services``."""

    permission_classes = [PolicyPermission]
    read_action = Action.VIEW_PRODUCTION
    write_action = Action.MANAGE_SCHOOLS
    create_service = update_service = delete_service = None
    instance_kwarg = ""

    def _call(self, service, **kwargs):
        try:
            return service(**kwargs)
        except DjangoValidationError as error:
            raise _drf_error(error) from error

    def perform_create(self, serializer):
        serializer.instance = self._call(self.create_service, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self._call(
            self.update_service,
            **{self.instance_kwarg: serializer.instance},
            **serializer.validated_data,
        )

    def perform_destroy(self, instance):
        self._call(self.delete_service, **{self.instance_kwarg: instance})


class SchoolViewSet(_ServiceViewSet):
    queryset = School.objects.all()
    serializer_class = SchoolSerializer
    filterset_fields = ["name"]
    create_service = staticmethod(services.school_create)
    update_service = staticmethod(services.school_update)
    delete_service = staticmethod(services.school_delete)
    instance_kwarg = "school"


class SchoolClassViewSet(_ServiceViewSet):
    queryset = SchoolClass.objects.all()
    serializer_class = SchoolClassSerializer
    filterset_fields = ["school", "school_year", "name"]
    create_service = staticmethod(services.school_class_create)
    update_service = staticmethod(services.school_class_update)
    delete_service = staticmethod(services.school_class_delete)
    instance_kwarg = "school_class"

    def perform_update(self, serializer):
        serializer.validated_data.pop("school", None)  # a class does not change school
        super().perform_update(serializer)


class StudentViewSet(_ServiceViewSet):
    queryset = Student.objects.select_related("school_class")
    serializer_class = StudentSerializer
    filterset_fields = {
        "school_class": ["exact"],
        "school_class__school": ["exact"],
        "external_id": ["exact"],
    }
    create_service = staticmethod(services.student_create)
    update_service = staticmethod(services.student_update)
    delete_service = staticmethod(services.student_delete)
    instance_kwarg = "student"
