"""Retouching over the API, with the roles the pages use: retouchers claim a batch from the
queue, download its originals, upload retouched files and submit (``RETOUCH_PHOTOS``, their
own batches only); owners and managers review, approve or send back with a comment
(``REVIEW_RETOUCH``). Same services as ``views``."""

import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from studio.core.api import Conflict, PolicyPermission, service_refusal
from studio.core.policy import Action, may
from studio.photos.api import PhotoSerializer
from studio.photos.archive import zip_response
from studio.photos.models import Photo
from studio.photos.services.files import upload_temp_dir
from studio.shoots.models import Shoot

from . import selectors
from .models import RetouchBatch
from .services import (
    batch_download_entries,
    batch_photos,
    retouch_approve,
    retouch_claim_batch,
    retouch_send_back,
    retouch_submit,
    retouch_upload_versions,
)

MAX_FILES = 500  # one request's retouched files; a batch is far smaller


class RetouchPermission(PolicyPermission):
    """Reads for retouchers and reviewers alike; every other action asks the policy."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) in ("list", "retrieve"):
            return may(request.user, Action.RETOUCH_PHOTOS) or may(
                request.user, Action.REVIEW_RETOUCH
            )
        return super().has_permission(request, view)

    def has_object_permission(self, request, view, obj):
        if may(request.user, Action.REVIEW_RETOUCH) and view.action in ("list", "retrieve"):
            return True
        return may(request.user, Action.RETOUCH_PHOTOS, obj)


class QueueEntrySerializer(serializers.ModelSerializer):
    school_name = serializers.CharField(source="school.name", read_only=True)
    queued = serializers.IntegerField(read_only=True, help_text="Waiting for a retoucher.")
    in_work = serializers.IntegerField(read_only=True, help_text="Claimed or sent back.")
    to_review = serializers.IntegerField(read_only=True, help_text="Submitted for review.")

    class Meta:
        model = Shoot
        fields = ["id", "name", "date", "school", "school_name", "queued", "in_work", "to_review"]
        read_only_fields = fields


class RetouchQueueView(ListAPIView):
    """Picture days with photos to retouch or to review (retouchers and reviewers)."""

    permission_classes = [RetouchPermission]
    serializer_class = QueueEntrySerializer
    filter_backends = []
    read_action = write_action = Action.RETOUCH_PHOTOS
    action = "list"

    def get_queryset(self):
        return selectors.retouch_queue()


class BatchPhotoSerializer(serializers.ModelSerializer):
    sent_back_comment = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = ["id", "original_name", "retouch_status", "versions", "sent_back_comment"]
        read_only_fields = fields

    def get_sent_back_comment(self, photo) -> str:
        return selectors.sent_back_comment(photo)

    def get_versions(self, photo) -> int:
        return photo.versions.count()


class RetouchBatchSerializer(serializers.ModelSerializer):
    open_count = serializers.IntegerField(read_only=True, help_text="Photos still to retouch.")
    total = serializers.IntegerField(read_only=True)

    class Meta:
        model = RetouchBatch
        fields = ["id", "shoot", "retoucher", "created_at", "submitted_at", "open_count", "total"]
        read_only_fields = fields


class RetouchBatchDetailSerializer(RetouchBatchSerializer):
    photos = serializers.SerializerMethodField()

    class Meta(RetouchBatchSerializer.Meta):
        fields = [*RetouchBatchSerializer.Meta.fields, "photos"]
        read_only_fields = fields

    def get_photos(self, batch) -> BatchPhotoSerializer(many=True):
        return BatchPhotoSerializer(batch_photos(batch), many=True).data


class ClaimSerializer(serializers.Serializer):
    shoot = serializers.PrimaryKeyRelatedField(queryset=Shoot.objects.all())


class UploadFilesSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=MAX_FILES)


class UploadResultSerializer(serializers.Serializer):
    matched = serializers.ListField(child=serializers.CharField())
    unmatched = serializers.ListField(
        child=serializers.CharField(), help_text="No photo of this batch has that name."
    )
    rejected = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="`[file name, reason]`: not an image the studio accepts.",
    )


class SubmitResultSerializer(serializers.Serializer):
    submitted = serializers.IntegerField()


class RetouchBatchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Retouch batches: a retoucher's own; every batch for reviewers."""

    permission_classes = [RetouchPermission]
    read_action = write_action = Action.RETOUCH_PHOTOS
    filterset_fields = ["shoot"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.retouch_batches().none()
        user = self.request.user
        mine = not may(user, Action.REVIEW_RETOUCH) or self.action not in ("list", "retrieve")
        return selectors.retouch_batches(retoucher=user if mine else None)

    def get_serializer_class(self):
        return RetouchBatchDetailSerializer if self.action == "retrieve" else RetouchBatchSerializer

    def _detail(self, batch, code=status.HTTP_200_OK):
        batch = selectors.retouch_batches().get(pk=batch.pk)
        return Response(RetouchBatchDetailSerializer(batch).data, status=code)

    @extend_schema(
        request=ClaimSerializer,
        responses={
            201: RetouchBatchDetailSerializer,
            409: OpenApiResponse(description="No photos are waiting in this picture day."),
        },
        examples=[OpenApiExample("A picture day", value={"shoot": 12}, request_only=True)],
    )
    @action(detail=False, methods=["post"])
    def claim(self, request):
        """Takes the next photos waiting in a picture day (two retouchers never get the same
        photo)."""
        data = ClaimSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = retouch_claim_batch(shoot=data.validated_data["shoot"], retoucher=request.user)
        if batch is None:
            raise Conflict(_("No photos are waiting in this picture day any more."))
        return self._detail(batch, status.HTTP_201_CREATED)

    @extend_schema(
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The batch's originals as one ZIP, streamed."""
        batch = self.get_object()
        entries = [
            (name, photo.original, photo.size_bytes)
            for name, photo in batch_download_entries(batch)
        ]
        return zip_response(entries, f"batch-{batch.pk}-originals.zip")

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "files": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "minItems": 1,
                        "maxItems": MAX_FILES,
                    }
                },
                "required": ["files"],
            }
        },
        responses={
            200: UploadResultSerializer,
            409: OpenApiResponse(description="The batch was submitted already."),
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[parsers.MultiPartParser])
    def files(self, request, pk=None):
        """Retouched files, matched to the batch's photos by file name (extension and case
        ignored); each becomes a new version."""
        batch = self.get_object()
        uploaded = request.FILES.getlist("files")
        if not uploaded:
            raise ValidationError({"files": [_("Choose at least one file.")]})
        if len(uploaded) > MAX_FILES:
            raise ValidationError(
                {
                    "files": [
                        ngettext(
                            "At most %(n)d file at once.", "At most %(n)d files at once.", MAX_FILES
                        )
                        % {"n": MAX_FILES}
                    ]
                }
            )
        with tempfile.TemporaryDirectory(dir=upload_temp_dir()) as scratch:
            local = []
            for number, one in enumerate(uploaded):
                path = Path(scratch) / f"{number}"
                with open(path, "wb") as sink:
                    for chunk in one.chunks():
                        sink.write(chunk)
                local.append((one.name, path))
            try:
                result = retouch_upload_versions(batch=batch, files=local, actor=request.user)
            except DjangoValidationError as error:
                raise service_refusal(error) from error
        return Response(
            {
                "matched": result.matched,
                "unmatched": result.unmatched,
                "rejected": [[name, str(reason)] for name, reason in result.rejected],
            }
        )

    @extend_schema(
        request=None,
        responses={
            200: SubmitResultSerializer,
            409: OpenApiResponse(description="No retouched file was uploaded since the claim."),
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Sends every photo with a new version to review."""
        batch = self.get_object()
        try:
            count = retouch_submit(batch=batch, actor=request.user)
        except DjangoValidationError as error:
            raise service_refusal(error) from error
        return Response({"submitted": count})


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "send_back"])
    comment = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="What should change; required to send back.",
    )


class RetouchReviewView(APIView):
    """Owners and managers approve a submitted photo (parents then see the retouched
    version) or send it back with a comment."""

    permission_classes = [PolicyPermission]
    read_action = write_action = Action.REVIEW_RETOUCH

    @extend_schema(
        operation_id="retouch_review",
        request=ReviewSerializer,
        responses={
            200: PhotoSerializer,
            409: OpenApiResponse(description="The photo is not submitted for review."),
        },
        examples=[
            OpenApiExample("Approve", value={"decision": "approve"}),
            OpenApiExample(
                "Send back",
                value={"decision": "send_back", "comment": "Soften the shadow on the left"},
            ),
        ],
    )
    def post(self, request, photo_id: int):
        photo = get_object_or_404(Photo, pk=photo_id)
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            if data.validated_data["decision"] == "approve":
                photo = retouch_approve(photo=photo, actor=request.user)
            else:
                photo = retouch_send_back(
                    photo=photo, actor=request.user, comment=data.validated_data["comment"]
                )
        except DjangoValidationError as error:
            raise service_refusal(error, field_codes={"comment": "comment"}) from error
        photo.refresh_from_db()
        return Response(PhotoSerializer(photo).data)
