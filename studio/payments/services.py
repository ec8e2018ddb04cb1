"""The studio's payment settings (offline ways to pay, its Stripe account through Connect)
and refunds, which go back the way the money came."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from saas_platform import stripe_api
from studio.audit.models import AuditKind
from studio.audit.services import audit_changes, audit_record
from studio.orders.models import Order, Refund
from studio.orders.services import refund_record
from tenants.models import StripeAccountStatus, Studio

from .providers import StripeProvider, provider_for

FIELDS = ("accept_bank_transfer", "bank_details", "accept_cash", "cash_instructions")


@transaction.atomic
def payment_settings_update(*, studio: Studio, actor=None, **values) -> Studio:
    """Bank transfers need bank details to print on invoices; at least one way to pay. What
    changed goes to the studio's audit log under ``actor``."""
    # as stored: a ModelForm bound to ``studio`` has already written the new values onto it
    before = Studio.objects.filter(pk=studio.pk).values(*FIELDS).get()
    for name in FIELDS:
        if name in values:
            setattr(studio, name, values[name])
    if studio.accept_bank_transfer and not studio.bank_details.strip():
        raise ValidationError(
            {"bank_details": _("Enter the bank details parents transfer the money to.")}
        )
    card = StripeProvider().is_enabled(studio)
    if not (studio.accept_bank_transfer or studio.accept_cash or card):
        raise ValidationError(_("Keep at least one way for parents to pay."))
    studio.save(update_fields=list(FIELDS))
    changes = audit_changes(before=before, after={name: getattr(studio, name) for name in FIELDS})
    if changes:
        audit_record(actor=actor, kind=AuditKind.PAYMENT_SETTINGS_CHANGED, changes=changes)
    return studio


def _field(obj, name):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def stripe_account_status_of(account) -> str:
    """Ready once Stripe lets the account take charges; pending until then."""
    if _field(account, "charges_enabled") and _field(account, "details_submitted"):
        return StripeAccountStatus.READY
    return StripeAccountStatus.PENDING


def stripe_connect_start(*, studio: Studio, return_url: str, refresh_url: str) -> str:
    """The studio's own Stripe account (made once) and a one-time onboarding link to it."""
    client = stripe_api.client()
    with transaction.atomic():
        studio = Studio.objects.select_for_update().get(pk=studio.pk)
        if not studio.stripe_account_id:
            account = client.v1.accounts.create(
                params={
                    "type": "standard",
                    "email": studio.owner_email or None,
                    "business_profile": {"name": studio.name},
                    "metadata": {"schema": studio.schema_name},
                },
                options={"idempotency_key": f"connect-account-{studio.pk}"},
            )
            studio.stripe_account_id = account.id
            studio.stripe_account_status = stripe_account_status_of(account)
            studio.save(update_fields=["stripe_account_id", "stripe_account_status"])
    link = client.v1.account_links.create(
        params={
            "account": studio.stripe_account_id,
            "type": "account_onboarding",
            "return_url": return_url,
            "refresh_url": refresh_url,
        }
    )
    return link.url


def stripe_account_refresh(*, studio: Studio) -> Studio:
    """Asks Stripe how far the studio's onboarding is (on its return from Stripe)."""
    if not studio.stripe_account_id:
        return studio
    account = stripe_api.client().v1.accounts.retrieve(studio.stripe_account_id)
    stripe_account_set_status(studio=studio, account=account)
    return studio


def stripe_account_set_status(*, studio: Studio, account) -> str:
    """From an account object (fetched, or an ``account.updated`` event of this studio's
    account); saved through the model so the cached host lookup forgets the old status."""
    status = stripe_account_status_of(account)
    if _field(account, "id") == studio.stripe_account_id and studio.stripe_account_status != status:
        studio.stripe_account_status = status
        studio.save(update_fields=["stripe_account_status"])
    return status


# --- refunds ----------------------------------------------------------------------------------


def _paid_by_card(order: Order) -> bool:
    return order.payments.confirmed().filter(provider=StripeProvider.identifier).exists()


def order_refund(
    *,
    order: Order,
    amount: Decimal,
    actor,
    reason: str = "",
    idempotency_key: str | None = None,
    line_ids=(),
) -> Refund:
    """Staff give money back: an order paid by card is refunded through Stripe (which may
    raise ``stripe.StripeError``), any other is paid back by hand and only recorded."""
    refund_with = (
        provider_for(StripeProvider.identifier).refund if _paid_by_card(order) else refund_record
    )
    return refund_with(
        order=order,
        amount=amount,
        reason=reason,
        actor=actor,
        idempotency_key=idempotency_key,
        line_ids=line_ids,
    )
