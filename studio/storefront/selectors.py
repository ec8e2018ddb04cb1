"""What a parent may see: only what the access codes opened in this browser open."""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from saas_platform.images import image_link, image_link_expiry
from saas_platform.versions import shoot_gallery, version_get, versions_get_with
from studio.access.models import AccessCodeKind
from studio.access.selectors import OpenedCode, opened_codes
from studio.catalogue.kinds import PackageKind
from studio.catalogue.models import Package
from studio.catalogue.selectors import studio_currency
from studio.catalogue.services.pricing_rules import pricing_rules_for
from studio.photos.models import Photo
from studio.photos.selectors import photos_parents_may_see
from studio.shoots.models import Shoot


@dataclass
class GallerySection:
    title_kind: str  # "child" or "class"
    name: str
    shoot_name: str
    shoot_id: int
    child_id: int | None = None  # whom the photos are bought for
    code_id: int | None = None
    photo_ids: list[int] = field(default_factory=list)
    kind: str = ""  # whose photos: AccessCodeKind.STUDENT (subject = child) or CLASS
    subject_id: int = 0
    stamp: str = ""  # the versions the photo ids (and anything rendered from them) were read at
    offer: object = None

    @property
    def cache_key(self) -> str:
        """Whose section it is; what it shows was read at ``stamp``."""
        return f"{self.kind}:{self.shoot_id}:{self.subject_id}:{self.child_id or 0}"


def gallery_photos_q(kind: str, shoot_id: int, subject_id: int) -> Q:
    if kind == AccessCodeKind.STUDENT:
        return Q(shoot_id=shoot_id, students=subject_id)
    return Q(shoot_id=shoot_id, school_class_id=subject_id, is_group=True)


# Photo ids, offers and rendered sections are cached with the versions they were read at (the
# studio's "gallery" and the picture day's, ``saas_platform.versions``), which the services
# that change them bump after they commit; an entry of other versions is read again, so none
# is ever stale and none needs a time limit. This timeout only lets unused entries go.
GALLERY_CACHE_SECONDS = 24 * 3600


def cached_at(found: dict, key: str, stamp):
    """The value cached under ``key`` if it was made at ``stamp``; None otherwise."""
    entry = found.get(key)
    return entry[1] if isinstance(entry, tuple) and entry[0] == stamp else None


def _ids_key(section: GallerySection) -> str:
    return f"gallery-ids:{section.kind}:{section.shoot_id}:{section.subject_id}"


def _photo_ids(section: GallerySection, found: dict) -> list[int]:
    key = _ids_key(section)
    ids = cached_at(found, key, section.stamp)
    if ids is None:
        query = gallery_photos_q(section.kind, section.shoot_id, section.subject_id)
        ids = list(
            photos_parents_may_see(Photo.objects.filter(query))
            .order_by("original_name", "id")
            .values_list("pk", flat=True)
        )
        cache.set(key, (section.stamp, ids), GALLERY_CACHE_SECONDS)
    return ids


def _read_sections(plan: list[GallerySection]) -> None:
    """Stamps and photo ids of ``plan``'s sections: one cache round trip when warm."""
    shoots = sorted({section.shoot_id for section in plan})
    versions, found = versions_get_with(
        ["gallery", *(shoot_gallery(s) for s in shoots)], [_ids_key(s) for s in plan]
    )
    for section in plan:
        section.stamp = f"{versions['gallery']}.{versions[shoot_gallery(section.shoot_id)]}"
        section.photo_ids = _photo_ids(section, found)


def gallery_sections(*, session) -> list[GallerySection]:
    """One section per opened code: the child's own photos, then each class's group photos
    (a class is listed once, whichever codes opened it). Sections carry photo ids only. A warm
    call reads the cache only (two round trips) and no table."""
    plan, done = [], set()
    for code in opened_codes(session=session):
        if code.student_hidden:
            continue
        group = GallerySection(
            "class",
            code.class_name,
            code.shoot_name,
            code.shoot_id,
            kind=AccessCodeKind.CLASS,
            subject_id=code.school_class_id,
        )
        own = None
        if code.kind == AccessCodeKind.STUDENT:
            own = GallerySection(
                "child",
                code.student_name,
                code.shoot_name,
                code.shoot_id,
                child_id=code.student_id,
                code_id=code.pk,
                kind=AccessCodeKind.STUDENT,
                subject_id=code.student_id,
            )
            group.child_id = code.student_id  # the class photos are bought for the child
        else:
            group.code_id = code.pk
        for section in (own, group):
            key = section and (section.kind, section.shoot_id, section.subject_id)
            if section and key not in done:
                done.add(key)
                plan.append(section)
    _read_sections(plan)
    return plan


def gallery_photo(*, session, photo_id: int) -> Photo | None:
    """The photo if one of the opened codes shows it; otherwise None (whatever the id). The
    cached sections say whether it is shown; the row is read (and checked again) for its
    files."""
    if not any(photo_id in s.photo_ids for s in gallery_sections(session=session)):
        return None
    return photos_parents_may_see(Photo.objects.filter(pk=photo_id)).first()


# --------------------------------------------------------------------------- image links

_RENDITION_FIELDS = {"thumb": "thumbnail", "preview": "preview"}  # never the original


def image_links(*, photo_ids, rendition: str, version: int | None = None) -> dict[int, str]:
    """Signed, short-lived links to the thumbnails or previews of ``photo_ids``, which the
    caller has already checked the parent may see (``gallery_sections``, ``gallery_photo``).
    The one place parents' image URLs are made (``saas_platform.images``). ``version`` is the
    ``"withdrawn"`` version read before that check, so a withdrawal in between wins."""
    return _signed(Photo.objects.filter(pk__in=list(photo_ids)), rendition, version)


def image_links_for_session(*, session, photo_ids, rendition: str) -> dict[int, str]:
    """Like ``image_links`` for ids not checked yet (cart lines, past orders): only the
    photos the codes opened in this browser still show get a link."""
    version = version_get("withdrawn")
    wanted = set(photo_ids)
    if not wanted:
        return {}
    shown = {pk for s in gallery_sections(session=session) for pk in s.photo_ids} & wanted
    if not shown:
        return {}
    return _signed(photos_parents_may_see(Photo.objects.filter(pk__in=shown)), rendition, version)


def _signed(photos, rendition: str, version: int | None) -> dict[int, str]:
    field = _RENDITION_FIELDS[rendition]
    version = version_get("withdrawn") if version is None else version
    schema, expires = connection.schema_name, image_link_expiry()
    return {
        pk: image_link(
            schema=schema,
            photo_id=pk,
            rendition=rendition,
            name=name,
            version=version,
            expires=expires,
        )
        for pk, name in photos.values_list("pk", field)
        if name
    }


# --------------------------------------------------------------------------- shopping


@dataclass(frozen=True)
class ProductChoice:
    """One line of the "add to cart" menu: a product, or a product with one option."""

    value: str  # "<product id>" or "<product id>:<option id>"
    label: str
    price: object
    kind: str


@dataclass
class ShopOffer:
    currency: str
    photo_products: list[ProductChoice] = field(default_factory=list)
    packages: list = field(default_factory=list)  # (PackagePrice, needs_photo)
    other_products: list[ProductChoice] = field(default_factory=list)


def shop_offer(*, shoot_id: int, now=None) -> ShopOffer | None:
    """What a picture day sells and for how much (before discounts), or None if nothing.
    Cached with the studio's "gallery" version (the catalogue's services bump it): it is
    what the gallery shows; the cart and checkout price afresh."""
    key = f"shop-offer:{int(shoot_id)}"
    versions, found = versions_get_with(["gallery"], [key])
    offer = cached_at(found, key, versions["gallery"])
    if offer is None:
        shoot = Shoot.objects.filter(pk=shoot_id).first()
        offer = (shoot and _shop_offer(shoot=shoot, now=now)) or False
        cache.set(key, (versions["gallery"], offer), GALLERY_CACHE_SECONDS)
    return offer or None


def _shop_offer(*, shoot, now=None) -> ShopOffer | None:
    rules = pricing_rules_for(shoot=shoot, coupon_code=None, now=now or timezone.now())
    if rules is None:
        return None
    offer = ShopOffer(currency=studio_currency())
    options = {}
    for option in rules.options:
        options.setdefault(option.product_id, []).append(option)
    for product in rules.products:
        target = offer.photo_products if product.requires_photo else offer.other_products
        target.append(
            ProductChoice(str(product.product_id), product.name, product.price, product.kind)
        )
        for option in options.get(product.product_id, []):
            target.append(
                ProductChoice(
                    f"{product.product_id}:{option.option_id}",
                    f"{product.name} — {option.name}",
                    product.price + option.delta,
                    product.kind,
                )
            )
    bundles_with_photo = set(
        Package.objects.filter(
            pk__in=[p.package_id for p in rules.packages],
            kind=PackageKind.BUNDLE,
            items__class_photo=False,
            items__product__requires_photo=True,
        ).values_list("pk", flat=True)
    )
    offer.packages = [(p, p.package_id in bundles_with_photo) for p in rules.packages]
    return offer


def opened_child_code(*, session, shoot_id: int, child_id: int) -> OpenedCode | None:
    """The opened student code of ``child_id`` on that picture day, or None."""
    for code in opened_codes(session=session):
        if (
            code.kind == AccessCodeKind.STUDENT
            and code.shoot_id == shoot_id
            and code.student_id == child_id
            and not code.student_hidden
        ):
            return code
    return None


def photo_offer_target(*, session, photo_id: int, child_id: int | None):
    """Who a photo is bought for: ``(photo, child_id)`` when the parent may buy it for that
    child (the child's own photo, or their class's group photo), ``(photo, None)`` for a class
    photo opened by a class code alone; None when the codes in this browser do not allow it."""
    photo = gallery_photo(session=session, photo_id=photo_id)
    if photo is None:
        return None
    if child_id:
        code = opened_child_code(session=session, shoot_id=photo.shoot_id, child_id=child_id)
        if code is None:
            return None
        own = GallerySection(
            "child", "", "", code.shoot_id, kind=AccessCodeKind.STUDENT, subject_id=child_id
        )
        _read_sections([own])
        is_theirs = photo.pk in own.photo_ids or (
            photo.is_group and photo.school_class_id == code.school_class_id
        )
        return (photo, child_id) if is_theirs else None
    return (photo, None) if photo.is_group else None


def late_order_notices(*, session, now) -> list[OpenedCode]:
    """One opened code per picture day taking late orders at ``now`` with a fee, for the
    gallery's notice: read from the opened codes (cached), so it costs the page no query."""
    seen, notices = set(), []
    for code in opened_codes(session=session, now=now):
        if code.shoot_id not in seen and code.late_at(now):
            seen.add(code.shoot_id)
            notices.append(code)
    return notices
