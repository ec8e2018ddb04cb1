"""Campaigns: messages to the families of a picture day ("photos are online", reminders before
the sales deadline, a last chance after it), each send with one row per recipient address so a
message is sent at most once whatever happens to the workers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    PHOTOS_ONLINE = "photos_online", _("Photos are online")
    REMINDER = "reminder", _("Reminder")
    LAST_CHANCE = "last_chance", _("Last chance")


class Channel(models.TextChoices):
    """How a recipient is reached: e-mail, or a text through ``studio.sms``."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class CampaignChannels(models.TextChoices):
    """Which channels a studio's campaigns go by (SMS needs the studio's SMS provider)."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    BOTH = "both", _("E-mail and SMS")


class CampaignSettings(models.Model):
    """The studio's schedule (one row): when reminders and the last chance go out."""

    EDITABLE = [  # what the settings page and the API change
        "auto_photos_online",
        "reminder_days_before",
        "remind_on_last_day",
        "last_chance",
        "last_chance_days_after",
        "channels",
    ]

    auto_photos_online = models.BooleanField(
        _("tell families when a picture day is published"), default=True
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("reminder, days before the sales deadline"),
        default=3,
        help_text=_("0 sends no early reminder."),
    )
    remind_on_last_day = models.BooleanField(_("reminder on the last day"), default=True)
    last_chance = models.BooleanField(
        _("last chance after the deadline"),
        default=False,
        help_text=_("Only for picture days taking late orders, with their late fee."),
    )
    last_chance_days_after = models.PositiveSmallIntegerField(
        _("last chance, days after the deadline"), default=1
    )
    channels = models.CharField(
        _("send by"),
        max_length=8,
        choices=CampaignChannels.choices,
        default=CampaignChannels.EMAIL,
        help_text=_("SMS goes to the roster's parent phones, through the studio's SMS provider."),
    )

    class Meta:
        verbose_name = _("campaign settings")

    def __str__(self):
        return "campaign settings"


class MessageTemplate(models.Model):
    """The studio's own wording of a kind of message in one language (else the default)."""

    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    # The text message's wording; empty: the default SMS wording of this kind and language.
    sms = models.TextField(_("SMS text"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="campaigns_one_template")
        ]

    def __str__(self):
        return f"{self.kind} ({self.language})"


class SendStatus(models.TextChoices):
    SENDING = "sending", _("Sending")
    DONE = "done", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class CampaignSend(models.Model):
    """One campaign going out to a picture day's families. ``occasion`` keys the scheduled and
    automatic ones (``published``, ``before:2027-05-01``…): a beat run or an event repeated
    never makes a second send of the same occasion."""

    shoot = models.ForeignKey(
        "shoots.Shoot", on_delete=models.CASCADE, related_name="campaign_sends"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices)
    occasion = models.CharField(max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=SendStatus.choices, default=SendStatus.SENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The batch tasks' last sign of life: the resume sweep re-queues a send that stalled.
    progressed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shoot", "kind", "occasion"],
                condition=~Q(occasion=""),
                name="campaigns_one_send_per_occasion",
            )
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def policy_shoot(self):
        return self.shoot


class RecipientStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    BOUNCED = "bounced", _("Bounced")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    FAILED = "failed", _("Failed")


class Recipient(models.Model):
    """One address of one send. Claimed (``sending``, committed) before the message goes, so a
    redelivered batch never sends it again."""

    send = models.ForeignKey(CampaignSend, on_delete=models.CASCADE, related_name="recipients")
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    address = models.CharField(_("address"), max_length=254)
    language = models.CharField(max_length=8)
    # What the message names: the children's names and codes of this family on this day.
    children = models.JSONField(default=list)
    codes = models.JSONField(default=list)
    batch = models.PositiveIntegerField(default=0)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RecipientStatus.choices,
        default=RecipientStatus.PENDING,
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["send", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["send", "channel", "address"], name="campaigns_one_row_per_address"
            )
        ]
        indexes = [models.Index(fields=["send", "batch", "status"])]

    def __str__(self):
        return f"{self.address} ({self.status})"

    @property
    def policy_shoot(self):
        return self.send.shoot


class SuppressionReason(models.TextChoices):
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Bounced")


class Suppression(models.Model):
    """An address campaigns no longer write to (transactional mail still goes)."""

    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    address = models.CharField(max_length=254)
    reason = models.CharField(max_length=12, choices=SuppressionReason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="campaigns_suppress_once")
        ]

    def __str__(self):
        return f"{self.address} ({self.reason})"
