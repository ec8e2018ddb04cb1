"""The parent's account page: the family's children."""

import datetime

from saas_platform.accounts.models import Role, User
from studio.access.models import AccessCode
from studio.access.services import access_code_regenerate, access_codes_issue
from studio.parents.models import FamilyCode
from studio.parents.selectors import family_children
from studio.shoots.models import Shoot, ShootStatus
from tests.conftest import logged_in_client
from tests.studio.access.conftest import NOW, SHOOT_DATE, make_picture_day


def test_a_child_with_two_picture_days_is_one_child_under_my_children(in_alpha):
    day = make_picture_day()
    spring = Shoot.objects.create(
        school=day.school,
        name="Graduation 2027",
        date=SHOOT_DATE + datetime.timedelta(days=5),
        status=ShootStatus.PUBLISHED,
    )
    for shoot in (day.shoot, spring):
        access_codes_issue(shoot=shoot, now=NOW)
    parent = User.objects.create_user(email="mama@example.com", role=Role.PARENT)

    def keep(shoot, student):
        code = AccessCode.objects.get(shoot=shoot, student=student, revoked_at=None)
        FamilyCode.objects.create(parent=parent, access_code=code)
        return code

    keep(spring, day.ivan)
    old = keep(day.shoot, day.ivan)
    keep(day.shoot, day.masha)
    access_code_regenerate(code=old, now=NOW)
    keep(day.shoot, day.ivan)  # the new code of the same picture day

    children = family_children(parent=parent)
    page = logged_in_client(in_alpha, parent).get("/account/").content.decode()

    assert [(c.student, c.school_class, c.shoots) for c in children] == [
        (day.ivan, day.class_a, [day.shoot, spring]),
        (day.masha, day.class_a, [day.shoot]),
    ]
    assert page.count("Ivan Petrov") == 1
    assert "School No. 5, 11A · Spring 2027, Graduation 2027" in page
    assert "School No. 5, 11A · Spring 2027</span>" in page
