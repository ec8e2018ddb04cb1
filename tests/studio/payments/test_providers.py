"""Offline providers and the studio's payment settings."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.orders.models import OrderStatus
from studio.orders.services import LineInput, order_create, payment_record_offline
from studio.payments.providers import (
    PROVIDERS,
    PaymentProvider,
    enabled_providers,
    provider_for,
)
from studio.payments.services import payment_settings_update
from tests.conftest import logged_in_client


def an_order(method="bank_transfer", total="40.00"):
    amount = Decimal(total)
    return order_create(
        lines=[LineInput("Album", "album", 1, amount, amount, amount)],
        currency="EUR",
        email="p@example.com",
        payment_method=method,
        idempotency_key=f"providers-{method}-{total}",
    )


def test_every_provider_implements_what_the_base_leaves_open():
    for provider in PROVIDERS.values():
        assert isinstance(provider, PaymentProvider)
        for method in ("is_enabled", "payment_start", "refund", "instructions"):
            assert getattr(type(provider), method) is not getattr(PaymentProvider, method), (
                provider.identifier,
                method,
            )


def test_bank_transfer_instructions_carry_the_bank_details_and_the_reference(in_alpha, alpha):
    studio = alpha.studio
    studio.bank_details = "Alpha Photo\nIBAN LV00 0000"
    order = an_order()

    text = provider_for("bank_transfer").instructions(order=order, studio=studio)

    assert "IBAN LV00 0000" in text and order.number in text and "€40.00" in text
    assert provider_for("bank_transfer").payment_start(order=order, request=None) is None


def test_staff_record_partial_payments_and_refund_through_the_provider(in_alpha, alpha):
    staff = User.objects.get(email=alpha.owner_email)
    order = an_order("cash")
    cash = provider_for("cash")

    payment_record_offline(order=order, amount=Decimal("15"), method="cash", actor=staff)
    payment_record_offline(
        order=order, amount=Decimal("25"), method="cash", actor=staff, reference="coordinator"
    )
    order.refresh_from_db()
    assert (order.status, order.balance_due) == (OrderStatus.PAID, Decimal("0"))
    cash.refund(order=order, amount=Decimal("40"), actor=staff, reason="lost")
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED


def test_the_checkout_offers_only_what_the_studio_accepts(in_alpha, alpha):
    studio = alpha.studio
    with pytest.raises(ValidationError):
        payment_settings_update(studio=studio, accept_bank_transfer=True, bank_details=" ")
    with pytest.raises(ValidationError):
        payment_settings_update(studio=studio, accept_bank_transfer=False, accept_cash=False)
    payment_settings_update(studio=studio, accept_bank_transfer=False, accept_cash=True)

    assert [p.identifier for p in enabled_providers(studio)] == ["cash"]
    studio.refresh_from_db()
    assert studio.accept_bank_transfer is False


def test_only_the_owner_edits_payment_settings(alpha):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
        manager = User.objects.create_user(
            email="m-pay@alpha.test", password="x", role=Role.MANAGER
        )
    data = {"accept_bank_transfer": "on", "bank_details": "IBAN 1", "accept_cash": "on"}

    assert (
        logged_in_client(alpha, manager).post("/staff/settings/payments/", data).status_code == 403
    )
    response = logged_in_client(alpha, owner).post("/staff/settings/payments/", data)
    assert response.status_code == 302
    alpha.studio.refresh_from_db()
    assert alpha.studio.bank_details == "IBAN 1"


def test_bank_transfer_is_not_offered_until_the_bank_details_are_filled_in(in_alpha, alpha):
    studio = alpha.studio  # a new studio: the switch is on, no bank details yet
    assert (studio.accept_bank_transfer, studio.bank_details) == (True, "")

    assert [p.identifier for p in enabled_providers(studio)] == ["cash"]
    studio.bank_details = "Alpha Photo\nIBAN LV00 0000"
    assert [p.identifier for p in enabled_providers(studio)] == ["bank_transfer", "cash"]


def test_the_settings_page_shows_bank_transfer_off_until_it_has_details_and_refuses_it_empty(
    alpha,
):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    client = logged_in_client(alpha, owner)

    page = client.get("/staff/settings/payments/").content.decode()
    refused = client.post(
        "/staff/settings/payments/",
        {"accept_bank_transfer": "on", "bank_details": "  ", "accept_cash": "on"},
    )
    kept_off = client.post("/staff/settings/payments/", {"accept_cash": "on"})

    assert '<input type="checkbox" name="accept_bank_transfer" >' in page
    assert '<input type="checkbox" name="accept_cash" checked>' in page
    assert refused.status_code == 200
    assert "Enter the bank details parents transfer the money to." in refused.content.decode()
    assert kept_off.status_code == 302
    alpha.studio.refresh_from_db()
    assert (alpha.studio.accept_bank_transfer, alpha.studio.accept_cash) == (False, True)
