"""E-mails to parents: in the studio's colours, with its logo and contact details (an HTML
part next to the plain text), and in the parent's language.

The language is, in this order: the one the caller knows (the parent is on the page that
asked for the e-mail), the one kept on the parent's account (their browser's when they last
signed in or ordered), the studio's default. Recipients of one message who read different
languages each get theirs.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string, select_template
from django.utils import timezone, translation
from django_tenants.utils import schema_context
from sorl.thumbnail import get_thumbnail

from saas_platform.accounts.models import Role, User, email_reaches_someone
from tenants.mail import studio_mail_send
from tenants.models import Studio
from tenants.selectors import studio_tzinfo, studio_url
from tenants.validators import HEX_COLOUR, MIN_CONTRAST, contrast_with_white

log = logging.getLogger(__name__)

# The logo's display size in e-mails, made with its other sizes at upload (studio.settings).
LOGO_EMAIL_GEOMETRY = "x120"
LOGO_THUMBNAIL_OPTIONS = {"format": "PNG", "upscale": False}
DEFAULT_BRAND_COLOUR = "#2563eb"
DARK_TEXT = "#111827"
LIGHT_TEXT = "#ffffff"


def supported_language(code: str | None) -> str | None:
    try:
        return translation.get_supported_language_variant(code or "")
    except LookupError:
        return None


def parent_language(*, studio: Studio, email: str = "", parent: User | None = None) -> str:
    """The language to write to this parent in (see the module's docstring)."""
    stored = parent.language if parent is not None else ""
    if not stored and email:
        stored = (
            User.objects.filter(email__iexact=email.strip(), role=Role.PARENT)
            .values_list("language", flat=True)
            .first()
        )
    return (
        supported_language(stored) or supported_language(studio.language) or settings.LANGUAGE_CODE
    )


@dataclass(frozen=True)
class Branding:
    colour: str
    text_colour: str  # readable on ``colour``
    logo_url: str  # absolute, on the studio's primary host; empty without a logo


def email_logo_url(studio: Studio) -> str:
    """The logo's e-mail size at a lasting address on the studio's host (``/media/<schema>/
    branding/…``, served by studio.settings): an object store's signed URL would expire in
    the parent's inbox. Empty without a logo, or when its thumbnail cannot be made (the
    e-mail still goes, with the studio's name alone)."""
    if not studio.logo:
        return ""
    try:
        with schema_context(studio.schema_name):
            thumbnail = get_thumbnail(studio.logo, LOGO_EMAIL_GEOMETRY, **LOGO_THUMBNAIL_OPTIONS)
    except Exception:  # noqa: BLE001 - a broken logo must not stop the e-mail
        log.exception("no e-mail logo for studio %s", studio.schema_name)
        return ""
    if not thumbnail or not thumbnail.name:
        return ""
    return studio_url(
        studio=studio, path=f"{settings.MEDIA_URL}{studio.schema_name}/{thumbnail.name}"
    )


def studio_branding(studio: Studio) -> Branding:
    colour = (studio.brand_color or "").lower()
    if not HEX_COLOUR.match(colour):
        colour = DEFAULT_BRAND_COLOUR
    # The settings refuse colours white text is unreadable on; older ones get dark text.
    text = LIGHT_TEXT if contrast_with_white(colour) >= MIN_CONTRAST else DARK_TEXT
    return Branding(colour=colour, text_colour=text, logo_url=email_logo_url(studio))


@dataclass(frozen=True)
class Action:
    """The message's one button: a label (lazily translated) and an absolute URL."""

    label: str
    url: str


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    language: str


def parent_email_render(
    *,
    studio: Studio,
    template: str,
    context: dict,
    language: str,
    action: Action | None = None,
    branding: Branding | None = None,
) -> RenderedEmail:
    """``<template>_subject.txt`` and ``<template>.txt`` in ``language`` and the studio's
    time zone, and the HTML part: ``<template>.html`` when there is one (it extends
    ``emails/base.html``), else the text inside ``emails/base.html``."""
    branding = branding or studio_branding(studio)
    with translation.override(language), timezone.override(studio_tzinfo(studio)):
        context = {"studio": studio, **context}
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = select_template([f"{template}.html", "emails/base.html"]).render(
            {
                **context,
                "subject": subject,
                "text": text,
                "brand": branding,
                "action": action,
                "language": language,
            },
        )
    return RenderedEmail(subject=subject, text=text, html=html, language=language)


def parent_email_send(
    *,
    studio: Studio,
    to: list[str],
    template: str,
    context: dict,
    language: str | None = None,
    action: Action | None = None,
) -> int:
    """Renders and sends one message per recipient, each in their language (``language``,
    when given, for all). Returns how many were sent. Placeholder addresses (deleted and
    phone-only parents) are left out: they reach nobody."""
    to = [recipient for recipient in to if email_reaches_someone(recipient)]
    by_language: dict[str, list[str]] = {}
    for recipient in to:
        chosen = supported_language(language) or parent_language(studio=studio, email=recipient)
        by_language.setdefault(chosen, []).append(recipient)
    branding = studio_branding(studio) if to else None
    sent = 0
    for chosen, recipients in by_language.items():
        message = parent_email_render(
            studio=studio,
            template=template,
            context=context,
            language=chosen,
            action=action,
            branding=branding,
        )
        sent += studio_mail_send(
            studio=studio,
            subject=message.subject,
            body=message.text,
            html=message.html,
            to=recipients,
        )
    return sent
