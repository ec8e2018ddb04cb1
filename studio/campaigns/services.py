"""Campaigns: starting a send (its recipient rows, in batches), sending a batch so that no
message ever goes twice, finding what the schedule says is due, resuming stalled sends,
unsubscribes and bounces, and the studio's wording and schedule.

At most once, and nobody skipped: a recipient row is claimed (``sending``, committed) before
its message goes and marked ``sent`` after. A redelivered or repeated batch finds it claimed
and moves on; a worker killed between the claim and the send leaves it ``sending``, and the
resume sweep marks it failed ("interrupted") instead of sending it again, since it may have
arrived. Rows still ``pending`` are sent by whichever batch task (or resumed one) comes next.
"""

import datetime
import logging
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from studio.shoots.models import Shoot, ShootStatus
from studio.sms.selectors import phone_opted_out, sms_configured
from tenants.selectors import current_studio

from .dispatch import RecipientOptedOut, recipient_dispatch
from .models import (
    CampaignChannels,
    CampaignKind,
    CampaignSend,
    CampaignSettings,
    Channel,
    MessageTemplate,
    Recipient,
    RecipientStatus,
    SendStatus,
    Suppression,
    SuppressionReason,
)
from .selectors import (
    campaign_audience,
    campaign_settings,
    family_language,
    opted_out,
    suppressed_addresses,
)
from .wording import placeholders_check

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
INTERRUPTED = "interrupted while sending: it may have arrived, so it is not sent again"


def _stopped() -> str:
    return _("replied STOP: no more texts to this number")


# A send whose batches show no sign of life this long is re-queued by the sweep.
STALLED_AFTER = datetime.timedelta(minutes=10)
# Scheduled sends go out within this long of their moment (beat runs more often than that).
SCHEDULE_WINDOW = datetime.timedelta(days=2)
S = RecipientStatus


# --- starting a send -----------------------------------------------------------------------


def _check_sendable(*, shoot: Shoot, kind: str, now: datetime.datetime) -> None:
    if kind == CampaignKind.LAST_CHANCE:
        if shoot.status != ShootStatus.PUBLISHED:
            raise ValidationError(_("Publish the picture day first."), code="not_published")
        if not shoot.sales_deadline or shoot.sales_deadline > now:
            raise ValidationError(
                _("The last chance goes after the sales deadline."), code="before_deadline"
            )
        if not shoot.late_orders_open(now):
            # Only then do the codes open and checkout take the order (with the late fee).
            raise ValidationError(
                _("The last chance goes while the picture day takes late orders."),
                code="no_late_orders",
            )
        return
    if shoot.status != ShootStatus.PUBLISHED:
        raise ValidationError(
            _("Publish the picture day first: the links in the message would not open."),
            code="not_published",
        )


def campaign_send_refusal(*, shoot: Shoot, kind: str, now=None) -> str:
    """Why ``kind`` cannot be sent for ``shoot`` now ("" when it can), for the pages."""
    try:
        _check_sendable(shoot=shoot, kind=kind, now=now or timezone.now())
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def campaign_send_start(
    *,
    shoot: Shoot,
    kind: str,
    actor=None,
    occasion: str = "",
    now: datetime.datetime | None = None,
) -> CampaignSend | None:
    """Creates the send and one row per address (the suppressed ones as ``unsubscribed``),
    numbered in batches of ``CAMPAIGN_BATCH_SIZE``, and queues the batches once committed.
    A scheduled or automatic send names its ``occasion``; a second one of the same occasion
    creates nothing and returns None."""
    now = now or timezone.now()
    _check_sendable(shoot=shoot, kind=kind, now=now)
    studio = current_studio()
    try:
        with transaction.atomic():
            send = CampaignSend.objects.create(
                shoot=shoot, kind=kind, occasion=occasion, created_by=actor
            )
    except IntegrityError:
        return None  # this occasion was sent already
    with transaction.atomic():
        audience = campaign_audience(shoot=shoot, kind=kind)
        blocked = {
            channel: opted_out(
                channel=channel, addresses=[f.address for f in audience if f.channel == channel]
            )
            for channel in Channel.values
        }
        stopped = blocked[Channel.SMS] - suppressed_addresses(channel=Channel.SMS)
        rows, pending = [], 0
        batch_size = settings.CAMPAIGN_BATCH_SIZE
        for family in audience:
            row = Recipient(
                send=send,
                channel=family.channel,
                address=family.address,
                language=family_language(
                    studio=studio, address=family.address, channel=family.channel
                ),
                children=list(family.children.values()),
                codes=list(dict.fromkeys(family.codes.values())),
            )
            if family.address in blocked[family.channel]:
                row.status = S.UNSUBSCRIBED
                row.reason = (
                    _stopped()
                    if family.channel == Channel.SMS and family.address in stopped
                    else _("unsubscribed before this send")
                )
            else:
                row.batch, pending = pending // batch_size, pending + 1
            rows.append(row)
        Recipient.objects.bulk_create(rows)
        batches = sorted({row.batch for row in rows if row.status == S.PENDING})
        if not batches:
            send.status, send.finished_at = SendStatus.DONE, now
            send.save(update_fields=["status", "finished_at"])
        else:
            _queue_batches(send, batches)
    return send


def _queue_batches(send: CampaignSend, batches) -> None:
    from .tasks import campaign_batch_send  # tasks import this module: same app, no cycle

    for batch in batches:
        campaign_batch_send.enqueue_on_commit(send.pk, batch)


# --- sending a batch -----------------------------------------------------------------------


def _claim_next(*, send_id: int, batch: int, tried: set[int], now) -> Recipient | None:
    """The next pending row of the batch, claimed and committed; None when there is none.
    The send's row lock orders the claimers (and is where a paused test holds a worker)."""
    with transaction.atomic():
        send = CampaignSend.objects.select_for_update().filter(pk=send_id).first()
        if send is None:
            return None
        suppressed = {channel: suppressed_addresses(channel=channel) for channel in Channel.values}
        while True:
            row = (
                send.recipients.select_for_update(skip_locked=True)
                .filter(batch=batch, status=S.PENDING)
                .exclude(pk__in=tried)
                .order_by("pk")
                .first()
            )
            if row is None:
                return None
            if row.address in suppressed[row.channel]:  # unsubscribed since the send started
                row.status, row.reason = S.UNSUBSCRIBED, _("unsubscribed before this send")
                row.save(update_fields=["status", "reason"])
                continue
            if row.channel == Channel.SMS and phone_opted_out(row.address):  # STOP since
                row.status, row.reason = S.UNSUBSCRIBED, _stopped()
                row.save(update_fields=["status", "reason"])
                continue
            row.status, row.claimed_at, row.attempts = S.SENDING, now, row.attempts + 1
            row.save(update_fields=["status", "claimed_at", "attempts"])
            send.progressed_at = now
            send.save(update_fields=["progressed_at"])
            row.send = send
            return row


def campaign_batch_send(*, send_id: int, batch: int) -> tuple[int, int]:
    """Sends the batch's pending rows one by one: claim (committed), send, mark sent.
    Returns (sent, left to retry): rows whose sending raised go back to pending until
    ``MAX_ATTEMPTS``, then fail with the reason."""
    studio = current_studio()
    pause = settings.CAMPAIGN_SEND_INTERVAL_SECONDS
    sent, retry, tried = 0, 0, set()
    while True:
        row = _claim_next(send_id=send_id, batch=batch, tried=tried, now=timezone.now())
        if row is None:
            break
        tried.add(row.pk)
        try:
            recipient_dispatch(studio=studio, recipient=row)
        except RecipientOptedOut:  # STOP arrived between the claim and the send
            Recipient.objects.filter(pk=row.pk, status=S.SENDING).update(
                status=S.UNSUBSCRIBED, reason=_stopped()
            )
            continue
        except Exception as error:  # noqa: BLE001 - recorded on the row; the batch goes on
            log.warning("campaign %s: %s not sent: %r", send_id, row.address, error)
            failed = row.attempts >= MAX_ATTEMPTS
            retry += 0 if failed else 1
            Recipient.objects.filter(pk=row.pk, status=S.SENDING).update(
                status=S.FAILED if failed else S.PENDING, reason=str(error)[:300]
            )
            continue
        Recipient.objects.filter(pk=row.pk, status=S.SENDING).update(
            status=S.SENT, sent_at=timezone.now(), reason=""
        )
        sent += 1
        if pause:  # pacing for a provider's rate limit
            time.sleep(pause)
    campaign_send_finish_if_done(send_id=send_id)
    return sent, retry


def campaign_send_finish_if_done(*, send_id: int) -> bool:
    with transaction.atomic():
        send = CampaignSend.objects.select_for_update().filter(pk=send_id).first()
        if send is None or send.status == SendStatus.DONE:
            return False
        if send.recipients.filter(status__in=[S.PENDING, S.SENDING]).exists():
            return False
        send.status, send.finished_at = SendStatus.DONE, timezone.now()
        send.save(update_fields=["status", "finished_at"])
    return True


def campaign_sends_resume(
    *, now: datetime.datetime | None = None, stalled_after: datetime.timedelta = STALLED_AFTER
) -> int:
    """Re-queues the batches of sends that stalled (a worker killed for good, a lost
    message): rows claimed longer ago than ``stalled_after`` are failed as interrupted (never
    sent twice), pending rows are queued again. Returns how many sends were resumed."""
    now = now or timezone.now()
    resumed = 0
    for send in CampaignSend.objects.filter(
        status=SendStatus.SENDING, progressed_at__lte=now - stalled_after
    ):
        with transaction.atomic():
            send = CampaignSend.objects.select_for_update().get(pk=send.pk)
            send.recipients.filter(status=S.SENDING, claimed_at__lte=now - stalled_after).update(
                status=S.FAILED, reason=INTERRUPTED
            )
            batches = sorted(
                set(send.recipients.filter(status=S.PENDING).values_list("batch", flat=True))
            )
            send.progressed_at = now
            send.save(update_fields=["progressed_at"])
            if batches:
                _queue_batches(send, batches)
                resumed += 1
        if not batches:
            campaign_send_finish_if_done(send_id=send.pk)
    return resumed


# --- the schedule --------------------------------------------------------------------------


def _due(*, shoot: Shoot, cfg: CampaignSettings, now) -> list[tuple[str, str]]:
    """(kind, occasion) the schedule says are due now for ``shoot``. Occasions name the
    deadline, so a moved deadline schedules its reminders again."""
    deadline = shoot.sales_deadline
    key = deadline.isoformat()
    due = []
    last_day = deadline - datetime.timedelta(days=1)
    if shoot.status == ShootStatus.PUBLISHED and now < deadline:
        if cfg.remind_on_last_day and now >= last_day:
            due.append((CampaignKind.REMINDER, f"last-day:{key}"))
        elif cfg.reminder_days_before:
            before = deadline - datetime.timedelta(days=cfg.reminder_days_before)
            if before <= now < deadline and not (cfg.remind_on_last_day and now >= last_day):
                due.append((CampaignKind.REMINDER, f"before:{key}"))
    if cfg.last_chance and shoot.status == ShootStatus.PUBLISHED and shoot.late_orders_open(now):
        moment = deadline + datetime.timedelta(days=cfg.last_chance_days_after)
        if moment <= now < moment + SCHEDULE_WINDOW:
            due.append((CampaignKind.LAST_CHANCE, f"last-chance:{key}"))
    return due


def campaigns_due_send(*, now: datetime.datetime | None = None) -> list[CampaignSend]:
    """Starts every scheduled campaign due now in this studio (each occasion once)."""
    now = now or timezone.now()
    cfg = campaign_settings()
    started = []
    shoots = Shoot.objects.filter(
        sales_deadline__isnull=False,
        status__in=[ShootStatus.PUBLISHED, ShootStatus.CLOSED],
        sales_deadline__gte=now
        - datetime.timedelta(days=cfg.last_chance_days_after)
        - SCHEDULE_WINDOW,
    ).select_related("school")
    for shoot in shoots:
        for kind, occasion in _due(shoot=shoot, cfg=cfg, now=now):
            send = campaign_send_start(shoot=shoot, kind=kind, occasion=occasion, now=now)
            if send is not None:
                started.append(send)
    return started


def photos_online_on_publish(*, shoot: Shoot) -> CampaignSend | None:
    """The automatic "photos are online" of a published picture day, once per picture day."""
    if not campaign_settings().auto_photos_online:
        return None
    shoot = Shoot.objects.select_related("school").get(pk=shoot.pk)
    if shoot.status != ShootStatus.PUBLISHED:
        return None
    return campaign_send_start(shoot=shoot, kind=CampaignKind.PHOTOS_ONLINE, occasion="published")


# --- unsubscribes and bounces --------------------------------------------------------------


def address_unsubscribe(*, channel: str, address: str) -> bool:
    """Campaigns stop writing to ``address`` (transactional mail is not affected). The rows of
    sends still going are marked too. True when it was not unsubscribed before."""
    address = address.strip().lower()
    with transaction.atomic():
        row, created = Suppression.objects.get_or_create(
            channel=channel, address=address, defaults={"reason": SuppressionReason.UNSUBSCRIBED}
        )
        if not created and row.reason != SuppressionReason.UNSUBSCRIBED:
            row.reason = SuppressionReason.UNSUBSCRIBED
            row.save(update_fields=["reason"])
        Recipient.objects.filter(
            channel=channel, address=address, status__in=[S.PENDING, S.SENT]
        ).update(status=S.UNSUBSCRIBED, reason="")
    return created


def recipient_bounce_record(*, recipient: Recipient, reason: str = "") -> Recipient:
    """The message came back: the row says so, and campaigns stop writing to the address."""
    with transaction.atomic():
        recipient = Recipient.objects.select_for_update().get(pk=recipient.pk)
        if recipient.status != S.SENT:
            raise ValidationError(_("Only a sent message can bounce."), code="not_sent")
        recipient.status = S.BOUNCED
        recipient.reason = (reason or _("bounced"))[:300]
        recipient.save(update_fields=["status", "reason"])
        Suppression.objects.get_or_create(
            channel=recipient.channel,
            address=recipient.address,
            defaults={"reason": SuppressionReason.BOUNCED},
        )
    return recipient


# --- the studio's wording and schedule -----------------------------------------------------


def message_template_save(
    *, kind: str, language: str, subject: str, body: str, sms: str | None = None
) -> MessageTemplate:
    """The studio's wording of ``kind`` in ``language``; ``sms`` None keeps the saved SMS
    text, "" goes back to the default one."""
    for text in (subject, body, sms or ""):
        placeholders_check(text)
    defaults = {"subject": subject, "body": body}
    if sms is not None:
        defaults["sms"] = sms.strip()
    template, _created = MessageTemplate.objects.update_or_create(
        kind=kind, language=language, defaults=defaults
    )
    return template


SETTINGS_FIELDS = (
    "auto_photos_online",
    "reminder_days_before",
    "remind_on_last_day",
    "last_chance",
    "last_chance_days_after",
    "channels",
)


def campaign_settings_update(**fields) -> CampaignSettings:
    """Changes the fields given (the late fee is the picture day's own)."""
    if fields.get("channels", CampaignChannels.EMAIL) != CampaignChannels.EMAIL and not (
        sms_configured()
    ):
        raise ValidationError(
            {"channels": _("Set up the studio's SMS provider first (Settings → SMS).")}
        )
    cfg = campaign_settings()
    for name, value in fields.items():
        if name not in SETTINGS_FIELDS:
            raise TypeError(name)
        setattr(cfg, name, value)
    cfg.full_clean()
    cfg.save()
    return cfg
