"""Download grants of paid orders and the e-mails carrying their links."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from studio.core.emails import Action, parent_email_send, parent_language
from studio.orders.models import Order
from studio.orders.selectors import order_page_url
from tenants.selectors import current_studio, studio_url

from .links import ZIP
from .models import DownloadGrant
from .selectors import (
    DownloadItem,
    OrderDownloads,
    download_path,
    downloads_unavailable,
    order_has_digital_items,
    order_photos,
    thumb_path,
)


def _expiry(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(days=getattr(settings, "DOWNLOAD_LINK_DAYS", 30))


def _require_downloadable(order: Order) -> None:
    if not order.is_downloadable:
        raise ValidationError(
            _("Photos can be downloaded only from a paid order."), code="not_paid"
        )


@transaction.atomic
def download_grant_issue(*, order: Order, now: datetime.datetime | None = None) -> DownloadGrant:
    """The order's grant; made on first call once the order is paid. Calling again returns
    the same grant (its links unchanged), whatever its state."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    grant = DownloadGrant.objects.filter(order=order).first()
    if grant is not None:
        return grant
    _require_downloadable(order)
    now = now or timezone.now()
    return DownloadGrant.objects.create(
        order=order, secret=secrets.token_urlsafe(32), issued_at=now, expires_at=_expiry(now)
    )


@transaction.atomic
def download_grant_reissue(
    *, order: Order, now: datetime.datetime | None = None, restore: bool = False
) -> DownloadGrant:
    """A new secret and a fresh expiry: every earlier link stops working. A grant the studio
    revoked stays revoked unless ``restore`` (staff only)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    _require_downloadable(order)
    now = now or timezone.now()
    grant = DownloadGrant.objects.select_for_update().filter(order=order).first()
    if grant is None:
        grant = DownloadGrant(order=order)
    elif grant.revoked_at is not None and not restore:
        raise ValidationError(
            _("The studio switched off the downloads of this order."), code="revoked"
        )
    grant.secret = secrets.token_urlsafe(32)
    grant.issued_at = now
    grant.expires_at = _expiry(now)
    grant.revoked_at = None
    grant.revoked_reason = ""
    grant.save()
    return grant


@transaction.atomic
def download_grant_revoke(*, order: Order, reason: str) -> DownloadGrant | None:
    grant = DownloadGrant.objects.select_for_update().filter(order=order).first()
    if grant is None or grant.revoked_at is not None:
        return grant
    grant.revoked_at = timezone.now()
    grant.revoked_reason = reason[:300]
    grant.save(update_fields=["revoked_at", "revoked_reason"])
    return grant


# --- e-mail -----------------------------------------------------------------------------------


def download_links_email_send(
    *, order_id: int, force: bool = False, language: str | None = None, request=None
) -> int:
    """E-mails the ZIP link of a paid order to its address, in ``language`` or the parent's
    own. Sent once per grant unless ``force`` (after a re-issue). Returns the number of messages sent (0 or 1)."""
    studio = current_studio()
    with transaction.atomic():
        order = Order.objects.filter(pk=order_id).first()
        if order is None or not order.is_downloadable or not order_has_digital_items(order=order):
            return 0
        download_grant_issue(order=order)
        grant = DownloadGrant.objects.select_for_update().get(order=order)
        if grant.revoked_at is not None or (grant.emailed_at is not None and not force):
            return 0
        context = {
            "studio": studio,
            "order": order,
            "grant": grant,
            "zip_link": studio_url(
                studio=studio, path=download_path(grant=grant, item=ZIP), request=request
            ),
            "order_link": order_page_url(order=order, studio=studio, request=request),
        }
        parent_email_send(
            studio=studio,
            to=[order.email],
            template="downloads/email/ready",
            context=context,
            language=language
            or parent_language(studio=studio, email=order.email, parent=order.parent),
            action=Action(_lazy("Download the photos"), context["zip_link"]),
        )
        grant.emailed_at = timezone.now()
        grant.save(update_fields=["emailed_at"])
    return 1


def order_downloads(*, order: Order, now: datetime.datetime | None = None) -> OrderDownloads | None:
    """The download block of the family's order page, or None when the order has nothing to
    download. A paid order without a grant yet gets one here (the payment e-mail may still be
    on its way), which is why this is a service and not a selector."""
    if not order_has_digital_items(order=order):
        return None
    now = now or timezone.now()
    if not order.is_downloadable:
        closed = order.is_closed or order.refunded_total
        return downloads_unavailable(order, "closed" if closed else "unpaid")
    grant = DownloadGrant.objects.filter(order=order).first()
    if grant is None:
        grant = download_grant_issue(order=order, now=now)
    if grant.revoked_at is not None:
        return downloads_unavailable(order, "revoked", grant)
    if grant.expires_at <= now:
        return downloads_unavailable(order, "expired", grant)
    photos = order_photos(order=order)
    if not photos:
        return downloads_unavailable(order, "empty", grant)
    return OrderDownloads(
        order=order,
        available=True,
        items=[
            DownloadItem(
                photo,
                download_path(grant=grant, item=photo.pk),
                thumb_path(grant=grant, photo_id=photo.pk),
            )
            for photo in photos
        ],
        zip_url=download_path(grant=grant, item=ZIP),
        expires_at=grant.expires_at,
    )
