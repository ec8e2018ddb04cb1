"""The rules of a pre-paid package: a credit only once paid, each slot filled once, never more
photos than paid for, only the child's own photos, unused credit refunded through the
ledger, pre-orders closed once the photos are online."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.downloads.selectors import order_photos
from studio.ledger import accounts
from studio.ledger.selectors import balance
from studio.orders.models import Order, OrderLine, Refund
from studio.orders.services import refund_record
from studio.preorders.models import Credit
from studio.preorders.selectors import credit_state, parent_credits
from studio.preorders.services import credit_pick, credit_refund_unused, preorder_setup_update
from studio.storefront.models import Cart
from tests.conftest import host_client
from tests.studio.preorders.conftest import money, parent_preorders, pay, preorder, publish
from tests.studio.storefront.test_checkout_locks import (
    ALLOWED_AFTER_LOCK,
    after_the_counter_lock,
    place,
)


def _credit(day) -> Credit:
    with schema_context(day["studio"].schema):
        return Credit.objects.select_related("order", "child", "line").get()


def test_a_credit_counts_only_once_its_order_is_paid(day, django_capture_on_commit_callbacks):
    client, order = parent_preorders(day)
    with schema_context(day["studio"].schema):
        credit = Credit.objects.get()
        assert (credit.credited_at, credit.child_id) == (None, day["kids"]["Anna"].pk)
        assert parent_credits(parent=order.parent) == []
        lines = list(order.lines.order_by("pk"))
    # The package, its class photo, and five prints each waiting for a photo of their own.
    assert [(line.kind, line.quantity, line.photo_id) for line in lines] == [
        ("package", 1, None),
        ("print", 1, None),
        *[("print", 1, None)] * 5,
    ]
    assert order.total == money("15.00")
    assert "Pre-paid packages" not in client.get("/account/").content.decode()

    pay(day, order, django_capture_on_commit_callbacks)

    with schema_context(day["studio"].schema):
        (state,) = parent_credits(parent=order.parent)
        assert (state.slots, state.class_slots, state.free_picks, state.picked) == (6, 1, 5, 0)
        assert state.unused_amount == money("15.00")
    page = client.get("/account/").content.decode()
    assert "Pre-paid packages" in page and "pick 5 photos" in page
    order_page = client.get(f"/account/orders/{order.number}/").content.decode()
    assert "pick 5 photos" in order_page and "when the photos are online" in order_page


def test_picking_fills_each_slot_once_and_never_more_than_paid_for(
    day, django_capture_on_commit_callbacks
):
    _client, order = parent_preorders(day)
    pay(day, order, django_capture_on_commit_callbacks)
    photos, _codes = publish(day, django_capture_on_commit_callbacks)
    credit = _credit(day)
    with schema_context(day["studio"].schema):
        parent = order.parent
        assert credit_pick(credit=credit, parent=parent, photo_ids=[photos["anna1"].pk]) == 1
        first = {s.line_id: s.line.photo_id for s in credit.slots.select_related("line")}
        # the class photo came with the first pick
        assert sorted(filter(None, first.values())) == sorted(
            [photos["anna1"].pk, photos["group"].pk]
        )

        a1, a2, a3 = (photos[n].pk for n in ("anna1", "anna2", "anna3"))
        assert credit_pick(credit=credit, parent=parent, photo_ids=[a2, a3]) == 2
        with pytest.raises(ValidationError) as too_many:  # three photos, two slots left
            credit_pick(credit=credit, parent=parent, photo_ids=[a1, a2, a3])
        assert too_many.value.code == "too_many"
        assert credit_state(credit).free_picks == 2  # refused whole: nothing placed
        assert credit_pick(credit=credit, parent=parent, photo_ids=[a1, a2]) == 2
        with pytest.raises(ValidationError) as refused:
            credit_pick(credit=credit, parent=parent, photo_ids=[a3])
        assert refused.value.code == "too_many"
        state = credit_state(credit)
        assert (state.picked, state.free_picks, state.free) == (6, 0, 0)
        # a slot once filled keeps its photo
        for line_id, photo_id in first.items():
            if photo_id:
                assert OrderLine.objects.get(pk=line_id).photo_id == photo_id
        # the prints reach the lab like any print: each line now names its photo
        printed = Counter(order.lines.filter(kind="print").values_list("photo_id", flat=True))
        assert printed == {photos["group"].pk: 1, a1: 2, a2: 2, a3: 1}


def test_only_the_childs_own_visible_photos_can_be_picked(day, django_capture_on_commit_callbacks):
    _client, order = parent_preorders(day)
    pay(day, order, django_capture_on_commit_callbacks)
    photos, _codes = publish(day, django_capture_on_commit_callbacks)
    credit = _credit(day)
    with schema_context(day["studio"].schema):
        for other in ("boris", "hidden", "group"):
            with pytest.raises(ValidationError) as refused:
                credit_pick(
                    credit=credit,
                    parent=order.parent,
                    photo_ids=[photos["anna1"].pk, photos[other].pk],
                )
            assert refused.value.code == "photo"
        assert credit_state(credit).picked == 0


def test_a_credit_is_spent_only_by_its_parent_once_paid_and_online(
    day, django_capture_on_commit_callbacks
):
    _client, order = parent_preorders(day)
    _other_client, other_order = parent_preorders(day, "other@example.com", child="Boris")
    credit = _credit_of(day, order)
    with schema_context(day["studio"].schema):
        with pytest.raises(ValidationError) as unpaid:
            credit_pick(credit=credit, parent=order.parent, photo_ids=[1])
        assert unpaid.value.code == "unpaid"
    pay(day, order, django_capture_on_commit_callbacks)
    with schema_context(day["studio"].schema):
        with pytest.raises(ValidationError) as early:
            credit_pick(credit=credit, parent=order.parent, photo_ids=[1])
        assert early.value.code == "not_online"
    photos, _codes = publish(day, django_capture_on_commit_callbacks)
    with schema_context(day["studio"].schema):
        with pytest.raises(ValidationError) as stranger:
            credit_pick(credit=credit, parent=other_order.parent, photo_ids=[photos["anna1"].pk])
        assert stranger.value.code == "owner"


def _credit_of(day, order) -> Credit:
    with schema_context(day["studio"].schema):
        return Credit.objects.get(order=order)


def test_refunding_unused_credit_gives_back_the_unpicked_part_through_the_ledger(
    day, django_capture_on_commit_callbacks
):
    _client, order = parent_preorders(day)
    pay(day, order, django_capture_on_commit_callbacks)
    photos, _codes = publish(day, django_capture_on_commit_callbacks)
    credit = _credit(day)
    with schema_context(day["studio"].schema):
        currency = order.currency
        bank, refunds = accounts.account(accounts.BANK), accounts.account(accounts.REFUNDS)
        bank_before, refunds_before = balance(bank, currency), balance(refunds, currency)
        # two photos and the class photo: 3 of 6 slots used, €7.50 of €15 left
        credit_pick(
            credit=credit, parent=order.parent, photo_ids=[photos["anna1"].pk, photos["anna2"].pk]
        )
        assert credit_state(credit).unused_amount == money("7.50")

        with django_capture_on_commit_callbacks(execute=True):
            refund = credit_refund_unused(credit=credit, actor=None, idempotency_key="k1")
            again = credit_refund_unused(credit=credit, actor=None, idempotency_key="k1")

        assert again.pk == refund.pk and refund.amount == money("7.50")
        order.refresh_from_db()
        assert (order.refunded_total, order.held) == (money("7.50"), money("7.50"))
        assert Refund.objects.count() == 1
        assert balance(bank, currency) - bank_before == money("-7.50")
        assert balance(refunds, currency) - refunds_before == money("7.50")
        state = credit_state(Credit.objects.get(pk=credit.pk))
        assert (state.unused_amount, state.free_picks, state.refunded_slots) == (0, 0, 3)
        assert state.credit.order.is_fulfillable  # what was picked is still to be printed
        with pytest.raises(ValidationError):
            credit_refund_unused(credit=credit, actor=None, idempotency_key="k2")
        with pytest.raises(ValidationError) as closed:
            credit_pick(credit=credit, parent=order.parent, photo_ids=[photos["anna3"].pk])
        assert closed.value.code == "too_many"
        # the picked prints stay in the order, still to be made
        assert order.lines.filter(photo__isnull=False, refunded=False).count() == 3


def test_all_photos_refund_whole_before_and_are_fulfilled_once_online(
    day, django_capture_on_commit_callbacks
):
    _client, order = parent_preorders(day, package=day["catalogue"].all_digital)
    _client2, order2 = parent_preorders(
        day, "dad@example.com", package=day["catalogue"].all_digital
    )
    pay(day, order, django_capture_on_commit_callbacks)
    pay(day, order2, django_capture_on_commit_callbacks)
    with schema_context(day["studio"].schema):
        refunded = Credit.objects.get(order=order2)
        assert credit_state(refunded).unused_amount == money("20.00")
        with django_capture_on_commit_callbacks(execute=True):
            credit_refund_unused(credit=refunded, actor=None)
        order2.refresh_from_db()
        assert order2.refunded_total == money("20.00") and not order2.is_downloadable
    photos, _codes = publish(day, django_capture_on_commit_callbacks)
    with schema_context(day["studio"].schema):
        state = credit_state(Credit.objects.get(order=order))
        assert (state.photos_online, state.unused_amount, state.fulfilled) == (True, 0, True)
        got = {p.pk for p in order_photos(order=Order.objects.get(pk=order.pk))}
        assert got == {photos[n].pk for n in ("anna1", "anna2", "anna3")}
        with pytest.raises(ValidationError):
            credit_refund_unused(credit=Credit.objects.get(order=order), actor=None)


def test_pre_orders_close_once_the_photos_are_online(day, django_capture_on_commit_callbacks):
    client, _order = parent_preorders(day)
    # a second pre-order left in the cart when the photos go online is dropped from it
    assert preorder(client, day, child=day["kids"]["Boris"]).status_code == 302
    publish(day, django_capture_on_commit_callbacks)

    assert client.get(f"/preorder/{day['link'].code}/").status_code == 404
    entered = client.post("/preorder/", {"code": day["link"].display})
    assert entered.status_code == 200 and "does not take pre-orders" in entered.content.decode()
    cart = client.get("/cart/").content.decode()
    assert "a pre-order that has closed" in cart
    with schema_context(day["studio"].schema), pytest.raises(ValidationError):
        preorder_setup_update(
            shoot=day["shoot"], enabled=True, package_ids=[day["catalogue"].bundle.pk]
        )


def test_closed_by_staff_and_packages_only_from_the_days_sheet(day):
    with schema_context(day["studio"].schema):
        preorder_setup_update(shoot=day["shoot"], enabled=False, package_ids=[])
    from tests.conftest import host_client

    client = host_client(day["studio"].host)
    assert client.get(f"/preorder/{day['link'].code}/").status_code == 404
    with schema_context(day["studio"].schema):
        with pytest.raises(ValidationError):
            preorder_setup_update(shoot=day["shoot"], enabled=True, package_ids=[])
        with pytest.raises(ValidationError):
            preorder_setup_update(shoot=day["shoot"], enabled=True, package_ids=[999_999])


def test_a_pre_order_checkout_still_takes_the_order_number_last(day):
    """The credit and its slots are written before the order number's lock."""
    day["studio"].studio.accept_cash = True
    day["studio"].studio.save()
    client = host_client(day["studio"].host)
    assert preorder(client, day, child=day["kids"]["Anna"]).status_code == 302
    with schema_context(day["studio"].schema):
        parent = User.objects.create_user(email="lock-pre@example.com", role=Role.PARENT)
        cart = Cart.objects.get()
        cart.parent = parent
        cart.save()

        order, sql = place(cart, parent)

        late = after_the_counter_lock(sql)
        assert [q for q in late if not ALLOWED_AFTER_LOCK.match(q)] == []
        credit = Credit.objects.get(order=order)
        assert credit.slots.count() == 6


def test_an_order_refunded_in_full_leaves_nothing_to_pick(day, django_capture_on_commit_callbacks):
    _client, order = parent_preorders(day)
    pay(day, order, django_capture_on_commit_callbacks)
    photos, _codes = publish(day, django_capture_on_commit_callbacks)
    with schema_context(day["studio"].schema):
        with django_capture_on_commit_callbacks(execute=True):
            refund_record(order=order, amount=order.total, reason="goodwill")
        credit = Credit.objects.get(order=order)
        state = credit_state(credit)
        assert (state.free_picks, state.unused_amount) == (0, 0)
        with pytest.raises(ValidationError) as refused:
            credit_pick(credit=credit, parent=order.parent, photo_ids=[photos["anna1"].pk])
        assert refused.value.code == "unpaid"
