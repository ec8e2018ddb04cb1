from celery import shared_task

from .delivery import FINAL, sms_deliver, sms_status_poll

# Waits between tries when the provider could not be reached: 10 s, 20 s, 40 s, 80 s, 160 s.
RETRY_BASE_SECONDS = 10
MAX_RETRIES = 5
# TurboSMS is asked for the status a minute after sending, then less and less often.
POLL_COUNTDOWNS = (60, 120, 300, 600, 1800, 3600)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def sms_deliver_task(self, message_id: int) -> str:
    """Sends one message; retried while the provider is unreachable. The row is claimed
    before sending, so a redelivered task never sends twice."""
    outcome = sms_deliver(message_id=message_id, last_try=self.request.retries >= MAX_RETRIES)
    if outcome.retry:
        raise self.retry(countdown=RETRY_BASE_SECONDS * 2**self.request.retries)
    if outcome.poll:
        sms_status_poll_task.apply_async(args=[message_id, 0], countdown=POLL_COUNTDOWNS[0])
    return outcome.status


@shared_task(acks_late=True)
def sms_status_poll_task(message_id: int, round_: int = 0) -> str:
    """Asks a provider without callbacks (TurboSMS) for a message's status until it is
    final or the last round has passed."""
    status = sms_status_poll(message_id=message_id)
    if status not in FINAL and round_ + 1 < len(POLL_COUNTDOWNS):
        sms_status_poll_task.apply_async(
            args=[message_id, round_ + 1], countdown=POLL_COUNTDOWNS[round_ + 1]
        )
    return status
