"""How a one-time sign-in code reaches a parent: e-mail, or SMS through the studio's own
provider (``studio.sms``) when it has one."""

from django.utils import translation
from django.utils.translation import gettext as _

from studio.core.emails import parent_email_send
from studio.sms.models import Purpose
from studio.sms.services import sms_send


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


class SmsChannel(SignInChannel):
    """The code as a short text, sent by a task through the studio's SMS provider."""

    kind = "sms"

    def send(self, *, recipient: str, code: str, studio, language: str | None = None) -> None:
        with translation.override(language or studio.language):
            text = _("%(code)s is your sign-in code for %(studio)s. It works for 10 minutes.") % {
                "code": code,
                "studio": studio.name,
            }
        sms_send(to=recipient, text=text, purpose=Purpose.SIGN_IN)


def channel_for(kind: str) -> SignInChannel:
    if kind == "email":
        return EmailChannel()
    if kind == "sms":
        return SmsChannel()
    raise LookupError(f"no sign-in channel {kind!r}")
