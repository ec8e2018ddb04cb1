"""Who a campaign reaches, what it says, and that each message goes once."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from saas_platform.accounts.models import Role, User
from studio.access.models import AccessCode
from studio.access.services import access_code_send_email
from studio.campaigns.models import (
    CampaignKind,
    CampaignSend,
    MessageTemplate,
    Recipient,
    RecipientStatus,
    SendStatus,
    Suppression,
)
from studio.campaigns.selectors import campaign_audience, send_progress
from studio.campaigns.services import (
    INTERRUPTED,
    address_unsubscribe,
    campaign_batch_send,
    campaign_send_start,
    campaign_sends_resume,
    campaign_settings_update,
    campaigns_due_send,
    message_template_save,
    photos_online_on_publish,
    recipient_bounce_record,
)
from studio.orders.models import Order, OrderProgress
from studio.parents.models import FamilyCode
from studio.shoots.models import ShootStatus
from studio.shoots.services import shoot_transition, shoot_update

from .conftest import DEADLINE, NOW, make_day, order_for

ROSTER = ["mama@example.com", "papa@example.com", "semenova@example.com"]


def _to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def _send_all(send: CampaignSend) -> None:
    for batch in sorted(set(send.recipients.values_list("batch", flat=True))):
        campaign_batch_send(send_id=send.pk, batch=batch)


def test_photos_online_reaches_the_roster_and_the_parents_who_opened_a_code(day):
    opener = User.objects.create_user(email="Aunt@Example.com", role=Role.PARENT)
    code = AccessCode.objects.get(shoot=day.shoot, student=day.masha)
    FamilyCode.objects.create(parent=opener, access_code=code)

    families = campaign_audience(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)

    assert [(f.address, list(f.children.values())) for f in families] == [
        ("aunt@example.com", ["Masha Orlova"]),
        ("mama@example.com", ["Ivan Petrov"]),
        ("papa@example.com", ["Ivan Petrov"]),
        ("semenova@example.com", ["Masha Orlova"]),
    ]
    assert families[0].codes == {day.masha.pk: code.display}


def test_a_reminder_skips_the_families_who_ordered_but_not_a_cancelled_order(day):
    # papa ordered for Ivan: Ivan's family is done (mama too); Masha's mother ordered nothing
    order_for(shoot=day.shoot, child=day.ivan, email="papa@example.com", key="k1")
    cancelled = order_for(shoot=day.shoot, child=day.masha, email="x@example.com", key="k2")
    Order.objects.filter(pk=cancelled.pk).update(progress=OrderProgress.CANCELLED)

    reminder = campaign_audience(shoot=day.shoot, kind=CampaignKind.REMINDER)
    online = campaign_audience(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)

    assert [f.address for f in reminder] == ["semenova@example.com"]
    assert [f.address for f in online] == ROSTER  # "photos are online" goes to everyone


def test_an_address_that_ordered_for_one_child_is_not_reminded_of_another(day):
    day.masha.parent_emails = ["mama@example.com"]  # one mother, two children
    day.masha.save()
    order_for(shoot=day.shoot, child=day.masha, email="mama@example.com", key="k3")

    reminder = campaign_audience(shoot=day.shoot, kind=CampaignKind.REMINDER)

    assert [(f.address, list(f.children.values())) for f in reminder] == [
        ("papa@example.com", ["Ivan Petrov"])
    ]


def test_a_send_has_one_row_per_address_in_batches_and_sends_each_once(
    day, settings, django_capture_on_commit_callbacks
):
    settings.CAMPAIGN_BATCH_SIZE = 2
    with django_capture_on_commit_callbacks() as queued:
        send = campaign_send_start(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)
    rows = list(send.recipients.order_by("address").values_list("address", "batch", "status"))
    assert rows == [
        ("mama@example.com", 0, "pending"),
        ("papa@example.com", 0, "pending"),
        ("semenova@example.com", 1, "pending"),
    ]
    assert len(queued) == 2  # one task per batch

    # a batch delivered twice (a redelivery after a lost ack), and once more for good measure
    assert campaign_batch_send(send_id=send.pk, batch=0) == (2, 0)
    assert campaign_batch_send(send_id=send.pk, batch=0) == (0, 0)
    campaign_batch_send(send_id=send.pk, batch=1)
    campaign_batch_send(send_id=send.pk, batch=1)

    assert sorted(m.to[0] for m in mail.outbox) == ROSTER
    send.refresh_from_db()
    assert send.status == SendStatus.DONE
    assert send_progress(send=send).sent == 3


def test_a_claimed_row_is_never_sent_again_and_the_sweep_fails_it_as_interrupted(day):
    send = campaign_send_start(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)
    # a worker claimed mama's row and died before (or after) sending
    Recipient.objects.filter(send=send, address="mama@example.com").update(
        status=RecipientStatus.SENDING, claimed_at=NOW, attempts=1
    )

    _send_all(send)
    assert _to("mama@example.com") == []
    assert len(_to("papa@example.com")) == 1

    assert campaign_sends_resume(now=NOW + datetime.timedelta(hours=1)) == 0
    row = Recipient.objects.get(send=send, address="mama@example.com")
    assert (row.status, row.reason) == (RecipientStatus.FAILED, INTERRUPTED)
    send.refresh_from_db()
    assert send.status == SendStatus.DONE


def test_a_stalled_send_is_resumed_for_the_rows_nobody_claimed(
    day, django_capture_on_commit_callbacks
):
    send = campaign_send_start(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)
    CampaignSend.objects.filter(pk=send.pk).update(progressed_at=NOW - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks() as queued:
        assert campaign_sends_resume(now=NOW) == 1
    assert len(queued) == 1
    # not stalled any more: the next sweep leaves it to the queued batch
    with django_capture_on_commit_callbacks() as queued:
        assert campaign_sends_resume(now=NOW) == 0
    assert queued == []


def test_unsubscribed_addresses_get_a_row_and_no_message(day):
    address_unsubscribe(channel="email", address="Semenova@Example.com")
    send = campaign_send_start(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)
    # papa unsubscribes from an earlier message while this one is under way
    address_unsubscribe(channel="email", address="papa@example.com")
    _send_all(send)

    statuses = dict(send.recipients.values_list("address", "status"))
    assert statuses == {
        "mama@example.com": "sent",
        "papa@example.com": "unsubscribed",
        "semenova@example.com": "unsubscribed",
    }
    assert [m.to[0] for m in mail.outbox] == ["mama@example.com"]


def test_unsubscribing_leaves_transactional_mail_alone(day):
    address_unsubscribe(channel="email", address="semenova@example.com")
    code = AccessCode.objects.get(shoot=day.shoot, student=day.masha)

    assert access_code_send_email(code_id=code.pk) == 1
    assert len(_to("semenova@example.com")) == 1


def test_a_sending_error_is_retried_then_recorded(day, monkeypatch):
    from studio.campaigns import services

    def refuse(*, studio, recipient):
        if recipient.address == "papa@example.com":
            raise ConnectionError("SMTP server went away")

    monkeypatch.setattr(services, "recipient_dispatch", refuse)
    send = campaign_send_start(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)
    assert campaign_batch_send(send_id=send.pk, batch=0) == (2, 1)
    assert campaign_batch_send(send_id=send.pk, batch=0) == (0, 1)
    assert campaign_batch_send(send_id=send.pk, batch=0) == (0, 0)
    row = Recipient.objects.get(send=send, address="papa@example.com")
    assert (row.status, row.attempts, row.reason) == ("failed", 3, "SMTP server went away")


def test_the_message_is_branded_filled_in_and_carries_one_click_unsubscribe(day, alpha):
    alpha.studio.brand_color = "#7c3aed"
    alpha.studio.save()
    send = campaign_send_start(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)
    _send_all(send)

    code = AccessCode.objects.get(shoot=day.shoot, student=day.masha).display
    (message,) = _to("semenova@example.com")
    assert message.subject == "Alpha Photo: the photos of Masha Orlova are online"
    assert f"Access code: {code}" in message.body
    assert f"/?code={code}" in message.body
    assert "School No. 9" in message.body and "Spring 2027" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<http://{alpha.host}") and "/unsubscribe/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in message.body  # the footer link, for every mail client
    html = message.alternatives[0][0]
    assert "#7c3aed" in html and "Alpha Photo" in html
    assert "Unsubscribe from these messages" in html


def test_each_family_reads_its_language_and_the_studios_own_wording(day):
    User.objects.create_user(email="semenova@example.com", role=Role.PARENT, language="ru")
    User.objects.create_user(email="papa@example.com", role=Role.PARENT, language="uk")
    message_template_save(
        kind=CampaignKind.PHOTOS_ONLINE,
        language="uk",
        subject="{studio}: фото {child} вже тут",
        body="Код {code}, до {deadline}. {link}",
    )
    send = campaign_send_start(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)
    _send_all(send)

    (russian,) = _to("semenova@example.com")
    (ukrainian,) = _to("papa@example.com")
    (english,) = _to("mama@example.com")
    assert russian.subject == "Alpha Photo: фотографии Masha Orlova уже онлайн"
    assert "Код доступа:" in russian.body
    assert ukrainian.subject == "Alpha Photo: фото Ivan Petrov вже тут"
    assert ukrainian.body.startswith("Код " + AccessCode.objects.get(student=day.ivan).display)
    assert english.subject == "Alpha Photo: the photos of Ivan Petrov are online"


def test_a_placeholder_nobody_fills_is_refused(in_alpha):
    with pytest.raises(ValidationError, match=r"\{childs\}"):
        message_template_save(
            kind=CampaignKind.REMINDER, language="en", subject="Hi {childs}", body="x"
        )
    assert not MessageTemplate.objects.exists()


def test_publishing_tells_the_families_once(
    in_alpha, run_tasks, django_capture_on_commit_callbacks
):
    day = make_day(status=ShootStatus.IN_REVIEW)
    AccessCode.objects.filter(shoot=day.shoot).delete()
    owner = User.objects.get(email=in_alpha.owner_email)
    with django_capture_on_commit_callbacks(execute=True):
        shoot_transition(shoot=day.shoot, to=ShootStatus.PUBLISHED, actor=owner)

    send = CampaignSend.objects.get(shoot=day.shoot)
    assert (send.kind, send.occasion, send.status) == ("photos_online", "published", "done")
    assert sorted(m.to[0] for m in mail.outbox) == ROSTER
    assert photos_online_on_publish(shoot=day.shoot) is None  # the occasion is taken


def test_publishing_sends_nothing_when_the_studio_turned_it_off(
    in_alpha, run_tasks, django_capture_on_commit_callbacks
):
    campaign_settings_update(auto_photos_online=False)
    day = make_day(status=ShootStatus.IN_REVIEW)
    AccessCode.objects.filter(shoot=day.shoot).delete()
    with django_capture_on_commit_callbacks(execute=True):
        shoot_transition(
            shoot=day.shoot,
            to=ShootStatus.PUBLISHED,
            actor=User.objects.get(email=in_alpha.owner_email),
        )
    assert not CampaignSend.objects.exists()
    assert mail.outbox == []


def _kinds(sends) -> list[tuple[str, str]]:
    return [(send.kind, send.occasion.split(":")[0]) for send in sends]


def test_the_schedule_reminds_n_days_before_on_the_last_day_and_gives_a_last_chance(
    day, run_tasks, django_capture_on_commit_callbacks
):
    campaign_settings_update(reminder_days_before=3, last_chance=True, last_chance_days_after=1)
    day_ = datetime.timedelta(days=1)
    late_until = DEADLINE + 3 * day_
    shoot_update(shoot=day.shoot, late_orders_until=late_until, late_fee=Decimal("4.50"))
    order_for(shoot=day.shoot, child=day.ivan, email="mama@example.com", key="k4")

    assert campaigns_due_send(now=DEADLINE - 4 * day_) == []
    with django_capture_on_commit_callbacks(execute=True):
        before = campaigns_due_send(now=DEADLINE - 3 * day_)
    assert _kinds(before) == [("reminder", "before")]
    assert campaigns_due_send(now=DEADLINE - 2 * day_) == []  # that occasion went already
    with django_capture_on_commit_callbacks(execute=True):
        last_day = campaigns_due_send(now=DEADLINE - datetime.timedelta(hours=6))
    assert _kinds(last_day) == [("reminder", "last-day")]
    assert campaigns_due_send(now=DEADLINE + datetime.timedelta(hours=6)) == []
    with django_capture_on_commit_callbacks(execute=True):
        last_chance = campaigns_due_send(now=DEADLINE + day_)
    assert _kinds(last_chance) == [("last_chance", "last-chance")]
    assert campaigns_due_send(now=DEADLINE + 2 * day_) == []

    # only Masha's family had not ordered: three messages, the last with the late fee
    messages = _to("semenova@example.com")
    assert [m.subject for m in messages] == [
        f"Alpha Photo: Masha Orlova's photos can be ordered until {_date(DEADLINE)}",
        f"Alpha Photo: Masha Orlova's photos can be ordered until {_date(DEADLINE)}",
        "Alpha Photo: last chance for Masha Orlova's photos",
    ]
    assert "late fee of €4.50" in messages[2].body
    assert f"until {_datetime(late_until)}" in messages[2].body
    # the link opens the gallery: the codes stay open during late orders
    code = AccessCode.objects.get(shoot=day.shoot, student=day.masha).display
    assert f"/?code={code}" in messages[2].body
    assert "See the photos" in messages[2].alternatives[0][0]
    assert _to("mama@example.com") == [] and _to("papa@example.com") == []


def _datetime(moment) -> str:
    from django.utils import formats, timezone

    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def test_no_last_chance_without_late_orders_or_once_they_are_over(day, run_tasks):
    campaign_settings_update(last_chance=True, last_chance_days_after=1)
    day_ = datetime.timedelta(days=1)

    assert campaigns_due_send(now=DEADLINE + day_) == []  # no late orders on this picture day
    with pytest.raises(ValidationError, match="takes late orders"):
        campaign_send_start(shoot=day.shoot, kind=CampaignKind.LAST_CHANCE, now=DEADLINE + day_)

    until = DEADLINE + day_ + datetime.timedelta(hours=1)
    shoot_update(shoot=day.shoot, late_orders_until=until, late_fee=Decimal("2"))
    assert campaigns_due_send(now=until) == []  # late orders are over at that very moment
    assert _kinds(campaigns_due_send(now=DEADLINE + day_)) == [("last_chance", "last-chance")]


def _date(moment) -> str:
    from django.utils import formats, timezone

    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def test_a_moved_deadline_schedules_its_reminder_again(day, run_tasks):
    campaign_settings_update(reminder_days_before=3, remind_on_last_day=False)
    assert len(campaigns_due_send(now=DEADLINE - datetime.timedelta(days=2))) == 1
    later = DEADLINE + datetime.timedelta(days=7)
    day.shoot.sales_deadline = later
    day.shoot.save()
    assert len(campaigns_due_send(now=later - datetime.timedelta(days=2))) == 1
    assert CampaignSend.objects.filter(shoot=day.shoot).count() == 2


def test_no_campaign_before_the_picture_day_is_published(in_alpha):
    day = make_day(status=ShootStatus.IN_REVIEW)
    with pytest.raises(ValidationError, match="Publish the picture day first"):
        campaign_send_start(shoot=day.shoot, kind=CampaignKind.REMINDER)
    with pytest.raises(ValidationError, match="after the sales deadline"):
        campaign_send_start(
            shoot=make_day(name="Other").shoot, kind=CampaignKind.LAST_CHANCE, now=NOW
        )


def test_a_bounce_is_recorded_and_the_address_is_skipped_next_time(day):
    send = campaign_send_start(shoot=day.shoot, kind=CampaignKind.PHOTOS_ONLINE)
    _send_all(send)
    row = Recipient.objects.get(send=send, address="papa@example.com")

    recipient_bounce_record(recipient=row, reason="550 no such user")

    row.refresh_from_db()
    assert (row.status, row.reason) == ("bounced", "550 no such user")
    assert Suppression.objects.get(address="papa@example.com").reason == "bounced"
    with pytest.raises(ValidationError):
        recipient_bounce_record(recipient=row)
    again = campaign_send_start(shoot=day.shoot, kind=CampaignKind.REMINDER)
    assert again.recipients.get(address="papa@example.com").status == "unsubscribed"


def test_the_late_fee_is_the_picture_days_not_the_schedules(day):
    with pytest.raises(TypeError):
        campaign_settings_update(late_fee=Decimal("1"))
    with pytest.raises(ValidationError):
        shoot_update(shoot=day.shoot, late_fee=Decimal("-1"))
