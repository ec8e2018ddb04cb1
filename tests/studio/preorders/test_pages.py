"""The parents' pages (class code, roster, gallery, credit page) and the staff's, each against
another studio's ids, another parent and lower roles."""

import re

import pytest
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.preorders.models import Credit, PreorderLink, PreorderSetup
from studio.preorders.selectors import credit_state
from tests.conftest import host_client, logged_in_client
from tests.studio.preorders.conftest import money, parent_preorders, pay, preorder, publish
from tests.studio.storefront.conftest import sign_in


def test_the_class_code_shows_first_names_and_initials_only(day):
    client = host_client(day["studio"].host)
    entered = client.post("/preorder/", {"code": day["link"].display.lower().replace("-", " ")})
    assert entered.status_code == 302
    assert entered["Location"] == f"/preorder/{day['link'].code}/"

    page = client.get(entered["Location"]).content.decode()

    assert "Anna K." in page and "Boris I." in page
    assert "Kovalenko" not in page and "Ivanov" not in page and "Hidden" not in page
    assert "Class photo + 5 prints" in page and "All photos" in page


def test_a_typed_name_finds_the_child_and_a_wrong_one_is_refused(day):
    client = host_client(day["studio"].host)
    wrong = preorder(client, day, name="Nobody Here")
    assert wrong.status_code == 400
    hidden = preorder(client, day, name="Hidden Child")
    assert hidden.status_code == 400

    typed = preorder(client, day, name="  kovalenko   ANNA ")

    assert typed.status_code == 302
    cart = client.get("/cart/")
    assert "Class photo + 5 prints" in cart.content.decode()
    assert [i.child_id for i in cart.context["cart"].items.all()] == [day["kids"]["Anna"].pk]


def test_a_package_not_offered_or_a_wrong_code_is_refused(day):
    client = host_client(day["studio"].host)
    with schema_context(day["studio"].schema):
        album_package = (
            day["catalogue"]
            .bundle.sheet.packages.exclude(
                pk__in=[day["catalogue"].bundle.pk, day["catalogue"].all_digital.pk]
            )
            .first()
        )
        PreorderSetup.objects.get().packages.remove(day["catalogue"].all_digital)
    refused = preorder(client, day, child=day["kids"]["Anna"], package=day["catalogue"].all_digital)
    assert refused.status_code == 400
    assert album_package is None  # the demo sheet has these two packages only
    assert client.get("/preorder/AAAA-BBBB-CCCC/").status_code == 404
    wrong = client.post("/preorder/", {"code": "AAAA-BBBB-CCCC"})
    assert "does not take pre-orders" in wrong.content.decode()


def test_wrong_codes_are_rate_limited(day):
    client = host_client(day["studio"].host)
    for n in range(10):
        client.post("/preorder/", {"code": f"AAAA-BBBB-CCC{n}"})
    blocked = client.post("/preorder/", {"code": day["link"].display})
    assert blocked.status_code == 429


def test_codes_guessed_in_the_address_are_rate_limited_too(day):
    client = host_client(day["studio"].host)
    for n in range(10):
        assert client.get(f"/preorder/AAAABBBBCCC{n}/").status_code == 404
    assert client.get(f"/preorder/{day['link'].code}/").status_code == 429
    fresh = host_client(day["studio"].host)
    fresh.defaults["REMOTE_ADDR"] = "10.0.0.9"
    assert fresh.get(f"/preorder/{day['link'].code}/").status_code == 200


def test_another_studios_host_knows_nothing_of_the_code(day, beta):
    client = host_client(beta.host)
    assert client.get(f"/preorder/{day['link'].code}/").status_code == 404
    assert (
        "does not take pre-orders"
        in client.post("/preorder/", {"code": day["link"].display}).content.decode()
    )


def _spendable(day, capture):
    client, order = parent_preorders(day)
    pay(day, order, capture)
    photos, codes = publish(day, capture)
    with schema_context(day["studio"].schema):
        credit = Credit.objects.get(order=order)
    return client, order, credit, photos, codes


def test_the_gallery_shows_the_credit_and_the_parent_spends_it(
    day, django_capture_on_commit_callbacks
):
    client, order, credit, photos, codes = _spendable(day, django_capture_on_commit_callbacks)
    # without the child's code the credit page shows nothing of the child
    assert client.get(f"/gallery/credits/{credit.pk}/").status_code == 404
    assert client.post("/access/", {"code": codes["Anna"]}).status_code == 302

    gallery = client.get("/gallery/").content.decode()
    assert "You have a pre-paid package: pick 5 photos." in gallery
    page = client.get(f"/gallery/credits/{credit.pk}/")
    shown = {int(n) for n in re.findall(r'data-photo="(\d+)"', page.content.decode())}
    assert shown == {photos["anna1"].pk, photos["anna2"].pk, photos["anna3"].pk}

    picked = client.post(
        f"/gallery/credits/{credit.pk}/",
        {"photo": [photos["anna1"].pk, photos["anna2"].pk]},
    )
    assert picked.status_code == 302
    assert "pick 3 photos" in client.get("/gallery/").content.decode()
    refused = client.post(f"/gallery/credits/{credit.pk}/", {"photo": [photos["boris"].pk]})
    assert refused.status_code == 302
    with schema_context(day["studio"].schema):
        assert credit_state(Credit.objects.get(pk=credit.pk)).picked == 3  # class photo too
    assert "pick 3 photos" in client.get("/account/").content.decode()


def test_another_parent_or_studio_cannot_open_the_credit(
    day, beta, django_capture_on_commit_callbacks
):
    _client, _order, credit, photos, codes = _spendable(day, django_capture_on_commit_callbacks)
    other = host_client(day["studio"].host)
    other.post("/access/", {"code": codes["Anna"]})  # even with the child's code
    sign_in(other, "stranger@example.com")
    assert other.get(f"/gallery/credits/{credit.pk}/").status_code == 404
    assert (
        other.post(f"/gallery/credits/{credit.pk}/", {"photo": [photos["anna1"].pk]}).status_code
        == 404
    )
    assert "pre-paid" not in other.get("/gallery/").content.decode()
    assert host_client(beta.host).get(f"/gallery/credits/{credit.pk}/").status_code == 404
    with schema_context(day["studio"].schema):
        assert credit_state(Credit.objects.get(pk=credit.pk)).picked == 0


# --------------------------------------------------------------------------- staff


def _staff(fixture, role, email):
    with schema_context(fixture.schema):
        user = User.objects.create_user(email=email, password="pw-123456", role=role)
    return logged_in_client(fixture, user)


def test_staff_open_pre_orders_issue_codes_and_refund_unused_credit_from_the_order(
    day, django_capture_on_commit_callbacks
):
    manager = _staff(day["studio"], Role.MANAGER, "m-pre@alpha.test")
    shoot, cat = day["shoot"], day["catalogue"]
    listed = manager.get("/staff/preorders/")
    assert listed.status_code == 200 and f"/staff/preorders/shoots/{shoot.pk}/" in (
        listed.content.decode()
    )
    day_page = manager.get(f"/staff/shoots/{shoot.pk}/").content.decode()
    assert f'href="/staff/preorders/shoots/{shoot.pk}/"' in day_page
    page = manager.get(f"/staff/preorders/shoots/{shoot.pk}/")
    assert page.status_code == 200 and day["link"].display in page.content.decode()
    saved = manager.post(
        f"/staff/preorders/shoots/{shoot.pk}/", {"enabled": "1", "package": [cat.bundle.pk]}
    )
    assert saved.status_code == 302
    with schema_context(day["studio"].schema):
        assert list(PreorderSetup.objects.get().packages.all()) == [cat.bundle]
    assert manager.post(f"/staff/preorders/shoots/{shoot.pk}/codes/").status_code == 302
    with schema_context(day["studio"].schema):
        assert PreorderLink.objects.count() == 1  # the class had one already

    _client, order = parent_preorders(day)
    pay(day, order, django_capture_on_commit_callbacks)
    with schema_context(day["studio"].schema):
        credit = Credit.objects.get(order=order)
    order_page = manager.get(f"/staff/orders/{order.pk}/").content.decode()
    assert "Pre-paid packages" in order_page and "Refund unused" in order_page
    token = re.search(
        r'name="token" value="([0-9a-f-]{36})"', order_page.split("preorder-credits")[1]
    )
    with django_capture_on_commit_callbacks(execute=True):
        refunded = manager.post(
            f"/staff/preorders/credits/{credit.pk}/refund/",
            {"token": token.group(1), "back": f"/staff/orders/{order.pk}/"},
        )
    assert refunded.status_code == 302 and refunded["Location"] == f"/staff/orders/{order.pk}/"
    with schema_context(day["studio"].schema):
        order.refresh_from_db()
    assert order.refunded_total == money("15.00")


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER])
def test_lower_roles_are_refused_the_staff_pages(day, role, django_capture_on_commit_callbacks):
    _client, order = parent_preorders(day)
    pay(day, order, django_capture_on_commit_callbacks)
    with schema_context(day["studio"].schema):
        credit = Credit.objects.get(order=order)
    client = _staff(day["studio"], role, f"{role}-pre@alpha.test")
    shoot = day["shoot"]
    assert client.get("/staff/preorders/").status_code == 403
    assert client.get(f"/staff/preorders/shoots/{shoot.pk}/").status_code == 403
    assert client.post(f"/staff/preorders/shoots/{shoot.pk}/codes/").status_code == 403
    assert client.post(f"/staff/preorders/credits/{credit.pk}/refund/").status_code == 403
    parent = host_client(day["studio"].host)
    sign_in(parent, "mum@example.com")
    assert parent.get(f"/staff/preorders/shoots/{shoot.pk}/").status_code in (302, 403)
    assert parent.post(f"/staff/preorders/credits/{credit.pk}/refund/").status_code in (302, 403)
    with schema_context(day["studio"].schema):
        order.refresh_from_db()
    assert order.refunded_total == 0


def test_another_studios_staff_get_404_for_these_ids(day, beta, django_capture_on_commit_callbacks):
    _client, order = parent_preorders(day)
    pay(day, order, django_capture_on_commit_callbacks)
    with schema_context(day["studio"].schema):
        credit = Credit.objects.get(order=order)
    manager = _staff(beta, Role.OWNER, "o2-pre@beta.test")
    assert manager.get(f"/staff/preorders/shoots/{day['shoot'].pk}/").status_code == 404
    assert manager.post(f"/staff/preorders/shoots/{day['shoot'].pk}/codes/").status_code == 404
    assert manager.post(f"/staff/preorders/credits/{credit.pk}/refund/").status_code == 404
