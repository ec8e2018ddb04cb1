"""Twilio's signed webhooks: delivery status and STOP / START, refused when unsigned, signed
wrongly or sent to another studio."""

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from studio.sms.delivery import sms_deliver
from studio.sms.models import Purpose, SmsMessage, SmsOptOut, SmsStatus
from studio.sms.selectors import phone_opted_out
from studio.sms.services import sms_opt_in, sms_send
from tests.conftest import host_client

from .conftest import BETA_SID, BETA_TOKEN, TWILIO_TOKEN, twilio_on

PARENT = "+380501234567"


def status_url(host):
    return f"http://{host}/sms/twilio/status/"


def post_signed(fixture, path, params, token):
    from tests.fakesms import FakeSms

    url = f"http://{fixture.host}{path}"
    signature = FakeSms().twilio_signed(url, params, token)
    return host_client(fixture.host).post(path, params, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.fixture
def sent(alpha, sms_api):
    """A text alpha sent through Twilio (queued at the fake)."""
    twilio_on(alpha.schema)
    with schema_context(alpha.schema):
        message = sms_send(to=PARENT, text="Your photos", purpose=Purpose.NOTICE)
        sms_deliver(message_id=message.pk)
        message.refresh_from_db()
    return message


def test_a_signed_status_callback_records_delivery_and_never_goes_back(alpha, sms_api, sent):
    sid = sent.provider_message_id
    delivered = sms_api.twilio_status_params(sid, "delivered")
    assert post_signed(alpha, "/sms/twilio/status/", delivered, TWILIO_TOKEN).status_code == 204
    late = sms_api.twilio_status_params(sid, "sent")
    assert post_signed(alpha, "/sms/twilio/status/", late, TWILIO_TOKEN).status_code == 204

    with schema_context(alpha.schema):
        assert SmsMessage.objects.get(pk=sent.pk).status == SmsStatus.DELIVERED


def test_a_failed_status_keeps_twilios_error_code(alpha, sms_api, sent):
    params = sms_api.twilio_status_params(sent.provider_message_id, "undelivered", "30003")
    post_signed(alpha, "/sms/twilio/status/", params, TWILIO_TOKEN)

    with schema_context(alpha.schema):
        message = SmsMessage.objects.get(pk=sent.pk)
    assert (message.status, message.error) == (SmsStatus.FAILED, "Twilio error 30003")


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl", "wrong-token"])
def test_an_unsigned_or_wrongly_signed_callback_is_refused(alpha, sms_api, sent, signature):
    params = sms_api.twilio_status_params(sent.provider_message_id, "delivered")
    if signature == "wrong-token":
        response = post_signed(alpha, "/sms/twilio/status/", params, "another-token")
    else:
        headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
        response = host_client(alpha.host).post("/sms/twilio/status/", params, **headers)
    tampered = {**params, "MessageStatus": "failed"}
    good = sms_api.twilio_signed(status_url(alpha.host), params, TWILIO_TOKEN)
    swapped = host_client(alpha.host).post(
        "/sms/twilio/status/", tampered, HTTP_X_TWILIO_SIGNATURE=good
    )

    assert (response.status_code, swapped.status_code) == (403, 403)
    with schema_context(alpha.schema):
        assert SmsMessage.objects.get(pk=sent.pk).status == SmsStatus.QUEUED


def test_another_studio_cannot_change_alphas_messages(alpha, beta, sms_api, sent):
    twilio_on(beta.schema, sid=BETA_SID, token=BETA_TOKEN)
    params = sms_api.twilio_status_params(sent.provider_message_id, "failed")

    # alpha's signed callback replayed on beta's host: beta's URL and token, refused
    signature = sms_api.twilio_signed(status_url(alpha.host), params, TWILIO_TOKEN)
    replayed = host_client(beta.host).post(
        "/sms/twilio/status/", params, HTTP_X_TWILIO_SIGNATURE=signature
    )
    # beta's own account reporting alpha's message id: no such message in beta
    as_beta = post_signed(
        beta, "/sms/twilio/status/", {**params, "AccountSid": BETA_SID}, BETA_TOKEN
    )
    # signed with alpha's token but naming beta's account: refused on alpha
    foreign = post_signed(
        alpha, "/sms/twilio/status/", {**params, "AccountSid": BETA_SID}, TWILIO_TOKEN
    )

    assert (replayed.status_code, as_beta.status_code, foreign.status_code) == (403, 204, 403)
    with schema_context(alpha.schema):
        assert SmsMessage.objects.get(pk=sent.pk).status == SmsStatus.QUEUED


def test_a_studio_without_twilio_refuses_every_callback(beta, sms_api):
    params = {"AccountSid": BETA_SID, "MessageSid": "SM1", "MessageStatus": "delivered"}
    assert post_signed(beta, "/sms/twilio/status/", params, BETA_TOKEN).status_code == 403
    inbound = {"AccountSid": BETA_SID, "From": PARENT, "Body": "STOP"}
    assert post_signed(beta, "/sms/twilio/inbound/", inbound, BETA_TOKEN).status_code == 403


def inbound(sid, body, sender=PARENT):
    return {
        "AccountSid": sid,
        "MessageSid": "SM" + "c3" * 16,
        "From": sender,
        "To": "+15005550006",
        "Body": body,
        "NumMedia": "0",
    }


def test_stop_opts_the_number_out_of_marketing_but_not_out_of_sign_in_codes(alpha, sms_api):
    from .conftest import TWILIO_SID

    twilio_on(alpha.schema)
    response = post_signed(
        alpha, "/sms/twilio/inbound/", inbound(TWILIO_SID, " stop "), TWILIO_TOKEN
    )
    assert response.status_code == 200 and b"<Response>" in response.content

    with schema_context(alpha.schema):
        assert phone_opted_out(PARENT)
        with pytest.raises(ValidationError) as refused:
            sms_send(to=PARENT, text="Sale!", purpose=Purpose.MARKETING)
        assert refused.value.code == "opted_out"
        sms_send(to=PARENT, text="123456 is your code", purpose=Purpose.SIGN_IN)

    post_signed(alpha, "/sms/twilio/inbound/", inbound(TWILIO_SID, "START"), TWILIO_TOKEN)
    with schema_context(alpha.schema):
        assert not phone_opted_out(PARENT)
        sms_send(to=PARENT, text="Sale!", purpose=Purpose.MARKETING)


def test_an_unsigned_stop_changes_nothing_and_staff_can_opt_a_number_back_in(alpha, sms_api):
    from .conftest import TWILIO_SID

    twilio_on(alpha.schema)
    forged = host_client(alpha.host).post("/sms/twilio/inbound/", inbound(TWILIO_SID, "STOP"))
    assert forged.status_code == 403
    with schema_context(alpha.schema):
        assert not SmsOptOut.objects.exists()
        SmsOptOut.objects.create(phone=PARENT)
        assert sms_opt_in(phone=PARENT) and not phone_opted_out(PARENT)
