"""The Celery tasks: each runs in the schema it was sent for, and another studio's ids do
nothing there."""

import datetime

from django.core import mail
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from studio.campaigns.models import CampaignSend, Recipient
from studio.campaigns.services import campaign_send_start
from studio.campaigns.tasks import campaign_batch_send, campaigns_run_everywhere
from tests.conftest import push_id_sequences

from .conftest import make_day


def test_a_batch_task_with_another_studios_send_sends_nothing(alpha, beta, run_tasks):
    with schema_context(beta.schema):
        beta_send = campaign_send_start(shoot=make_day().shoot, kind="photos_online")
    with schema_context(alpha.schema):
        push_id_sequences([CampaignSend, Recipient], start=7_000_000)
        assert campaign_batch_send.apply_async(args=[beta_send.pk, 0]) == 0
    assert mail.outbox == []
    with schema_context(beta.schema):
        assert set(beta_send.recipients.values_list("status", flat=True)) == {"pending"}
        # in its own studio the same task sends it
        assert campaign_batch_send.apply_async(args=[beta_send.pk, 0]) == 3
    assert len(mail.outbox) == 3


def test_the_beat_fan_out_runs_each_studios_schedule_in_its_own_schema(
    alpha, beta, run_tasks, django_capture_on_commit_callbacks
):
    now = timezone.now()
    with schema_context(alpha.schema):
        due = make_day(deadline=now + datetime.timedelta(days=2)).shoot  # reminder due
    with schema_context(beta.schema):
        make_day(deadline=now + datetime.timedelta(days=30))  # nothing due yet

    with schema_context(get_public_schema_name()), django_capture_on_commit_callbacks(execute=True):
        assert campaigns_run_everywhere.apply_async() >= 2

    with schema_context(alpha.schema):
        send = CampaignSend.objects.get()
        assert (send.shoot_id, send.kind, send.status) == (due.pk, "reminder", "done")
        assert send.occasion.startswith("before:")
    with schema_context(beta.schema):
        assert not CampaignSend.objects.exists()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "mama@example.com",
        "papa@example.com",
        "semenova@example.com",
    ]
