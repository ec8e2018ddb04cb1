import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from saas_platform import ratelimit
from studio.schools.models import School, SchoolClass, Student
from studio.schools.roster import current_school_year
from studio.shoots.models import Shoot, ShootStatus

# Relative to the real clock: views resolve codes at the real "now". The gallery is open and
# its sales deadline two months ahead.
NOW = timezone.now().replace(microsecond=0)
SHOOT_DATE = timezone.localdate(NOW) - datetime.timedelta(days=10)
DEADLINE = NOW + datetime.timedelta(days=60)


@pytest.fixture(autouse=True)
def _access_urls(settings):
    settings.ROOT_URLCONF = "tests.studio.access.urls"


class Clock:
    """The rate limiter's clock, at the start of a 15-minute (and hour) window."""

    def __init__(self):
        self.now = 1_800_000_000.0  # divisible by 3600

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(ratelimit, "clock", clock)
    return clock


@dataclass
class PictureDay:
    school: School
    shoot: Shoot
    class_a: SchoolClass
    class_b: SchoolClass
    ivan: Student
    masha: Student
    hidden: Student  # do not publish
    no_email: Student


def make_picture_day(*, status=ShootStatus.PUBLISHED, sales_deadline=DEADLINE) -> PictureDay:
    """A school with two classes of the picture day's school year (and one of last year), four
    children; the picture day itself (published unless told)."""
    school = School.objects.create(name="School No. 5")
    year = current_school_year(SHOOT_DATE)
    class_a = SchoolClass.objects.create(school=school, name="11A", school_year=year)
    class_b = SchoolClass.objects.create(school=school, name="5B", school_year=year)
    start = int(year[:4])
    last_year = SchoolClass.objects.create(
        school=school, name="10A", school_year=f"{start - 1}-{start}"
    )
    Student.objects.create(school_class=last_year, first_name="Old", last_name="Pupil")
    ivan = Student.objects.create(
        school_class=class_a,
        first_name="Ivan",
        last_name="Petrov",
        parent_emails=["mama@example.com", "papa@example.com"],
    )
    masha = Student.objects.create(
        school_class=class_a,
        first_name="Мария",
        last_name="Семёнова",
        parent_emails=["semenova@example.com"],
    )
    hidden = Student.objects.create(
        school_class=class_b,
        first_name="Hidden",
        last_name="Child",
        parent_emails=["hidden@example.com"],
        do_not_publish=True,
    )
    no_email = Student.objects.create(school_class=class_b, first_name="No", last_name="Mail")
    shoot = Shoot.objects.create(
        school=school,
        name="Spring 2027",
        date=SHOOT_DATE,
        sales_deadline=sales_deadline,
        status=status,
    )
    return PictureDay(school, shoot, class_a, class_b, ivan, masha, hidden, no_email)


@pytest.fixture
def day(in_alpha) -> PictureDay:
    return make_picture_day()


def later(days: float) -> datetime.datetime:
    return NOW + datetime.timedelta(days=days)
