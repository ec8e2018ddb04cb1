from celery import shared_task

from .domains import custom_domains_check_pending


@shared_task
def custom_domains_check() -> int:
    """Periodic (public schema): verifies the custom domains waiting for it."""
    return custom_domains_check_pending()
