from celery import shared_task

from .domains import custom_domains_check_pending
from .spares import spare_schemas_refill as _spare_schemas_refill


@shared_task
def custom_domains_check() -> int:
    """Periodic (public schema): verifies the custom domains waiting for it."""
    return custom_domains_check_pending()


@shared_task
def spare_schemas_refill() -> int:
    """Periodic, and after each sign-up (public schema): tops the pool of spare studio schemas
    up to ``TENANT_SPARE_SCHEMAS``."""
    return _spare_schemas_refill()
