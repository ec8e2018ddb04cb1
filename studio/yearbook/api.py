"""``/api/yearbook/``: each child's pose per picture day (the studio's choice set through the
same audited service as the staff page), the parents' pose deadline, PSPA exports (start one,
download its ZIP when ready) and class composites (title, order, regenerate, status). Owners
and managers (``MANAGE_SHOOTS``), as on the staff pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.storage import storages
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from saas_platform.api_schema import error_response
from studio.core.api import Conflict, PolicyPermission, service_refusal
from studio.core.policy import Action
from studio.photos.models import Photo
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot

from .models import Composite, JobStatus, YearbookExport
from .selectors import pose_deadline, pose_locked, shoot_poses
from .services import composite_request, pose_choose, pose_deadline_set, yearbook_export_start


class _YearbookViewSet(viewsets.GenericViewSet):
    permission_classes = [PolicyPermission]
    read_action = write_action = Action.MANAGE_SHOOTS


# --- poses -----------------------------------------------------------------------------------


class PoseSerializer(serializers.Serializer):
    student = serializers.IntegerField()
    name = serializers.CharField()
    school_class = serializers.IntegerField()
    photo = serializers.IntegerField(
        allow_null=True, help_text="the chosen portrait, or the default; null: no portrait"
    )
    source = serializers.CharField(
        help_text='"staff" or "parent" for a chosen pose, "" for the automatic default'
    )
    candidates = serializers.ListField(
        child=serializers.IntegerField(), help_text="the child's portraits, in gallery order"
    )


def _pose_row(school_class, child) -> dict:
    return {
        "student": child.student.pk,
        "name": child.student.full_name,
        "school_class": school_class.pk,
        "photo": child.chosen_id,
        "source": child.source,
        "candidates": [photo.pk for photo in child.candidates],
    }


class PoseChooseSerializer(serializers.Serializer):
    shoot = serializers.PrimaryKeyRelatedField(queryset=Shoot.objects.all())
    student = serializers.PrimaryKeyRelatedField(queryset=Student.objects.all())
    photo = serializers.PrimaryKeyRelatedField(queryset=Photo.objects.all())


_SHOOT_PARAMETER = OpenApiParameter(
    "shoot", OpenApiTypes.INT, required=True, description="the picture day"
)


class PoseViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, _YearbookViewSet):
    """Each child of a picture day's school with their portraits and pose (``?shoot=``,
    required; ``?school_class=``). ``POST`` is the studio's choice, appended to the pose
    audit trail like the staff page's; staff may choose after the parents' deadline too."""

    serializer_class = PoseSerializer
    queryset = Student.objects.none()  # the rows are built by ``shoot_poses``
    filter_backends = []

    def _shoot(self) -> Shoot:
        raw = self.request.query_params.get("shoot", "")
        if not raw.isdigit():
            raise ValidationError({"shoot": [_("Choose a picture day.")]})
        return get_object_or_404(Shoot.objects.select_related("school"), pk=raw)

    @extend_schema(
        parameters=[
            _SHOOT_PARAMETER,
            OpenApiParameter("school_class", OpenApiTypes.INT, description="one class only"),
        ],
        responses={200: PoseSerializer(many=True)},
    )
    def list(self, request, *args, **kwargs):
        shoot = self._shoot()
        wanted = request.query_params.get("school_class", "")
        rows = [
            _pose_row(group.school_class, child)
            for group in shoot_poses(shoot=shoot)
            if not wanted or str(group.school_class.pk) == wanted
            for child in group.children
        ]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(page)

    @extend_schema(
        request=PoseChooseSerializer,
        responses={201: PoseSerializer},
        examples=[
            OpenApiExample(
                "The studio chooses Anna's second portrait",
                value={"shoot": 7, "student": 31, "photo": 905},
                request_only=True,
            ),
            OpenApiExample(
                "Chosen",
                value={
                    "student": 31,
                    "name": "Anna Kovalenko",
                    "school_class": 4,
                    "photo": 905,
                    "source": "staff",
                    "candidates": [904, 905],
                },
                response_only=True,
                status_codes=["201"],
            ),
        ],
    )
    def create(self, request, *args, **kwargs):
        data = PoseChooseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shoot, student = data.validated_data["shoot"], data.validated_data["student"]
        try:
            pose_choose(
                actor=request.user, shoot=shoot, student=student, photo=data.validated_data["photo"]
            )
        except DjangoValidationError as error:
            raise service_refusal(
                error, field_codes={"not_a_portrait": "photo", "wrong_child": "student"}
            ) from error
        for group in shoot_poses(shoot=shoot):
            for child in group.children:
                if child.student.pk == student.pk:
                    return Response(_pose_row(group.school_class, child), status=201)
        raise ValidationError({"student": [_("This child is not on this picture day.")]})


# --- the parents' deadline -------------------------------------------------------------------


class DeadlineSerializer(serializers.Serializer):
    shoot = serializers.IntegerField(read_only=True)
    pose_deadline = serializers.DateTimeField(
        allow_null=True, help_text="until when parents may choose; null: no deadline"
    )
    locked = serializers.BooleanField(read_only=True, help_text="the deadline has passed")


def _deadline(shoot) -> dict:
    return {
        "shoot": shoot.pk,
        "pose_deadline": pose_deadline(shoot=shoot),
        "locked": pose_locked(shoot=shoot),
    }


@extend_schema_view(
    retrieve=extend_schema(
        responses={200: DeadlineSerializer},
        examples=[
            OpenApiExample(
                "Parents may choose until 1 December",
                value={"shoot": 7, "pose_deadline": "2026-12-01T16:00:00Z", "locked": False},
                response_only=True,
            )
        ],
    ),
    update=extend_schema(
        request=DeadlineSerializer,
        responses={200: DeadlineSerializer},
        examples=[
            OpenApiExample(
                "Parents choose until 1 December",
                value={"pose_deadline": "2026-12-01T18:00:00+02:00"},
                request_only=True,
            )
        ],
    ),
)
class DeadlineViewSet(mixins.RetrieveModelMixin, mixins.UpdateModelMixin, _YearbookViewSet):
    """The parents' pose deadline of a picture day (by its id)."""

    serializer_class = DeadlineSerializer
    queryset = Shoot.objects.all()
    http_method_names = ["get", "put", "options", "head"]

    def retrieve(self, request, *args, **kwargs):
        return Response(DeadlineSerializer(_deadline(self.get_object())).data)

    def update(self, request, *args, **kwargs):
        shoot = self.get_object()
        data = DeadlineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pose_deadline_set(
            actor=request.user, shoot=shoot, deadline=data.validated_data["pose_deadline"]
        )
        return Response(DeadlineSerializer(_deadline(shoot)).data)


# --- PSPA exports ----------------------------------------------------------------------------


class ExportSerializer(serializers.ModelSerializer):
    shoot = serializers.PrimaryKeyRelatedField(
        queryset=Shoot.objects.all(), required=False, allow_null=True
    )
    school = serializers.PrimaryKeyRelatedField(queryset=School.objects.all(), required=False)

    class Meta:
        model = YearbookExport
        fields = [
            "id",
            "school",
            "shoot",
            "status",
            "size_bytes",
            "students",
            "missing",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = [
            "status",
            "size_bytes",
            "students",
            "missing",
            "error",
            "created_at",
            "finished_at",
        ]

    def validate(self, attrs):
        if bool(attrs.get("shoot")) == bool(attrs.get("school")):
            raise ValidationError(_("Choose a picture day or a school, one of them."))
        return attrs


@extend_schema_view(
    list=extend_schema(responses={200: ExportSerializer(many=True)}),
    retrieve=extend_schema(
        responses={200: ExportSerializer},
        examples=[
            OpenApiExample(
                "Ready to download",
                value={
                    "id": 12,
                    "school": 2,
                    "shoot": 7,
                    "status": "ready",
                    "size_bytes": 48213377,
                    "students": 112,
                    "missing": ["Boris Ivanov (4A)"],
                    "error": "",
                    "created_at": "2026-11-02T09:00:00Z",
                    "finished_at": "2026-11-02T09:01:40Z",
                },
                response_only=True,
            )
        ],
    ),
    create=extend_schema(
        responses={201: ExportSerializer},
        examples=[
            OpenApiExample("A picture day's poses", value={"shoot": 7}, request_only=True),
            OpenApiExample(
                "A whole school (each child's newest pose)", value={"school": 2}, request_only=True
            ),
        ],
    ),
)
class ExportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    _YearbookViewSet,
):
    """PSPA exports (``?shoot=``, ``?school=``, ``?status=``). ``POST`` with ``shoot`` or
    ``school`` queues one (one of the same scope already waiting is returned instead);
    ``download`` streams the ZIP once ``status`` is ``ready``."""

    serializer_class = ExportSerializer
    filterset_fields = ["shoot", "school", "status"]
    queryset = YearbookExport.objects.order_by("-pk")

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        export = yearbook_export_start(
            actor=request.user,
            shoot=data.validated_data.get("shoot"),
            school=data.validated_data.get("school"),
        )
        return Response(self.get_serializer(export).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY, description="the PSPA ZIP"
            ),
            409: error_response("409"),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The ZIP (409 while it is being built, failed or expired)."""
        export = self.get_object()
        if export.status != JobStatus.READY or not export.file_name:
            raise Conflict(
                _("The export is not ready: it is %(status)s.")
                % {"status": export.get_status_display().lower()},
                code="not_ready",
            )
        response = FileResponse(
            storages["originals"].open(export.file_name, "rb"),
            as_attachment=True,
            filename=f"yearbook-{export.shoot_id or 'school-' + str(export.school_id)}-{export.pk}.zip",
            content_type="application/zip",
        )
        response["Cache-Control"] = "private, no-store"
        return response


# --- composites ------------------------------------------------------------------------------


class CompositeSerializer(serializers.ModelSerializer):
    shoot = serializers.PrimaryKeyRelatedField(queryset=Shoot.objects.all())
    school_class = serializers.PrimaryKeyRelatedField(queryset=SchoolClass.objects.all())
    order = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="student ids, first to last; the class's others follow by name",
    )

    class Meta:
        model = Composite
        fields = [
            "id",
            "shoot",
            "school_class",
            "title",
            "order",
            "status",
            "error",
            "photo",
            "generation",
            "names",
            "updated_at",
        ]
        read_only_fields = ["status", "error", "photo", "generation", "names", "updated_at"]
        validators = []  # one per class and day: the service creates or updates it


class CompositeUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    order = serializers.ListField(child=serializers.IntegerField(), required=False)


_COMPOSITE_EXAMPLE = OpenApiExample(
    "A title and the teacher first",
    value={"title": "Class 4A, 2026–2027", "order": [41, 31, 32]},
    request_only=True,
)


@extend_schema_view(
    list=extend_schema(responses={200: CompositeSerializer(many=True)}),
    retrieve=extend_schema(
        responses={200: CompositeSerializer},
        examples=[
            OpenApiExample(
                "Drawn and on sale as photo 950",
                value={
                    "id": 3,
                    "shoot": 7,
                    "school_class": 4,
                    "title": "Class 4A",
                    "order": [41, 31],
                    "status": "ready",
                    "error": "",
                    "photo": 950,
                    "generation": 2,
                    "names": ["Maria Petrova", "Anna Kovalenko", "Boris Ivanov"],
                    "updated_at": "2026-11-02T09:05:00Z",
                },
                response_only=True,
            )
        ],
    ),
    create=extend_schema(
        examples=[
            OpenApiExample(
                "Class 4A's composite",
                value={"shoot": 7, "school_class": 4, "title": "4A"},
                request_only=True,
            )
        ],
        responses={201: CompositeSerializer},
    ),
    update=extend_schema(
        request=CompositeUpdateSerializer,
        examples=[_COMPOSITE_EXAMPLE],
        responses={200: CompositeSerializer},
    ),
    partial_update=extend_schema(
        request=CompositeUpdateSerializer,
        examples=[_COMPOSITE_EXAMPLE],
        responses={200: CompositeSerializer},
    ),
)
class CompositeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    _YearbookViewSet,
):
    """Class composites (``?shoot=``, ``?school_class=``, ``?status=``). ``POST`` makes a
    class's (or updates the one it has); changing the title or order, or ``regenerate``,
    draws it again; ``status`` is ``ready`` once ``photo`` (sold like any photo) is."""

    serializer_class = CompositeSerializer
    filterset_fields = ["shoot", "school_class", "status"]
    queryset = Composite.objects.order_by("pk")

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            composite = composite_request(
                actor=request.user,
                shoot=data.validated_data["shoot"],
                school_class=data.validated_data["school_class"],
                title=data.validated_data.get("title", ""),
                order=data.validated_data.get("order"),
            )
        except DjangoValidationError as error:
            raise service_refusal(error, field_codes={"wrong_class": "school_class"}) from error
        return Response(self.get_serializer(composite).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        composite = self.get_object()
        data = CompositeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        composite = composite_request(
            actor=request.user,
            shoot=composite.shoot,
            school_class=composite.school_class,
            title=data.validated_data.get("title"),
            order=data.validated_data.get("order"),
        )
        return Response(self.get_serializer(composite).data)

    @extend_schema(
        request=None,
        responses={202: CompositeSerializer},
    )
    @action(detail=True, methods=["post"])
    def regenerate(self, request, pk=None):
        """Draws the composite again (new portraits, names) with its title and order."""
        composite = self.get_object()
        composite = composite_request(
            actor=request.user, shoot=composite.shoot, school_class=composite.school_class
        )
        return Response(self.get_serializer(composite).data, status=status.HTTP_202_ACCEPTED)
