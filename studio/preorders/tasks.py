from smtplib import SMTPException

from celery import shared_task

from .services import credits_online_email_send


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
)
def credits_online_email(*, shoot_id: int) -> int:
    """ "Choose the photos for your pre-paid package", once the picture day is published
    (``receivers.py``); a TenantTask, it runs in the schema it was sent from. Each credit is
    told once, so a redelivered task sends nothing twice."""
    return credits_online_email_send(shoot_id=shoot_id)
