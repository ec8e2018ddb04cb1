import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

import pytest
from celery.app.task import Task
from django.core.files.base import ContentFile
from django.utils import timezone
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from saas_platform.tasks import SCHEMA_HEADER
from studio.orders.models import Order
from studio.orders.services import LineInput, order_create, payment_confirm, payment_create
from studio.photos.models import Photo, PhotoVersion
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot


@pytest.fixture
def run_tasks(monkeypatch):
    """Celery tasks run in this process, in the schema they were sent from (wrap the code
    that sends them in ``django_capture_on_commit_callbacks(execute=True)``)."""
    sent = []

    def run_now(self, args=None, kwargs=None, **options):
        sent.append((self.name, args, kwargs))
        with schema_context(options["headers"][SCHEMA_HEADER]):
            return self.run(*(args or ()), **(kwargs or {}))

    monkeypatch.setattr(Task, "apply_async", run_now)
    return sent


@dataclass
class Shop:
    school: School
    class_a: SchoolClass
    class_b: SchoolClass
    ivan: Student
    masha: Student
    shoot: Shoot
    photo_ivan: Photo  # retouched: an approved version
    photo_masha: Photo  # original only
    manager: User


def _photo(shoot, owner, name: str, body: bytes) -> Photo:
    photo = Photo(
        shoot=shoot,
        original_name=name,
        content_hash=hashlib.sha256(body).hexdigest(),
        size_bytes=len(body),
        photographer=owner,
    )
    photo.original.save(name, ContentFile(body), save=False)
    photo.save()
    return photo


def make_shop(*, sales_deadline=None) -> Shop:
    school = School.objects.create(name="School No. 7")
    class_a = SchoolClass.objects.create(
        school=school, name="3A", school_year="2026-2027", teacher="Mrs Ivanova"
    )
    class_b = SchoolClass.objects.create(school=school, name="4B", school_year="2026-2027")
    ivan = Student.objects.create(school_class=class_a, first_name="Ivan", last_name="Petrov")
    masha = Student.objects.create(school_class=class_b, first_name="Masha", last_name="Orlova")
    shoot = Shoot.objects.create(
        school=school, name="Autumn", date=datetime.date(2026, 10, 1), sales_deadline=sales_deadline
    )
    manager = User.objects.create_user(
        email="manager-orders@alpha.test", password="pw-123456", role=Role.MANAGER
    )
    photo_ivan = _photo(shoot, manager, "IMG_1.jpg", b"original ivan")
    version = PhotoVersion(
        photo=photo_ivan,
        number=1,
        file_name="IMG_1.jpg",
        content_hash="v1",
        uploaded_by=manager,
    )
    version.file.save("IMG_1.jpg", ContentFile(b"retouched ivan"), save=False)
    version.save()
    photo_ivan.approved_version = version
    photo_ivan.save(update_fields=["approved_version"])
    photo_masha = _photo(shoot, manager, "IMG_2.jpg", b"original masha")
    return Shop(school, class_a, class_b, ivan, masha, shoot, photo_ivan, photo_masha, manager)


@pytest.fixture
def shop(in_alpha, media_in_tmp) -> Shop:
    return make_shop()


_keys = iter(range(10**9))


def place_order(
    shop: Shop,
    *,
    email="mum@example.com",
    delivery=None,
    paid=True,
    lines=None,
    key=None,
) -> Order:
    """An order of two prints (Ivan's 13x18 ×2, Masha's 10x15) and a digital file."""
    lines = lines or [
        LineInput(
            description="Print 13×18",
            kind="print",
            quantity=2,
            unit_price=Decimal("5.00"),
            gross=Decimal("10.00"),
            net=Decimal("10.00"),
            child_id=shop.ivan.pk,
            photo_id=shop.photo_ivan.pk,
            print_size="13x18",
            options=("Glossy",),
        ),
        LineInput(
            description="Print 10×15",
            kind="print",
            quantity=1,
            unit_price=Decimal("3.00"),
            gross=Decimal("3.00"),
            net=Decimal("3.00"),
            child_id=shop.masha.pk,
            photo_id=shop.photo_masha.pk,
            print_size="10x15",
        ),
        LineInput(
            description="Digital file",
            kind="digital",
            quantity=1,
            unit_price=Decimal("4.00"),
            gross=Decimal("4.00"),
            net=Decimal("4.00"),
            child_id=shop.ivan.pk,
            photo_id=shop.photo_ivan.pk,
        ),
    ]
    order = order_create(
        lines=lines,
        currency="EUR",
        email=email,
        payment_method="bank_transfer",
        idempotency_key=key or f"test-{next(_keys)}",
        delivery=delivery or {"method": "home", "name": "Anna", "address": "Main St 1",
                              "city": "Riga", "postcode": "LV-1001", "country": "LV"},
    )  # fmt: skip
    if paid:
        payment_confirm(payment=payment_create(order=order, provider="bank_transfer"))
        order.refresh_from_db()
    return order


def days_ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)
