"""Schools, classes and students over the API: writes go through the same services as the
staff pages, so the same rules hold; parents' contacts are only shown to managing roles."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets

from studio.core.api import PolicyPermission, bad_request_from, conflict_from
from studio.core.policy import Action, may

from . import services
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
            raise bad_request_from(error) from error

    def perform_create(self, serializer):
        serializer.instance = self._call(self.create_service, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self._call(
            self.update_service,
            **{self.instance_kwarg: serializer.instance},
            **serializer.validated_data,
        )

    confirm_param = ""  # ``?with_classes=true``: what the staff page's confirmation says

    def perform_destroy(self, instance):
        """A record still in use (classes, students, codes, orders) is a 409 with the reason,
        as the picture days' delete: the request is valid, the records' state refuses it."""
        extra = {}
        if self.confirm_param:
            extra[self.confirm_param] = self.request.query_params.get(self.confirm_param) in (
                "1",
                "true",
            )
        try:
            self.delete_service(**{self.instance_kwarg: instance}, **extra)
        except DjangoValidationError as error:
            raise conflict_from(error) from error


def _delete_schema(conflict: str, confirm: str = ""):
    parameters = (
        [
            OpenApiParameter(
                confirm,
                OpenApiTypes.BOOL,
                description="Confirms deleting what it holds as well (the staff page's tick).",
            )
        ]
        if confirm
        else []
    )
    return extend_schema(
        parameters=parameters, responses={204: None, 409: OpenApiResponse(description=conflict)}
    )


class SchoolViewSet(_ServiceViewSet):
    queryset = School.objects.all()
    serializer_class = SchoolSerializer
    filterset_fields = ["name"]
    create_service = staticmethod(services.school_create)
    update_service = staticmethod(services.school_update)
    delete_service = staticmethod(services.school_delete)
    instance_kwarg = "school"
    confirm_param = "with_classes"

    @_delete_schema(
        "The school has classes (without `with_classes=true`), or its classes, students or "
        "picture days are still referred to (codes, photos, orders); `detail` says which.",
        "with_classes",
    )
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)


class SchoolClassViewSet(_ServiceViewSet):
    queryset = SchoolClass.objects.all()
    serializer_class = SchoolClassSerializer
    filterset_fields = ["school", "school_year", "name"]
    create_service = staticmethod(services.school_class_create)
    update_service = staticmethod(services.school_class_update)
    delete_service = staticmethod(services.school_class_delete)
    instance_kwarg = "school_class"
    confirm_param = "with_students"

    @_delete_schema(
        "The class has students (without `with_students=true`), or it or its students are "
        "still referred to (codes, photos, orders); `detail` says which.",
        "with_students",
    )
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

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

    @_delete_schema(
        "The student is still referred to (access codes, photos, orders); `detail` says which."
    )
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)
