"""What a parent may see: only what the access codes opened in this browser open."""

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from saas_platform.images import image_link, image_link_expiry
from saas_platform.versions import version_get
from studio.access.models import AccessCodeKind
from studio.access.selectors import access_codes_in_session
from studio.catalogue.kinds import PackageKind
from studio.catalogue.models import Package
from studio.catalogue.selectors import studio_currency
from studio.catalogue.services.pricing_rules import pricing_rules_for
from studio.photos.models import Photo
from studio.photos.selectors import photos_parents_may_see


@dataclass
class GallerySection:
    title_kind: str  # "child" or "class"
    name: str
    shoot_name: str
    shoot: object = None
    child_id: int | None = None  # whom the photos are bought for
    code_id: int | None = None
    photo_ids: list[int] = field(default_factory=list)


def gallery_photos_q(code) -> Q:
    if code.kind == AccessCodeKind.STUDENT:
        return Q(shoot_id=code.shoot_id, students=code.student_id)
    return Q(shoot_id=code.shoot_id, school_class_id=code.school_class_id, is_group=True)


# A gallery page lists photo ids from the cache for this long: a photo tagged or published by
# staff shows up within it. Hiding a child clears their keys at once (``gallery_forget``), and
# every image is checked afresh on request (``gallery_photo``), so the cache never lets a
# hidden photo be fetched.
GALLERY_CACHE_SECONDS = 30


def _ids_key(kind: str, shoot_id: int, subject_id: int) -> str:
    return f"gallery-ids:{connection.schema_name}:{kind}:{shoot_id}:{subject_id}"


def _photo_ids(kind: str, shoot_id: int, subject_id: int, query, cached: dict) -> list[int]:
    key = _ids_key(kind, shoot_id, subject_id)
    ids = cached.get(key)
    if ids is None:
        ids = list(
            photos_parents_may_see(query)
            .order_by("original_name", "id")
            .values_list("pk", flat=True)
        )
        cache.set(key, ids, GALLERY_CACHE_SECONDS)
    return ids


def gallery_forget(*, shoot_id: int, student_id: int, school_class_id: int) -> None:
    cache.delete_many(
        [
            _ids_key(AccessCodeKind.STUDENT, shoot_id, student_id),
            _ids_key(AccessCodeKind.CLASS, shoot_id, school_class_id),
        ]
    )


def gallery_sections(*, session) -> list[GallerySection]:
    """One section per opened code: the child's own photos, then each class's group photos
    (a class is listed once, whichever codes opened it). Sections carry photo ids only."""
    sections, classes_done = [], set()
    codes = access_codes_in_session(session=session)
    cached = cache.get_many(  # one round trip for every section's ids
        [_ids_key(c.kind, c.shoot_id, c.student_id or c.school_class_id) for c in codes]
        + [_ids_key(AccessCodeKind.CLASS, c.shoot_id, c.school_class_id) for c in codes]
    )
    for code in codes:
        if code.kind == AccessCodeKind.STUDENT:
            if code.student.is_hidden:
                continue
            section = GallerySection(
                "child",
                code.student.full_name,
                code.shoot.name,
                shoot=code.shoot,
                child_id=code.student_id,
                code_id=code.pk,
            )
        else:
            section = GallerySection(
                "class", code.school_class.name, code.shoot.name, shoot=code.shoot, code_id=code.pk
            )
        key = (code.kind, code.shoot_id, code.student_id or code.school_class_id)
        if key in classes_done:
            continue
        classes_done.add(key)
        section.photo_ids = _photo_ids(
            code.kind,
            code.shoot_id,
            code.student_id or code.school_class_id,
            Photo.objects.filter(gallery_photos_q(code)),
            cached,
        )
        sections.append(section)
        class_key = (AccessCodeKind.CLASS, code.shoot_id, code.school_class_id)
        if code.kind == AccessCodeKind.STUDENT and class_key not in classes_done:
            classes_done.add(class_key)
            sections.append(
                GallerySection(
                    "class",
                    code.school_class.name,
                    code.shoot.name,
                    shoot=code.shoot,
                    child_id=code.student_id,
                    photo_ids=_photo_ids(
                        AccessCodeKind.CLASS,
                        code.shoot_id,
                        code.school_class_id,
                        Photo.objects.filter(
                            shoot_id=code.shoot_id,
                            school_class_id=code.school_class_id,
                            is_group=True,
                        ),
                        cached,
                    ),
                )
            )
    return sections


def gallery_photo(*, session, photo_id: int) -> Photo | None:
    """The photo if one of the opened codes shows it; otherwise None (whatever the id)."""
    codes = access_codes_in_session(session=session)
    if not codes:
        return None
    return (
        photos_parents_may_see(Photo.objects.filter(_opened_q(codes)).filter(pk=photo_id))
        .distinct()
        .first()
    )


def _opened_q(codes) -> Q:
    """The photos the opened ``codes`` show (before narrowing to what parents may see)."""
    allowed = Q(pk__in=[])
    for code in codes:
        if code.kind == AccessCodeKind.STUDENT and code.student.is_hidden:
            continue
        allowed |= gallery_photos_q(code)
        if code.kind == AccessCodeKind.STUDENT:
            allowed |= Q(
                shoot_id=code.shoot_id, school_class_id=code.school_class_id, is_group=True
            )
    return allowed


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
    codes = access_codes_in_session(session=session)
    if not codes or not photo_ids:
        return {}
    photos = photos_parents_may_see(
        Photo.objects.filter(_opened_q(codes)).filter(pk__in=list(photo_ids))
    ).distinct()
    return _signed(photos, rendition, version)


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


SHOP_OFFER_CACHE_SECONDS = 60


def shop_offer(*, shoot, now=None) -> ShopOffer | None:
    """What a picture day sells and for how much (before discounts), or None if nothing.
    Cached a minute: it is what the gallery shows; the cart and checkout price afresh."""
    key = f"shop-offer:{connection.schema_name}:{shoot.pk}"
    offer = cache.get(key)
    if offer is None:
        offer = _shop_offer(shoot=shoot, now=now) or False
        cache.set(key, offer, SHOP_OFFER_CACHE_SECONDS)
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


def opened_child_code(*, session, shoot_id: int, child_id: int):
    """The opened student code of ``child_id`` on that picture day, or None."""
    for code in access_codes_in_session(session=session):
        if (
            code.kind == AccessCodeKind.STUDENT
            and code.shoot_id == shoot_id
            and code.student_id == child_id
            and not code.student.is_hidden
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
        is_theirs = photo.students.filter(pk=child_id).exists() or (
            photo.is_group and photo.school_class_id == code.school_class_id
        )
        return (photo, child_id) if is_theirs else None
    return (photo, None) if photo.is_group else None
