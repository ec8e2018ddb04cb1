"""A parent's own account: deleting it. The orders stay for the studio's books with the
person replaced by a placeholder; everything that tied the person to the studio goes."""

import secrets
from dataclasses import dataclass

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from saas_platform.accounts.models import DELETED_EMAIL_DOMAIN, Role, User
from studio.audit.models import AuditKind
from studio.audit.services import audit_record
from studio.orders.models import Order, OrderProgress
from studio.parents.models import FamilyCode, ParentPhone, SignInCode
from studio.privacy.models import ConsentRecord

from .models import Cart

# What an order's delivery keeps once its parent is gone: how it was delivered and the
# country (for the books); the name stands in for the person.
DELETED_NAME = "Deleted account"
KEPT_DELIVERY_KEYS = ("method", "country")


@dataclass
class AccountDeletion:
    orders_anonymised: int
    codes_released: int
    sessions_ended: int


def _placeholder(user: User) -> str:
    return f"deleted-{user.pk}-{secrets.token_hex(4)}@{DELETED_EMAIL_DOMAIN}"


def _anonymised_delivery(delivery: dict) -> dict:
    kept = {key: delivery[key] for key in KEPT_DELIVERY_KEYS if key in delivery}
    return {**kept, "name": DELETED_NAME, "phone": ""}


def _sessions_end(user_id: int) -> int:
    """Every session signed in as the user (in this studio's schema)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
            Session.objects.filter(pk=session.pk).delete()
            ended += 1
    return ended


@transaction.atomic
def parent_account_delete(*, parent: User) -> AccountDeletion:
    """Refused while an order is being printed or delivered (it needs the address). Orders
    (the account's, and any placed with its address) keep amounts, lines and payments; their
    e-mail, name and phone become a placeholder and the address goes. The codes the parent
    opened, the sign-in codes, the cart and the sessions go; the account stays as an
    inactive placeholder the orders point at, so the address can sign up afresh."""
    parent = User.objects.select_for_update().get(pk=parent.pk)
    if parent.role != Role.PARENT or not parent.is_active:
        raise ValidationError(_("Only a parent's own account can be deleted here."), code="role")
    email = parent.email
    orders = Order.objects.select_for_update().filter(Q(parent=parent) | Q(email__iexact=email))
    if orders.filter(progress=OrderProgress.IN_FULFILMENT).exists():
        raise ValidationError(
            _(
                "An order of yours is still being printed or delivered. You can delete your "
                "account once it has arrived."
            ),
            code="in_fulfilment",
        )
    placeholder = _placeholder(parent)
    count = 0
    for order in orders:
        order.email = placeholder
        order.delivery = _anonymised_delivery(order.delivery or {})
        order.save(update_fields=["email", "delivery", "updated_at"])
        count += 1
    codes, _by_model = FamilyCode.objects.filter(parent=parent).delete()
    SignInCode.objects.filter(recipient__iexact=email).delete()
    phones = list(ParentPhone.objects.filter(parent=parent).values_list("phone", flat=True))
    SignInCode.objects.filter(recipient__in=phones).delete()
    ParentPhone.objects.filter(parent=parent).delete()  # the number may sign up afresh
    Cart.objects.filter(parent=parent).delete()
    ConsentRecord.objects.filter(recorded_by=parent).update(recorded_by=None, recorded_by_email="")
    parent.email = placeholder
    parent.full_name = ""
    parent.language = ""
    parent.is_active = False
    parent.set_unusable_password()  # a new session hash: any session left is signed out
    parent.save()
    sessions = _sessions_end(parent.pk)
    audit_record(
        actor=None,
        kind=AuditKind.PARENT_ACCOUNT_DELETED,
        subject=f"account #{parent.pk}",
        changes=[{"field": "orders_anonymised", "old": count, "new": count}],
    )
    return AccountDeletion(orders_anonymised=count, codes_released=codes, sessions_ended=sessions)
