"""Access codes over the API: what the staff codes page does (list, issue for a picture day,
regenerate one, print the cards), through the same selectors and services. Whoever may
publish galleries (owners and managers) may do all of it."""

import logging

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import APIView

from saas_platform.pdf_fonts import PdfFontMissing
from studio.core.api import Conflict, PolicyPermission, service_refusal
from studio.core.policy import Action
from studio.shoots.models import Shoot

from .cards import CardTextUnsupported, access_cards_pdf
from .models import AccessCode, AccessCodeKind
from .selectors import card_codes
from .services import access_code_regenerate, access_codes_issue

logger = logging.getLogger(__name__)


class AccessCodeSerializer(serializers.ModelSerializer):
    display = serializers.CharField(read_only=True, help_text="The code as printed on the card.")
    live = serializers.SerializerMethodField()

    class Meta:
        model = AccessCode
        fields = [
            "id",
            "code",
            "display",
            "kind",
            "shoot",
            "school_class",
            "student",
            "live",
            "created_at",
            "expires_at",
            "revoked_at",
            "replaced_by",
            "emailed_at",
        ]
        read_only_fields = fields

    def get_live(self, code) -> bool:
        return code.revoked_at is None


class AccessCodeFilter(django_filters.FilterSet):
    live = django_filters.BooleanFilter(
        field_name="revoked_at", lookup_expr="isnull", help_text="Only codes that still work."
    )

    class Meta:
        model = AccessCode
        fields = ["shoot", "kind", "school_class", "student"]


class IssueSerializer(serializers.Serializer):
    shoot = serializers.PrimaryKeyRelatedField(queryset=Shoot.objects.all())


class IssueResultSerializer(serializers.Serializer):
    classes = serializers.IntegerField(help_text="New class codes.")
    students = serializers.IntegerField(help_text="New children's codes.")


class AccessCodeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The studio's access codes, class by class; revoked ones stay listed (``live=false``)."""

    permission_classes = [PolicyPermission]
    read_action = write_action = Action.PUBLISH_GALLERY
    serializer_class = AccessCodeSerializer
    filterset_class = AccessCodeFilter
    queryset = AccessCode.objects.order_by("shoot_id", "school_class_id", "kind", "pk")

    @extend_schema(
        request=IssueSerializer,
        responses={200: IssueResultSerializer},
        examples=[
            OpenApiExample("A picture day", value={"shoot": 12}, request_only=True),
            OpenApiExample(
                "Two new classes", value={"classes": 2, "students": 51}, response_only=True
            ),
        ],
    )
    @action(detail=False, methods=["post"])
    def issue(self, request):
        """A code for every class of the picture day and every child in them that has none;
        asking again creates nothing."""
        data = IssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = access_codes_issue(shoot=data.validated_data["shoot"])
        return Response({"classes": result.classes, "students": result.students})

    @extend_schema(
        request=None,
        responses={
            201: AccessCodeSerializer,
            409: OpenApiResponse(description="The code was revoked already."),
        },
    )
    @action(detail=True, methods=["post"])
    def regenerate(self, request, pk=None):
        """Revokes the code and issues its replacement: the old one never works again."""
        code = self.get_object()
        try:
            new = access_code_regenerate(code=code)
        except DjangoValidationError as error:
            raise service_refusal(error) from error
        return Response(AccessCodeSerializer(new).data, status=status.HTTP_201_CREATED)


class ServiceUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"


class AccessCardsView(APIView):
    """The picture day's printable cards, as the staff page's PDF."""

    permission_classes = [PolicyPermission]
    read_action = write_action = Action.PUBLISH_GALLERY

    def perform_content_negotiation(self, request, force=False):
        # The answer is a PDF whatever ``Accept`` says; errors are JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="shoots_access_cards",
        parameters=[
            OpenApiParameter(
                "kind",
                str,
                enum=list(AccessCodeKind.values),
                description="`student` (default): a card per child; `class`: a card per class.",
            )
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The cards (A4, cut marks), a PDF file."
            ),
            409: OpenApiResponse(
                description="A name on a card has characters the card fonts cannot print."
            ),
            503: OpenApiResponse(description="The server lacks the card fonts."),
        },
    )
    def get(self, request, shoot_id: int):
        shoot = get_object_or_404(Shoot.objects.select_related("school"), pk=shoot_id)
        kind = request.query_params.get("kind") or AccessCodeKind.STUDENT
        if kind not in AccessCodeKind.values:
            raise serializers.ValidationError({"kind": [_("Choose student or class.")]})
        title = _("access cards") if kind == AccessCodeKind.STUDENT else _("class codes")
        try:
            pdf = access_cards_pdf(
                codes=card_codes(shoot=shoot, kind=kind),
                studio=request.tenant,
                title=f"{request.tenant.name} · {shoot.name} · {title}",
                request=request,
            )
        except CardTextUnsupported as error:
            raise Conflict(str(error)) from error
        except PdfFontMissing as error:
            logger.exception("access cards cannot be printed")
            raise ServiceUnavailable(
                _("Cards cannot be printed: the server lacks the fonts for them.")
            ) from error
        filename = "access-cards" if kind == AccessCodeKind.STUDENT else "class-codes"
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}-{shoot.pk}.pdf"'
        return response
