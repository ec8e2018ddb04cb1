"""``/api/preorders/``: settings per picture day, class codes, credits and the refund of their
unused part, through the staff pages' services; lower roles, other studios' ids and tokens
refused."""

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role, User
from studio.api_tokens.services import api_token_issue
from studio.orders.models import Refund
from studio.preorders.models import Credit, PreorderLink, PreorderSetup
from studio.schools.models import School, SchoolClass
from tests.conftest import host_client, logged_in_client
from tests.studio.preorders.conftest import money, parent_preorders, pay


def token_client(fixture, role, *, host=None):
    """An API client on ``host`` (the studio's own by default) with a token of ``role``
    issued in ``fixture``'s studio by its owner."""
    with schema_context(fixture.schema):
        owner = User.objects.get(email=fixture.owner_email)
        _token, raw = api_token_issue(actor=owner, name=f"api {role}", role=role)
    client = APIClient(HTTP_HOST=host or fixture.host)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def paid(day, django_capture_on_commit_callbacks):
    """Anna's bundle (class photo + 5 prints, €15) paid; Boris's all-photos package not."""
    _client, order = parent_preorders(day)
    pay(day, order, django_capture_on_commit_callbacks)
    _client, unpaid = parent_preorders(
        day, "dad@example.com", child="Boris", package=day["catalogue"].all_digital
    )
    with schema_context(day["studio"].schema):
        credit = Credit.objects.get(order=order)
        pending = Credit.objects.get(order=unpaid)
    return {**day, "order": order, "credit": credit, "pending": pending}


def _operations(fixture):
    shoot, credit, link = fixture["shoot"].pk, fixture["credit"].pk, fixture["link"].pk
    return [
        ("get", "/api/preorders/shoots/"),
        ("get", f"/api/preorders/shoots/{shoot}/"),
        ("put", f"/api/preorders/shoots/{shoot}/"),
        ("patch", f"/api/preorders/shoots/{shoot}/"),
        ("post", f"/api/preorders/shoots/{shoot}/codes/"),
        ("get", "/api/preorders/codes/"),
        ("get", f"/api/preorders/codes/{link}/"),
        ("get", "/api/preorders/credits/"),
        ("get", f"/api/preorders/credits/{credit}/"),
        ("post", f"/api/preorders/credits/{credit}/refund/"),
    ]


def test_a_manager_reads_and_changes_the_settings_of_a_picture_day(day):
    api = token_client(day["studio"], Role.MANAGER)
    shoot, cat = day["shoot"], day["catalogue"]
    listed = api.get("/api/preorders/shoots/").json()
    assert listed["count"] == 1 and listed["results"][0]["shoot"] == shoot.pk
    one = api.get(f"/api/preorders/shoots/{shoot.pk}/").json()
    assert one["enabled"] is True
    assert one["packages"] == sorted([cat.bundle.pk, cat.all_digital.pk])
    assert set(one["available_packages"]) == {cat.bundle.pk, cat.all_digital.pk}

    changed = api.patch(
        f"/api/preorders/shoots/{shoot.pk}/", {"packages": [cat.bundle.pk]}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["enabled"], changed.json()["packages"]) == (True, [cat.bundle.pk])
    closed = api.put(
        f"/api/preorders/shoots/{shoot.pk}/", {"enabled": False, "packages": []}, format="json"
    )
    assert closed.status_code == 200 and closed.json()["enabled"] is False
    with schema_context(day["studio"].schema):
        setup = PreorderSetup.objects.get()
        assert (setup.enabled, list(setup.packages.all())) == (False, [])


def test_the_settings_refuse_what_the_service_refuses(day):
    api = token_client(day["studio"], Role.OWNER)
    shoot, cat = day["shoot"], day["catalogue"]
    not_on_sheet = api.patch(
        f"/api/preorders/shoots/{shoot.pk}/", {"packages": [cat.bundle.pk + 999]}, format="json"
    )
    assert not_on_sheet.status_code == 400
    assert not_on_sheet.json() == {
        "non_field_errors": ["Choose packages of this picture day’s price sheet."]
    }
    nothing = api.put(
        f"/api/preorders/shoots/{shoot.pk}/", {"enabled": True, "packages": []}, format="json"
    )
    assert nothing.json() == {"non_field_errors": ["Choose at least one package to offer."]}
    missing = api.put(f"/api/preorders/shoots/{shoot.pk}/", {"enabled": True}, format="json")
    assert missing.status_code == 400 and "packages" in missing.json()
    with schema_context(day["studio"].schema):
        assert PreorderSetup.objects.get().packages.count() == 2


def test_codes_are_listed_and_issued_for_one_class_or_every_class_without_one(day):
    api = token_client(day["studio"], Role.MANAGER)
    shoot, link = day["shoot"], day["link"]
    with schema_context(day["studio"].schema):
        PreorderLink.objects.all().delete()
        second = SchoolClass.objects.create(school=shoot.school, name="4B", school_year="2026-2027")
        elsewhere = SchoolClass.objects.create(
            school=School.objects.create(name="Elsewhere"), name="1A", school_year="2026-2027"
        )
    assert api.get("/api/preorders/codes/").json()["count"] == 0
    url = f"/api/preorders/shoots/{shoot.pk}/codes/"
    issued = api.post(url, {"school_class": second.pk}, format="json")
    assert issued.status_code == 201, issued.content
    assert [(c["school_class"], c["class_name"]) for c in issued.json()] == [(second.pk, "4B")]
    every = api.post(url).json()
    assert [(c["school_class"], c["class_name"]) for c in every] == [
        (link.school_class_id, "4A"),
        (second.pk, "4B"),
    ]
    assert api.post(url).json() == every  # a class never gets a second code
    wrong = api.post(url, {"school_class": elsewhere.pk}, format="json")
    assert wrong.status_code == 400
    assert wrong.json() == {"school_class": ["This class is not on this picture day."]}
    listed = api.get(f"/api/preorders/codes/?shoot={shoot.pk}&school_class={second.pk}").json()
    assert [row["code"] for row in listed["results"]] == [every[1]["code"]]
    assert api.get(f"/api/preorders/codes/{every[0]['id']}/").json()["code"] == every[0]["code"]
    unknown = api.get(f"/api/preorders/codes/?shoot={shoot.pk + 1}")
    assert unknown.status_code == 400 and "shoot" in unknown.json()


def test_credits_are_listed_filtered_and_show_their_slots(paid):
    api = token_client(paid["studio"], Role.MANAGER)
    credit, pending = paid["credit"], paid["pending"]
    everything = api.get("/api/preorders/credits/").json()
    assert [row["id"] for row in everything["results"]] == [credit.pk, pending.pk]
    by_status = api.get("/api/preorders/credits/?status=pending").json()
    assert [row["id"] for row in by_status["results"]] == [pending.pk]
    by_order = api.get(f"/api/preorders/credits/?order={paid['order'].pk}").json()
    assert [row["id"] for row in by_order["results"]] == [credit.pk]
    assert api.get(f"/api/preorders/credits/?shoot={paid['shoot'].pk}").json()["count"] == 2
    assert api.get("/api/preorders/credits/?status=nonsense").status_code == 400
    one = api.get(f"/api/preorders/credits/{credit.pk}/").json()
    assert {k: one[k] for k in ("status", "slots", "slots_used", "slots_unused")} == {
        "status": "credited",
        "slots": 6,
        "slots_used": 0,
        "slots_unused": 6,
    }
    assert (one["unused_amount"], one["currency"], one["all_photos"]) == ("15.00", "EUR", False)
    assert api.get(f"/api/preorders/credits/{pending.pk}/").json()["status"] == "pending"


def test_refunding_unused_credit_is_the_staff_pages_refund_counted_once(paid):
    api = token_client(paid["studio"], Role.MANAGER)
    credit = paid["credit"]
    url = f"/api/preorders/credits/{credit.pk}/refund/"
    first = api.post(url, HTTP_IDEMPOTENCY_KEY="refund-1")
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["amount"], body["currency"]) == ("15.00", "EUR")
    assert (body["credit"]["status"], body["credit"]["unused_amount"]) == ("refunded", "0.00")
    assert body["credit"]["slots_refunded"] == 6
    repeated = api.post(url, HTTP_IDEMPOTENCY_KEY="refund-1")
    assert repeated.status_code == 201 and repeated.json()["refund"] == body["refund"]
    nothing_left = api.post(url)
    assert nothing_left.status_code == 409
    assert nothing_left.json()["detail"] == "Nothing of this pre-paid package is left unused."
    unpaid = api.post(f"/api/preorders/credits/{paid['pending'].pk}/refund/")
    assert unpaid.status_code == 409
    with schema_context(paid["studio"].schema):
        paid["order"].refresh_from_db()
        assert paid["order"].refunded_total == money("15.00")
        assert Refund.objects.count() == 1


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER])
def test_lower_roles_tokens_are_refused_every_operation(paid, role):
    api = token_client(paid["studio"], role)
    for method, url in _operations(paid):
        assert getattr(api, method)(url, {}, format="json").status_code == 403, url
    _nothing_changed(paid)


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.PARENT])
def test_principal_and_parent_sessions_are_refused_every_operation(paid, role):
    with schema_context(paid["studio"].schema):
        user = User.objects.create_user(
            email=f"{role}-api-pre@alpha.test", password="pw-123456", role=role
        )
    session = logged_in_client(paid["studio"], user)
    for method, url in _operations(paid):
        response = getattr(session, method)(url, {}, content_type="application/json")
        assert response.status_code == 403, url
    _nothing_changed(paid)


def test_another_studios_ids_are_not_found_and_its_tokens_refused(paid, beta):
    own_owner = token_client(beta, Role.OWNER)
    for method, url in _operations(paid):
        response = getattr(own_owner, method)(url, {}, format="json")
        if url.endswith(("/shoots/", "/api/preorders/codes/", "/credits/")):
            assert response.status_code == 200 and response.json()["count"] == 0, url
        else:
            assert response.status_code == 404, url
    stranger = token_client(beta, Role.OWNER, host=paid["studio"].host)
    for method, url in _operations(paid):
        assert getattr(stranger, method)(url, {}, format="json").status_code == 401, url
    assert host_client(paid["studio"].host).get("/api/preorders/credits/").status_code == 401
    _nothing_changed(paid)


def _nothing_changed(fixture):
    with schema_context(fixture["studio"].schema):
        assert not Refund.objects.exists()
        setup = PreorderSetup.objects.get()
        assert setup.enabled and setup.packages.count() == 2
        assert PreorderLink.objects.count() == 1


def test_the_schema_describes_every_preorder_operation_and_its_errors(alpha, db):
    schema = host_client(alpha.host).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    refund = paths["/api/preorders/credits/{id}/refund/"]["post"]
    assert {"201", "401", "403", "404", "409", "502"} <= set(refund["responses"])
    setup = paths["/api/preorders/shoots/{id}/"]["patch"]
    assert {"200", "400", "401", "403", "404"} <= set(setup["responses"])
    assert "examples" in str(setup["requestBody"])
    credits = paths["/api/preorders/credits/"]["get"]
    assert {"shoot", "order", "status", "page"} <= {p["name"] for p in credits["parameters"]}
    assert {
        "/api/preorders/shoots/",
        "/api/preorders/shoots/{id}/codes/",
        "/api/preorders/codes/",
        "/api/preorders/codes/{id}/",
        "/api/preorders/credits/{id}/",
    } <= set(paths)
