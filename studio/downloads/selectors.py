"""Which photos a paid order lets the family download, and whether a link still works.

Everything is decided at request time from the order as it is now: a full refund or a
cancellation closes the downloads without any hook, and a link only ever opens photos the
order covers, whatever id is put in it."""

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from studio.catalogue.kinds import PackageKind
from studio.orders.models import Order, OrderLine
from studio.photos.models import Photo
from studio.photos.selectors import photos_parents_may_see

from .links import ZIP, link_claim, link_token
from .models import DownloadGrant

DIGITAL = "digital"
PACKAGE = "package"


def _all_digital_q(line: OrderLine) -> Q | None:
    """An "all photos of the child as digital files" package line: the child's photos of the
    picture day it was bought on (never a later picture day of the same child)."""
    if line.package_id is None or line.shoot_id is None or line.child_id is None:
        return None
    if line.package.kind != PackageKind.ALL_DIGITAL:
        return None
    return Q(students=line.child_id, shoot_id=line.shoot_id)


def order_photos(*, order: Order) -> list[Photo]:
    """The photos the order's digital items cover (whether or not it is paid)."""
    wanted = Q(pk__in=[])
    for line in order.lines.select_related("package"):
        if line.refunded:
            continue
        if line.kind == DIGITAL and line.photo_id:
            wanted |= Q(pk=line.photo_id)
        elif line.kind == PACKAGE and (package_q := _all_digital_q(line)) is not None:
            wanted |= package_q
    photos = photos_parents_may_see(Photo.objects.filter(wanted)).distinct()
    return list(photos.select_related("approved_version").order_by("original_name", "id"))


def order_has_digital_items(*, order: Order) -> bool:
    return any(
        (line.kind == DIGITAL and line.photo_id)
        or (line.kind == PACKAGE and line.package_id is not None)
        for line in order.lines.all()
    )


# --- files ------------------------------------------------------------------------------------


class PhotoFile(NamedTuple):
    field_file: object
    name: str  # the name the family's computer saves it as
    size: int


def photo_file(*, photo: Photo, order: Order) -> PhotoFile:
    """The approved retouched file, else the untouched original; named after the order and
    the photographer's file name (``2026-000123_IMG_0042.jpg``)."""
    version = photo.approved_version
    stem = os.path.splitext(photo.original_name)[0] or f"photo-{photo.pk}"
    if version is not None and version.file:
        suffix = os.path.splitext(version.file_name)[1].lower() or ".jpg"
        return PhotoFile(version.file, f"{order.number}_{stem}{suffix}", version.file.size)
    suffix = os.path.splitext(photo.original_name)[1].lower() or ".jpg"
    return PhotoFile(photo.original, f"{order.number}_{stem}{suffix}", photo.size_bytes)


def zip_entries(*, photos: list[Photo], order: Order) -> list[tuple[str, object, int]]:
    entries, seen = [], set()
    for photo in photos:
        field_file, name, size = photo_file(photo=photo, order=order)
        if name.casefold() in seen:
            stem, suffix = os.path.splitext(name)
            name = f"{stem}__{photo.pk}{suffix}"
        seen.add(name.casefold())
        entries.append((name, field_file, size))
    return entries


# --- links ------------------------------------------------------------------------------------


class LinkProblem(Exception):
    """Why a link does not open anything. ``kind``: invalid, replaced, unavailable, revoked,
    expired."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


@dataclass
class LinkAccess:
    order: Order
    grant: DownloadGrant
    photos: list[Photo]  # one photo, or every photo for the ZIP
    is_zip: bool


def grant_state(*, grant: DownloadGrant | None, order: Order, now: datetime) -> str | None:
    """None when links may be served now, else the reason they may not."""
    if grant is None:
        return "invalid"
    if not order.is_downloadable:
        return "unavailable"
    if grant.revoked_at is not None:
        return "revoked"
    if grant.expires_at <= now:
        return "expired"
    return None


def link_access(*, token: str, now: datetime | None = None) -> LinkAccess:
    """What a link opens right now, or ``LinkProblem`` saying why not."""
    now = now or timezone.now()
    claim = link_claim(token)
    if claim is None:
        raise LinkProblem("invalid")
    order = Order.objects.filter(pk=claim.order_id).first()
    grant = DownloadGrant.objects.filter(order=order).first() if order else None
    if order is None or grant is None:
        raise LinkProblem("invalid")
    if not constant_time_compare(claim.secret, grant.secret):
        raise LinkProblem("replaced")
    if problem := grant_state(grant=grant, order=order, now=now):
        raise LinkProblem(problem)
    photos = order_photos(order=order)
    if claim.item != ZIP:
        photos = [photo for photo in photos if photo.pk == claim.item]
    if not photos:
        raise LinkProblem("invalid")
    return LinkAccess(order, grant, photos, claim.item == ZIP)


def download_path(*, grant: DownloadGrant, item: int | str) -> str:
    token = link_token(order_id=grant.order_id, item=item, secret=grant.secret)
    return reverse("downloads:file", args=[token])


def thumb_path(*, grant: DownloadGrant, photo_id: int) -> str:
    token = link_token(order_id=grant.order_id, item=photo_id, secret=grant.secret)
    return reverse("downloads:thumb", args=[token])


# --- the order page ---------------------------------------------------------------------------


class DownloadItem(NamedTuple):
    photo: Photo
    url: str
    thumb_url: str


@dataclass
class OrderDownloads:
    order: Order
    available: bool
    reason: str = ""  # a code: unpaid, closed, revoked, expired, empty
    message: str = ""  # the reason in words, for the family
    items: list[DownloadItem] = field(default_factory=list)
    zip_url: str = ""
    expires_at: datetime | None = None

    @property
    def can_reissue(self) -> bool:
        return self.reason == "expired"


def downloads_unavailable(order, reason, grant=None) -> OrderDownloads:
    messages = {
        "unpaid": _("Your photos can be downloaded as soon as the order is paid."),
        "closed": _("This order was refunded or cancelled, so its downloads are closed."),
        "revoked": _("The downloads of this order were switched off. Please contact the studio."),
        "expired": _("Your download links have expired. Ask for new ones below."),
        "empty": _("None of the photos of this order can be downloaded at the moment."),
    }
    return OrderDownloads(
        order=order,
        available=False,
        reason=reason,
        message=messages[reason],
        expires_at=grant.expires_at if grant else None,
    )
