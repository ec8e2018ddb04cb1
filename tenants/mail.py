"""E-mail on a studio's behalf: from the studio's name (at the platform's sending address,
so SPF and DKIM hold) with replies going to the studio's contact address, not to
"Pictureday <no-reply@…>". The message is rendered by the caller (``studio.core.emails``
brands parents' e-mails); here it is only addressed and sent."""

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from .models import Studio


def studio_sender(studio: Studio) -> str:
    """``"Acme Photo" <no-reply@platform>``: the studio's name, the platform's address."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((studio.name, address))


def studio_reply_to(studio: Studio) -> list[str]:
    address = studio.contact_email or studio.owner_email
    return [address] if address else []


def studio_mail_send(
    *,
    studio: Studio,
    subject: str,
    body: str,
    to: list[str],
    html: str = "",
    headers: dict[str, str] | None = None,
) -> int:
    """One message per recipient (separated parents never see each other's address), over
    one connection; ``html``, when given, goes as an alternative to the plain ``body``;
    ``headers`` are added to each (a campaign's ``List-Unsubscribe``). Returns how many were
    sent."""
    messages = []
    for recipient in to:
        message = EmailMultiAlternatives(
            subject=subject,
            body=body,
            from_email=studio_sender(studio),
            to=[recipient],
            reply_to=studio_reply_to(studio),
            headers=headers,
        )
        if html:
            message.attach_alternative(html, "text/html")
        messages.append(message)
    return get_connection().send_messages(messages) or 0
