"""Issuing, regenerating, expiring and resolving codes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.access import codes
from studio.access.models import AccessCode, AccessCodeKind
from studio.access.services import (
    Reason,
    access_code_regenerate,
    access_code_resolve,
    access_codes_issue,
)
from studio.schools import services as school_services
from studio.schools.models import Student
from studio.shoots.models import ShootStatus
from studio.shoots.services import shoot_set_sales_deadline, shoot_transition

from .conftest import DEADLINE, NOW, later, make_picture_day


def live(shoot):
    return AccessCode.objects.filter(shoot=shoot, revoked_at__isnull=True)


def test_issuing_gives_every_child_and_every_class_of_the_picture_day_one_code(day):
    result = access_codes_issue(shoot=day.shoot, now=NOW)

    rows = set(live(day.shoot).values_list("kind", "school_class__name", "student__last_name"))
    assert (result.classes, result.students) == (2, 4)
    assert rows == {
        ("class", "11A", None),
        ("class", "5B", None),
        ("student", "11A", "Petrov"),
        ("student", "11A", "Семёнова"),
        ("student", "5B", "Child"),  # do not publish: still a code (group photos)
        ("student", "5B", "Mail"),
    }  # last year's 10A is not part of this picture day
    assert set(live(day.shoot).values_list("expires_at", flat=True)) == {DEADLINE}
    assert set(live(day.shoot).values_list("created_at", flat=True)) == {NOW}
    assert all(codes.parse(code) == code for code in live(day.shoot).values_list("code", flat=True))


def test_issuing_twice_creates_nothing_new(day):
    access_codes_issue(shoot=day.shoot, now=NOW)
    before = sorted(AccessCode.objects.values_list("pk", "code"))

    again = access_codes_issue(shoot=day.shoot, now=later(1))

    assert (again.classes, again.students) == (0, 0)
    assert sorted(AccessCode.objects.values_list("pk", "code")) == before


def test_issuing_again_covers_a_child_added_to_the_roster_since(day):
    access_codes_issue(shoot=day.shoot, now=NOW)
    newcomer = Student.objects.create(school_class=day.class_b, first_name="New", last_name="Kid")

    again = access_codes_issue(shoot=day.shoot, now=NOW)

    assert (again.classes, again.students) == (0, 1)
    assert live(day.shoot).filter(student=newcomer).count() == 1


def test_a_picture_day_without_a_deadline_gets_codes_valid_for_180_days(in_alpha):
    day = make_picture_day(sales_deadline=None)

    access_codes_issue(shoot=day.shoot, now=NOW)

    assert set(live(day.shoot).values_list("expires_at", flat=True)) == {later(180)}


def test_publishing_a_picture_day_issues_its_codes(in_alpha):
    day = make_picture_day(status=ShootStatus.IN_REVIEW)
    manager = User.objects.create_user(email="m@alpha.test", password="pw", role=Role.MANAGER)
    assert live(day.shoot).count() == 0

    shoot_transition(shoot=day.shoot, to=ShootStatus.PUBLISHED, actor=manager)

    assert live(day.shoot).filter(kind=AccessCodeKind.STUDENT).count() == 4
    assert live(day.shoot).filter(kind=AccessCodeKind.CLASS).count() == 2


def test_codes_follow_a_changed_sales_deadline(day):
    access_codes_issue(shoot=day.shoot, now=NOW)
    new_deadline = DEADLINE + datetime.timedelta(days=14)

    shoot_set_sales_deadline(shoot=day.shoot, sales_deadline=new_deadline)

    assert set(live(day.shoot).values_list("expires_at", flat=True)) == {new_deadline}


def test_a_regenerated_code_replaces_the_old_one_which_is_refused_as_revoked(day):
    access_codes_issue(shoot=day.shoot, now=NOW)
    old = live(day.shoot).get(student=day.ivan)

    new = access_code_regenerate(code=old, now=later(1))

    old.refresh_from_db()
    assert (old.revoked_at, old.replaced_by) == (later(1), new)
    assert (new.student, new.school_class, new.shoot, new.kind) == (
        day.ivan,
        day.class_a,
        day.shoot,
        AccessCodeKind.STUDENT,
    )
    assert (new.code != old.code, new.expires_at, new.emailed_at) == (True, DEADLINE, None)
    assert access_code_resolve(raw=old.code, now=later(2)).reason == Reason.REVOKED
    resolved = access_code_resolve(raw=new.code, now=later(2))
    assert (resolved.ok, resolved.code) == (True, new)
    assert list(live(day.shoot).filter(student=day.ivan)) == [new]


def test_a_revoked_code_cannot_be_regenerated_again(day):
    access_codes_issue(shoot=day.shoot, now=NOW)
    old = live(day.shoot).get(student=day.ivan)
    access_code_regenerate(code=old, now=NOW)

    with pytest.raises(ValidationError) as error:
        access_code_regenerate(code=old, now=NOW)

    assert error.value.code == "revoked"
    assert AccessCode.objects.filter(student=day.ivan).count() == 2


def test_a_code_is_never_issued_again_not_even_after_it_was_revoked(day, monkeypatch):
    access_codes_issue(shoot=day.shoot, now=NOW)
    revoked = live(day.shoot).get(student=day.ivan)
    access_code_regenerate(code=revoked, now=NOW)
    newcomer = Student.objects.create(school_class=day.class_b, first_name="New", last_name="Kid")
    # the generator comes up with the revoked code first
    offers = iter([revoked.code, "ABCDEFGHJKMN"])
    monkeypatch.setattr(codes, "generate", lambda: next(offers))

    access_codes_issue(shoot=day.shoot, now=NOW)

    assert live(day.shoot).get(student=newcomer).code == "ABCDEFGHJKMN"
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessCode.objects.create(
            code=revoked.code,
            kind=AccessCodeKind.STUDENT,
            shoot=day.shoot,
            school_class=day.class_b,
            student=newcomer,
            expires_at=DEADLINE,
            revoked_at=NOW,
        )


@pytest.mark.parametrize(
    ("moment", "status", "reason"),
    [
        (DEADLINE - datetime.timedelta(seconds=1), ShootStatus.PUBLISHED, None),
        (DEADLINE, ShootStatus.PUBLISHED, Reason.EXPIRED),
        (DEADLINE + datetime.timedelta(days=365), ShootStatus.PUBLISHED, Reason.EXPIRED),
        (NOW, ShootStatus.CLOSED, Reason.EXPIRED),
        (NOW, ShootStatus.IN_REVIEW, Reason.NOT_OPEN),
    ],
)
def test_codes_expire_with_the_gallery(day, moment, status, reason):
    access_codes_issue(shoot=day.shoot, now=NOW)
    code = live(day.shoot).get(student=day.ivan)
    day.shoot.status = status
    day.shoot.save()

    assert access_code_resolve(raw=code.code, now=moment).reason == reason


def test_resolving_forgives_how_the_code_was_typed_and_names_what_was_wrong(day):
    access_codes_issue(shoot=day.shoot, now=NOW)
    code = live(day.shoot).get(student=day.masha)
    typed = " " + codes.display(code.code).lower().replace("-", " ") + " "

    assert access_code_resolve(raw=typed, now=NOW).code == code
    assert access_code_resolve(raw="ABCD-EFGH-JKMN", now=NOW).reason == Reason.UNKNOWN
    assert access_code_resolve(raw="ABCD", now=NOW).reason == Reason.MALFORMED


def test_codes_of_another_studio_are_unknown_here(alpha, beta):
    with schema_context(beta.schema):
        beta_day = make_picture_day()
        access_codes_issue(shoot=beta_day.shoot, now=NOW)
        beta_code = AccessCode.objects.get(student=beta_day.ivan).code
        assert access_code_resolve(raw=beta_code, now=NOW).ok

    with schema_context(alpha.schema):
        assert access_code_resolve(raw=beta_code, now=NOW).reason == Reason.UNKNOWN


def test_a_child_with_a_code_is_not_deleted_from_the_roster_revoke_instead(day):
    access_codes_issue(shoot=day.shoot, now=NOW)

    with pytest.raises(ValidationError) as error:
        school_services.student_delete(student=day.ivan)

    assert "access codes" in error.value.messages[0]
    assert Student.objects.filter(pk=day.ivan.pk).exists()
