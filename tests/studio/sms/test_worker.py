"""The send task in a real Celery worker (two prefork children): retried while the provider
answers 503, and delivered twice (a redelivery) without sending twice."""

import time

import pytest
from django_tenants.utils import schema_context

from studio.sms.models import Purpose, SmsMessage, SmsSettings, SmsStatus
from studio.sms.services import sms_send
from studio.sms.tasks import sms_deliver_task

from .conftest import twilio_on

pytestmark = pytest.mark.worker


def wait_for(predicate, timeout=40):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def alpha_texting(live_studios, committed):
    alpha = live_studios["alpha"]
    with committed():
        twilio_on(alpha.schema)
    yield alpha
    with committed(), schema_context(alpha.schema):
        SmsMessage.objects.all().delete()
        SmsSettings.objects.all().delete()


def status_of(committed, alpha, pk):
    with committed(), schema_context(alpha.schema):
        return SmsMessage.objects.get(pk=pk).status


def test_the_worker_retries_after_a_503_and_sends_once(
    alpha_texting, committed, celery_worker_process, fake_sms
):
    alpha, phone = alpha_texting, "+380631234501"
    fake_sms.fail_next(503, {"code": 20500, "message": "Unavailable", "status": 503})
    with committed(), schema_context(alpha.schema):
        message = sms_send(to=phone, text="After a retry", purpose=Purpose.NOTICE)

    assert wait_for(lambda: status_of(committed, alpha, message.pk) == SmsStatus.QUEUED)
    tries = [r for r in fake_sms.requests if r.body.get("Body") == "After a retry"]
    assert len(tries) == 2 and fake_sms.texts_to(phone) == ["After a retry"]


def test_a_task_delivered_twice_sends_the_message_once(
    alpha_texting, committed, celery_worker_process, fake_sms
):
    alpha, phone = alpha_texting, "+380631234502"
    with committed(), schema_context(alpha.schema):
        message = SmsMessage.objects.create(
            to=phone, text="Only once", purpose=Purpose.NOTICE, provider="twilio"
        )
    # both at once, on the worker's two children
    runs = [sms_deliver_task.apply_async(args=[message.pk], schema=alpha.schema) for _ in "ab"]

    finished = [run.get(timeout=40) for run in runs]  # both tasks ran to the end
    assert SmsStatus.QUEUED in finished
    assert status_of(committed, alpha, message.pk) == SmsStatus.QUEUED
    assert fake_sms.texts_to(phone) == ["Only once"]
    with committed(), schema_context(alpha.schema):
        assert SmsMessage.objects.get(pk=message.pk).attempts == 1
