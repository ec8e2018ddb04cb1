"""How a one-time sign-in code reaches a parent. E-mail now; an SMS channel plugs in by
naming a ``SignInChannel`` subclass in ``settings.PARENT_SMS_CHANNEL`` (a provider's API
client implements ``send``)."""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from tenants.mail import studio_mail_send

logger = logging.getLogger(__name__)


class SignInChannel:
    """Delivers ``code`` to ``recipient`` for ``studio``; raises on failure."""

    kind = ""

    def send(self, *, recipient: str, code: str, studio) -> None:
        raise NotImplementedError


class EmailChannel(SignInChannel):
    kind = "email"

    def send(self, *, recipient: str, code: str, studio) -> None:
        context = {"code": code, "studio": studio}
        subject = " ".join(
            render_to_string("parents/email/sign_in_code_subject.txt", context).split()
        )
        body = render_to_string("parents/email/sign_in_code.txt", context)
        studio_mail_send(studio=studio, subject=subject, body=body, to=[recipient])


class LoggingSmsChannel(SignInChannel):
    """Development stand-in for an SMS gateway: writes the message to the log."""

    kind = "sms"

    def send(self, *, recipient: str, code: str, studio) -> None:
        logger.info("SMS to %s for %s: sign-in code %s", recipient, studio.name, code)


def channel_for(kind: str) -> SignInChannel:
    if kind == "email":
        return EmailChannel()
    if kind == "sms":
        path = getattr(settings, "PARENT_SMS_CHANNEL", "")
        if path:
            return import_string(path)()
    raise LookupError(f"no sign-in channel {kind!r}")
