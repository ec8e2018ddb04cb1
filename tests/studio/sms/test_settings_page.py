"""The owner's SMS settings page: provider and token (never shown back), a test SMS; nobody
below the owner gets in."""

import pytest
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.sms.models import SmsMessage, SmsSettings, SmsStatus
from tests.conftest import host_client, logged_in_client

from .conftest import SENDER, TWILIO_SID, TWILIO_TOKEN, owner_client


def test_the_owner_sets_twilio_up_and_never_sees_the_token_again(alpha, sms_api):
    client = owner_client(alpha)
    assert "Send test SMS" not in client.get("/staff/settings/sms/").content.decode()

    response = client.post(
        "/staff/settings/sms/",
        {"provider": "twilio", "account_sid": TWILIO_SID, "secret": TWILIO_TOKEN, "sender": SENDER},
    )

    assert response.status_code == 302
    page = client.get("/staff/settings/sms/").content.decode()
    assert TWILIO_TOKEN not in page
    assert f"ending in {TWILIO_TOKEN[-4:]}" in page
    assert "http://alpha.localhost/sms/twilio/inbound/" in page
    assert "Send test SMS" in page
    with schema_context(alpha.schema):
        assert SmsSettings.objects.get().account_sid == TWILIO_SID


def test_a_bad_account_sid_is_refused_with_why(alpha, sms_api):
    response = owner_client(alpha).post(
        "/staff/settings/sms/",
        {"provider": "twilio", "account_sid": "nope", "secret": TWILIO_TOKEN, "sender": SENDER},
    )

    assert response.status_code == 400
    assert "starts with AC" in response.content.decode()


def test_the_test_sms_reaches_the_provider_and_its_status_shows(
    alpha, sms_api, run_tasks, django_capture_on_commit_callbacks
):
    client = owner_client(alpha)
    client.post(
        "/staff/settings/sms/",
        {"provider": "twilio", "account_sid": TWILIO_SID, "secret": TWILIO_TOKEN, "sender": SENDER},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/staff/settings/sms/test/", {"phone": "+380671112233"})

    assert response.status_code == 302
    assert sms_api.texts_to("+380671112233") == ["Test message from Alpha Photo: SMS works."]
    with schema_context(alpha.schema):
        assert SmsMessage.objects.get().status == SmsStatus.QUEUED
    page = client.get("/staff/settings/sms/").content.decode()
    assert "+380671112233" in page and "Queued at the provider" in page
    bad = client.post("/staff/settings/sms/test/", {"phone": "12"})
    assert bad.status_code == 400


@pytest.mark.parametrize("role", [Role.MANAGER, Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PARENT])
def test_nobody_below_the_owner_sees_or_changes_the_sms_settings(alpha, sms_api, role):
    with schema_context(alpha.schema):
        user = User.objects.create_user(email=f"{role}@alpha.test", password="x", role=role)
    client = logged_in_client(alpha, user)

    assert client.get("/staff/settings/sms/").status_code == 403
    changed = client.post(
        "/staff/settings/sms/",
        {"provider": "twilio", "account_sid": TWILIO_SID, "secret": "mine", "sender": SENDER},
    )
    tested = client.post("/staff/settings/sms/test/", {"phone": "+380671112233"})
    assert (changed.status_code, tested.status_code) == (403, 403)
    with schema_context(alpha.schema):
        assert not SmsSettings.objects.exists() and not SmsMessage.objects.exists()
    anonymous = host_client(alpha.host).get("/staff/settings/sms/")
    assert anonymous.status_code == 302


def test_another_studios_owner_is_not_let_in(alpha, beta, sms_api):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    client = logged_in_client(alpha, owner)
    client.defaults["HTTP_HOST"] = beta.host  # alpha's session on beta's host

    response = client.get("/staff/settings/sms/")
    assert response.status_code in (302, 403)
