"""Races on the books, with real transactions on two connections that both commit: a refund
landing while a period closes, a staff refund and Stripe's webhook for the same refund, the
same refund or payment reported twice at once. In each, one side holds its transaction open
until the other is seen waiting on a lock (pg_stat_activity), so the race really happens.

The test's rows are committed (no ``db`` fixture), in francs so what the books keep (they
refuse DELETE) never meets another test's sums; the clean-up removes them past the triggers."""

import json
import threading
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections, transaction
from django.test import RequestFactory
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.models import StripeEvent
from billing.webhooks import handle_event
from saas_platform import stripe_api
from saas_platform.accounts.models import Role, User
from studio.commissions.models import Accrual, Agreement, RefundReversal
from studio.ledger import accounts, postings
from studio.ledger.models import LedgerPeriod, LedgerTransaction, PeriodBalance, TransactionKind
from studio.ledger.selectors import balance_minor
from studio.ledger.services import last_closed_end, period_close
from studio.orders.models import Order, Payment, PaymentStatus, Refund
from studio.orders.services import LineInput, order_create, payment_record_offline, refund_record
from studio.payments.providers import provider_for
from studio.payments.services import order_refund
from tenants.models import StripeAccountStatus, Studio
from tests.conftest import STRIPE_TEST_SECRET_KEY, STRIPE_TEST_WEBHOOK_SECRET, host_client
from tests.fakestripe import event, sign
from tests.studio.commissions.conftest import World

CURRENCY = "CHF"
ACCOUNT = "acct_alpha_race"


# ----------------------------------------------------------------------------- helpers


def _waiting(wait_event: str, timeout: float = 5.0) -> bool:
    """Whether another connection of this database waits on a lock of that kind ("advisory"
    for the ledger's lock; "transactionid" or "tuple" for a row another holds)."""
    events = ("transactionid", "tuple") if wait_event == "row" else (wait_event,)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else frozen for the transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND wait_event = ANY(%s) AND pid <> pg_backend_pid()",
                [list(events)],
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def _race(schema: str, first, second, *, waits_on: str) -> dict:
    """Runs ``first`` in a transaction held open until ``second`` (started once ``first``
    returned) waits on a lock; then both commit. Returns their outcomes, errors included."""
    first_done, outcome = threading.Event(), {}

    def run_first():
        try:
            with schema_context(schema), transaction.atomic():
                outcome["first"] = first()
                first_done.set()
                outcome["second_waited"] = _waiting(waits_on)
        except Exception as error:  # reported by the test, not lost in the thread
            outcome["first"] = error
        finally:
            first_done.set()
            connections.close_all()

    def run_second():
        first_done.wait(10)
        try:
            with schema_context(schema):
                outcome["second"] = second()
        except Exception as error:
            outcome["second"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "a side never finished"
    for side in ("first", "second"):
        assert not isinstance(outcome.get(side), Exception), outcome.get(side)
    assert outcome["second_waited"], "the second side did not wait for the first"
    return outcome


def _forget(schema: str, orders=(), periods=(), events=(), world=None) -> None:
    """Removes what a test committed; the books refuse DELETE, so past their triggers."""
    with schema_context(schema):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            order_ids = [order.pk for order in orders]
            txn_ids = list(
                LedgerTransaction.objects.filter(order_id__in=order_ids).values_list(
                    "pk", flat=True
                )
            )
            cursor.execute(
                "DELETE FROM ledger_ledgerentry WHERE transaction_id = ANY(%s)", [txn_ids]
            )
            cursor.execute("DELETE FROM ledger_ledgertransaction WHERE id = ANY(%s)", [txn_ids])
            period_ids = [period.pk for period in periods]
            cursor.execute(
                "DELETE FROM ledger_periodbalance WHERE period_id = ANY(%s)", [period_ids]
            )
            cursor.execute("DELETE FROM ledger_ledgerperiod WHERE id = ANY(%s)", [period_ids])
            if world is not None:
                cursor.execute("DELETE FROM ledger_account WHERE school_id = %s", [world.school.pk])
            cursor.execute("SET LOCAL session_replication_role = origin")
        RefundReversal.objects.filter(order_id__in=order_ids).delete()
        Accrual.objects.filter(order_id__in=order_ids).delete()
        Refund.objects.filter(order_id__in=order_ids).delete()
        Payment.objects.filter(order_id__in=order_ids).delete()
        for order in Order.objects.filter(pk__in=order_ids):
            parent = order.parent
            order.delete()
            if parent is not None:
                parent.delete()
        if world is not None:
            Agreement.objects.filter(school=world.school).delete()
            world.shoot.delete()
            world.child.delete()
            world.school_class.delete()
            world.school.delete()
    StripeEvent.objects.filter(event_id__in=list(events)).delete()


def _paid_offline_order(total: str) -> Order:
    amount = Decimal(total)
    order = order_create(
        lines=[LineInput("Print", "print", 1, amount, amount, amount)],
        currency=CURRENCY,
        email="race@x.test",
        payment_method="cash",
        idempotency_key=f"race-{uuid.uuid4().hex}",
    )
    payment_record_offline(order=order, amount=amount, method="cash", actor=None)
    return Order.objects.get(pk=order.pk)


def _ledger(order: Order, kind: str) -> list[LedgerTransaction]:
    return list(LedgerTransaction.objects.filter(order_id=order.pk, kind=kind))


# ----------------------------------------------------------------------------- a period closes


@pytest.mark.parametrize("first", ["close", "refund"])
def test_a_refund_landing_while_a_period_closes_is_counted_in_one_period(
    live_studios, committed, first
):
    """The close holds the ledger's lock alone: a refund posted meanwhile waits and lands
    after the period's end (the closed period never holds it). A refund posted first holds
    the lock shared: the close waits for it, and the period then includes it."""
    alpha = live_studios["alpha"]
    cash = None
    with committed(), schema_context(alpha.schema):
        order = _paid_offline_order("30.00")
        cash = accounts.account(accounts.CASH)
        before = balance_minor(cash, CURRENCY)
        starts_at = last_closed_end() or timezone.now() - timedelta(days=1)

    def close():
        return period_close(
            starts_at=starts_at, ends_at=timezone.now(), label=f"Race {first}", actor=None
        )

    def refund():
        return refund_record(order=order, amount=Decimal("12.50"), reason="damaged print")

    def refund_posted():
        """The refund with its posting inside the held transaction (as its after-commit
        event would post it): the ledger's lock is held shared until it commits."""
        made = refund()
        postings.refund_post(refund=made)
        return made

    with committed():
        outcome = {}
        try:
            if first == "close":
                outcome = _race(alpha.schema, close, refund, waits_on="advisory")
                period = outcome["first"]
            else:
                outcome = _race(alpha.schema, refund_posted, close, waits_on="advisory")
                period = outcome["second"]
            with schema_context(alpha.schema):
                (txn,) = _ledger(order, TransactionKind.REFUND)
                snapshot = PeriodBalance.objects.get(period=period, account=cash, currency=CURRENCY)
                after = balance_minor(cash, CURRENCY)
                assert Refund.objects.filter(order=order).count() == 1
                assert Order.objects.get(pk=order.pk).refunded_total == Decimal("12.50")
        finally:
            periods = [outcome[side] for side in ("first", "second") if side in outcome]
            _forget(
                alpha.schema,
                orders=[order],
                periods=[p for p in periods if isinstance(p, LedgerPeriod)],
            )

    assert after == before - 1250
    if first == "close":
        assert txn.occurred_at >= period.ends_at
        assert snapshot.closing_minor == before  # the closed period does not hold it
    else:
        assert txn.occurred_at < period.ends_at
        assert snapshot.closing_minor == before - 1250  # the period includes it


# ----------------------------------------------------------------------------- Stripe


@pytest.fixture
def card_alpha(live_studios, committed, settings, fake_stripe):
    """Alpha connected to the fake Stripe, committed (the threads read it); put back after."""
    settings.STRIPE_SECRET_KEY = STRIPE_TEST_SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_TEST_WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake_stripe.url
    fake_stripe.reset()
    alpha = live_studios["alpha"]
    studio = alpha.studio
    previous = (studio.stripe_account_id, studio.stripe_account_status)
    with committed():
        studio.stripe_account_id, studio.stripe_account_status = ACCOUNT, StripeAccountStatus.READY
        Studio.objects.filter(pk=studio.pk).update(
            stripe_account_id=ACCOUNT, stripe_account_status=StripeAccountStatus.READY
        )
    yield alpha
    with committed():
        studio.stripe_account_id, studio.stripe_account_status = previous
        Studio.objects.filter(pk=studio.pk).update(
            stripe_account_id=previous[0], stripe_account_status=previous[1]
        )


def _card_order(alpha, fake, total: str, **line):
    """A parent's order paid on Stripe's page (not yet confirmed here): order, payment and
    the checkout session's id. ``line``: the line's child and picture day."""
    amount = Decimal(total)
    parent = User.objects.create_user(
        email=f"race-{uuid.uuid4().hex[:8]}@example.com", password="pw-123456", role=Role.PARENT
    )
    order = order_create(
        lines=[LineInput("Album", "album", 1, amount, amount, amount, **line)],
        currency=CURRENCY,
        email=parent.email,
        payment_method="stripe",
        idempotency_key=f"race-{uuid.uuid4().hex}",
        parent=parent,
    )
    request = RequestFactory().get("/", HTTP_HOST=alpha.host)
    request.tenant = alpha.studio
    provider_for("stripe").payment_start(order=order, request=request)
    payment = Payment.objects.get(order=order, status=PaymentStatus.PENDING)
    session_id = payment.provider_data["session_id"]
    fake.pay(ACCOUNT, session_id)
    return order, payment, session_id


def _completed(fake, session_id) -> bytes:
    return event("checkout.session.completed", fake.session(ACCOUNT, session_id), account=ACCOUNT)


def _refunded(fake, session_id) -> bytes:
    return event("charge.refunded", fake.charge_of(ACCOUNT, session_id), account=ACCOUNT)


def _deliver(payload: bytes) -> str:
    """Stripe's POST to the webhook, signed."""
    response = host_client(django_settings.BASE_DOMAIN).post(
        "/stripe/webhook/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload, STRIPE_TEST_WEBHOOK_SECRET),
    )
    assert response.status_code == 200, response.content
    return response.content.decode()


def _handled(payload: bytes) -> str:
    """The webhook's work, for the side that holds its transaction open (the view commits)."""
    return handle_event(json.loads(payload))


def _event_ids(*payloads) -> list[str]:
    return [json.loads(payload)["id"] for payload in payloads]


@pytest.mark.parametrize(
    "same_event, replaced",
    [(True, False), (False, False), (False, True)],
    ids=["one event twice", "two events", "two events of a replaced session"],
)
def test_a_payment_confirmed_twice_at_once_is_booked_once(
    card_alpha, committed, fake_stripe, same_event, replaced
):
    """Stripe delivers the same event twice, or two events of one payment, to two workers
    at once: the second waits for the first and then finds the payment confirmed. Also when
    the parent paid a session we had replaced (its payment cancelled here): the second must
    not bring the payment back to pending and apply it again."""
    with committed(), schema_context(card_alpha.schema):
        order, payment, session_id = _card_order(card_alpha, fake_stripe, "40.00")
        if replaced:
            Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.CANCELLED)
    first = _completed(fake_stripe, session_id)
    second = first if same_event else _completed(fake_stripe, session_id)

    with committed():
        try:
            outcome = _race(
                card_alpha.schema,
                lambda: _handled(first),
                lambda: _deliver(second),
                waits_on="row",
            )
            with schema_context(card_alpha.schema):
                payments = _ledger(order, TransactionKind.PAYMENT)
                fees = _ledger(order, TransactionKind.PLATFORM_FEE)
                order_after = Order.objects.get(pk=order.pk)
                payment_after = Payment.objects.get(pk=payment.pk)
        finally:
            _forget(card_alpha.schema, orders=[order], events=_event_ids(first, second))

    assert outcome["first"] == "confirmed"
    assert outcome["second"] == ("duplicate" if same_event else "confirmed")
    assert payment_after.status == PaymentStatus.CONFIRMED
    assert order_after.paid_total == Decimal("40.00")
    assert [txn.key for txn in payments] == [f"payment:{payment.pk}"]
    assert len(fees) <= 1  # none when the studio's plan takes no share
    assert len({txn.key for txn in fees}) == len(fees)


def _confirmed_card_order(alpha, fake, total: str, **line):
    order, payment, session_id = _card_order(alpha, fake, total, **line)
    payload = _completed(fake, session_id)
    assert _deliver(payload) == "confirmed"
    with schema_context(alpha.schema):  # the request left the connection in public
        return order, Payment.objects.get(pk=payment.pk), session_id, payload


def _refund_counted_once(order, stripe_refund_id: str, amount: Decimal) -> None:
    refunds = list(Refund.objects.filter(order=order))
    assert [(r.provider_reference, r.amount) for r in refunds] == [(stripe_refund_id, amount)]
    assert Order.objects.get(pk=order.pk).refunded_total == amount
    (txn,) = _ledger(order, TransactionKind.REFUND)
    assert txn.key == f"refund:{refunds[0].pk}"
    assert sum(e.amount_minor for e in txn.entries.filter(amount_minor__gt=0)) == (
        stripe_api.to_minor(amount, CURRENCY)
    )


def test_a_staff_refund_and_its_webhook_at_once_are_one_refund(card_alpha, committed, fake_stripe):
    """Staff refund by card; Stripe's charge.refunded for that very refund reaches another
    worker before the staff's transaction commits: it waits on the order, then finds the
    refund recorded under Stripe's id and adds nothing."""
    with committed(), schema_context(card_alpha.schema):
        world = World("Race school")  # a school with a 10 % agreement in francs
        agreement = world.agreement()
        Agreement.objects.filter(pk=agreement.pk).update(currency=CURRENCY)
        owner = User.objects.get(email=card_alpha.owner_email)
    with committed(), schema_context(card_alpha.schema):
        order, _payment, session_id, paid = _confirmed_card_order(
            card_alpha, fake_stripe, "40", child_id=world.child.pk, shoot_id=world.shoot.pk
        )
    with committed(), schema_context(card_alpha.schema):
        assert -balance_minor(accounts.commission_payable(world.school.pk), CURRENCY) == 400
    payloads = [paid]

    def staff():
        return order_refund(
            order=order,
            amount=Decimal("15.00"),
            actor=owner,
            reason="damaged print",
            idempotency_key=str(uuid.uuid4()),
        )

    def webhook():
        payloads.append(_refunded(fake_stripe, session_id))  # Stripe has the refund by now
        return _deliver(payloads[-1])

    with committed():
        try:
            outcome = _race(card_alpha.schema, staff, webhook, waits_on="row")
            with schema_context(card_alpha.schema):
                _refund_counted_once(order, outcome["first"].provider_reference, Decimal("15"))
                # the school's commission given back once: 10 % of 15.00
                assert len(_ledger(order, TransactionKind.COMMISSION_REVERSAL)) == 1
                due = -balance_minor(accounts.commission_payable(world.school.pk), CURRENCY)
                assert due == 400 - 150
        finally:
            _forget(card_alpha.schema, orders=[order], events=_event_ids(*payloads), world=world)
    assert outcome["second"] == "1 refunds"
    assert len(fake_stripe.posts("/v1/refunds")) == 1


def test_a_webhook_recording_the_staffs_refund_first_makes_the_staff_wait(
    card_alpha, committed, fake_stripe
):
    """The other order: the staff's request reaches Stripe, whose webhook is recorded (and
    not yet committed) before the staff's worker records the refund: that worker waits on
    the order, then returns the webhook's record. Stripe is asked first here with the very
    request the staff's refund sends (same idempotency key), so both name one refund."""
    with committed(), schema_context(card_alpha.schema):
        order, payment, session_id, paid = _confirmed_card_order(card_alpha, fake_stripe, "40")
    with committed(), schema_context(card_alpha.schema):
        owner = User.objects.get(email=card_alpha.owner_email)
    token = str(uuid.uuid4())
    stripe_refund = stripe_api.client().v1.refunds.create(
        params={
            "payment_intent": payment.reference,
            "amount": stripe_api.to_minor(Decimal("15.00"), CURRENCY),
            "metadata": {"payment_id": str(payment.pk), "order": order.number},
        },
        options={"stripe_account": ACCOUNT, "idempotency_key": f"refund-{token}"},
    )
    refunded = _refunded(fake_stripe, session_id)

    def staff():
        return order_refund(
            order=order, amount=Decimal("15.00"), actor=owner, reason="x", idempotency_key=token
        )

    with committed():
        try:
            outcome = _race(card_alpha.schema, lambda: _handled(refunded), staff, waits_on="row")
            with schema_context(card_alpha.schema):
                _refund_counted_once(order, stripe_refund.id, Decimal("15"))
        finally:
            _forget(card_alpha.schema, orders=[order], events=_event_ids(paid, refunded))
    assert outcome["first"] == "1 refunds"
    assert outcome["second"].provider_reference == stripe_refund.id
    assert len({r["idempotency_key"] for r in fake_stripe.posts("/v1/refunds")}) == 1


def test_a_dashboard_refund_reported_twice_at_once_is_one_refund(
    card_alpha, committed, fake_stripe
):
    """A refund made in Stripe's dashboard, reported by two charge.refunded events handled
    at once: one Refund, one posting, counted once on the order."""
    with committed(), schema_context(card_alpha.schema):
        order, _payment, session_id, paid = _confirmed_card_order(card_alpha, fake_stripe, "40")
    charge = fake_stripe.charge_of(ACCOUNT, session_id)
    stripe_refund = fake_stripe.refund(ACCOUNT, charge["id"], 1000)
    first, second = _refunded(fake_stripe, session_id), _refunded(fake_stripe, session_id)

    with committed():
        try:
            outcome = _race(
                card_alpha.schema,
                lambda: _handled(first),
                lambda: _deliver(second),
                waits_on="row",
            )
            with schema_context(card_alpha.schema):
                _refund_counted_once(order, stripe_refund["id"], Decimal("10"))
        finally:
            _forget(card_alpha.schema, orders=[order], events=_event_ids(paid, first, second))
    assert (outcome["first"], outcome["second"]) == ("1 refunds", "1 refunds")
