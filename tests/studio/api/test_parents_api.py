"""Parents as staff see them: children from the family's codes, orders, no secrets."""

from saas_platform.accounts.models import Role
from studio.access.services import access_codes_issue
from studio.parents.models import FamilyCode
from tests.studio.orders.conftest import place_order

from .conftest import api_client, user_with


def test_parents_with_children_and_orders(alpha, shop):
    parent = user_with(Role.PARENT, "-anna")
    parent.full_name = "Anna Petrova"
    parent.save(update_fields=["full_name"])
    user_with(Role.PARENT, "-other")
    access_codes_issue(shoot=shop.shoot)
    FamilyCode.objects.create(parent=parent, access_code=shop.ivan.access_codes.get())
    order = place_order(shop, email=parent.email)
    order.parent = parent
    order.save(update_fields=["parent"])
    client = api_client(alpha, shop.manager)

    listed = client.get("/api/parents/").json()
    found = client.get("/api/parents/?q=petrova").json()
    by_child = client.get(f"/api/parents/?student={shop.ivan.pk}").json()
    one = client.get(f"/api/parents/{parent.pk}/").json()

    assert listed["count"] == 2
    assert [p["id"] for p in found["results"]] == [parent.pk]
    assert [p["id"] for p in by_child["results"]] == [parent.pk]
    assert [(c["first_name"], c["class_name"], c["shoots"]) for c in one["children"]] == [
        ("Ivan", "3A", [shop.shoot.pk])
    ]
    assert [(o["number"], o["total"]) for o in one["orders"]] == [(order.number, "17.00")]
    assert not {"password", "code", "codes", "token"} & set(one)


def test_staff_users_are_not_parents_and_others_may_not_look(alpha, shop):
    client = api_client(alpha, shop.manager)

    assert client.get(f"/api/parents/{shop.manager.pk}/").status_code == 404
    for role in (Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL, Role.PARENT):
        assert api_client(alpha, user_with(role, "-x")).get("/api/parents/").status_code == 403
