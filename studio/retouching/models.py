"""Retouching: batches claimed by retouchers and an append-only log of who did what, when
(the basis for payouts and per-employee figures)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RetouchBatch(models.Model):
    shoot = models.ForeignKey(
        "shoots.Shoot", on_delete=models.CASCADE, related_name="retouch_batches"
    )
    retoucher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="retouch_batches"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"batch {self.pk} ({self.retoucher})"

    @property
    def policy_retouch_batch(self):
        return self


class RetouchEventKind(models.TextChoices):
    QUEUED = "queued", _("Sent to retouching")
    CLAIMED = "claimed", _("Claimed")
    UPLOADED = "uploaded", _("Retouched file uploaded")
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    SENT_BACK = "sent_back", _("Sent back")


class RetouchEvent(models.Model):
    photo = models.ForeignKey(
        "photos.Photo", on_delete=models.CASCADE, related_name="retouch_events"
    )
    batch = models.ForeignKey(RetouchBatch, on_delete=models.SET_NULL, null=True, blank=True)
    version = models.ForeignKey(
        "photos.PhotoVersion", on_delete=models.SET_NULL, null=True, blank=True
    )
    kind = models.CharField(max_length=20, choices=RetouchEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.kind} {self.photo_id}"
