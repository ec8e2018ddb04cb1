"""A campaign by SMS in a real Celery worker (two prefork children): the batch, delivered
three times (twice at once), texts each roster phone once through the fake provider, and
never the number that replied STOP."""

import random
import time

import pytest
from django_tenants.utils import schema_context

from studio.access.models import AccessCode
from studio.campaigns.models import CampaignSend, CampaignSettings, RecipientStatus
from studio.campaigns.services import campaign_send_start, campaign_settings_update
from studio.campaigns.tasks import campaign_batch_send
from studio.schools.models import School
from studio.shoots.models import Shoot
from studio.sms.models import SmsMessage, SmsOptOut, SmsSettings
from studio.sms.services import sms_opt_out
from tests.studio.sms.conftest import twilio_on

from .conftest import make_day

pytestmark = pytest.mark.worker


def _phone() -> str:
    return f"+38067{random.randrange(10**7):07d}"  # noqa: S311 - a test number


def _wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def texting(live_studios, committed):
    alpha = live_studios["alpha"]
    phones = [_phone(), _phone(), _phone()]
    with committed(), schema_context(alpha.schema):
        day = make_day(name=f"SMS {phones[0]}")
        day.ivan.parent_phones = phones[:2]
        day.ivan.save(update_fields=["parent_phones"])
        day.masha.parent_phones = [phones[2]]
        day.masha.save(update_fields=["parent_phones"])
        twilio_on(alpha.schema)
        campaign_settings_update(channels="sms")
        sms_opt_out(phone=phones[2])
    yield alpha, day, phones
    with committed(), schema_context(alpha.schema):
        CampaignSend.objects.filter(shoot=day.shoot).delete()
        CampaignSettings.objects.all().delete()
        SmsMessage.objects.filter(to__in=phones).delete()
        SmsOptOut.objects.filter(phone__in=phones).delete()
        SmsSettings.objects.all().delete()
        AccessCode.objects.filter(shoot=day.shoot).delete()
        school = day.shoot.school_id
        Shoot.objects.filter(pk=day.shoot.pk).delete()
        School.objects.filter(pk=school).delete()


def test_the_worker_texts_each_phone_once_and_not_the_one_that_said_stop(
    texting, committed, celery_worker_process, fake_sms
):
    alpha, day, phones = texting
    with committed(), schema_context(alpha.schema):
        send = campaign_send_start(shoot=day.shoot, kind="photos_online")  # queues batch 0
    again = [campaign_batch_send.apply_async(args=[send.pk, 0], schema=alpha.schema) for _ in "ab"]
    for run in again:
        run.get(timeout=60)

    assert _wait_for(lambda: all(fake_sms.texts_to(phone) for phone in phones[:2]))

    def done():
        with committed(), schema_context(alpha.schema):
            return CampaignSend.objects.get(pk=send.pk).status == "done"

    assert _wait_for(done)
    time.sleep(1)  # a second text would have come by now
    for phone in phones[:2]:
        (text,) = fake_sms.texts_to(phone)
        assert "Ivan Petrov" in text and text.endswith("STOP to opt out")
    assert fake_sms.texts_to(phones[2]) == []
    with committed(), schema_context(alpha.schema):
        rows = dict(
            CampaignSend.objects.get(pk=send.pk).recipients.values_list("address", "status")
        )
        assert rows == {
            phones[0]: RecipientStatus.SENT,
            phones[1]: RecipientStatus.SENT,
            phones[2]: RecipientStatus.UNSUBSCRIBED,
        }
        assert SmsMessage.objects.filter(to__in=phones).count() == 2
