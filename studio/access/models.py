"""Access codes: what a parent types (or scans) to open their child's gallery of one picture
day. Rows are never deleted, so a code is never issued twice in a studio, not even after it
was revoked; the picture day, class and student a code names are protected from deletion
for the same reason (revoke the code instead)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import codes


class AccessCodeKind(models.TextChoices):
    STUDENT = "student", _("Student")
    CLASS = "class", _("Class")


class AccessCode(models.Model):
    code = models.CharField(_("code"), max_length=codes.LENGTH, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=AccessCodeKind.choices)
    shoot = models.ForeignKey(
        "shoots.Shoot",
        on_delete=models.PROTECT,
        related_name="access_codes",
        verbose_name=_("picture day"),
    )
    school_class = models.ForeignKey(
        "schools.SchoolClass",
        on_delete=models.PROTECT,
        related_name="access_codes",
        verbose_name=_("class"),
    )
    student = models.ForeignKey(
        "schools.Student",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_codes",
        verbose_name=_("student"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )
    emailed_at = models.DateTimeField(_("e-mailed to parents"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=codes.CHECK_REGEX), name="access_code_is_normalised"
            ),
            models.CheckConstraint(
                condition=Q(kind=AccessCodeKind.STUDENT, student__isnull=False)
                | Q(kind=AccessCodeKind.CLASS, student__isnull=True),
                name="access_code_kind_matches_student",
            ),
            # At most one live code per child (and per class) and picture day: issuing twice
            # creates nothing, regenerating revokes the old one first.
            models.UniqueConstraint(
                fields=["shoot", "student"],
                condition=Q(kind=AccessCodeKind.STUDENT, revoked_at__isnull=True),
                name="one_live_access_code_per_student",
            ),
            models.UniqueConstraint(
                fields=["shoot", "school_class"],
                condition=Q(kind=AccessCodeKind.CLASS, revoked_at__isnull=True),
                name="one_live_access_code_per_class",
            ),
        ]
        indexes = [models.Index(fields=["shoot", "kind"])]
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")

    def __str__(self):
        return self.display

    @property
    def display(self) -> str:
        return codes.display(self.code)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
