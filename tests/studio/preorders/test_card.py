"""A pre-order paid by card: Stripe's page on the fake, the signed webhook pays the order,
and only then is the package a credit."""

from django_tenants.utils import schema_context

from studio.orders.models import Order
from studio.preorders.models import Credit
from studio.preorders.selectors import credit_state
from studio.preorders.services import credit_refund_unused
from tests.conftest import host_client
from tests.studio.payments.conftest import card_alpha, stripe_on  # noqa: F401
from tests.studio.payments.test_stripe import completed, deliver
from tests.studio.preorders.conftest import checkout, money, preorder


def test_a_card_pre_order_becomes_a_credit_when_stripe_says_it_is_paid(
    day,
    card_alpha,  # noqa: F811
    stripe_on,  # noqa: F811
    run_tasks,
    django_capture_on_commit_callbacks,
):
    client = host_client(day["studio"].host)
    assert preorder(client, day, child=day["kids"]["Anna"]).status_code == 302

    response = checkout(client, "card-pre@example.com", method="stripe")

    assert response["Location"].startswith(f"{stripe_on.url}/pay/cs_test_")
    with schema_context(card_alpha.schema):
        order = Order.objects.get()
        payment = order.payments.get()
        assert Credit.objects.get().credited_at is None
    session_id = payment.provider_data["session_id"]
    stripe_on.pay("acct_alpha_test", session_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(completed(stripe_on, card_alpha, session_id)).status_code == 200
        assert deliver(completed(stripe_on, card_alpha, session_id)).status_code == 200

    with schema_context(card_alpha.schema):
        order.refresh_from_db()
        credit = Credit.objects.get()
        assert order.paid_total == money("15.00") and order.is_paid
        assert credit.credited_at is not None
        assert credit_state(credit).free_picks == 5
    assert "pick 5 photos" in client.get("/account/").content.decode()

    # unused, it is refunded through Stripe like any card refund
    with schema_context(card_alpha.schema), django_capture_on_commit_callbacks(execute=True):
        refund = credit_refund_unused(credit=credit, actor=None, idempotency_key="card-1")
        order.refresh_from_db()
    assert refund.amount == money("15.00") and refund.provider_reference.startswith("re_")
    assert order.refunded_total == money("15.00")
