from smtplib import SMTPException

from celery import shared_task

from .services import access_code_send_email


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
)
def send_access_code_email(code_id: int, force: bool = False, language: str | None = None) -> int:
    """One child's code to their roster parents; sent once unless ``force``."""
    return access_code_send_email(code_id=code_id, force=force, language=language)
