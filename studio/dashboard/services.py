"""The studio's team: owners invite staff (one seat each, as the plan allows), change their
roles, switch them off and back on. An invited person sets their own password from the
e-mailed link. Every change is in the studio's audit log."""

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


def _not_an_owner(user: User, actor: User) -> None:
    if user.role == Role.OWNER or user.pk == actor.pk:
        raise ValidationError(_("Owners are not changed here."), code="owner")


@transaction.atomic
def staff_role_change(*, user: User, role: str, actor: User) -> User:
    """Gives a staff member another role (one that can be invited). Their API tokens keep
    working only within the new role: the token check compares them on every use. Giving
    the role they already have records nothing."""
    if role not in INVITABLE_ROLES:
        raise ValidationError({"role": _("Choose a role.")}, code="role")
    _not_an_owner(user, actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role == role:
        return user
    old = user.role
    user.role = role
    user.save(update_fields=["role"])
    audit_record(
        actor=actor,
        kind=AuditKind.STAFF_ROLE_CHANGED,
        subject=user.email,
        changes=[{"field": "role", "old": old, "new": role}],
    )
    return user


@transaction.atomic
def staff_reactivate(*, user: User, actor: User) -> User:
    """Switches someone back on, taking a seat again (refused beyond the plan's seats).
    Someone already on records nothing."""
    _not_an_owner(user, actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    check_staff(adding=1)
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        kind=AuditKind.STAFF_REACTIVATED,
        subject=user.email,
        changes=[{"field": "is_active", "old": False, "new": True}],
    )
    return user
