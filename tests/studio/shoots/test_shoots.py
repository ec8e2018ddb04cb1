import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.schools.models import School
from studio.shoots.models import ShootStatus, ShootTransition
from studio.shoots.services import (
    ALLOWED_TRANSITIONS,
    shoot_accepts_uploads,
    shoot_create,
    shoot_transition,
)
from tests.conftest import logged_in_client

S = ShootStatus
PATHS = [
    # every allowed move, and a sample of refused ones; sorted, because a frozenset's order
    # follows the hash seed and xdist's workers must collect the same list
    *[
        (source, target, True)
        for source, targets in ALLOWED_TRANSITIONS.items()
        for target in sorted(targets)
    ],
    (S.PLANNED, S.PUBLISHED, False),
    (S.UPLOADING, S.PUBLISHED, False),
    (S.PUBLISHED, S.UPLOADING, False),
    (S.CLOSED, S.PUBLISHED, False),
    (S.CLOSED, S.PLANNED, False),
    (S.IN_REVIEW, S.PLANNED, False),
]


@pytest.fixture
def shoot_and_manager(in_alpha):
    manager = User.objects.create_user(
        email="m-shoot@alpha.test", password="pw-123456", role=Role.MANAGER
    )
    shoot = shoot_create(school=School.objects.create(name="S"), name="Spring", date="2027-03-01")
    return shoot, manager


@pytest.mark.parametrize(("source", "target", "allowed"), PATHS)
def test_picture_day_statuses_move_only_along_the_allowed_paths(
    shoot_and_manager, source, target, allowed
):
    shoot, manager = shoot_and_manager
    shoot.status = source
    shoot.save()

    if allowed:
        assert shoot_transition(shoot=shoot, to=target, actor=manager).status == target
        assert list(ShootTransition.objects.values_list("from_status", "to_status", "actor")) == [
            (source, target, manager.pk)
        ]
    else:
        with pytest.raises(ValidationError) as error:
            shoot_transition(shoot=shoot, to=target, actor=manager)
        assert error.value.code == "transition"
        shoot.refresh_from_db()
        assert shoot.status == source


def test_the_whole_season_of_a_picture_day(shoot_and_manager):
    shoot, manager = shoot_and_manager
    season = [S.UPLOADING, S.RETOUCHING, S.IN_REVIEW, S.PUBLISHED, S.CLOSED]
    accepting = []
    for status in season:
        shoot = shoot_transition(shoot=shoot, to=status, actor=manager)
        accepting.append(shoot_accepts_uploads(shoot))

    assert accepting == [True, True, True, False, False]
    assert list(ShootTransition.objects.values_list("to_status", flat=True)) == season


def test_the_staff_page_moves_a_picture_day_and_explains_a_refusal(alpha):
    with schema_context(alpha.schema):
        manager = User.objects.create_user(
            email="m-page@alpha.test", password="pw-123456", role=Role.MANAGER
        )
        shoot = shoot_create(
            school=School.objects.create(name="S"), name="Spring", date="2027-03-01"
        )
    client = logged_in_client(alpha, manager)

    ok = client.post(f"/staff/shoots/{shoot.pk}/status/", {"to": "uploading"}, follow=True)
    refused = client.post(f"/staff/shoots/{shoot.pk}/status/", {"to": "closed"}, follow=True)

    assert "Move to “Retouching”" in ok.content.decode()
    assert "A picture day cannot go from “Uploading” to “Closed”." in refused.content.decode()


def test_managers_create_picture_days_from_the_list_page(alpha):
    with schema_context(alpha.schema):
        manager = User.objects.create_user(
            email="m-new@alpha.test", password="pw-123456", role=Role.MANAGER
        )
        photographer = User.objects.create_user(
            email="ph-new@alpha.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
        school = School.objects.create(name="Gymnasium 1")
    client = logged_in_client(alpha, manager)

    response = client.post(
        "/staff/shoots/",
        {
            "school": school.pk,
            "name": "Graduation 2027",
            "date": "2027-05-20",
            "sales_deadline": "2027-06-10T18:00",
            "photographers": [photographer.pk],
        },
    )

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Graduation 2027" in page
    with schema_context(alpha.schema):
        from studio.shoots.models import Shoot

        created = Shoot.objects.get(name="Graduation 2027")
        assert list(created.photographers.all()) == [photographer]
    # the photographer sees it in their list; another photographer does not
    with schema_context(alpha.schema):
        other = User.objects.create_user(
            email="ph-other@alpha.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
    assert (
        "Graduation 2027"
        in logged_in_client(alpha, photographer).get("/staff/shoots/").content.decode()
    )
    assert (
        "Graduation 2027"
        not in logged_in_client(alpha, other).get("/staff/shoots/").content.decode()
    )


def test_forward_moves_come_first_and_look_like_the_main_action(shoot_and_manager, alpha):
    from studio.shoots.services import shoot_moves

    shoot, manager = shoot_and_manager
    shoot.status = S.IN_REVIEW
    shoot.save()
    assert shoot_moves(shoot) == ([S.PUBLISHED], [S.RETOUCHING])

    page = logged_in_client(alpha, manager).get(f"/staff/shoots/{shoot.pk}/").content.decode()
    forward = page.index('name="to" value="published"')
    backward = page.index('name="to" value="retouching"')
    assert forward < backward
    assert 'class="btn" name="to" value="published"' in page
    assert 'class="btn link" name="to" value="retouching"' in page
    assert "Back to “Retouching”" in page


def test_a_status_change_is_confirmed_on_the_page(shoot_and_manager, alpha):
    shoot, manager = shoot_and_manager
    client = logged_in_client(alpha, manager)

    response = client.post(f"/staff/shoots/{shoot.pk}/status/", {"to": "uploading"}, follow=True)

    assert "The picture day is now “Uploading”." in response.content.decode()
