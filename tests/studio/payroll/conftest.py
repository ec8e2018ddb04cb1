"""A picture day with two photographers, a retoucher and photos of theirs; ``books`` runs a
call and the after-commit events it sends (staff pay's receivers among them)."""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from saas_platform.accounts.models import Role, User
from studio.orders.services import LineInput, order_create, payment_record_offline
from studio.payroll.services import rule_create
from studio.photos.models import Photo
from studio.schools.models import School
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_create
from tests.studio.photos.images import jpeg_bytes

_keys = iter(range(10**9))


@dataclass
class Crew:
    owner: User
    manager: User
    photographer: User
    second: User  # also on the picture day, took no photos
    retoucher: User
    principal: User
    school: School
    shoot: Shoot
    photo: Photo


def make_photo(shoot, photographer, name="IMG_1.jpg", seed=1) -> Photo:
    body = jpeg_bytes(width=64, height=48, seed=seed)
    photo = Photo(
        shoot=shoot,
        original_name=name,
        content_hash=hashlib.sha256(body).hexdigest(),
        size_bytes=len(body),
        photographer=photographer,
    )
    photo.original.save(name, ContentFile(body), save=False)
    photo.save()
    return photo


def make_crew(owner_email: str) -> Crew:
    def person(name, role):
        return User.objects.create_user(
            email=f"{name}@crew.test", password="pw-123456", role=role, full_name=name.title()
        )

    photographer = person("pavel", Role.PHOTOGRAPHER)
    second = person("sofia", Role.PHOTOGRAPHER)
    school = School.objects.create(name="School No. 9")
    shoot = shoot_create(
        school=school,
        name="Spring",
        date=datetime.date(2026, 4, 10),
        photographers=[photographer, second],
    )
    return Crew(
        owner=User.objects.get(email=owner_email),
        manager=person("maria", Role.MANAGER),
        photographer=photographer,
        second=second,
        retoucher=person("roman", Role.RETOUCHER),
        principal=person("petr", Role.PRINCIPAL),
        school=school,
        shoot=shoot,
        photo=make_photo(shoot, photographer),
    )


@pytest.fixture
def crew(in_alpha, media_in_tmp) -> Crew:
    return make_crew(in_alpha.owner_email)


@pytest.fixture
def books(in_alpha, django_capture_on_commit_callbacks, run_tasks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def rule(kind, amount, *, since=datetime.date(2026, 1, 1), role="", person=None, actor=None, **kw):
    return rule_create(
        kind=kind,
        effective_from=since,
        amount=Decimal(amount),
        role=role,
        person=person,
        actor=actor,
        **kw,
    )


def sold(crew: Crew, *lines: tuple[str, int, str], photo=None) -> list[LineInput]:
    """Lines of ``crew``'s photo: (kind, quantity, net)."""
    photo = photo or crew.photo
    return [
        LineInput(
            description=f"{kind.title()} {photo.original_name}",
            kind=kind,
            quantity=quantity,
            unit_price=Decimal(net) / quantity,
            gross=Decimal(net),
            net=Decimal(net),
            photo_id=photo.pk,
            shoot_id=photo.shoot_id,
        )
        for kind, quantity, net in lines
    ]


def sell(lines: list[LineInput], *, paid_at=None):
    """An order of ``lines`` paid in full by bank transfer (``paid_at`` backdates the
    payment, before the events run: the day the sale counts on)."""
    order = order_create(
        lines=lines,
        currency="EUR",
        email="mum@x.test",
        payment_method="bank_transfer",
        idempotency_key=f"payroll-{next(_keys)}",
    )
    payment = payment_record_offline(
        order=order, amount=order.total, method="bank_transfer", actor=None
    )
    if paid_at is not None:
        type(payment).objects.filter(pk=payment.pk).update(confirmed_at=paid_at)
    order.refresh_from_db()
    return order
