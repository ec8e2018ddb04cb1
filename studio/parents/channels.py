"""How a one-time sign-in code reaches a parent. E-mail now; an SMS channel plugs in by
naming a ``SignInChannel`` subclass in ``settings.PARENT_SMS_CHANNEL`` (a provider's API
client implements ``send``)."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from studio.core.emails import parent_email_send

logger = logging.getLogger(__name__)


class SignInChannel:
    """Delivers ``code`` to ``recipient`` for ``studio`` in ``language`` (the page's, or
    None for the parent's own); raises on failure."""

    kind = ""

    def send(self, *, recipient: str, code: str, studio, language: str | None = None) -> None:
        raise NotImplementedError


class EmailChannel(SignInChannel):
    kind = "email"

    def send(self, *, recipient: str, code: str, studio, language: str | None = None) -> None:
        parent_email_send(
            studio=studio,
            to=[recipient],
            template="parents/email/sign_in_code",
            context={"code": code},
            language=language,
        )


class LoggingSmsChannel(SignInChannel):
    """Development stand-in for an SMS gateway: writes the message to the log."""

    kind = "sms"

    def send(self, *, recipient: str, code: str, studio, language: str | None = None) -> None:
        logger.info("SMS to %s for %s: sign-in code %s", recipient, studio.name, code)


def channel_for(kind: str) -> SignInChannel:
    if kind == "email":
        return EmailChannel()
    if kind == "sms":
        path = getattr(settings, "PARENT_SMS_CHANNEL", "")
        if path:
            return import_string(path)()
    raise LookupError(f"no sign-in channel {kind!r}")
