import tempfile

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.api_schema import error_response
from studio.core.api import PolicyPermission
from studio.core.policy import Action, may
from studio.schools.models import SchoolClass
from studio.shoots.selectors import shoots_visible_to

from .models import Photo, Upload
from .selectors import photos_visible_to, shoot_progress
from .services.files import upload_temp_dir
from .services.ingest import photo_ingest_file
from .services.processing import photo_retry
from .services.tagging import photos_assign
from .services.uploads import OffsetMismatch, upload_append_chunk, upload_start


class PhotoSerializer(serializers.ModelSerializer):
    thumbnail_url = serializers.SerializerMethodField()
    preview_url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = [
            "id",
            "shoot",
            "school_class",
            "students",
            "is_group",
            "original_name",
            "status",
            "failure_reason",
            "width",
            "height",
            "captured_at",
            "photographer",
            "uploaded_at",
            "retouch_status",
            "thumbnail_url",
            "preview_url",
        ]
        read_only_fields = [f for f in fields if f not in ("school_class", "students", "is_group")]

    def get_thumbnail_url(self, photo) -> str | None:
        return photo.thumbnail.url if photo.thumbnail else None

    def get_preview_url(self, photo) -> str | None:
        return photo.preview.url if photo.preview else None

    def update(self, photo, validated_data):
        photos_assign(
            photos=[photo],
            school_class=validated_data.get("school_class"),
            students=validated_data.get("students", ()),
            is_group=validated_data.get("is_group"),
            replace_students="students" in validated_data,
        )
        photo.refresh_from_db()
        return photo


class PhotoViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Photos of the studio's picture days. Tagging (class, students, group) by PATCH."""

    serializer_class = PhotoSerializer
    permission_classes = [PolicyPermission]
    read_action = Action.VIEW_PRODUCTION
    write_action = Action.MANAGE_SHOOTS
    policy_actions = {"retry": Action.UPLOAD_PHOTOS}
    filterset_fields = ["shoot", "school_class", "status", "retouch_status", "is_group", "students"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Photo.objects.none()
        return photos_visible_to(user=self.request.user).prefetch_related("students")

    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        photo = self.get_object()
        photo_retry(photo=photo)
        photo.refresh_from_db()
        return Response(PhotoSerializer(photo).data)


def _shoot_for_upload(request, shoot_id):
    shoot = get_object_or_404(shoots_visible_to(user=request.user), pk=shoot_id)
    if not may(request.user, Action.UPLOAD_PHOTOS, shoot):
        raise PermissionDenied
    return shoot


class FilesTargetSerializer(serializers.Serializer):
    """The optional class of a multipart ``files`` post; a value that is not a class id of
    the picture day's school is a 400 naming the field, never a crash."""

    school_class = serializers.IntegerField(required=False, allow_null=True, min_value=1)


def _class_of(shoot, data):
    target = FilesTargetSerializer(data={"school_class": data.get("school_class") or None})
    target.is_valid(raise_exception=True)
    class_id = target.validated_data.get("school_class")
    if class_id is None:
        return None
    school_class = SchoolClass.objects.filter(pk=class_id, school=shoot.school_id).first()
    if school_class is None:
        raise ValidationError({"school_class": [_("No such class at this picture day's school.")]})
    return school_class


class OutcomeSerializer(serializers.Serializer):
    file_name = serializers.CharField()
    result = serializers.ChoiceField(choices=["accepted", "duplicate", "rejected"])
    reason = serializers.CharField(allow_blank=True)
    photo_id = serializers.IntegerField(allow_null=True)


class ShootPhotoUploadView(APIView):
    """For tools: ``POST`` one or more files (multipart field ``files``) into a picture day.
    Each file gets its own outcome; bad files never stop the others."""

    parser_classes = [parsers.MultiPartParser]
    permission_classes = [PolicyPermission]  # a role that never uploads: 403 before a 404
    read_action = write_action = Action.UPLOAD_PHOTOS

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    "school_class": {"type": "integer", "minimum": 1, "nullable": True},
                },
            }
        },
        responses={
            201: OutcomeSerializer(many=True),
            400: OpenApiResponse(description="``school_class`` is not a class of its school."),
        },
    )
    def post(self, request, shoot_id):
        shoot = _shoot_for_upload(request, shoot_id)
        school_class = _class_of(shoot, request.data)
        outcomes = []
        for uploaded in request.FILES.getlist("files"):
            with tempfile.NamedTemporaryFile(dir=upload_temp_dir()) as copy:
                for chunk in uploaded.chunks():
                    copy.write(chunk)
                copy.flush()
                outcome = photo_ingest_file(
                    shoot=shoot,
                    path=copy.name,
                    file_name=uploaded.name,
                    uploaded_by=request.user,
                    school_class=school_class,
                )
            outcomes.append(outcome.as_dict())
        return Response(
            outcomes, status=status.HTTP_201_CREATED if outcomes else status.HTTP_400_BAD_REQUEST
        )


class UploadSerializer(serializers.ModelSerializer):
    class Meta:
        model = Upload
        fields = [
            "id",
            "shoot",
            "school_class",
            "file_name",
            "size_bytes",
            "received_bytes",
            "fingerprint",
            "status",
            "outcome",
        ]
        read_only_fields = ["id", "received_bytes", "status", "outcome"]


class UploadViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Resumable uploads: ``POST`` announces a file (name, size, fingerprint) and returns the
    offset to go on from; ``PUT chunk/`` with header ``Upload-Offset`` appends raw bytes; the
    last chunk ingests the file (a ZIP in the background). ``GET`` tells the offset and,
    when done, the outcome per file."""

    serializer_class = UploadSerializer
    # Asked first, so a role that never uploads is refused before its body is read (a
    # retoucher-scoped token of the owner once read the owner's uploads).
    permission_classes = [PolicyPermission]
    read_action = write_action = Action.UPLOAD_PHOTOS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Upload.objects.none()
        return Upload.objects.filter(created_by=self.request.user)

    def create(self, request, *args, **kwargs):
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shoot = _shoot_for_upload(request, data.validated_data["shoot"].pk)
        school_class = data.validated_data.get("school_class")
        if school_class is not None and school_class.school_id != shoot.school_id:
            raise ValidationError({"school_class": ["Not a class of this picture day's school."]})
        try:
            upload = upload_start(
                shoot=shoot,
                file_name=data.validated_data["file_name"],
                size_bytes=data.validated_data["size_bytes"],
                user=request.user,
                school_class=school_class,
                fingerprint=data.validated_data.get("fingerprint", ""),
            )
        except DjangoValidationError as error:
            raise ValidationError({"file_name": error.messages}) from error
        return Response(UploadSerializer(upload).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"application/offset+octet-stream": {"type": "string", "format": "binary"}},
        parameters=[OpenApiParameter("Upload-Offset", int, OpenApiParameter.HEADER, required=True)],
        responses={
            200: UploadSerializer,
            409: OpenApiResponse(
                {
                    "type": "object",
                    "properties": {
                        "detail": {"type": "string"},
                        "received_bytes": {"type": "integer"},
                    },
                    "required": ["detail", "received_bytes"],
                },
                description="The offset is not what the server has: resume at `received_bytes`.",
            ),
            411: error_response("400", 'No `Content-Length`: `{"chunk": ["…"]}`.'),
            413: error_response(
                "400", 'More than a chunk may be, or than the announced size: `{"chunk": …}`.'
            ),
        },
    )
    @action(detail=True, methods=["put"], parser_classes=[])
    def chunk(self, request, pk=None):
        """Judged by its headers before a byte of the body is read (a missing or too large
        ``Content-Length``, a wrong offset, more than the announced size); then streamed to
        storage."""
        upload = self.get_object()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or "")
        except ValueError:
            length = -1
        if length < 0:
            return Response(
                {"chunk": [_("Send the chunk with a Content-Length header.")]},
                status=status.HTTP_411_LENGTH_REQUIRED,
            )
        try:
            offset = int(request.headers.get("Upload-Offset", ""))
        except ValueError:
            raise ValidationError(
                {"Upload-Offset": ["Required: the byte offset of this chunk."]}
            ) from None
        try:
            upload = upload_append_chunk(
                upload=upload, offset=offset, length=length, body=request._request
            )
        except OffsetMismatch as mismatch:
            return Response(
                {"detail": "Offset mismatch.", "received_bytes": mismatch.expected},
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as error:
            code = (
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
                if error.code == "too_large"
                else status.HTTP_400_BAD_REQUEST
            )
            return Response({"chunk": error.messages}, status=code)
        return Response(UploadSerializer(upload).data)


class ShootProgressView(APIView):
    """``GET /api/shoots/<id>/progress/``: processing counts per status, polled by the picture
    day's page for live progress."""

    permission_classes = [PolicyPermission]
    read_action = Action.VIEW_PRODUCTION
    write_action = Action.VIEW_PRODUCTION

    @extend_schema(responses={200: {"type": "object", "additionalProperties": {"type": "integer"}}})
    def get(self, request, pk):
        shoot = get_object_or_404(shoots_visible_to(user=request.user), pk=pk)
        return Response(shoot_progress(shoot=shoot))
