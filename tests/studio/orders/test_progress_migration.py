"""Migration 0008: orders get a progress apart from their money, and every status becomes
the label derived from both, which frees the orders the old status machine left stuck."""

from decimal import Decimal

from studio.orders.models import Order
from studio.orders.services import payment_record_offline

from .test_line_keys_migration import migrate

BEFORE = ("orders", "0007_drop_line_product_ref")
AFTER = ("orders", "0008_order_progress")

# number: old status, paid, refunded, the moves in its history → progress, status after
CASES = {
    "stuck": ("partially_refunded", "10", "4", [], "open", "partially_refunded"),
    "paid": ("paid", "20", "0", [], "open", "paid"),
    "waiting": ("pending_payment", "0", "0", [], "open", "pending_payment"),
    "shipping": ("in_fulfilment", "20", "0", ["in_fulfilment"], "in_fulfilment", "in_fulfilment"),
    "done-then-refunded": (
        "partially_refunded",
        "20",
        "5",
        ["in_fulfilment", "completed", "partially_refunded"],
        "completed",
        "partially_refunded",
    ),
    "cancelled": ("cancelled", "0", "0", [], "cancelled", "cancelled"),
    "refunded": ("refunded", "20", "20", [], "open", "refunded"),
}


def test_orders_get_their_progress_and_a_derived_status(in_alpha):
    apps = migrate(BEFORE)
    OldOrder = apps.get_model("orders", "Order")
    OldEvent = apps.get_model("orders", "OrderEvent")
    for number, (status, paid, refunded, moves, _progress, _label) in CASES.items():
        order = OldOrder.objects.create(
            number=number,
            email="mum@x.test",
            status=status,
            currency="EUR",
            subtotal=Decimal("20"),
            total=Decimal("20"),
            paid_total=Decimal(paid),
            refunded_total=Decimal(refunded),
            payment_method="cash",
            idempotency_key=number,
        )
        for before, after in zip(["paid", *moves], moves, strict=False):
            OldEvent.objects.create(order=order, from_status=before, to_status=after)

    migrate(AFTER)

    after = {o.number: (o.progress, o.status) for o in Order.objects.filter(number__in=CASES)}
    assert after == {number: case[4:] for number, case in CASES.items()}
    stuck = Order.objects.get(number="stuck")
    assert stuck.is_payable
    payment_record_offline(order=stuck, amount=Decimal("10"), method="cash", actor=None)
    stuck.refresh_from_db()
    assert (stuck.balance_due, stuck.is_fulfillable) == (Decimal("0"), True)
