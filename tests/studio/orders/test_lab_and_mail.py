"""Lab batches, payment and reminder e-mails, and the dashboard's money figures."""

import csv
import datetime
import io
import zipfile
import zoneinfo
from decimal import Decimal

from django.core import mail
from django.utils import timezone

from studio.dashboard.selectors import dashboard_summary
from studio.orders.emails import order_reminders_send
from studio.orders.lab import lab_batch_archive, lab_batch_create
from studio.orders.models import FulfilmentStatus, LabBatchLine, Order, Payment
from studio.orders.selectors import orders_today_summary
from studio.orders.services import payment_record_offline, refund_record
from studio.photos.archive import zip_response

from .conftest import days_ago, place_order

F = FulfilmentStatus


def read_zip(batch) -> dict[str, bytes]:
    response = zip_response(lab_batch_archive(batch), "x.zip")
    data = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def manifest(files) -> list[dict]:
    return list(csv.DictReader(io.StringIO(files["manifest.csv"].decode("utf-8-sig"))))


def test_a_lab_batch_has_each_print_file_renamed_and_a_manifest(shop):
    first = place_order(shop)
    second = place_order(shop, delivery={"method": "school"})
    unpaid = place_order(shop, paid=False)

    result = lab_batch_create(order_ids=[first.pk, second.pk, unpaid.pk], actor=shop.manager)

    assert result.exported == 4
    assert result.failed == []
    assert result.skipped_orders == [unpaid.number]
    files = read_zip(result.batch)
    ivan, masha = shop.photo_ivan.pk, shop.photo_masha.pk
    assert files == {
        f"{first.number}_13x18_2x_{ivan}.jpg": b"retouched ivan",
        f"{first.number}_10x15_1x_{masha}.jpg": b"original masha",
        f"{second.number}_13x18_2x_{ivan}.jpg": b"retouched ivan",
        f"{second.number}_10x15_1x_{masha}.jpg": b"original masha",
        "manifest.csv": files["manifest.csv"],
    }
    rows = manifest(files)
    assert rows[0] == {
        "order": first.number,
        "child": "Ivan Petrov",
        "class": "3A",
        "school": "School No. 7",
        "product": "Print 13×18",
        "size": "13x18",
        "options": "Glossy",
        "copies": "2",
        "file": f"{first.number}_13x18_2x_{ivan}.jpg",
        "delivery_method": "home",
        "delivery_address": "Anna, Main St 1, LV-1001, Riga, LV",
        "error": "",
    }
    assert [(row["order"], row["delivery_method"]) for row in rows[2:]] == [
        (second.number, "school"),
        (second.number, "school"),
    ]
    statuses = set(
        first.lines.filter(kind="print").values_list("fulfilment_status", flat=True)
    ) | set(second.lines.filter(kind="print").values_list("fulfilment_status", flat=True))
    assert statuses == {F.PRINTING}
    assert set(unpaid.lines.filter(kind="print").values_list("fulfilment_status", flat=True)) == {
        F.ACCEPTED
    }


def test_lines_in_a_batch_are_not_exported_again_but_the_batch_downloads_again(shop):
    order = place_order(shop)
    batch = lab_batch_create(order_ids=[order.pk], actor=shop.manager).batch

    again = lab_batch_create(order_ids=[order.pk], actor=shop.manager)

    assert again.batch is None
    assert len(read_zip(batch)) == 3  # two prints and the manifest, re-exported from its page
    assert LabBatchLine.objects.filter(line__order=order).count() == 2


def test_a_missing_file_fails_its_line_alone(shop):
    order = place_order(shop)
    shop.photo_masha.original.storage.delete(shop.photo_masha.original.name)

    result = lab_batch_create(order_ids=[order.pk], actor=shop.manager)

    assert result.exported == 1
    [(line, reason)] = result.failed
    assert line.child_id == shop.masha.pk
    assert "is missing" in reason and shop.photo_masha.original.name in reason
    files = read_zip(result.batch)
    assert set(files) == {"manifest.csv", f"{order.number}_13x18_2x_{shop.photo_ivan.pk}.jpg"}
    failed_row = [row for row in manifest(files) if row["error"]]
    assert [(row["child"], row["file"]) for row in failed_row] == [("Masha Orlova", "")]
    line.refresh_from_db()
    assert line.fulfilment_status == F.ACCEPTED  # can go into a later batch


def test_staff_payments_email_the_parent_with_the_balance_due(
    shop, run_tasks, django_capture_on_commit_callbacks
):
    order = place_order(shop, paid=False, email="dad@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        payment_record_offline(order=order, amount=Decimal("7"), method="cash", actor=shop.manager)

    [message] = mail.outbox
    assert message.to == ["dad@example.com"]
    assert order.number in message.subject
    assert "€7.00" in message.body
    assert "Still to pay: €10.00." in message.body
    assert f"/account/orders/{order.number}/" in message.body


def test_the_same_payment_token_records_one_payment(shop):
    order = place_order(shop, paid=False)
    for _ in range(2):
        payment_record_offline(
            order=order,
            amount=Decimal("5"),
            method="cash",
            actor=shop.manager,
            idempotency_key="form-1",
        )

    order.refresh_from_db()
    assert (order.paid_total, Payment.objects.filter(order=order).count()) == (Decimal("5"), 1)


def _reminded(now) -> list[str]:
    mail.outbox.clear()
    order_reminders_send(now=now)
    return sorted(message.to[0] for message in mail.outbox)


def test_unpaid_orders_are_reminded_after_three_days_then_weekly_once_per_period(shop):
    order = place_order(shop, paid=False, email="late@example.com")
    place_order(shop, email="paid@example.com")
    Order.objects.filter(pk=order.pk).update(created_at=days_ago(1))
    now = timezone.now()
    day = datetime.timedelta(days=1)

    assert _reminded(now) == []
    assert _reminded(now + 2 * day) == ["late@example.com"]
    assert _reminded(now + 2 * day) == []  # the same day again
    assert _reminded(now + 5 * day) == []
    assert _reminded(now + 9 * day) == ["late@example.com"]
    assert _reminded(now + 10 * day) == []
    assert _reminded(now + 16.5 * day) == ["late@example.com"]
    [message] = mail.outbox
    assert "€17.00 still to pay" in message.body
    assert f"/account/orders/{order.number}/" in message.body
    order.refresh_from_db()
    assert order.last_reminded_at == now + 16.5 * day


def test_unpaid_orders_are_reminded_once_two_days_before_the_sales_deadline(shop):
    now = timezone.now()
    shop.shoot.sales_deadline = now + datetime.timedelta(days=5)
    shop.shoot.save()
    order = place_order(shop, paid=False, email="deadline@example.com")
    day = datetime.timedelta(days=1)

    assert _reminded(now) == []
    assert _reminded(now + 2 * day) == []
    assert _reminded(now + 3.5 * day) == ["deadline@example.com"]
    assert "Photo sales close on" in mail.outbox[0].body
    assert _reminded(now + 4 * day) == []  # the weekly one waits a week after this one
    order.refresh_from_db()
    assert order.deadline_reminded_at == now + 3.5 * day


def test_revenue_today_is_payments_minus_refunds_in_the_studio_day(shop, alpha):
    tz = zoneinfo.ZoneInfo("Asia/Tokyo")
    # 01:00 in Tokyo: "today" began an hour ago (yesterday 16:00 UTC).
    now = datetime.datetime(2026, 11, 25, 1, 0, tzinfo=tz)
    paid_today = place_order(shop, paid=False)
    payment_record_offline(
        order=paid_today, amount=Decimal("17"), method="cash", actor=shop.manager
    )
    Payment.objects.filter(order=paid_today).update(
        confirmed_at=now - datetime.timedelta(minutes=30)
    )
    paid_yesterday = place_order(shop, paid=False)
    payment_record_offline(
        order=paid_yesterday, amount=Decimal("5"), method="cash", actor=shop.manager
    )
    Payment.objects.filter(order=paid_yesterday).update(
        confirmed_at=now - datetime.timedelta(hours=2)
    )
    refund = refund_record(order=paid_today, amount=Decimal("2.50"), actor=shop.manager)
    type(refund).objects.filter(pk=refund.pk).update(created_at=now - datetime.timedelta(minutes=5))
    Order.objects.filter(pk=paid_today.pk).update(created_at=now - datetime.timedelta(minutes=40))
    Order.objects.exclude(pk=paid_today.pk).update(created_at=now - datetime.timedelta(hours=3))

    summary = orders_today_summary(currency="EUR", tz=tz, now=now)

    assert summary == {
        "orders_today": 1,
        "revenue_today": Decimal("14.50"),
        "outstanding": Decimal("12.00"),  # 17 − 5 still due on the other order
        "currency": "EUR",
    }


def test_the_dashboard_shows_order_figures_to_managers_only(shop):
    from saas_platform.accounts.models import Role, User

    photographer = User.objects.create_user(
        email="ph-orders@alpha.test", password="pw-123456", role=Role.PHOTOGRAPHER
    )

    assert set(dashboard_summary(user=shop.manager)["orders"]) == {
        "orders_today",
        "revenue_today",
        "outstanding",
        "currency",
    }
    assert "orders" not in dashboard_summary(user=photographer)


def test_the_daily_beat_task_reminds_in_every_studio(alpha, media_in_tmp, run_tasks):
    from django.db import connection
    from django_tenants.utils import schema_context

    from studio.orders.tasks import send_order_reminders_everywhere

    from .conftest import make_shop

    with schema_context(alpha.schema):
        order = place_order(make_shop(), paid=False, email="beat@example.com")
        Order.objects.filter(pk=order.pk).update(created_at=days_ago(4))
    connection.set_schema_to_public()

    send_order_reminders_everywhere()

    assert [message.to for message in mail.outbox] == [["beat@example.com"]]
    assert ("studio.orders.tasks.send_order_reminders", None, None) in run_tasks


def test_a_studio_under_maintenance_gets_no_background_work(alpha, beta, monkeypatch):
    """Its schema is behind the code (its migration failed): the beat's fan-outs pass it by
    until a migration succeeds."""
    from celery import Task
    from django.db import connection
    from django.utils import timezone

    from saas_platform.tasks import SCHEMA_HEADER
    from studio.orders.tasks import send_order_reminders_everywhere
    from studio.photos.tasks import requeue_stuck_photos_everywhere
    from tenants.models import Studio

    sent_to = []  # the schema each task was sent to
    monkeypatch.setattr(
        Task,
        "apply_async",
        lambda self, *a, **options: sent_to.append(options["headers"][SCHEMA_HEADER]),
    )
    connection.set_schema_to_public()
    Studio.objects.filter(pk=alpha.studio.pk).update(maintenance_since=timezone.now())

    send_order_reminders_everywhere()
    requeue_stuck_photos_everywhere()

    assert alpha.schema not in sent_to
    assert sent_to.count(beta.schema) == 2
    Studio.objects.filter(pk=alpha.studio.pk).update(maintenance_since=None)  # migrated again
    send_order_reminders_everywhere()
    assert sent_to.count(alpha.schema) == 1


def test_an_order_of_a_deleted_parent_account_is_never_reminded(shop):
    """Its address is a placeholder (``storefront.account.parent_account_delete``)."""
    from saas_platform.accounts.models import DELETED_EMAIL_DOMAIN

    gone = place_order(shop, paid=False, email=f"deleted-1-ab12@{DELETED_EMAIL_DOMAIN}")
    late = place_order(shop, paid=False, email="late@example.com")
    Order.objects.filter(pk__in=[gone.pk, late.pk]).update(created_at=days_ago(4))

    assert _reminded(timezone.now()) == ["late@example.com"]
