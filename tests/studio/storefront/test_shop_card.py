"""The shop's checkout with card payment: the parent goes to Stripe, the order waits for
Stripe's webhook, and then it is paid and the download links go out."""

from decimal import Decimal

from django.core import mail
from django_tenants.utils import schema_context

from studio.orders.models import Order, OrderStatus
from tests.studio.payments.conftest import card_alpha, stripe_on  # noqa: F401
from tests.studio.payments.test_stripe import completed, deliver
from tests.studio.storefront.conftest import sign_in
from tests.studio.storefront.test_gallery import parent_with
from tests.studio.storefront.test_shop import add, anna_id


def test_a_card_checkout_waits_for_stripe_then_pays(
    shop,
    card_alpha,  # noqa: F811
    stripe_on,  # noqa: F811
    run_tasks,
    django_capture_on_commit_callbacks,
):
    client = parent_with(shop, shop["codes"]["Anna"])
    cat, photos = shop["catalogue"], shop["photos"]
    add(client, photos["anna1"], cat.digital, child=anna_id(shop))
    sign_in(client, "card@example.com", next_url="/checkout/")
    page = client.get("/checkout/")
    assert "Card" in page.content.decode()
    key = page.context["form"].initial["key"]

    response = client.post("/checkout/", {"key": key, "name": "M", "payment_method": "stripe"})

    assert response.status_code == 302
    assert response["Location"].startswith(f"{stripe_on.url}/pay/cs_test_")
    with schema_context(card_alpha.schema):
        order = Order.objects.get()
        payment = order.payments.get()
    assert (order.status, order.payment_method) == (OrderStatus.PENDING_PAYMENT, "stripe")
    back = client.get(f"/account/orders/{order.number}/?checkout=done").content.decode()
    assert "being processed" in back

    session_id = payment.provider_data["session_id"]
    stripe_on.pay("acct_alpha_test", session_id)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(completed(stripe_on, card_alpha, session_id)).status_code == 200

    with schema_context(card_alpha.schema):
        order.refresh_from_db()
    assert (order.status, order.paid_total) == (OrderStatus.PAID, Decimal("5.00"))
    assert any(order.number in m.subject or order.number in m.body for m in mail.outbox)
    page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "being processed" not in page and "Pay by card" not in page
