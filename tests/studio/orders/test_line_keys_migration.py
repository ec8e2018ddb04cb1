"""Migrations 0006–0007: the lines' ``product_ref`` strings become foreign keys, and back."""

import datetime
from decimal import Decimal

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from studio.orders.models import OrderLine

BEFORE = ("orders", "0005_line_refunded")
KEYS = ("orders", "0006_line_catalogue_keys")
AFTER = ("orders", "0007_drop_line_product_ref")


def migrate(target):
    """Runs the migrations to ``target`` in the current (studio) schema, inside the test's
    transaction, and checks the rows' foreign keys now so the next ALTER TABLE may run."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    # apps whose migrations stand on the orders' later ones (the ledger, commissions, staff
    # pay) went back with them
    later = set(executor.loader.graph.backwards_plan(KEYS))
    others = [
        node
        for node in executor.loader.graph.leaf_nodes()
        if node[0] != "orders" and node not in later
    ]
    return executor.loader.project_state([target, *others]).apps


def test_product_refs_become_foreign_keys_and_back(in_alpha):
    apps = migrate(BEFORE)
    School = apps.get_model("schools", "School")
    Shoot = apps.get_model("shoots", "Shoot")
    Product = apps.get_model("catalogue", "Product")
    PriceSheet = apps.get_model("catalogue", "PriceSheet")
    Package = apps.get_model("catalogue", "Package")
    Order = apps.get_model("orders", "Order")
    Line = apps.get_model("orders", "OrderLine")
    shoot = Shoot.objects.create(
        school=School.objects.create(name="S"), name="Autumn", date=datetime.date(2026, 10, 1)
    )
    digital = Product.objects.create(kind="digital", name="Digital file")
    album = Product.objects.create(kind="album", name="Album", requires_photo=False)
    sheet = PriceSheet.objects.create(name="Standard", currency="EUR")
    package = Package.objects.create(sheet=sheet, name="All", kind="all_digital", price=20)
    order = Order.objects.create(
        number="2026-900001",
        email="mum@x.test",
        currency="EUR",
        subtotal=0,
        total=0,
        payment_method="cash",
        idempotency_key="migration",
    )
    refs = {
        "package": f"package:{package.pk};shoot:{shoot.pk}",
        "product": f"product:{digital.pk}",
        "bare": str(album.pk),  # what the lab export also read
        "gone": "product:987654321",  # a row deleted since: left empty, as the readers did
        "none": "",
        "unknown": f"digital:{digital.pk}",
    }
    for description, ref in refs.items():
        Line.objects.create(
            order=order,
            kind="other",
            description=description,
            product_ref=ref,
            quantity=1,
            unit_price=Decimal("0"),
            gross=Decimal("0"),
            net=Decimal("0"),
        )

    migrate(KEYS)
    migrate(AFTER)

    keys = {
        line["description"]: (line["product_id"], line["package_id"], line["shoot_id"])
        for line in OrderLine.objects.filter(order_id=order.pk).values(
            "description", "product_id", "package_id", "shoot_id"
        )
    }
    assert keys == {
        "package": (None, package.pk, shoot.pk),
        "product": (digital.pk, None, None),
        "bare": (album.pk, None, None),
        "gone": (None, None, None),
        "none": (None, None, None),
        "unknown": (None, None, None),
    }

    apps = migrate(BEFORE)
    back = dict(
        apps.get_model("orders", "OrderLine")
        .objects.filter(order_id=order.pk)
        .values_list("description", "product_ref")
    )
    assert back == {
        "package": refs["package"],
        "product": refs["product"],
        "bare": f"product:{album.pk}",
        "gone": "",
        "none": "",
        "unknown": "",
    }
    migrate(AFTER)
