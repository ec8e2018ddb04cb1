from celery import shared_task

from tenants.selectors import working_studios

from .services import campaign_batch_send as batch_send
from .services import campaign_sends_resume, campaigns_due_send


@shared_task(bind=True, acks_late=True, max_retries=5)
def campaign_batch_send(self, send_id: int, batch: int) -> int:
    """One batch of a send. Safe to run twice or at once with itself (rows are claimed); a
    batch with rows to try again retries later."""
    sent, retry = batch_send(send_id=send_id, batch=batch)
    if retry:
        raise self.retry(countdown=60)
    return sent


@shared_task
def campaigns_run() -> int:
    """This studio's scheduled campaigns due now, and its stalled sends resumed."""
    return len(campaigns_due_send()) + campaign_sends_resume()


@shared_task
def campaigns_run_everywhere() -> int:
    """Beat fan-out from the public schema into every studio."""
    studios = list(working_studios().values_list("schema_name", flat=True))
    for schema_name in studios:
        campaigns_run.apply_async(schema=schema_name)
    return len(studios)
