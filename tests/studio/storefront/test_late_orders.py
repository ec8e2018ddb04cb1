"""Late orders: after a picture day's sales deadline and before its ``late_orders_until``
the codes still open the gallery, the gallery and cart say so, and every order pays the
picture day's late fee once, as its own line (cart, checkout, order, invoice, ledger); after
``late_orders_until`` the codes close."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation
from django_tenants.utils import schema_context

from saas_platform.accounts.models import User
from studio.access.models import AccessCode
from studio.access.state import access_code_state
from studio.ledger import accounts
from studio.ledger.selectors import balance
from studio.orders.invoices import invoice_pdf
from studio.orders.models import Order, OrderStatus
from studio.orders.services import payment_record_offline
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_update
from tests.studio.downloads.pdftext import pdf_text
from tests.studio.payments.conftest import card_alpha, stripe_on  # noqa: F401
from tests.studio.payments.test_stripe import completed, deliver

from .conftest import parent_with, sign_in
from .test_shop import add, anna_id

HOUR = datetime.timedelta(hours=1)


def _late(schema, *, fee="4.00", until=48 * HOUR) -> Shoot:
    """The deadline an hour ago, late orders open for ``until`` more."""
    now = timezone.now()
    with schema_context(schema):
        return shoot_update(
            shoot=Shoot.objects.get(),
            sales_deadline=now - HOUR,
            late_orders_until=now + until,
            late_fee=Decimal(fee),
        )


def _checkout(client, email, method):
    sign_in(client, email, next_url="/checkout/")
    page = client.get("/checkout/")
    key = page.context["form"].initial["key"]
    data = {"key": key, "name": "M", "delivery_method": "school", "payment_method": method}
    return page, client.post("/checkout/", data)


def test_a_late_order_pays_the_fee_once_on_its_own_line_through_to_the_ledger(
    shop, run_tasks, django_capture_on_commit_callbacks
):
    _late(shop["studio"].schema)
    client = parent_with(shop, shop["codes"]["Anna"])  # the code still opens the gallery
    cat, photos, anna = shop["catalogue"], shop["photos"], anna_id(shop)
    gallery = client.get("/gallery/").content.decode()
    assert "Orders are late: a late fee of €4.00 applies until" in gallery

    add(client, photos["anna1"], cat.digital, child=anna)
    add(client, photos["anna2"], cat.print10, child=anna, quantity=2)
    cart = client.get("/cart/").content.decode()
    assert "Orders are late: a late fee of €4.00 applies until" in cart
    assert "Late fee: Autumn" in cart
    assert "€9.00" in cart and "€13.00" in cart  # 5.00 + 2 × 2.00, then the fee

    page, placed = _checkout(client, "late@example.com", "bank_transfer")
    assert "Late fee: Autumn" in page.content.decode()
    assert placed.status_code == 302
    with schema_context(shop["studio"].schema):
        order = Order.objects.get()
        fee_lines = [line for line in order.lines.all() if line.kind == "late_fee"]
        assert [(f.description, f.quantity, f.gross, f.net, f.child_id) for f in fee_lines] == [
            ("Late fee: Autumn", 1, Decimal("4.000"), Decimal("4.000"), None)
        ]
        assert (order.subtotal, order.discount_total, order.total) == (
            Decimal("13.00"),
            Decimal("0"),
            Decimal("13.00"),
        )
        with translation.override("en"):
            text = pdf_text(invoice_pdf(order=order, studio=shop["studio"].studio))
        assert "Late fee: Autumn" in text and "€13.00" in text

        owner = User.objects.get(email=shop["studio"].owner_email)
        with django_capture_on_commit_callbacks(execute=True):
            payment_record_offline(
                order=order, amount=Decimal("13.00"), method="bank_transfer", actor=owner
            )
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID
        assert balance(accounts.account(accounts.SALES), "EUR") == Decimal("-13.00")
    order_page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "Late fee: Autumn" in order_page


def test_no_fee_before_the_deadline_nor_when_the_fee_is_zero(shop):
    client = parent_with(shop, shop["codes"]["Anna"])
    add(client, shop["photos"]["anna1"], shop["catalogue"].digital, child=anna_id(shop))
    cart = client.get("/cart/").content.decode()
    assert "late fee" not in cart.lower()

    _late(shop["studio"].schema, fee="0")
    cart = client.get("/cart/").content.decode()
    assert "late fee" not in cart.lower() and "€5.00" in cart
    assert "Orders are late" not in client.get("/gallery/").content.decode()


def test_the_codes_close_when_late_orders_end(shop):
    shoot = _late(shop["studio"].schema, until=2 * HOUR)
    with schema_context(shop["studio"].schema):
        code = AccessCode.objects.get(code=shop["codes"]["Anna"])
        assert code.expires_at == shoot.late_orders_until
        now = timezone.now()
        assert access_code_state(code=code, now=now) is None
        assert access_code_state(code=code, now=now + 2 * HOUR) == "expired"
        # late orders taken away: the codes close at the (past) deadline again
        shoot_update(shoot=shoot, late_orders_until=None)
        code.refresh_from_db()
        assert code.expires_at == shoot.sales_deadline
        assert access_code_state(code=code, now=now) == "expired"
    response = parent_with(shop).post("/access/", {"code": shop["codes"]["Anna"]})
    assert b"/gallery/" not in response.get("Location", "").encode()


@pytest.mark.usefixtures("run_tasks")
def test_a_late_card_order_charges_the_fee_through_stripe(
    shop,
    card_alpha,  # noqa: F811
    stripe_on,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    _late(card_alpha.schema, fee="2.50")
    client = parent_with(shop, shop["codes"]["Anna"])
    add(client, shop["photos"]["anna1"], shop["catalogue"].digital, child=anna_id(shop))

    _page, response = _checkout(client, "card-late@example.com", "stripe")

    assert response["Location"].startswith(f"{stripe_on.url}/pay/cs_test_")
    with schema_context(card_alpha.schema):
        order = Order.objects.get()
        payment = order.payments.get()
    assert (order.total, payment.amount) == (Decimal("7.50"), Decimal("7.50"))
    stripe_on.pay("acct_alpha_test", payment.provider_data["session_id"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event = completed(stripe_on, card_alpha, payment.provider_data["session_id"])
        assert deliver(event).status_code == 200
    with schema_context(card_alpha.schema):
        order.refresh_from_db()
        assert (order.status, order.paid_total) == (OrderStatus.PAID, Decimal("7.50"))
        assert balance(accounts.account(accounts.SALES), "EUR") == Decimal("-7.50")
