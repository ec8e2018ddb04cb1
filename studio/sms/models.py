"""A studio's SMS provider, the messages sent through it and the numbers that said STOP.

All three live in the studio's schema, so a studio only ever sees its own."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    TWILIO = "twilio", "Twilio"
    TURBOSMS = "turbosms", "TurboSMS"


class SmsSettings(models.Model):
    """The studio's one provider account (a single row). The secret (Twilio's auth token,
    TurboSMS's API token) is stored encrypted (``crypto.py``) and never shown back."""

    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices, blank=True)
    account_sid = models.CharField(_("Twilio account SID"), max_length=64, blank=True)
    secret_encrypted = models.TextField(blank=True)
    secret_hint = models.CharField(max_length=8, blank=True)  # its last four characters
    sender = models.CharField(_("sender"), max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("SMS settings")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="sms_settings_single")]

    def __str__(self):
        return self.provider or "none"


class Purpose(models.TextChoices):
    SIGN_IN = "sign_in", _("Sign-in code")
    TEST = "test", _("Test message")
    NOTICE = "notice", _("Notice")
    MARKETING = "marketing", _("Marketing")


class SmsStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    QUEUED = "queued", _("Queued at the provider")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class SmsMessage(models.Model):
    """One text to one number. The send task claims the row (pending → sending) before it
    calls the provider, so a retried or redelivered task never sends it twice."""

    to = models.CharField(max_length=20, db_index=True)  # E.164
    text = models.TextField()
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    provider = models.CharField(max_length=20, choices=Provider.choices)
    provider_message_id = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(
        max_length=20, choices=SmsStatus.choices, default=SmsStatus.PENDING, db_index=True
    )
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.to} {self.status}"


class SmsOptOut(models.Model):
    """A number that replied STOP: no marketing texts to it until it opts back in."""

    phone = models.CharField(max_length=20, unique=True)  # E.164
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=20, default="stop")

    def __str__(self):
        return self.phone
