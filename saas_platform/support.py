"""Where studios write to the platform: ``SUPPORT_EMAIL``, else the first operator address."""

from django.conf import settings


def support_email() -> str:
    return settings.SUPPORT_EMAIL or next(iter(settings.OPERATOR_EMAILS), "")
