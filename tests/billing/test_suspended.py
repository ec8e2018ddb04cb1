"""A suspended studio: data kept, storefront closed, staff may look but not change; and who
may open the billing page."""

from decimal import Decimal

import pytest
from django_tenants.utils import get_public_schema_name, schema_context

from billing.licences import licence_suspend
from billing.models import Plan
from saas_platform.accounts.models import Role, User
from studio.schools.models import School
from tenants.models import StudioStatus
from tests.conftest import logged_in_client

from .conftest import owner_client, studio_of


def suspend(fixture):
    licence_suspend(studio=studio_of(fixture), reason="test")
    fixture.studio = studio_of(fixture)


def staff(fixture, role):
    with schema_context(fixture.schema):
        user = User.objects.create_user(
            email=f"{role}-bill@{fixture.studio.slug}.test", password="pw-123456", role=role
        )
    return logged_in_client(fixture, user)


def a_cart(fixture):
    from studio.catalogue.services.price_sheets import (
        price_sheet_attach,
        price_sheet_create,
        price_sheet_item_set,
    )
    from studio.catalogue.services.products import product_create
    from studio.schools.models import SchoolClass, Student
    from studio.shoots.services import shoot_create
    from studio.storefront.models import Cart, CartItem

    with schema_context(fixture.schema):
        school = School.objects.create(name="Shop school")
        child = Student.objects.create(
            school_class=SchoolClass.objects.create(
                school=school, name="1S", school_year="2026-2027"
            ),
            first_name="S",
            last_name="C",
        )
        shoot = shoot_create(school=school, name="Shop day", date="2026-10-02")
        sheet = price_sheet_create(name="Shop sheet")
        price_sheet_attach(sheet=sheet, school=school)
        album = product_create(kind="album", name="Album")
        price_sheet_item_set(sheet=sheet, product=album, price="30")
        parent = User.objects.create_user(email="shop@example.com", role=Role.PARENT)
        cart = Cart.objects.create(parent=parent)
        CartItem.objects.create(cart=cart, shoot=shoot, child=child, product=album, quantity=1)
    return cart, parent


def place(fixture, cart, parent):
    from studio.storefront.services import CheckoutDetails, checkout_place

    details = CheckoutDetails(
        email=parent.email, name="S", phone="", payment_method="cash", delivery_method="school"
    )
    with schema_context(fixture.schema):
        cart.refresh_from_db()
        return checkout_place(cart=cart, parent=parent, details=details, key=str(cart.checkout_key))


def test_the_storefront_takes_no_orders_while_suspended(alpha):
    from django.core.exceptions import ValidationError

    cart, parent = a_cart(alpha)
    suspend(alpha)
    with pytest.raises(ValidationError, match="not taking orders"):
        place(alpha, cart, parent)
    with schema_context(get_public_schema_name()):
        studio = studio_of(alpha)
        studio.status = StudioStatus.ACTIVE
        studio.save()
    order = place(alpha, cart, parent)
    assert order.total == Decimal("30.00")


def test_staff_can_look_but_not_change_while_suspended(alpha):
    client = owner_client(alpha)
    suspend(alpha)
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/schools/").status_code == 200
    assert "Your studio is suspended" in client.get("/staff/").content.decode()
    response = client.post("/staff/schools/new/", {"name": "New", "commission_percent": "0"})
    assert response.status_code == 403
    assert "nothing can be changed" in response.content.decode()
    api = client.post("/api/shoots/1/files/", {}, content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "licence_suspended"
    with schema_context(alpha.schema):
        assert not School.objects.filter(name="New").exists()
    # the way out stays open: the billing page and choosing a plan
    assert client.get("/staff/billing/").status_code == 200
    with schema_context(get_public_schema_name()):
        share = Plan.objects.get(code="revenue-share")
    response = client.post("/staff/billing/plan/", {"plan": share.code})
    assert response.status_code == 302
    assert studio_of(alpha).status == StudioStatus.ACTIVE
    assert studio_of(alpha).plan_id == share.pk
    response = client.post("/staff/schools/new/", {"name": "New", "commission_percent": "0"})
    assert response.status_code == 302


def test_an_active_studio_can_change_things(alpha):
    response = owner_client(alpha).post(
        "/staff/schools/new/", {"name": "Fine", "commission_percent": "0"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("role", [Role.MANAGER, Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL])
def test_only_the_owner_opens_billing(alpha, role):
    client = staff(alpha, role)
    assert client.get("/staff/billing/").status_code == 403
    assert client.post("/staff/billing/plan/", {"plan": "starter"}).status_code == 403
    assert client.post("/staff/billing/card/").status_code == 403
    assert studio_of(alpha).plan_id is None


def test_the_owner_sees_plan_status_and_usage(alpha):
    with schema_context(alpha.schema):
        School.objects.create(name="One")
    page = owner_client(alpha).get("/staff/billing/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Trial" in html and "Starter" in html and "Revenue share" in html
    assert page.context["usage_rows"][0][1] == 1


def test_a_parent_or_a_stranger_gets_no_billing_page(alpha, beta):
    with schema_context(alpha.schema):
        parent = User.objects.create_user(email="p-bill@example.com", role=Role.PARENT)
    assert logged_in_client(alpha, parent).get("/staff/billing/").status_code == 403
    # beta's owner's session means nothing on alpha's host
    with schema_context(beta.schema):
        beta_owner = User.objects.get(email=beta.owner_email)
    client = logged_in_client(beta, beta_owner)
    client.defaults["HTTP_HOST"] = alpha.host
    response = client.get("/staff/billing/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_card_portal_uses_the_studios_own_customer(alpha, beta, stripe_on, starter):
    fake = stripe_on
    owner_client(beta).post("/staff/billing/plan/", {"plan": "starter"})
    response = owner_client(alpha).post("/staff/billing/card/")
    assert response.status_code == 302 and "/portal/" in response["Location"]
    owner_client(alpha).post("/staff/billing/plan/", {"plan": "starter"})
    customers = fake.posts("/v1/customers")
    assert len(customers) == 2  # one per studio, made once
    portal = fake.posts("/v1/billing_portal/sessions")[-1]
    assert portal["params"]["customer"] == studio_of(alpha).stripe_customer_id
    assert studio_of(alpha).stripe_customer_id != studio_of(beta).stripe_customer_id


def test_a_blocked_studios_staff_read_who_blocked_it_and_why_once(alpha):
    """Billing cannot lift a block: one banner with the operator's reason, no billing link."""
    from billing.licences import licence_transition

    client = owner_client(alpha)
    with schema_context(get_public_schema_name()):
        licence_transition(
            studio=studio_of(alpha), to=StudioStatus.BLOCKED, reason="Fraud check", source="t"
        )
    page = client.get("/staff/").content.decode()
    assert "Pictureday has blocked your studio" in page
    assert "Reason: Fraud check" in page
    assert "Your studio is suspended" not in page
    assert "the studio’s licence is not active" not in page
    assert page.count('class="notice"') == 1


def test_the_billing_page_uses_the_normal_width_and_names_the_support_address(
    alpha, settings, starter
):
    settings.OPERATOR_EMAILS = ["ops@pictureday.test", "cto@pictureday.test"]
    settings.SUPPORT_EMAIL = ""
    html = owner_client(alpha).get("/staff/billing/").content.decode()
    assert 'class="container narrow"' not in html
    assert (
        'Questions about your plan or an invoice? Write to <a href="mailto:ops@pictureday.test">'
        "ops@pictureday.test</a>." in html
    )
    settings.SUPPORT_EMAIL = "help@pictureday.test"
    html = owner_client(alpha).get("/staff/billing/").content.decode()
    assert 'href="mailto:help@pictureday.test"' in html and "ops@pictureday.test" not in html


def test_a_plan_not_sold_online_says_whom_to_write_to_instead_of_choose(alpha, settings):
    settings.SUPPORT_EMAIL = "help@pictureday.test"
    with schema_context(get_public_schema_name()):
        Plan.objects.filter(code="starter").update(stripe_price_id="")
    page = owner_client(alpha).get("/staff/billing/").content.decode()
    starter = page.split('value="starter"', 1)[1].split("</form>", 1)[0]
    assert "This plan cannot be bought online yet." in starter
    assert 'href="mailto:help@pictureday.test"' in starter
    assert "Choose" not in starter

    response = owner_client(alpha).post("/staff/billing/plan/", {"plan": "starter"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "This plan cannot be bought online yet; please write to help@pictureday.test."
    ]


def test_a_blocked_studio_gets_no_choose_buttons_and_is_told_why_and_whom_to_write_to(
    alpha, settings, starter
):
    from billing.licences import licence_transition

    settings.SUPPORT_EMAIL = "help@pictureday.test"
    with schema_context(get_public_schema_name()):
        licence_transition(
            studio=studio_of(alpha), to=StudioStatus.BLOCKED, reason="Fraud check", source="t"
        )
    client = owner_client(alpha)
    page = client.get("/staff/billing/").content.decode()
    assert ">Choose</button>" not in page
    assert (
        "Pictureday has blocked your studio, so a plan cannot be chosen here: paying does not "
        'lift a block. Write to <a href="mailto:help@pictureday.test">help@pictureday.test</a> '
        "to sort it out." in page
    )
    assert "Reason: Fraud check — to sort it out, write to help@pictureday.test." in page

    response = client.post("/staff/billing/plan/", {"plan": "starter"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "This studio is blocked; please write to help@pictureday.test."
    ]
    assert studio_of(alpha).status == StudioStatus.BLOCKED
