"""Parents' accounts: no password, a one-time code sent to their e-mail or, when the studio
has an SMS provider, their phone; a family is the set of access codes the account has opened."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInCode(models.Model):
    """A six-digit one-time code; only its keyed hash is stored. A few wrong guesses burn it."""

    recipient = models.CharField(max_length=254, db_index=True)  # e-mail, lower case; or E.164
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.recipient} ({self.created_at:%Y-%m-%d %H:%M})"


class FamilyCode(models.Model):
    """An access code kept by a parent's account: the children (and classes) of the family."""

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="family_codes"
    )
    access_code = models.ForeignKey(
        "access.AccessCode", on_delete=models.CASCADE, related_name="families"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "access_code"], name="parents_unique_family_code"
            )
        ]
        verbose_name = _("family code")

    def __str__(self):
        return f"{self.parent_id}: {self.access_code_id}"


class ParentPhone(models.Model):
    """The phone a parent signs in with (E.164, one account per number in a studio). An
    account made by a phone sign-in has a placeholder address (``PHONE_EMAIL_DOMAIN``)."""

    parent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_phone"
    )
    phone = models.CharField(_("phone"), max_length=20, unique=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("parent phone")

    def __str__(self):
        return self.phone
