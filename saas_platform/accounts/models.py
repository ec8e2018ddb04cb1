"""People. The same tables exist in the public schema (platform operators) and in every
studio schema (that studio's staff and parents), so deleting a studio erases its people."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The addresses of the operators' one-time support logins into a studio: never one of the
# studio's own staff (no seat, no activity), whoever creates or counts them.
SUPPORT_EMAIL_DOMAIN = "support.pictureday.invalid"
# A parent who deleted their account is known by ``deleted-<id>-<random>@`` this domain: on
# the account and on their orders, which stay for the books. Nothing is ever sent there.
DELETED_EMAIL_DOMAIN = "deleted.pictureday.invalid"
# A parent who signed in with their phone only is known by ``phone-<digits>@`` this domain;
# nothing is ever e-mailed there.
PHONE_EMAIL_DOMAIN = "phone.pictureday.invalid"


def email_reaches_someone(address: str) -> bool:
    """False for the placeholder addresses of deleted and phone-only parents: mail to them
    would only bounce (``studio.core.emails.parent_email_send`` and campaigns leave them out)."""
    return bool(address) and not address.lower().endswith(
        ("@" + DELETED_EMAIL_DOMAIN, "@" + PHONE_EMAIL_DOMAIN)
    )


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    PHOTOGRAPHER = "photographer", _("Photographer")
    RETOUCHER = "retoucher", _("Retoucher")
    PRINCIPAL = "principal", _("Principal")
    PARENT = "parent", _("Parent")


# The roles an API token may act with, by its creator's role: never higher than the creator's.
# Checked when a token is issued and again on every use, so a token stops working once its
# creator's role no longer covers it.
API_TOKEN_SCOPES: dict[str, tuple[str, ...]] = {
    Role.OWNER: (Role.OWNER, Role.MANAGER, Role.PHOTOGRAPHER, Role.RETOUCHER),
    Role.MANAGER: (Role.MANAGER, Role.PHOTOGRAPHER, Role.RETOUCHER),
}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Logs in with an e-mail address. ``role`` is empty for platform operators."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("platform operator"),
        default=False,
        help_text=_("May use the operator console and admin on the bare domain."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The language e-mails to a parent are written in: the one their browser used when they
    # last signed in or ordered. Empty: the studio's default language.
    language = models.CharField(_("language"), max_length=10, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        # A user loaded for an API request carries its token's role in memory only
        # (``authentication.py``); writing it back would change the person's role for good.
        if self.__dict__.get("role_of_token") is not None:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or "role" in update_fields:
                raise ValueError("a token-scoped user cannot save its role; load the user afresh")
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name or self.email).split()[0]


class LoginToken(models.Model):
    """A one-time, short-lived login link: carries a new owner from the bare domain (where
    they signed up) to their studio's host, since cookies never cross hosts."""

    token_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_tokens")
    schema_name = models.CharField(max_length=63)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"login token for {self.user_id}"


class ApiToken(models.Model):
    """A bearer token for tools. Only its hash is stored; it works on its own schema only, and
    acts with its ``role`` (no higher than its creator's, see ``API_TOKEN_SCOPES``)."""

    token_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=8)
    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    schema_name = models.CharField(max_length=63)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"
