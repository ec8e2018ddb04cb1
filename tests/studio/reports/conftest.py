"""Hand-made sales for the reports: paid, refunded in part (pro rata and by line), unpaid
(new and three weeks old), another school's, and retouching with a send-back, every figure
chosen so the expected report can be worked out on paper (see ``Sales``)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.access import codes
from studio.access.models import AccessCode, AccessCodeKind
from studio.orders.models import Order, OrderLine
from studio.orders.services import LineInput, order_create, payment_record_offline, refund_record
from studio.photos.models import Photo, PhotoStatus
from studio.retouching.models import RetouchBatch, RetouchEvent, RetouchEventKind
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.services import shoot_create


@dataclass
class Sales:
    oak: School
    elm: School
    owner: User
    photographer: User
    retoucher: User
    order_old_unpaid: Order


def photo(shoot, who, name):
    return Photo.objects.create(
        shoot=shoot,
        original=f"{name}.jpg",
        original_name=f"{name}.jpg",
        content_hash=name.ljust(64, "0"),
        size_bytes=1,
        photographer=who,
        status=PhotoStatus.READY,
    )


def line(description, kind, net, *, child, shoot, photo=None):
    amount = Decimal(net)
    return LineInput(
        description,
        kind,
        1,
        amount,
        amount,
        amount,
        child_id=child.pk,
        shoot_id=shoot.pk,
        photo_id=photo.pk if photo else None,
    )


def make_sales(run, schema: str) -> Sales:
    """``run(fn, ...)`` calls ``fn`` executing its after-commit events (the ledger's)."""
    with schema_context(schema):
        owner = User.objects.filter(role=Role.OWNER).first()
        photographer = User.objects.create_user(
            email="ph@studio.test", password="x", role=Role.PHOTOGRAPHER, full_name="Pat Lens"
        )
        retoucher = User.objects.create_user(
            email="re@studio.test", password="x", role=Role.RETOUCHER, full_name="Rita Brush"
        )
        oak = School.objects.create(name="Oak School")
        elm = School.objects.create(name="Elm School")
        oak_1a = SchoolClass.objects.create(school=oak, name="1A", school_year="2026-2027")
        elm_2b = SchoolClass.objects.create(school=elm, name="2B", school_year="2026-2027")
        ann = Student.objects.create(school_class=oak_1a, first_name="Ann", last_name="A")
        bob = Student.objects.create(school_class=oak_1a, first_name="Bob", last_name="B")
        cid = Student.objects.create(school_class=elm_2b, first_name="Cid", last_name="C")
        autumn = shoot_create(school=oak, name="Oak autumn", date="2026-10-01")
        spring = shoot_create(school=elm, name="Elm spring", date="2026-10-02")
        pa1, pa2, pa3 = (photo(autumn, photographer, f"pa{i}") for i in (1, 2, 3))
        pb1 = photo(spring, owner, "pb1")
        soon = timezone.now() + timedelta(days=30)
        for child, shoot in ((ann, autumn), (bob, autumn), (cid, spring)):
            AccessCode.objects.create(
                code=codes.generate(),
                kind=AccessCodeKind.STUDENT,
                shoot=shoot,
                school_class=child.school_class,
                student=child,
                expires_at=soon,
            )

        def order(key, email, lines, pay=None):
            made = order_create(
                lines=lines,
                currency="EUR",
                email=email,
                payment_method="bank_transfer",
                idempotency_key=key,
            )
            if pay is not None:
                run(
                    payment_record_offline,
                    order=made,
                    amount=Decimal(pay),
                    method="bank_transfer",
                    actor=None,
                )
            return Order.objects.get(pk=made.pk)

        # 1. Paid 30 at Oak: revenue 30.
        order(
            "r1",
            "mum1@x.test",
            [
                line("Print", "print", "20", child=ann, shoot=autumn, photo=pa1),
                line("File", "digital", "10", child=ann, shoot=autumn, photo=pa2),
            ],
            pay="30",
        )
        # 2. Paid 15, 5 refunded without naming lines: revenue 10.
        second = order(
            "r2",
            "mum2@x.test",
            [line("File", "digital", "15", child=bob, shoot=autumn, photo=pa1)],
            pay="15",
        )
        run(refund_record, order=second, amount=Decimal("5"), reason="goodwill")
        # 3. Paid 20, the print (8) refunded by line: revenue 12; the same family as 1.
        third = order(
            "r3",
            "MUM1@x.test",
            [
                line("Print", "print", "8", child=ann, shoot=autumn, photo=pa3),
                line("File", "digital", "12", child=ann, shoot=autumn, photo=pa2),
            ],
            pay="20",
        )
        printed = OrderLine.objects.get(order=third, photo=pa3)
        run(refund_record, order=third, amount=Decimal("8"), line_ids=[printed.pk])
        # 4. Unpaid 40, new.
        order("r4", "mum4@x.test", [line("Album", "album", "40", child=bob, shoot=autumn)])
        # 5. 10 of 25 paid, 20 days old: 15 due in 8–30.
        old = order(
            "r5", "mum5@x.test", [line("Album", "album", "25", child=bob, shoot=autumn)], pay="10"
        )
        Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=20))
        # 6. Paid 50 at Elm, the owner's photo.
        order(
            "r6",
            "dad6@x.test",
            [line("Print", "print", "50", child=cid, shoot=spring, photo=pb1)],
            pay="50",
        )

        # Retouching: pa1 claimed, submitted after 2 h, sent back, resubmitted 1 h later,
        # approved; pa2 submitted 4 h after the claim, approved. Median 2 h, 1 of 3 sent back.
        batch = RetouchBatch.objects.create(shoot=autumn, retoucher=retoucher)
        start = timezone.now() - timedelta(hours=10)
        for at, target, kind, actor in (
            (0, pa1, RetouchEventKind.CLAIMED, retoucher),
            (0, pa2, RetouchEventKind.CLAIMED, retoucher),
            (2, pa1, RetouchEventKind.SUBMITTED, retoucher),
            (3, pa1, RetouchEventKind.SENT_BACK, owner),
            (4, pa1, RetouchEventKind.SUBMITTED, retoucher),
            (4, pa2, RetouchEventKind.SUBMITTED, retoucher),
            (5, pa1, RetouchEventKind.APPROVED, owner),
            (5, pa2, RetouchEventKind.APPROVED, owner),
        ):
            event = RetouchEvent.objects.create(photo=target, batch=batch, kind=kind, actor=actor)
            RetouchEvent.objects.filter(pk=event.pk).update(created_at=start + timedelta(hours=at))
        return Sales(oak, elm, owner, photographer, retoucher, Order.objects.get(pk=old.pk))


@pytest.fixture
def run(django_capture_on_commit_callbacks, run_tasks):
    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


@pytest.fixture
def sales(alpha, run) -> Sales:
    return make_sales(run, alpha.schema)
