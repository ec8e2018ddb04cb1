"""The demo studio's shop: a published picture day with generated photos, a price sheet with
packages and discounts, and access codes, so a visitor can buy as a parent at once."""

import datetime
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyvips
from django.utils import timezone

from saas_platform.accounts.models import Role, User
from studio.access.models import AccessCode, AccessCodeKind
from studio.access.services import access_codes_issue
from studio.catalogue.kinds import PackageKind, ProductKind
from studio.catalogue.models import PriceSheet
from studio.catalogue.services.coupons import coupon_create
from studio.catalogue.services.discounts import quantity_tier_create, sibling_discount_set
from studio.catalogue.services.packages import PackageItemInput, package_create
from studio.catalogue.services.price_sheets import (
    price_sheet_attach,
    price_sheet_create,
    price_sheet_item_set,
)
from studio.catalogue.services.products import product_create, product_option_create
from studio.photos.services.ingest import photo_ingest_file
from studio.photos.services.processing import photo_process
from studio.schools.models import School, Student
from studio.shoots.models import Shoot, ShootStatus
from studio.shoots.services import shoot_create

SHOOT_NAME = "Autumn picture day"
PHOTOS_PER_CHILD = 3
PALETTE = [(37, 99, 235), (5, 150, 105), (217, 119, 6), (190, 18, 60), (124, 58, 237)]


def _demo_jpeg(label: str, colour: tuple[int, int, int]) -> bytes:
    """A 1200×1500 portrait-shaped gradient with the label written on it."""
    width, height = 1200, 1500
    ramp = pyvips.Image.xyz(width, height)[1] / height
    base = ramp.bandjoin([ramp, ramp]) * [c * 0.6 for c in colour] + [c * 0.4 for c in colour]
    text = pyvips.Image.text(label, dpi=360, font="sans bold")
    mask = text.gravity("centre", width, height)
    return mask.ifthenelse([255, 255, 255], base, blend=True).cast("uchar").jpegsave_buffer(Q=85)


def _ingest(shoot, photographer, folder: Path, name: str, data: bytes):
    path = folder / name
    path.write_bytes(data)
    outcome = photo_ingest_file(shoot=shoot, path=path, file_name=name, uploaded_by=photographer)
    return photo_process(photo_id=outcome.photo_id)


@dataclass(frozen=True)
class DemoPrices:
    """The demo's prices; the storefront tests seed the same catalogue with their own."""

    digital: str = "6"
    print_small: str = "3"
    glossy: str = "0.50"
    print_large: str = "8"
    album: str = "35"
    all_digital: str = "25"
    bundle: str = "18"
    prints_tier_percent: str = "10"  # 5+ prints
    sibling_percent: str | None = "10"
    coupon_code: str | None = "WELCOME10"


@dataclass(frozen=True)
class DemoCatalogue:
    sheet: object
    digital: object
    print10: object
    glossy: object
    print20: object
    album: object
    all_digital: object
    bundle: object


def demo_catalogue_seed(
    *, school: School, name: str = "Demo prices", prices: DemoPrices = DemoPrices()
) -> DemoCatalogue:
    """A price sheet for ``school``: a digital file, two print sizes (the small one with a
    glossy option), an album, "all photos" and "class photo + 5 prints" packages, 5+ prints
    off, and the sibling discount and coupon when ``prices`` has them."""
    sheet = price_sheet_create(name=name)
    price_sheet_attach(sheet=sheet, school=school)
    digital = product_create(kind=ProductKind.DIGITAL, name="Digital file")
    small = product_create(kind=ProductKind.PRINT, name="Print 10×15", print_size="10x15")
    glossy = product_option_create(product=small, name="Glossy", price_delta=prices.glossy)
    large = product_create(kind=ProductKind.PRINT, name="Print 20×30", print_size="20x30")
    album = product_create(kind=ProductKind.ALBUM, name="Graduation album")
    for product, price in (
        (digital, prices.digital),
        (small, prices.print_small),
        (large, prices.print_large),
        (album, prices.album),
    ):
        price_sheet_item_set(sheet=sheet, product=product, price=price)
    all_digital = package_create(
        sheet=sheet,
        name="All photos as digital files",
        kind=PackageKind.ALL_DIGITAL,
        price=prices.all_digital,
    )
    bundle = package_create(
        sheet=sheet,
        name="Class photo + 5 prints",
        kind=PackageKind.BUNDLE,
        price=prices.bundle,
        items=[
            PackageItemInput(product=small, quantity=1, class_photo=True),
            PackageItemInput(product=small, quantity=5),
        ],
    )
    quantity_tier_create(
        sheet=sheet,
        min_quantity=5,
        percent_off=prices.prints_tier_percent,
        product_kind=ProductKind.PRINT,
    )
    if prices.sibling_percent:
        sibling_discount_set(sheet=sheet, percent_off=prices.sibling_percent)
    if prices.coupon_code:
        coupon_create(code=prices.coupon_code, kind="percent", value="10")
    return DemoCatalogue(sheet, digital, small, glossy, large, album, all_digital, bundle)


def demo_shop_seed(*, school: School) -> AccessCode:
    """Idempotent: the picture day and its photos are made once. Returns a child's code."""
    if not PriceSheet.objects.filter(name="Demo prices").exists():
        demo_catalogue_seed(school=school)
    shoot = Shoot.objects.filter(school=school, name=SHOOT_NAME).first()
    if shoot is None:
        photographer = User.objects.filter(role=Role.PHOTOGRAPHER).first()
        shoot = shoot_create(
            school=school,
            name=SHOOT_NAME,
            date=datetime.date(2026, 10, 1),
            sales_deadline=timezone.now() + datetime.timedelta(days=60),
        )
        students = list(
            Student.objects.filter(school_class__school=school).select_related("school_class")
        )
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            for index, student in enumerate(students):
                colour = PALETTE[index % len(PALETTE)]
                for number in range(1, PHOTOS_PER_CHILD + 1):
                    photo = _ingest(
                        shoot,
                        photographer,
                        folder,
                        f"{student.external_id}_{number}.jpg",
                        _demo_jpeg(f"{student.first_name} {number}", colour),
                    )
                    photo.students.set([student])
                    photo.school_class = student.school_class
                    photo.save(update_fields=["school_class"])
            for school_class in {s.school_class for s in students}:
                photo = _ingest(
                    shoot,
                    photographer,
                    folder,
                    f"class-{school_class.name}.jpg",
                    _demo_jpeg(f"Class {school_class.name}", (31, 41, 55)),
                )
                photo.school_class, photo.is_group = school_class, True
                photo.save(update_fields=["school_class", "is_group"])
        shoot.status = ShootStatus.PUBLISHED
        shoot.save(update_fields=["status"])
    access_codes_issue(shoot=shoot)
    return (
        AccessCode.objects.filter(shoot=shoot, kind=AccessCodeKind.STUDENT, revoked_at__isnull=True)
        .select_related("student")
        .order_by("student__external_id")
        .first()
    )
