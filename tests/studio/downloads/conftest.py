"""A published picture day with real JPEGs, a price sheet with an "all digital" package, and
orders placed by a signed-in parent."""

import datetime
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.catalogue.kinds import PackageKind
from studio.catalogue.models import Package, PriceSheet, PriceSheetAttachment
from studio.orders.services import LineInput, order_create, payment_record_offline
from studio.photos.models import PhotoVersion
from studio.photos.services.ingest import photo_ingest_file
from studio.photos.services.processing import photo_process
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.services import shoot_create
from tests.studio.photos.images import jpeg_bytes, write


@dataclass
class Day:
    studio: object
    photos: dict
    kids: dict
    parent: object
    other_parent: object
    owner: object
    photographer: object
    package: object
    version_bytes: bytes


@pytest.fixture
def day(alpha, media_in_tmp, tmp_path, django_capture_on_commit_callbacks):
    with schema_context(alpha.schema):
        users = {
            role: User.objects.create_user(
                email=f"{role}-dl@alpha.test", password="pw-123456", role=role
            )
            for role in (Role.OWNER, Role.PHOTOGRAPHER, Role.PARENT)
        }
        other_parent = User.objects.create_user(
            email="other-parent@alpha.test", password="pw-123456", role=Role.PARENT
        )
        school = School.objects.create(name="School 12")
        school_class = SchoolClass.objects.create(school=school, name="2B", school_year="2026-2027")
        kids = {
            name: Student.objects.create(
                school_class=school_class,
                first_name=name,
                last_name="Smirnova",
                do_not_publish=name == "Hidden",
            )
            for name in ("Anna", "Boris", "Hidden")
        }
        shoot = shoot_create(school=school, name="Autumn", date="2026-10-01")
        later_shoot = shoot_create(school=school, name="Spring", date="2027-04-01")

        def photo(name, *, students=(), seed=0, on=shoot):
            with django_capture_on_commit_callbacks(execute=False):
                outcome = photo_ingest_file(
                    shoot=on,
                    path=write(tmp_path / name, jpeg_bytes(seed=seed)),
                    file_name=name,
                    uploaded_by=users[Role.PHOTOGRAPHER],
                )
            item = photo_process(photo_id=outcome.photo_id)
            item.students.set(students)
            item.school_class = school_class
            item.save()
            return item

        photos = {
            "anna1": photo("IMG_0001.jpg", students=[kids["Anna"]], seed=1),
            "anna2": photo("IMG_0002.jpg", students=[kids["Anna"]], seed=2),
            "boris": photo("IMG_0003.jpg", students=[kids["Boris"]], seed=3),
            "hidden": photo("IMG_0004.jpg", students=[kids["Hidden"]], seed=4),
            "anna_spring": photo("IMG_0100.jpg", students=[kids["Anna"]], seed=5, on=later_shoot),
        }
        # anna1 was retouched and the retouched file approved.
        version_bytes = jpeg_bytes(seed=11)
        version = PhotoVersion(
            photo=photos["anna1"],
            number=1,
            file_name="IMG_0001.jpg",
            content_hash="v1",
            uploaded_by=users[Role.PHOTOGRAPHER],
        )
        version.file.save("IMG_0001.jpg", ContentFile(version_bytes), save=False)
        version.save()
        photos["anna1"].approved_version = version
        photos["anna1"].retouch_status = "approved"
        photos["anna1"].save()

        sheet = PriceSheet.objects.create(name="Autumn prices", currency="EUR")
        PriceSheetAttachment.objects.create(sheet=sheet, shoot=shoot)
        spring_sheet = PriceSheet.objects.create(name="Spring prices", currency="EUR")
        PriceSheetAttachment.objects.create(sheet=spring_sheet, shoot=later_shoot)
        package = Package.objects.create(
            sheet=sheet, name="All digital", kind=PackageKind.ALL_DIGITAL, price=Decimal("30")
        )
    return Day(
        studio=alpha,
        photos=photos,
        kids=kids,
        parent=users[Role.PARENT],
        other_parent=other_parent,
        owner=users[Role.OWNER],
        photographer=users[Role.PHOTOGRAPHER],
        package=package,
        version_bytes=version_bytes,
    )


def digital_line(photo, price="5.00", child=None):
    return LineInput(
        description=f"Digital file {photo.original_name}",
        kind="digital",
        quantity=1,
        unit_price=Decimal(price),
        gross=Decimal(price),
        net=Decimal(price),
        photo_id=photo.pk,
        child_id=child.pk if child else None,
    )


def child_photo_shoot(child) -> int:
    """The first picture day with photos of ``child`` (the one the tests buy on)."""
    from studio.photos.models import Photo

    return (
        Photo.objects.filter(students=child)
        .order_by("shoot__date")
        .values_list("shoot_id", flat=True)[0]
    )


def package_line(package, child, price="30.00", adjustments=()):
    net = Decimal(price) + sum((amount for _label, amount in adjustments), Decimal("0"))
    return LineInput(
        description="All photos as digital files",
        kind="package",
        quantity=1,
        unit_price=Decimal(price),
        gross=Decimal(price),
        net=net,
        adjustments=tuple(adjustments),
        child_id=child.pk,
        # as checkout writes it: the package and the picture day it was bought on
        package_id=package.pk,
        shoot_id=child_photo_shoot(child),
    )


def place(day, lines, *, key, parent=None, paid=True, method="bank_transfer", **extra):
    """An order (in the current schema), paid in full unless ``paid`` is False."""
    order = order_create(
        lines=lines,
        currency="EUR",
        email="mama@example.test",
        payment_method=method,
        idempotency_key=key,
        parent=parent if parent is not None else day.parent,
        **extra,
    )
    if paid:
        payment_record_offline(order=order, amount=order.total, method=method, actor=day.owner)
        order.refresh_from_db()
    return order


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def zip_contents(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def days_later(days: float) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days)
