"""Photos of a picture day: the untouched original (private), every retouched version, and
the derived thumbnail and watermarked preview (no EXIF)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .storage import originals_storage


class PhotoStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class RetouchStatus(models.TextChoices):
    NONE = "none", _("Not sent to retouching")
    QUEUED = "queued", _("Waiting for a retoucher")
    CLAIMED = "claimed", _("Being retouched")
    SUBMITTED = "submitted", _("Waiting for review")
    SENT_BACK = "sent_back", _("Sent back")
    APPROVED = "approved", _("Approved")


def original_path(instance, filename):
    return f"originals/shoot-{instance.shoot_id}/{uuid.uuid4().hex}{_suffix(filename)}"


def version_path(instance, filename):
    return f"versions/photo-{instance.photo_id}/{uuid.uuid4().hex}{_suffix(filename)}"


def derived_path(instance, filename):
    return f"derived/shoot-{instance.shoot_id}/{filename}"


def _suffix(filename: str) -> str:
    return "." + filename.rsplit(".", 1)[1].lower() if "." in filename else ""


class Photo(models.Model):
    shoot = models.ForeignKey("shoots.Shoot", on_delete=models.CASCADE, related_name="photos")
    school_class = models.ForeignKey(
        "schools.SchoolClass",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("class"),
    )
    students = models.ManyToManyField(
        "schools.Student", related_name="photos", blank=True, verbose_name=_("students")
    )
    is_group = models.BooleanField(_("group photo"), default=False)

    original = models.FileField(storage=originals_storage, upload_to=original_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_hash = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField()
    photographer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="uploaded_photos"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    status = models.CharField(
        max_length=20, choices=PhotoStatus.choices, default=PhotoStatus.UPLOADED
    )
    failure_reason = models.CharField(max_length=300, blank=True)
    processing_attempts = models.PositiveSmallIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    thumbnail = models.ImageField(upload_to=derived_path, blank=True)
    preview = models.ImageField(upload_to=derived_path, blank=True)

    retouch_status = models.CharField(
        max_length=20, choices=RetouchStatus.choices, default=RetouchStatus.NONE
    )
    retouch_batch = models.ForeignKey(
        "retouching.RetouchBatch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="photos",
    )
    approved_version = models.ForeignKey(
        "PhotoVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["original_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shoot", "content_hash"], name="one_copy_per_shoot")
        ]
        indexes = [
            models.Index(fields=["shoot", "status"]),
            models.Index(fields=["retouch_status"]),
        ]

    def __str__(self):
        return self.original_name


class PhotoVersion(models.Model):
    """A retouched file. Every version is kept; the photo points at the approved one."""

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(storage=originals_storage, upload_to=version_path)
    file_name = models.CharField(max_length=255)
    content_hash = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["photo", "number"]
        constraints = [
            models.UniqueConstraint(fields=["photo", "number"], name="unique_version_number")
        ]

    def __str__(self):
        return f"{self.photo_id} v{self.number}"


class UploadStatus(models.TextChoices):
    RECEIVING = "receiving", _("Receiving")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected")


class Upload(models.Model):
    """One file arriving in chunks (resumable: the client asks for the offset and goes on).
    ``outcome`` lists what became of it: a photo, a duplicate, or a rejection with a reason
    (a ZIP yields one outcome per entry)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    shoot = models.ForeignKey("shoots.Shoot", on_delete=models.CASCADE, related_name="uploads")
    school_class = models.ForeignKey(
        "schools.SchoolClass", on_delete=models.SET_NULL, null=True, blank=True
    )
    file_name = models.CharField(max_length=255)
    size_bytes = models.BigIntegerField()
    received_bytes = models.BigIntegerField(default=0)
    fingerprint = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=UploadStatus.choices, default=UploadStatus.RECEIVING
    )
    outcome = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return self.file_name


class UploadChunk(models.Model):
    """One acknowledged chunk of an upload: an object of its own in the studio's private
    storage (shared by every web and worker process), recorded only once fully stored. The
    upload's file is these objects put together in ``offset`` order."""

    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="chunks")
    offset = models.BigIntegerField()
    size_bytes = models.BigIntegerField()
    name = models.CharField(max_length=255)

    class Meta:
        ordering = ["offset"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "offset"], name="upload_chunk_offset_unique")
        ]

    def __str__(self):
        return self.name
