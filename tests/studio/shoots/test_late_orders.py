"""A picture day's late orders (``late_orders_until`` after the deadline, ``late_fee``):
set from the page and the API through ``shoot_update``, checked there, and the codes expire
at the later of the deadline and the end of late orders."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_update
from tests.conftest import logged_in_client
from tests.studio.test_api import api_for

from .test_editing import NEW, OLD, code_expiries, day  # noqa: F401

LATE = OLD + datetime.timedelta(days=3)


def test_late_orders_keep_the_codes_open_and_moving_either_end_moves_them(day):  # noqa: F811
    with schema_context(day["studio"].schema):
        shoot = shoot_update(shoot=day["shoot"], late_orders_until=LATE, late_fee=Decimal("3"))
        assert (shoot.late_orders_until, shoot.late_fee, shoot.sales_close_at) == (
            LATE,
            Decimal("3"),
            LATE,
        )
    assert code_expiries(day["studio"].schema) == {LATE}
    with schema_context(day["studio"].schema):
        later = LATE + datetime.timedelta(days=1)
        shoot_update(shoot=shoot, late_orders_until=later)
    assert code_expiries(day["studio"].schema) == {later}
    with schema_context(day["studio"].schema):
        shoot_update(shoot=shoot, late_orders_until=None)
    assert code_expiries(day["studio"].schema) == {OLD}


def test_the_late_window_is_open_only_between_the_deadline_and_its_end(day):  # noqa: F811
    with schema_context(day["studio"].schema):
        shoot = shoot_update(shoot=day["shoot"], late_orders_until=LATE, late_fee=Decimal("3"))
    second = datetime.timedelta(seconds=1)
    assert [shoot.late_orders_open(t) for t in (OLD - second, OLD, LATE - second, LATE)] == [
        False,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"late_orders_until": OLD}, "late_orders_until"),
        ({"late_orders_until": OLD - datetime.timedelta(hours=1)}, "late_orders_until"),
        ({"late_orders_until": LATE, "sales_deadline": None}, "late_orders_until"),
        ({"late_fee": Decimal("-0.01")}, "late_fee"),
    ],
)
def test_the_service_refuses_an_end_before_the_deadline_or_a_negative_fee(
    day,  # noqa: F811
    fields,
    error,
):
    with schema_context(day["studio"].schema):
        with pytest.raises(ValidationError) as refused:
            shoot_update(shoot=day["shoot"], **fields)
        assert error in refused.value.message_dict
        assert Shoot.objects.get().late_orders_until is None
    assert code_expiries(day["studio"].schema) == {OLD}


def test_an_api_patch_sets_late_orders_and_refuses_an_end_before_the_deadline(day):  # noqa: F811
    client = api_for(day["studio"], Role.MANAGER)
    url = f"/api/shoots/{day['shoot'].pk}/"

    before = client.patch(
        url, {"late_orders_until": OLD.isoformat()}, content_type="application/json"
    )
    assert before.status_code == 400
    assert "late_orders_until" in before.json()
    set_ = client.patch(
        url,
        {"late_orders_until": LATE.isoformat(), "late_fee": "2.50"},
        content_type="application/json",
    )
    assert set_.status_code == 200, set_.content
    assert (set_.json()["late_fee"], set_.json()["late_orders_until"] is not None) == (
        "2.500",
        True,
    )
    # a deadline moved past the late orders' end is refused too
    past = client.patch(
        url,
        {"sales_deadline": (LATE + datetime.timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    assert past.status_code == 400 and "late_orders_until" in past.json()
    negative = client.patch(url, {"late_fee": "-1"}, content_type="application/json")
    assert negative.status_code == 400 and "late_fee" in negative.json()
    assert code_expiries(day["studio"].schema) == {LATE}


def test_lower_roles_and_other_studios_cannot_set_late_orders(day, beta):  # noqa: F811
    body = {"late_orders_until": LATE.isoformat(), "late_fee": "9"}
    url = f"/api/shoots/{day['shoot'].pk}/"
    photographer = api_for(day["studio"], Role.PHOTOGRAPHER)
    assert photographer.patch(url, body, content_type="application/json").status_code == 403
    other = api_for(beta, Role.MANAGER)
    assert other.patch(url, body, content_type="application/json").status_code == 404
    with schema_context(day["studio"].schema):
        assert (Shoot.objects.get().late_orders_until, Shoot.objects.get().late_fee) == (None, 0)


def test_the_page_sets_late_orders_and_says_why_it_refuses(day):  # noqa: F811
    client = logged_in_client(day["studio"], day["manager"])
    url = f"/staff/shoots/{day['shoot'].pk}/edit/"
    assert 'name="late_orders_until"' in client.get(url).content.decode()
    data = {
        "name": "Autumn",
        "date": "2026-10-01",
        "sales_deadline": timezone.localtime(OLD).strftime("%Y-%m-%dT%H:%M"),
        "late_orders_until": timezone.localtime(OLD).strftime("%Y-%m-%dT%H:%M"),
        "late_fee": "5",
    }

    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Late orders must end after the sales deadline." in refused.content.decode()

    data["late_orders_until"] = timezone.localtime(LATE).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, data).status_code == 302
    with schema_context(day["studio"].schema):
        shoot = Shoot.objects.get()
        assert (shoot.late_fee, shoot.late_orders_until) == (Decimal("5"), LATE.replace(second=0))
    detail = client.get(f"/staff/shoots/{shoot.pk}/").content.decode()
    assert "late orders until" in detail


def test_new_picture_day_without_a_fee_gets_zero(day):  # noqa: F811
    with schema_context(day["studio"].schema):
        manager = User.objects.get(email="mg@alpha.test")
    client = logged_in_client(day["studio"], manager)
    with schema_context(day["studio"].schema):
        school = day["shoot"].school
    response = client.post(
        "/staff/shoots/",
        {"school": school.pk, "name": "Spring", "date": "2027-03-01", "late_fee": ""},
    )
    assert response.status_code == 302
    with schema_context(day["studio"].schema):
        assert Shoot.objects.get(name="Spring").late_fee == 0
