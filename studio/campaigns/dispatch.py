"""Rendering and handing one campaign message to its channel: e-mail through the studio's
mail, SMS through ``studio.sms.sms_send`` as marketing (so a number that replied STOP is
never texted)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy

from saas_platform.money import format_money
from studio.core.emails import Action, Branding, RenderedEmail, parent_email_render
from studio.shoots.models import Shoot
from studio.sms.models import Purpose
from studio.sms.services import sms_send
from tenants.mail import studio_mail_send
from tenants.models import Studio
from tenants.selectors import studio_tzinfo, studio_url

from .models import Channel, Recipient
from .unsubscribe import unsubscribe_url
from .wording import placeholders_fill, sms_opt_out_hint, sms_wording_for, wording_for


class ChannelNotAvailable(Exception):
    """The recipient's channel has no sender in this deployment (yet)."""


class RecipientOptedOut(Exception):
    """The number replied STOP after its row was claimed: the row is unsubscribed, not failed."""


@dataclass(frozen=True)
class Message:
    email: RenderedEmail
    headers: dict[str, str]
    link: str


def message_values(
    *, studio: Studio, shoot: Shoot, children: list[str], codes: list[str], language: str
) -> dict[str, str]:
    """The placeholders' values for one family, in its language and the studio's time zone."""
    link = studio_url(studio=studio, path=f"/?code={codes[0]}" if codes else "/")
    fee = shoot.late_fee  # the picture day's: what checkout charges
    with translation.override(language), timezone.override(studio_tzinfo(studio)):
        deadline = (
            formats.date_format(timezone.localtime(shoot.sales_deadline), "DATE_FORMAT")
            if shoot.sales_deadline
            else ""
        )
        late_until = (
            formats.date_format(timezone.localtime(shoot.late_orders_until), "DATETIME_FORMAT")
            if shoot.late_orders_until
            else ""
        )
        late_fee = format_money(fee, studio.currency) if fee else format_money(0, studio.currency)
    return {
        "child": ", ".join(children),
        "code": ", ".join(codes),
        "link": link,
        "deadline": deadline,
        "late_fee": late_fee,
        "late_until": late_until,
        "studio": studio.name,
        "school": shoot.school.name,
        "picture_day": shoot.name,
    }


def message_render(
    *,
    studio: Studio,
    shoot: Shoot,
    kind: str,
    language: str,
    address: str,
    children: list[str],
    codes: list[str],
    channel: str = Channel.EMAIL,
    wording: tuple[str, str] | None = None,
    branding: Branding | None = None,
) -> Message:
    """The message one family gets: the studio's wording (or ``wording`` being previewed)
    with its placeholders filled, branded, with the unsubscribe link in the footer and in
    ``List-Unsubscribe`` (RFC 8058 one-click)."""
    values = message_values(
        studio=studio, shoot=shoot, children=children, codes=codes, language=language
    )
    subject, body = wording or wording_for(kind=kind, language=language)[:2]
    leave = unsubscribe_url(studio=studio, channel=channel, address=address)
    # A last chance goes only while late orders are open, so its codes open too.
    action = Action(gettext_lazy("See the photos"), values["link"])
    email = parent_email_render(
        studio=studio,
        template="campaigns/email/campaign",
        context={
            "subject_text": placeholders_fill(subject, values),
            "body": placeholders_fill(body, values),
            "unsubscribe_url": leave,
        },
        language=language,
        action=action,
        branding=branding,
    )
    headers = {
        "List-Unsubscribe": f"<{leave}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return Message(email=email, headers=headers, link=values["link"])


def sms_render(
    *,
    studio: Studio,
    shoot: Shoot,
    kind: str,
    language: str,
    children: list[str],
    codes: list[str],
    text: str | None = None,
) -> str:
    """The text one family gets: the studio's SMS wording (or ``text`` being previewed) filled
    in, the link (unless the wording placed it) and the translated "STOP to opt out"."""
    values = message_values(
        studio=studio, shoot=shoot, children=children, codes=codes, language=language
    )
    wording = text if text is not None else sms_wording_for(kind=kind, language=language)[0]
    parts = [placeholders_fill(wording, values).strip()]
    if "{link}" not in wording:
        parts.append(values["link"])
    parts.append(sms_opt_out_hint(language))
    return " ".join(part for part in parts if part)


def _sms_dispatch(*, studio: Studio, recipient: Recipient) -> None:
    send = recipient.send
    text = sms_render(
        studio=studio,
        shoot=send.shoot,
        kind=send.kind,
        language=recipient.language,
        children=recipient.children,
        codes=recipient.codes,
    )
    try:
        # its own SmsMessage row; the provider is called by sms_deliver_task once committed
        sms_send(to=recipient.address, text=text, purpose=Purpose.MARKETING)
    except ValidationError as error:
        if error.code == "opted_out":
            raise RecipientOptedOut(recipient.address) from error
        raise


def recipient_dispatch(*, studio: Studio, recipient: Recipient) -> None:
    """Sends one recipient's message on its channel; raises when it could not go."""
    if recipient.channel == Channel.SMS:
        _sms_dispatch(studio=studio, recipient=recipient)
        return
    if recipient.channel != Channel.EMAIL:
        raise ChannelNotAvailable(recipient.channel)
    send = recipient.send
    message = message_render(
        studio=studio,
        shoot=send.shoot,
        kind=send.kind,
        language=recipient.language,
        address=recipient.address,
        children=recipient.children,
        codes=recipient.codes,
    )
    studio_mail_send(
        studio=studio,
        subject=message.email.subject,
        body=message.email.text,
        html=message.email.html,
        to=[recipient.address],
        headers=message.headers,
    )
