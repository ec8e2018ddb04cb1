"""Sending through the studio's provider (Twilio's library, TurboSMS's JSON API) against the
fake providers: what reaches them, the status recorded, retries that never send twice."""

import base64

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from studio.sms.delivery import sms_deliver
from studio.sms.models import Purpose, SmsMessage, SmsSettings, SmsStatus
from studio.sms.selectors import sms_configured
from studio.sms.services import sms_send, sms_settings_update

from .conftest import SENDER, TURBOSMS_TOKEN, TWILIO_SID, TWILIO_TOKEN, turbosms_on, twilio_on

PARENT = "+380501234567"


def test_the_token_is_stored_encrypted_and_kept_when_left_empty(alpha):
    twilio_on(alpha.schema)
    with schema_context(alpha.schema):
        saved = SmsSettings.objects.get()
        assert TWILIO_TOKEN not in saved.secret_encrypted
        assert saved.secret_hint == TWILIO_TOKEN[-4:]
        sms_settings_update(provider="twilio", account_sid=TWILIO_SID, secret="", sender="+1555")
        assert SmsSettings.objects.get().secret_encrypted == saved.secret_encrypted
        with pytest.raises(ValidationError) as refused:
            sms_settings_update(provider="turbosms", secret="", sender="Alpha")
        assert "secret" in refused.value.message_dict
        sms_settings_update(provider="", sender="")
        assert not sms_configured()
        assert SmsSettings.objects.get().secret_encrypted == ""


def test_the_token_stays_out_of_the_studio_export():
    from studio.exports.tables import export_tables

    table = next(t for t in export_tables() if t.label == "sms.smssettings")
    assert "secret_encrypted" not in table.columns and "sender" in table.columns


def test_twilio_gets_the_text_with_the_studio_credentials_and_callback(
    in_alpha, sms_api, run_tasks, django_capture_on_commit_callbacks
):
    twilio_on(in_alpha.schema)
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_send(to=PARENT, text="Photos are ready", purpose=Purpose.NOTICE)

    sent = [r for r in sms_api.requests if r.body.get("To") == PARENT][-1]
    assert sent.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    auth = base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    assert sent.headers["Authorization"] == f"Basic {auth}"
    assert (sent.body["From"], sent.body["Body"]) == (SENDER, "Photos are ready")
    assert sent.body["StatusCallback"] == "http://alpha.localhost:8000/sms/twilio/status/"
    message.refresh_from_db()
    assert message.status == SmsStatus.QUEUED
    assert message.provider_message_id == sent.answer["sid"]


def test_a_message_is_claimed_before_sending_so_a_second_run_sends_nothing(in_alpha, sms_api):
    twilio_on(in_alpha.schema)
    message = sms_send(to=PARENT, text="Once only", purpose=Purpose.NOTICE)

    assert sms_deliver(message_id=message.pk).status == SmsStatus.QUEUED
    assert sms_deliver(message_id=message.pk).status == SmsStatus.QUEUED  # redelivered task
    assert sms_api.texts_to(PARENT).count("Once only") == 1


def test_an_unreachable_provider_is_retried_and_a_refusal_is_final(in_alpha, sms_api):
    twilio_on(in_alpha.schema)
    message = sms_send(to=PARENT, text="Retry me", purpose=Purpose.NOTICE)
    sms_api.fail_next(503, {"code": 20500, "message": "Service unavailable", "status": 503})

    first = sms_deliver(message_id=message.pk)
    assert (first.retry, SmsMessage.objects.get(pk=message.pk).status) == (True, "pending")
    assert sms_deliver(message_id=message.pk).status == SmsStatus.QUEUED
    assert sms_api.texts_to(PARENT).count("Retry me") == 1

    refused = sms_send(to=PARENT, text="Bad number", purpose=Purpose.NOTICE)
    sms_api.fail_next(400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400})
    outcome = sms_deliver(message_id=refused.pk)
    refused.refresh_from_db()
    assert (outcome.retry, refused.status) == (False, SmsStatus.FAILED)
    assert "21211" in refused.error

    last = sms_send(to=PARENT, text="Last try", purpose=Purpose.NOTICE)
    sms_api.fail_next(500, {"code": 20500, "message": "Internal", "status": 500})
    assert sms_deliver(message_id=last.pk, last_try=True).status == SmsStatus.FAILED


def test_turbosms_gets_json_with_the_bearer_token_and_is_asked_for_the_status(
    in_alpha, sms_api, run_tasks, django_capture_on_commit_callbacks
):
    turbosms_on(in_alpha.schema)
    with django_capture_on_commit_callbacks(execute=True):
        message = sms_send(to=PARENT, text="Привіт", purpose=Purpose.NOTICE)

    sent = [r for r in sms_api.requests if r.path == "/message/send.json"][-1]
    assert sent.headers["Authorization"] == f"Bearer {TURBOSMS_TOKEN}"
    assert sent.body == {
        "recipients": ["380501234567"],
        "sms": {"sender": "Alpha Photo", "text": "Привіт"},
    }
    message.refresh_from_db()
    assert message.provider_message_id == sent.answer["response_result"][0]["message_id"]
    # The poll task ran (in this process) and found it sent; later it is delivered.
    assert message.status == SmsStatus.SENT
    sms_api.turbosms_statuses[message.provider_message_id] = "Delivered"
    from studio.sms.delivery import sms_status_poll

    assert sms_status_poll(message_id=message.pk) == SmsStatus.DELIVERED


def test_a_wrong_turbosms_token_fails_the_message_with_the_reason(in_alpha, sms_api):
    with schema_context(in_alpha.schema):
        sms_settings_update(provider="turbosms", secret="not-the-token", sender="Alpha")
    message = sms_send(to=PARENT, text="x", purpose=Purpose.NOTICE)

    assert sms_deliver(message_id=message.pk).status == SmsStatus.FAILED
    message.refresh_from_db()
    assert "REQUIRED_TOKEN" in message.error


def test_nothing_is_queued_without_a_provider_or_to_a_non_number(in_alpha, sms_api):
    with pytest.raises(ValidationError) as refused:
        sms_send(to=PARENT, text="x", purpose=Purpose.NOTICE)
    assert refused.value.code == "not_configured"
    twilio_on(in_alpha.schema)
    with pytest.raises(ValidationError):
        sms_send(to="12345", text="x", purpose=Purpose.NOTICE)
    assert not SmsMessage.objects.exists()
