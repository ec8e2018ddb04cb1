"""A real Celery worker killed (SIGKILL, the whole process tree) in the middle of a batch, and
another started: every family gets the message exactly once, nobody twice, nobody skipped,
even with the batch delivered again twice at once."""

import datetime
import time
import uuid
from collections import Counter

import psutil
import psycopg2
import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from studio.access.models import AccessCode
from studio.access.services import access_codes_issue
from studio.campaigns import services
from studio.campaigns.models import CampaignSend, RecipientStatus
from studio.campaigns.tasks import campaign_batch_send
from studio.schools.models import School, SchoolClass, Student
from studio.schools.roster import current_school_year
from studio.shoots.models import Shoot, ShootStatus
from tests.conftest import background_process, sent_mail

pytestmark = pytest.mark.worker

FAMILIES = 70  # two batches of CAMPAIGN_BATCH_SIZE (50)
WORKER_FLAGS = ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]


def _wait_for(condition, timeout=90, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise TimeoutError(condition)


def _connect():
    db = connection.settings_dict
    return psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        password=db["PASSWORD"] or None,
    )


def _worker(queue: str, log, env: dict, concurrency: int):
    args = ["celery", "-A", "saas_platform", "worker", "-Q", queue, f"--concurrency={concurrency}"]
    return background_process([*args, *WORKER_FLAGS], log, env)


def _kill_tree(process) -> None:
    """SIGKILL to the worker and its pool children, as the OOM killer or a lost node would."""
    tree = psutil.Process(process.pid)
    for child in tree.children(recursive=True):
        child.kill()
    tree.kill()
    process.wait(10)


@pytest.fixture
def big_day(live_studios, committed):
    alpha = live_studios["alpha"]
    tag = uuid.uuid4().hex[:6]
    date = timezone.localdate() - datetime.timedelta(days=3)
    with committed(), schema_context(alpha.schema):
        school = School.objects.create(name=f"Kill school {tag}")
        school_class = SchoolClass.objects.create(
            school=school, name="1A", school_year=current_school_year(date)
        )
        Student.objects.bulk_create(
            Student(
                school_class=school_class,
                first_name=f"Child{n}",
                last_name=tag,
                parent_emails=[f"family{n}-{tag}@example.com"],
            )
            for n in range(FAMILIES)
        )
        shoot = Shoot.objects.create(
            school=school,
            name=f"Kill day {tag}",
            date=date,
            sales_deadline=timezone.now() + datetime.timedelta(days=20),
            status=ShootStatus.PUBLISHED,
        )
        access_codes_issue(shoot=shoot)
    yield alpha, shoot, tag
    with committed(), schema_context(alpha.schema):
        CampaignSend.objects.filter(shoot=shoot).delete()
        AccessCode.objects.filter(shoot=shoot).delete()
        Shoot.objects.filter(pk=shoot.pk).delete()
        School.objects.filter(pk=school.pk).delete()


def test_a_worker_killed_mid_batch_and_another_started_send_each_message_once(
    big_day, committed, tmp_path, monkeypatch
):
    alpha, shoot, tag = big_day
    queue = f"campaigns-kill-{uuid.uuid4().hex[:8]}"  # our workers' own queue
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    # paced a little, so the kill lands inside the first batch
    env = {"PICTUREDAY_TEST_MAIL_DIR": str(mail_dir), "CAMPAIGN_SEND_INTERVAL_SECONDS": "0.05"}

    def to_our_queue(send, batches):
        for batch in batches:
            campaign_batch_send.apply_async(args=[send.pk, batch], schema=alpha.schema, queue=queue)

    monkeypatch.setattr(services, "_queue_batches", to_our_queue)

    with committed(), schema_context(alpha.schema):
        send = services.campaign_send_start(shoot=shoot, kind="photos_online")
        rows = send.recipients

        def count(status):
            return rows.filter(status=status).count()

        assert sorted(set(rows.values_list("batch", flat=True))) == [0, 1]

        with _worker(queue, tmp_path / "worker-1.log", env, concurrency=1) as first:
            _wait_for(lambda: count(RecipientStatus.SENT) >= 5)
            # Hold the send's row lock: the worker finishes the message in hand and blocks at
            # its next claim, so the kill finds it between two messages, mid-batch.
            locker = _connect()
            try:
                with locker.cursor() as cursor:
                    cursor.execute(
                        f'SELECT id FROM "{alpha.schema}".campaigns_campaignsend '
                        "WHERE id = %s FOR UPDATE",
                        [send.pk],
                    )
                _wait_for(lambda: _blocked_on("campaigns_campaignsend"), timeout=30, step=0.05)
                sent_before = count(RecipientStatus.SENT)
                _kill_tree(first)
            finally:
                locker.commit()
                locker.close()
        assert 5 <= sent_before < 50  # killed inside the first batch
        assert count(RecipientStatus.SENDING) == 0

        # Another worker. The killed one's message waits unacked in Redis (redelivered after
        # the visibility timeout); the beat sweep re-queues the stalled send meanwhile. Both
        # are here at once, plus the first batch once more: three copies of batch 0.
        with _worker(queue, tmp_path / "worker-2.log", env, concurrency=2):
            assert (
                services.campaign_sends_resume(
                    now=timezone.now() + services.STALLED_AFTER + datetime.timedelta(seconds=1)
                )
                == 1
            )
            campaign_batch_send.apply_async(args=[send.pk, 0], schema=alpha.schema, queue=queue)
            _wait_for(lambda: CampaignSend.objects.get(pk=send.pk).status == "done", timeout=120)

        statuses = Counter(rows.values_list("status", flat=True))
        attempts = Counter(rows.values_list("attempts", flat=True))

    assert statuses == {"sent": FAMILIES}
    assert attempts == {1: FAMILIES}  # each claimed once
    received = Counter(
        message["To"]
        for n in range(FAMILIES)
        for message in sent_mail(mail_dir, f"family{n}-{tag}@example.com")
    )
    assert len(received) == FAMILIES
    assert set(received.values()) == {1}


def _blocked_on(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE %s",
            [f"%{table}%FOR UPDATE%"],
        )
        return cursor.fetchone()[0] > 0
