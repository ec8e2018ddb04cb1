from celery import shared_task

from .services import licence_notices_send as _licence_notices_send
from .services import operator_signup_notify, platform_daily_stat_record
from .services import studio_deletions_run as _studio_deletions_run


@shared_task
def platform_daily_stat_collect() -> str:
    return str(platform_daily_stat_record().date)


@shared_task
def licence_notices_send() -> int:
    return _licence_notices_send()


@shared_task
def signup_notify(studio_id: int) -> bool:
    return operator_signup_notify(studio_id=studio_id)


@shared_task
def studio_deletions_run() -> int:
    """Hourly: deletes the studios whose grace period ended."""
    return _studio_deletions_run()
