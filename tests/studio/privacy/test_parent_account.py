"""A parent deletes their own account: orders stay for the books without the person,
sessions end, the codes they opened are no longer theirs, the address can start afresh."""

from decimal import Decimal

from django.contrib.sessions.models import Session
from django_tenants.utils import schema_context

from saas_platform.accounts.models import DELETED_EMAIL_DOMAIN, Role, User
from studio.audit.models import AuditEntry, AuditKind
from studio.orders.models import Order, OrderProgress
from studio.parents.models import FamilyCode, SignInCode
from studio.privacy.models import ConsentRecord
from studio.privacy.services import consent_text_publish
from studio.storefront.models import Cart
from tests.conftest import host_client, logged_in_client

from .conftest import line, paid_order, sign_in


def _parent_with_orders(published, email="maria@example.com"):
    studio = published["studio"]
    client = host_client(studio.host)
    client.post("/access/", {"code": published["codes"]["Anna"]})
    sign_in(client, email)
    with schema_context(studio.schema):
        parent = User.objects.get(email=email)
        anna = published["photos"]["anna1"].students.get()
        consent_text_publish(actor=None, body="Text.")
    client.post("/account/consent/", {"child": anna.pk, "decision": "given"})
    with schema_context(studio.schema):
        mine = paid_order([line(anna, published["photos"]["anna1"])], parent=parent, key="m1")
        # an earlier order with the same address, placed before signing in
        guest = paid_order([line(anna, published["photos"]["anna2"])], email=email, key="m2")
        other = paid_order(
            [line(anna, published["photos"]["anna1"])], email="x@example.com", key="o"
        )
        Cart.objects.create(parent=parent)
    return client, parent, (mine, guest, other)


def test_a_parent_deletes_their_account_after_confirming(published):
    studio = published["studio"]
    client, parent, (mine, guest, other) = _parent_with_orders(published)
    phone = host_client(studio.host)  # the same parent, signed in on a phone too
    sign_in(phone, "maria@example.com")
    assert phone.get("/account/").status_code == 200

    page = client.get("/account/delete/").content.decode()
    assert "maria@example.com" in page and "1 order stays" in page
    refused = client.post("/account/delete/", {})
    assert refused.status_code == 200 and "Tick the box" in refused.content.decode()
    response = client.post("/account/delete/", {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == "/"

    with schema_context(studio.schema):
        parent.refresh_from_db()
        assert parent.email.endswith("@" + DELETED_EMAIL_DOMAIN) and not parent.is_active
        assert parent.full_name == "" and not parent.has_usable_password()
        for order in (mine, guest):
            order.refresh_from_db()
            assert order.email == parent.email
            assert order.delivery == {
                "method": "home",
                "country": "LV",
                "name": "Deleted account",
                "phone": "",
            }
            assert order.total == Decimal("5.000") and order.paid_total == Decimal("5.000")
            assert order.lines.count() == 1 and order.payments.count() == 1
        other.refresh_from_db()
        assert other.email == "x@example.com" and other.delivery["name"] == "Maria K"
        assert not FamilyCode.objects.filter(parent=parent).exists()
        assert not SignInCode.objects.filter(recipient="maria@example.com").exists()
        assert not Cart.objects.filter(parent=parent).exists()
        record = ConsentRecord.objects.get()
        assert record.recorded_by is None and record.recorded_by_email == ""
        assert record.decision == "given"  # the child's consent stays as given
        assert not any(
            str(s.get_decoded().get("_auth_user_id")) == str(parent.pk)
            for s in Session.objects.all()
        )
        entry = AuditEntry.objects.get(kind=AuditKind.PARENT_ACCOUNT_DELETED)
        assert "maria" not in (entry.subject + entry.actor_email + str(entry.changes))
    # both browsers are signed out
    for browser in (client, phone):
        response = browser.get("/account/")
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    # the address can sign in again, to a new, empty account
    sign_in(client, "maria@example.com")
    with schema_context(studio.schema):
        fresh = User.objects.get(email="maria@example.com")
        assert fresh.pk != parent.pk and not Order.objects.filter(parent=fresh).exists()


def test_refused_while_an_order_is_on_its_way(published):
    studio = published["studio"]
    client, parent, (mine, _guest, _other) = _parent_with_orders(published)
    with schema_context(studio.schema):
        Order.objects.filter(pk=mine.pk).update(progress=OrderProgress.IN_FULFILMENT)
    response = client.post("/account/delete/", {"confirm": "yes"})
    assert response.status_code == 200 and "still being printed" in response.content.decode()
    with schema_context(studio.schema):
        parent.refresh_from_db()
        assert parent.is_active and parent.email == "maria@example.com"


def test_only_a_signed_in_parent_deletes_and_only_themselves(published, beta):
    studio = published["studio"]
    _client, parent, _orders = _parent_with_orders(published)
    with schema_context(studio.schema):
        owner = User.objects.get(email=studio.owner_email)
    for client in (host_client(studio.host), logged_in_client(studio, owner)):
        response = client.post("/account/delete/", {"confirm": "yes"})
        assert response.status_code == 302 and "/account/sign-in/" in response["Location"]
    # a parent of beta with the same address deletes beta's account, never alpha's
    with schema_context(beta.schema):
        beta_parent = User.objects.create_user(email="maria@example.com", role=Role.PARENT)
    beta_client = logged_in_client(beta, beta_parent)
    assert beta_client.post("/account/delete/", {"confirm": "yes"}).status_code == 302
    with schema_context(beta.schema):
        assert not User.objects.get(pk=beta_parent.pk).is_active
    with schema_context(studio.schema):
        owner.refresh_from_db()
        parent.refresh_from_db()
        assert owner.is_active and parent.is_active and parent.email == "maria@example.com"
