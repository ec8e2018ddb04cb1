"""The studio's team: owners invite staff (one seat each, as the plan allows) and switch
them off. An invited person sets their own password from the e-mailed link."""

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from saas_platform.accounts.models import Role, User
from studio.audit.models import AuditKind
from studio.audit.services import audit_record
from studio.core.limits import check_staff
from tenants.mail import studio_mail_send
from tenants.selectors import studio_url

INVITABLE_ROLES = (Role.MANAGER, Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL)


def staff_set_password_url(*, studio, user: User) -> str:
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return studio_url(studio=studio, path=path)


def staff_invite(*, studio, email: str, role: str, full_name: str = "", invited_by) -> User:
    """A new staff account without a password, and an e-mail to set one. Refused beyond the
    plan's seats, for a role that cannot be invited, or for an address already here."""
    email = (email or "").strip().lower()
    if role not in INVITABLE_ROLES:
        raise ValidationError({"role": _("Choose a role.")}, code="role")
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                {"email": _("Someone with this address is already in your studio.")},
                code="exists",
            )
        check_staff(adding=1)
        user = User.objects.create_user(
            email=email, password=None, role=role, full_name=full_name.strip()[:150]
        )
        audit_record(
            actor=invited_by,
            kind=AuditKind.STAFF_INVITED,
            subject=user.email,
            changes=[{"field": "role", "old": None, "new": user.role}],
        )
    with translation.override(studio.language):
        context = {
            "studio": studio,
            "user": user,
            "invited_by": invited_by,
            "role": Role(role).label,
            "link": staff_set_password_url(studio=studio, user=user),
        }
        subject = " ".join(render_to_string("studio/email/invite_subject.txt", context).split())
        body = render_to_string("studio/email/invite.txt", context)
    studio_mail_send(studio=studio, subject=subject, body=body, to=[email])
    return user


@transaction.atomic
def staff_deactivate(*, user: User, actor: User) -> User:
    """Frees the seat; the account and its history stay. Owners are not switched off here.
    Switching off someone already off records nothing."""
    if user.role == Role.OWNER or user.pk == actor.pk:
        raise ValidationError(_("Owners cannot be switched off here."), code="owner")
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        kind=AuditKind.STAFF_DEACTIVATED,
        subject=user.email,
        changes=[{"field": "is_active", "old": True, "new": False}],
    )
    return user
