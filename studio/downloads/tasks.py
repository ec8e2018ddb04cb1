from smtplib import SMTPException

from celery import shared_task

from .services import download_links_email_send


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
)
def download_links_email(*, order_id: int, force: bool = False) -> int:
    """ "Your photos are ready to download": sent when orders announce ``order_paid``
    (``receivers.py``); a TenantTask, it runs in the schema it was sent from."""
    return download_links_email_send(order_id=order_id, force=force)
