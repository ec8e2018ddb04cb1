"""Studios paying the platform, against the fake Stripe (tests/fakestripe.py)."""

import re

import pytest
from django.conf import settings
from django_tenants.utils import get_public_schema_name, schema_context

from billing.models import Plan
from saas_platform.accounts.models import User
from tenants.models import Studio
from tests.conftest import host_client, logged_in_client
from tests.fakestripe import event, sign
from tests.studio.payments.conftest import WEBHOOK_SECRET, stripe_on  # noqa: F401

PRICE = "price_test_starter_monthly"


@pytest.fixture
def starter(db):
    with schema_context(get_public_schema_name()):
        plan = Plan.objects.get(code="starter")
        plan.stripe_price_id = PRICE
        plan.save()
    return plan


def owner_client(fixture):
    with schema_context(fixture.schema):
        owner = User.objects.get(email=fixture.owner_email)
    return logged_in_client(fixture, owner)


def studio_of(fixture) -> Studio:
    with schema_context(get_public_schema_name()):
        return Studio.objects.get(pk=fixture.studio.pk)


def deliver(payload: bytes):
    client = host_client(settings.BASE_DOMAIN)
    return client.post(
        "/stripe/webhook/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload, WEBHOOK_SECRET),
    )


def platform_event(kind: str, obj: dict, **kwargs) -> bytes:
    return event(kind, obj, account=None, **kwargs)


def subscribe(fake, fixture, plan_code: str = "starter"):
    """The owner chooses a plan and pays in Checkout; returns (session, subscription)."""
    response = owner_client(fixture).post("/staff/billing/plan/", {"plan": plan_code})
    assert response.status_code == 302, response.content[:300]
    session_id = re.search(r"/pay/(cs_test_\w+)", response["Location"]).group(1)
    subscription = fake.subscribe(session_id)
    return fake.session("", session_id), subscription
