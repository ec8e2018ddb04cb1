"""``/api/campaigns/``: the schedule, the wording, sends (start one, read its progress) and
their recipients (record a bounce). Owners and managers (``MANAGE_CAMPAIGNS``); the same
services as the staff pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from studio.core.api import PolicyPermission, bad_request_from
from studio.core.policy import Action
from studio.shoots.models import Shoot

from .models import CampaignKind, CampaignSend, CampaignSettings, MessageTemplate, Recipient
from .selectors import campaign_settings, send_progress, sends_of
from .services import (
    campaign_send_start,
    campaign_settings_update,
    message_template_save,
    recipient_bounce_record,
)
from .wording import placeholders_check


class CampaignSettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = CampaignSettings
        fields = CampaignSettings.EDITABLE


class CampaignSettingsView(APIView):
    """The studio's schedule: reminders N days before the deadline and on its last day, the
    last chance (with its late fee) after it, the automatic "photos are online"."""

    permission_classes = [PolicyPermission]
    read_action = write_action = Action.MANAGE_CAMPAIGNS

    @extend_schema(responses=CampaignSettingsSerializer)
    def get(self, request):
        return Response(CampaignSettingsSerializer(campaign_settings()).data)

    @extend_schema(request=CampaignSettingsSerializer, responses=CampaignSettingsSerializer)
    def put(self, request):
        return self._save(request, partial=False)

    @extend_schema(request=CampaignSettingsSerializer, responses=CampaignSettingsSerializer)
    def patch(self, request):
        return self._save(request, partial=True)

    def _save(self, request, *, partial: bool):
        data = CampaignSettingsSerializer(campaign_settings(), data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        try:
            cfg = campaign_settings_update(**data.validated_data)
        except DjangoValidationError as error:
            raise bad_request_from(error) from error
        return Response(CampaignSettingsSerializer(cfg).data)


class MessageTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = MessageTemplate
        fields = ["id", "kind", "language", "subject", "body", "sms", "updated_at"]
        read_only_fields = ["updated_at"]

    def validate(self, attrs):
        for name in ("subject", "body", "sms"):
            if name in attrs:
                try:
                    placeholders_check(attrs[name])
                except DjangoValidationError as error:
                    raise ValidationError({name: error.messages}) from error
        return attrs

    def create(self, validated_data):
        return message_template_save(**validated_data)

    def update(self, instance, validated_data):
        if {"kind", "language"} & set(validated_data) and (
            validated_data.get("kind", instance.kind) != instance.kind
            or validated_data.get("language", instance.language) != instance.language
        ):
            raise ValidationError({"kind": [_("A message keeps its kind and language.")]})
        return message_template_save(
            kind=instance.kind,
            language=instance.language,
            subject=validated_data.get("subject", instance.subject),
            body=validated_data.get("body", instance.body),
            sms=validated_data.get("sms"),
        )


class MessageTemplateViewSet(viewsets.ModelViewSet):
    """The studio's own wording per kind and language (a missing one uses the default;
    deleting one goes back to it)."""

    serializer_class = MessageTemplateSerializer
    permission_classes = [PolicyPermission]
    read_action = write_action = Action.MANAGE_CAMPAIGNS
    filterset_fields = ["kind", "language"]
    queryset = MessageTemplate.objects.all()


class ProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    sent = serializers.IntegerField()
    bounced = serializers.IntegerField()
    unsubscribed = serializers.IntegerField()
    failed = serializers.IntegerField()
    percent = serializers.IntegerField()


class CampaignSendSerializer(serializers.ModelSerializer):
    shoot = serializers.PrimaryKeyRelatedField(queryset=Shoot.objects.all())
    kind = serializers.ChoiceField(choices=CampaignKind.choices)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = CampaignSend
        fields = [
            "id",
            "shoot",
            "kind",
            "occasion",
            "status",
            "created_at",
            "finished_at",
            "progress",
        ]
        read_only_fields = ["occasion", "status", "created_at", "finished_at"]

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, send) -> dict:
        progress = send_progress(send=send)
        return {**progress.__dict__, "percent": progress.percent}


class CampaignSendViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Sends: ``POST`` starts one now (``{"shoot", "kind"}``), ``GET`` reads its progress."""

    serializer_class = CampaignSendSerializer
    permission_classes = [PolicyPermission]
    read_action = write_action = Action.MANAGE_CAMPAIGNS
    filterset_fields = ["shoot", "kind", "status"]

    def get_queryset(self):
        return sends_of()

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            send = campaign_send_start(
                shoot=data.validated_data["shoot"],
                kind=data.validated_data["kind"],
                actor=request.user,
            )
        except DjangoValidationError as error:
            raise ValidationError({"shoot": error.messages}) from error
        return Response(self.get_serializer(send).data, status=status.HTTP_201_CREATED)


class RecipientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recipient
        fields = [
            "id",
            "send",
            "channel",
            "address",
            "language",
            "children",
            "status",
            "reason",
            "attempts",
            "sent_at",
        ]


class BounceSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class RecipientViewSet(viewsets.ReadOnlyModelViewSet):
    """Who a send reaches and how each went (``?send=``); ``bounce`` records one that came
    back (campaigns then skip the address)."""

    serializer_class = RecipientSerializer
    permission_classes = [PolicyPermission]
    read_action = write_action = Action.MANAGE_CAMPAIGNS
    filterset_fields = ["send", "status", "channel"]
    queryset = Recipient.objects.order_by("pk")

    @extend_schema(request=BounceSerializer, responses=RecipientSerializer)
    @action(detail=True, methods=["post"])
    def bounce(self, request, pk=None):
        recipient = self.get_object()
        data = BounceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            recipient = recipient_bounce_record(
                recipient=recipient, reason=data.validated_data.get("reason", "")
            )
        except DjangoValidationError as error:
            raise ValidationError({"status": error.messages}) from error
        return Response(RecipientSerializer(recipient).data)
