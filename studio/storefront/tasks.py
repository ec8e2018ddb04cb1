from smtplib import SMTPException

from celery import shared_task

from .emails import order_confirmation_send


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
)
def order_confirmation_email(order_id: int) -> bool:
    return order_confirmation_send(order_id=order_id)
