"""Schools, their classes and students (studio schema). Issue 3 grows these; the foundation
needs them for roles bound to schools and for the demo studio."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class School(models.Model):
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    commission_percent = models.DecimalField(
        _("commission, %"), max_digits=5, decimal_places=2, default=0
    )
    principals = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="principal_of_schools", blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self):
        return self.name

    @property
    def policy_school(self):
        return self


class SchoolClass(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(_("name"), max_length=50)
    school_year = models.CharField(_("school year"), max_length=9)
    teacher = models.CharField(_("teacher"), max_length=200, blank=True)

    class Meta:
        ordering = ["school_year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "name"], name="unique_class_per_year"
            )
        ]
        verbose_name = _("class")
        verbose_name_plural = _("classes")

    def __str__(self):
        return f"{self.name} ({self.school_year})"


class PublishConsent(models.TextChoices):
    """The latest consent to publish the child's photos (``studio.privacy`` records who,
    when and to which text). Not recorded publishes, as before consent was recorded."""

    NOT_RECORDED = "", _("Not recorded")
    GIVEN = "given", _("Given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def hidden_students_q(prefix: str = "") -> models.Q:
    """Students whose photos no gallery shows: the studio's "do not publish", or consent
    withdrawn. ``prefix`` reaches them through a relation (``"students__"``)."""
    return models.Q(**{f"{prefix}do_not_publish": True}) | models.Q(
        **{f"{prefix}publish_consent": PublishConsent.WITHDRAWN}
    )


class Student(models.Model):
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="students")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    external_id = models.CharField(
        _("external id"), max_length=64, blank=True, help_text=_("Roster id or barcode.")
    )
    parent_emails = ArrayField(
        models.EmailField(), verbose_name=_("parent e-mails"), default=list, blank=True
    )
    parent_phones = ArrayField(
        models.CharField(max_length=40), verbose_name=_("parent phones"), default=list, blank=True
    )
    do_not_publish = models.BooleanField(
        _("do not publish"),
        default=False,
        help_text=_("Photos of this child never appear in any gallery."),
    )
    publish_consent = models.CharField(
        _("consent to publish"),
        max_length=10,
        choices=PublishConsent.choices,
        default=PublishConsent.NOT_RECORDED,
        blank=True,
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["external_id"])]
        verbose_name = _("student")
        verbose_name_plural = _("students")

    def __str__(self):
        return self.full_name

    @property
    def policy_school(self):
        return self.school_class.school

    @property
    def is_hidden(self) -> bool:
        """No gallery shows the child: see ``hidden_students_q``."""
        return self.do_not_publish or self.publish_consent == PublishConsent.WITHDRAWN

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
