"""Consent to publish a child's photos: the studio's versioned consent text, and every
decision about a child (given or withdrawn), by whom, when and to which version. The
child's current state is kept on ``Student.publish_consent``, which the galleries read."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConsentText(models.Model):
    """What a family agrees to; a new version never changes what earlier decisions saw."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    body = models.TextField(_("text"), max_length=4000)
    created_at = models.DateTimeField(_("published"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("consent text")

    def __str__(self):
        return f"v{self.version}"


class ConsentDecision(models.TextChoices):
    GIVEN = "given", _("Given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ConsentSource(models.TextChoices):
    STAFF = "staff", _("Staff")
    PARENT = "parent", _("Parent")


class ConsentRecord(models.Model):
    """One decision. Rows are only added; the latest is the child's state. Erasing the child
    removes their records with them."""

    student = models.ForeignKey(
        "schools.Student", on_delete=models.CASCADE, related_name="consent_records"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=ConsentDecision.choices)
    text = models.ForeignKey(
        ConsentText, on_delete=models.PROTECT, related_name="records", verbose_name=_("text")
    )
    source = models.CharField(_("recorded by"), max_length=10, choices=ConsentSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # As written; a parent who deletes their account is replaced by a placeholder here too.
    recorded_by_email = models.EmailField(blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("consent record")

    def __str__(self):
        return f"{self.decision} {self.student_id} v{self.text_id}"
