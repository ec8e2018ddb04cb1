"""Orders get a ``progress`` apart from their money, and ``status`` becomes the label derived
from both. The progress of existing orders is read from their status, or for a refunded one
(whose status forgot it) from the last fulfilment move in its history; every label is then
recomputed, which also frees the orders the old machine left stuck (a partly paid order
partly refunded is "partially refunded" and now payable)."""

from decimal import Decimal

from django.db import migrations, models

PROGRESS = ("in_fulfilment", "completed", "cancelled")


def _label(progress, total, paid, refunded):
    """``studio.orders.models.derive_status`` as of this migration."""
    if progress == "cancelled":
        return "cancelled"
    if refunded > 0:
        return "refunded" if refunded >= paid else "partially_refunded"
    if paid < total:
        return "partially_paid" if paid > 0 else "pending_payment"
    return progress if progress in ("in_fulfilment", "completed") else "paid"


def forwards(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderEvent = apps.get_model("orders", "OrderEvent")
    for order in Order.objects.all().iterator():
        if order.status in PROGRESS:
            order.progress = order.status
        else:
            moved = (
                OrderEvent.objects.filter(order=order, to_status__in=PROGRESS[:2])
                .order_by("-created_at", "-id")
                .values_list("to_status", flat=True)
                .first()
            )
            order.progress = moved or "open"
        order.status = _label(
            order.progress,
            order.total,
            order.paid_total or Decimal("0"),
            order.refunded_total or Decimal("0"),
        )
        order.save(update_fields=["progress", "status"])


def backwards(apps, schema_editor):
    """The old status had no place for a balance after a refund; labels stay as derived."""


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0007_drop_line_product_ref"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="progress",
            field=models.CharField(
                choices=[
                    ("open", "Open"),
                    ("in_fulfilment", "In fulfilment"),
                    ("completed", "Completed"),
                    ("cancelled", "Cancelled"),
                ],
                default="open",
                max_length=20,
                verbose_name="progress",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
