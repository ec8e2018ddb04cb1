"""Sending one claimed message and recording what the provider reports: the work of the
tasks in ``tasks.py``."""

import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tenants.models import Studio
from tenants.selectors import studio_url

from .models import Provider, Purpose, SmsMessage, SmsStatus
from .providers import Report, SmsProviderError
from .selectors import sms_provider, sms_settings

logger = logging.getLogger(__name__)

TWILIO_STATUS_PATH = "/sms/twilio/status/"
TWILIO_INBOUND_PATH = "/sms/twilio/inbound/"

# Later statuses only: a late "sent" never undoes "delivered"; a final one stays.
_RANK = {
    SmsStatus.PENDING: 0,
    SmsStatus.SENDING: 1,
    SmsStatus.QUEUED: 2,
    SmsStatus.SENT: 3,
    SmsStatus.DELIVERED: 4,
    SmsStatus.FAILED: 4,
}
FINAL = {SmsStatus.DELIVERED, SmsStatus.FAILED}
# A sign-in code is kept only as a keyed hash (studio.parents): once handed to the provider,
# or failed for good, its text is not kept either.
REDACTED = "[sign-in code]"


@dataclass(frozen=True)
class Outcome:
    status: str
    retry: bool = False  # nothing was sent and the provider may take it later
    poll: bool = False  # the provider reports only when asked (TurboSMS)


def twilio_status_callback_url() -> str:
    studio = Studio.objects.get(schema_name=connection.schema_name)
    return studio_url(studio=studio, path=TWILIO_STATUS_PATH)


def sms_deliver(*, message_id: int, last_try: bool = False) -> Outcome:
    """Claims the message (pending → sending) and hands it to the studio's provider. A row
    already claimed is left alone: a redelivered task does not send twice. When nothing
    reached the provider (unreachable, 5xx, 429) the row goes back to pending for a retry,
    unless this is the ``last_try``."""
    claimed = SmsMessage.objects.filter(pk=message_id, status=SmsStatus.PENDING).update(
        status=SmsStatus.SENDING, attempts=F("attempts") + 1
    )
    message = SmsMessage.objects.filter(pk=message_id).first()
    if not claimed or message is None:
        return Outcome(message.status if message else "missing")
    current = sms_settings()
    provider = sms_provider(current)
    if provider is None or provider.name != message.provider:
        return _fail(message, "The studio's SMS provider is not set up any more.")
    callback = twilio_status_callback_url() if provider.name == Provider.TWILIO else ""
    try:
        accepted = provider.send(to=message.to, text=message.text, status_callback=callback)
    except SmsProviderError as error:
        if error.retry and not last_try:
            SmsMessage.objects.filter(pk=message.pk).update(
                status=SmsStatus.PENDING, error=error.reason
            )
            return Outcome(SmsStatus.PENDING, retry=True)
        logger.warning("SMS %s to %s failed: %s", message.pk, message.to, error.reason)
        return _fail(message, error.reason)
    now = timezone.now()
    SmsMessage.objects.filter(pk=message.pk).update(
        provider_message_id=accepted.provider_message_id,
        status=accepted.status,
        error="",
        sent_at=now,
        status_at=now,
        **_redacted(message),
    )
    return Outcome(accepted.status, poll=provider.name == Provider.TURBOSMS)


def _redacted(message: SmsMessage) -> dict:
    return {"text": REDACTED} if message.purpose == Purpose.SIGN_IN else {}


def _fail(message: SmsMessage, reason: str) -> Outcome:
    SmsMessage.objects.filter(pk=message.pk).update(
        status=SmsStatus.FAILED, error=reason[:300], status_at=timezone.now(), **_redacted(message)
    )
    return Outcome(SmsStatus.FAILED)


def sms_status_record(*, provider: str, provider_message_id: str, report: Report) -> bool:
    """Records a delivery report for this studio's message; False when there is no such
    message here or the report is older than what is known."""
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update()
            .filter(provider=provider, provider_message_id=provider_message_id)
            .first()
        )
        if message is None or not provider_message_id:
            return False
        if message.status in FINAL or _RANK[report.status] <= _RANK[message.status]:
            return False
        message.status = report.status
        message.error = report.reason[:300] if report.status == SmsStatus.FAILED else ""
        message.status_at = timezone.now()
        message.save(update_fields=["status", "error", "status_at"])
    return True


def sms_status_poll(*, message_id: int) -> str:
    """Asks the provider for the status of a message it reports only when asked; returns
    the status now known."""
    message = SmsMessage.objects.filter(pk=message_id).first()
    if message is None or message.status in FINAL or not message.provider_message_id:
        return message.status if message else "missing"
    provider = sms_provider()
    if provider is None or provider.name != message.provider:
        return message.status
    try:
        report = provider.status(provider_message_id=message.provider_message_id)
    except SmsProviderError as error:
        logger.info("SMS status of %s not known yet: %s", message.pk, error.reason)
        return message.status
    if report is not None:
        sms_status_record(
            provider=message.provider,
            provider_message_id=message.provider_message_id,
            report=report,
        )
    return SmsMessage.objects.get(pk=message_id).status
