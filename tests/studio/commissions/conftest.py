"""A school with a class, a child and a picture day; orders paid and refunded with their
after-commit events run, so the commissions' receivers post as in production."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from studio.commissions import services
from studio.commissions.models import AgreementStatus
from studio.ledger import accounts, selectors
from studio.orders.services import LineInput, order_create, payment_record_offline, refund_record
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot


@pytest.fixture
def run(in_alpha, django_capture_on_commit_callbacks, run_tasks):
    """Runs ``fn`` and the events its commit sends."""

    def _run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return _run


class World:
    def __init__(self, name="School No. 5"):
        self.school = School.objects.create(name=name)
        self.school_class = SchoolClass.objects.create(
            school=self.school, name="3B", school_year="2026-2027"
        )
        self.child = Student.objects.create(
            school_class=self.school_class, first_name="Ivan", last_name="Petrov"
        )
        self.shoot = Shoot.objects.create(
            school=self.school, name="Autumn portraits", date=datetime.date(2026, 10, 1)
        )
        self._orders = 0

    def agreement(
        self, status=AgreementStatus.SIGNED, kinds=("digital", "print", "album", "package"), **terms
    ):
        terms.setdefault("basis", "percent")
        if terms["basis"] == "percent":
            terms.setdefault("percent", Decimal("10"))
        terms.setdefault("valid_from", timezone.localdate() - datetime.timedelta(days=30))
        agreement = services.agreement_create(
            school=self.school, terms=services.Terms(kinds=list(kinds), **terms)
        )
        path = {
            AgreementStatus.DRAFT: [],
            AgreementStatus.SENT: [AgreementStatus.SENT],
            AgreementStatus.SIGNED: [AgreementStatus.SENT, AgreementStatus.SIGNED],
            AgreementStatus.EXPIRED: [
                AgreementStatus.SENT,
                AgreementStatus.SIGNED,
                AgreementStatus.EXPIRED,
            ],
        }[status]
        for step in path:
            agreement = services.agreement_move(agreement=agreement, to=step)
        return agreement

    def order(self, *nets, kind="print", currency="EUR"):
        """An unpaid order with one line per net, of this school's child and picture day."""
        self._orders += 1
        lines = [
            LineInput(
                f"Line {i}",
                kind,
                1,
                Decimal(net),
                Decimal(net),
                Decimal(net),
                child_id=self.child.pk,
                shoot_id=self.shoot.pk,
            )
            for i, net in enumerate(nets, 1)
        ]
        return order_create(
            lines=lines,
            currency=currency,
            email="mum@x.test",
            payment_method="cash",
            idempotency_key=f"{self.school.pk}-{self._orders}-{connection.schema_name}",
        )

    def due(self):
        return selectors.balance(accounts.commission_payable(self.school.pk), "EUR") * -1


@pytest.fixture
def world(in_alpha):
    return World()


@pytest.fixture
def pay(run):
    def _pay(order):
        run(payment_record_offline, order=order, amount=order.total, method="cash", actor=None)
        order.refresh_from_db()
        return order

    return _pay


@pytest.fixture
def refund(run):
    def _refund(order, amount, line_ids=()):
        result = run(
            refund_record, order=order, amount=Decimal(amount), reason="test", line_ids=line_ids
        )
        order.refresh_from_db()
        return result

    return _refund
