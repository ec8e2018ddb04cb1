"""The yearbook side of a picture day: each child's chosen pose (with its audit trail), the
parents' deadline for choosing, PSPA exports for the yearbook and ID cards, and class
composites (sold as photos of the picture day)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class YearbookSettings(models.Model):
    """One row per picture day that has yearbook settings: until when parents may choose.
    Kept here rather than on ``Shoot`` so the picture day's app knows nothing of yearbooks."""

    shoot = models.OneToOneField(
        "shoots.Shoot", on_delete=models.CASCADE, related_name="yearbook_settings"
    )
    pose_deadline = models.DateTimeField(_("yearbook pose deadline"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"yearbook settings of {self.shoot_id}"


class PoseSource(models.TextChoices):
    STAFF = "staff", _("Studio")
    PARENT = "parent", _("Parent")


class Pose(models.Model):
    """The chosen portrait of a child on a picture day. No row: the automatic default (the
    first ready portrait of the child alone) stands."""

    shoot = models.ForeignKey("shoots.Shoot", on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, related_name="yearbook_poses"
    )
    photo = models.ForeignKey("photos.Photo", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=PoseSource.choices)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shoot", "student"], name="one_pose_per_child_and_day")
        ]

    def __str__(self):
        return f"{self.student_id}: photo {self.photo_id}"


class PoseChoice(models.Model):
    """Who chose which pose for whom, and when: appended by every choice, never edited. A
    parent is named by their account when signed in, otherwise by the access code used."""

    shoot = models.ForeignKey("shoots.Shoot", on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("schools.Student", on_delete=models.CASCADE, related_name="+")
    photo = models.ForeignKey(
        "photos.Photo", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    photo_name = models.CharField(max_length=255)
    source = models.CharField(max_length=10, choices=PoseSource.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.student_id} → {self.photo_name} by {self.actor_label}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class YearbookExport(models.Model):
    """A PSPA ZIP built by ``tasks.build_yearbook_export`` into the private storage and kept
    ``retention.KEEP``: of one picture day's poses (``shoot``), or of a whole school's
    (``shoot`` empty: each child's pose from the newest of the school's picture days that
    has one)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    shoot = models.ForeignKey(
        "shoots.Shoot", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    file_name = models.CharField(max_length=255, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    students = models.PositiveIntegerField(default=0)
    missing = models.JSONField(default=list, blank=True)  # children without a pose
    error = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        return f"yearbook export {self.pk}: {self.status}"


class Composite(models.Model):
    """A class composite of a picture day: its title and order of children, and the photo it
    is sold as (``photo``: a group photo of the class, so galleries, prices, orders and lab
    exports treat it as any other; regenerating adds an approved version to the same photo,
    so orders already placed keep pointing at it)."""

    shoot = models.ForeignKey("shoots.Shoot", on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(
        "schools.SchoolClass", on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    order = models.JSONField(default=list, blank=True)  # student ids, first to last
    photo = models.OneToOneField(
        "photos.Photo", on_delete=models.SET_NULL, null=True, blank=True, related_name="composite"
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    error = models.CharField(max_length=300, blank=True)
    generation = models.PositiveIntegerField(default=0)
    names = models.JSONField(default=list, blank=True)  # the children drawn, in order
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shoot", "school_class"], name="one_composite_per_class_and_day"
            )
        ]

    def __str__(self):
        return f"composite {self.school_class_id} of {self.shoot_id}"
