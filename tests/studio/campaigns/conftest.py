import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from studio.access.services import access_codes_issue
from studio.orders.models import Order
from studio.orders.services import LineInput, order_create
from studio.schools.models import School, SchoolClass, Student
from studio.schools.roster import current_school_year
from studio.shoots.models import Shoot, ShootStatus

NOW = timezone.now().replace(microsecond=0)
DEADLINE = NOW + datetime.timedelta(days=10)


@dataclass
class Day:
    shoot: Shoot
    ivan: Student  # mama@ and papa@
    masha: Student  # semenova@
    no_email: Student


def make_day(*, status=ShootStatus.PUBLISHED, deadline=DEADLINE, name="Spring 2027") -> Day:
    """A published picture day of one class: Ivan (two parents), Masha (one), a child with no
    address; codes issued."""
    date = timezone.localdate(NOW) - datetime.timedelta(days=5)
    school = School.objects.create(name="School No. 9")
    school_class = SchoolClass.objects.create(
        school=school, name="3A", school_year=current_school_year(date)
    )
    ivan = Student.objects.create(
        school_class=school_class,
        first_name="Ivan",
        last_name="Petrov",
        parent_emails=["mama@example.com", "Papa@example.com"],
    )
    masha = Student.objects.create(
        school_class=school_class,
        first_name="Masha",
        last_name="Orlova",
        parent_emails=["semenova@example.com"],
    )
    no_email = Student.objects.create(school_class=school_class, first_name="No", last_name="Mail")
    shoot = Shoot.objects.create(
        school=school, name=name, date=date, sales_deadline=deadline, status=status
    )
    access_codes_issue(shoot=shoot)
    return Day(shoot, ivan, masha, no_email)


@pytest.fixture
def day(in_alpha) -> Day:
    return make_day()


def order_for(*, shoot: Shoot, child: Student, email: str, key: str) -> Order:
    return order_create(
        lines=[
            LineInput(
                description="Digital file",
                kind="digital",
                quantity=1,
                unit_price=Decimal("5.00"),
                gross=Decimal("5.00"),
                net=Decimal("5.00"),
                child_id=child.pk,
                shoot_id=shoot.pk,
            )
        ],
        currency="EUR",
        email=email,
        payment_method="bank_transfer",
        idempotency_key=key,
    )
