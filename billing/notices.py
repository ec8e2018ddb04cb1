"""E-mails to a studio's owner about the licence, each sent once per occasion."""

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import Studio, StudioStatus
from tenants.selectors import studio_url

from .models import LicenceEvent, LicenceNotice, NoticeKind

log = logging.getLogger(__name__)
TRIAL_WARNING_DAYS = 3


def notices_send_later(*, studio_id: int) -> None:
    """After the licence change commits (called inside the public schema)."""
    from .tasks import licence_notices_for_studio

    licence_notices_for_studio.enqueue_on_commit(studio_id)


def _due(studio: Studio, now) -> list[tuple[str, str]]:
    due = []
    if (
        studio.status == StudioStatus.TRIAL
        and studio.licence_valid_until
        and now < studio.licence_valid_until <= now + timedelta(days=TRIAL_WARNING_DAYS)
    ):
        due.append((NoticeKind.TRIAL_ENDING, studio.licence_valid_until.date().isoformat()))
    if studio.status == StudioStatus.PAST_DUE and studio.grace_until:
        due.append((NoticeKind.PAYMENT_FAILED, studio.grace_until.isoformat()[:64]))
    if studio.status == StudioStatus.SUSPENDED:
        last = (
            LicenceEvent.objects.filter(studio=studio, to_status=StudioStatus.SUSPENDED)
            .values_list("pk", flat=True)
            .first()
        )
        if last:
            due.append((NoticeKind.SUSPENDED, str(last)))
    return due


def _message(kind: str, studio: Studio) -> tuple[str, str]:
    billing = studio_url(studio=studio, path="/staff/billing/")
    when = (
        date_format(studio.licence_valid_until, "DATE_FORMAT") if studio.licence_valid_until else ""
    )
    if kind == NoticeKind.TRIAL_ENDING:
        return (
            _("Your Pictureday trial ends on %(date)s") % {"date": when},
            _(
                "The trial of %(studio)s ends on %(date)s. Choose a plan so your storefront "
                "keeps taking orders: %(link)s"
            )
            % {"studio": studio.name, "date": when, "link": billing},
        )
    if kind == NoticeKind.PAYMENT_FAILED:
        grace = date_format(studio.grace_until, "DATE_FORMAT")
        return (
            _("Your Pictureday payment failed"),
            _(
                "We could not take the payment for %(studio)s. Please update your card by "
                "%(date)s, or the studio will be suspended: %(link)s"
            )
            % {"studio": studio.name, "date": grace, "link": billing},
        )
    return (
        _("Your Pictureday studio is suspended"),
        _(
            "%(studio)s is suspended: the storefront takes no orders and staff pages are "
            "read-only. Your data is kept. Choose a plan or update your card to reactivate "
            "it: %(link)s"
        )
        % {"studio": studio.name, "link": billing},
    )


def notices_send_for(*, studio: Studio, now=None) -> list[str]:
    """Sends what is due and not yet sent; returns the kinds sent."""
    now = now or timezone.now()
    sent = []
    if not studio.owner_email:
        return sent
    with schema_context(get_public_schema_name()):
        for kind, key in _due(studio, now):
            try:
                with transaction.atomic():
                    LicenceNotice.objects.create(studio=studio, kind=kind, key=key)
                    with translation.override(studio.language):
                        subject, body = _message(kind, studio)
                    send_mail(subject, body, None, [studio.owner_email])
            except IntegrityError:
                continue  # sent before
            sent.append(kind)
    return sent
