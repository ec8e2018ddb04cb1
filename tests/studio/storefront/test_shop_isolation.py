"""The shop's endpoints against another studio's ids and another role's session."""

import pytest
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.orders.models import Order
from studio.storefront.models import Cart
from tests.conftest import host_client, logged_in_client

from .conftest import parent_with, sign_in


@pytest.fixture
def alpha_order(shop):
    """Anna's mother's order in studio alpha."""
    client = parent_with(shop, shop["codes"]["Anna"])
    anna = shop["photos"]["anna1"].students.get().pk
    client.post(
        "/cart/add/",
        {
            "photo": shop["photos"]["anna1"].pk,
            "product": shop["catalogue"].digital.pk,
            "child": anna,
        },
    )
    sign_in(client, "mum@example.com")
    key = client.get("/checkout/").context["form"].initial["key"]
    client.post("/checkout/", {"key": key, "name": "M", "payment_method": "bank_transfer"})
    with schema_context(shop["studio"].schema):
        return Order.objects.get()


def test_another_studios_parent_reaches_nothing_of_alpha(shop, alpha_order, beta):
    photo = shop["photos"]["anna1"]
    with schema_context(shop["studio"].schema):
        anna = photo.students.get().pk
    client = host_client(beta.host)
    sign_in(client, "mum@example.com")  # same address, a different studio: another account

    assert client.get(f"/account/orders/{alpha_order.number}/").status_code == 404
    for url in (f"/gallery/{photo.pk}/", f"/gallery/{photo.pk}/?child={anna}"):
        assert client.get(url).status_code in (302, 404)
    assert (
        client.post(
            "/cart/add/", {"photo": photo.pk, "product": shop["catalogue"].digital.pk}
        ).status_code
        == 302
    )
    assert client.post(f"/gallery/{photo.pk}/favourite/").status_code == 404
    assert (
        client.post(
            "/cart/add-package/",
            {
                "package": shop["catalogue"].all_digital.pk,
                "child": anna,
                "shoot": photo.shoot_id,
            },
        ).status_code
        == 404
    )
    assert client.get(f"/downloads/{alpha_order.number}/invoice.pdf").status_code == 404
    with schema_context(beta.schema):
        assert not Cart.objects.filter(items__isnull=False).exists()


def test_the_alpha_session_cookie_does_not_work_on_beta(shop, alpha_order, beta):
    client = parent_with(shop, shop["codes"]["Anna"])
    sign_in(client, "mum@example.com")
    cookie = client.cookies["sessionid"].value
    stolen = host_client(beta.host)
    stolen.cookies["sessionid"] = cookie

    assert stolen.get("/account/")["Location"].startswith("/account/sign-in/")
    assert stolen.get("/gallery/").status_code == 302


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.PHOTOGRAPHER, Role.PRINCIPAL])
def test_staff_sessions_are_not_parents(shop, alpha_order, role):
    with schema_context(shop["studio"].schema):
        user = User.objects.create_user(email=f"{role}-shop@alpha.test", password="x", role=role)
    client = logged_in_client(shop["studio"], user)

    assert client.get(f"/account/orders/{alpha_order.number}/").status_code == 302
    assert client.get("/checkout/")["Location"].startswith("/account/sign-in/")
    assert client.get("/account/")["Location"].startswith("/account/sign-in/")
