from smtplib import SMTPException

from celery import shared_task

from tenants.selectors import working_studios

from .emails import fulfilment_email_send, order_reminders_send, payment_received_send

_MAIL_RETRY = {
    "acks_late": True,
    "autoretry_for": (SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": 30,
    "max_retries": 5,
}


@shared_task(**_MAIL_RETRY)
def send_payment_received_email(payment_id: str) -> bool:
    return payment_received_send(payment_id=payment_id)


@shared_task(**_MAIL_RETRY)
def send_fulfilment_email(event_ids: list[int]) -> bool:
    return fulfilment_email_send(event_ids=event_ids)


@shared_task
def send_order_reminders() -> int:
    """This studio's payment reminders (runs in the studio's schema)."""
    return order_reminders_send()


@shared_task
def send_order_reminders_everywhere() -> int:
    """Daily beat fan-out from the public schema into every studio."""
    studios = list(working_studios().values_list("schema_name", flat=True))
    for schema_name in studios:
        send_order_reminders.apply_async(schema=schema_name)
    return len(studios)
