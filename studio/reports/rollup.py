"""The period's sales summed per day, school, class, picture day, product and photographer,
from the sold lines, kept day by day.

A month of sales is a few days that still change and many that do not. Each day's sums are
cached under a fingerprint of that day's orders (how many, the highest id, what was paid and
refunded, how many were cancelled, a hash of their e-mails): an order placed, paid, refunded
or cancelled changes its day's fingerprint, so the next page recomputes that day alone, in the
same statement as any other day that changed. Sums of days add up exactly (an order belongs to
the day it was placed); families (distinct e-mails, as 64-bit hashes: no address is cached)
and photos sold are kept as sets per day and united.

What the fingerprint does not see — a child moved to another class, a photo given another
photographer, a picture day moved to another school — reaches the figures when the day's
entry expires (``DAY_SECONDS``)."""

import hashlib
from collections import defaultdict
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from studio.orders.models import Order, OrderLine, fulfillable_q
from studio.photos.models import Photo
from studio.schools.models import SchoolClass, Student
from studio.shoots.models import Shoot

DAY_SECONDS = 10 * 60
KEYS = ("school_id", "class_id", "shoot_id", "kind", "product_id", "package_id", "photographer_id")
# Every grouping is per day as well; the period's rows are the days' rows added up.
GROUPS = {
    "day": (),
    "school": ("school_id",),
    "class": ("class_id",),
    "shoot": ("shoot_id",),
    "product": ("kind", "product_id", "package_id"),
    "photographer": ("photographer_id",),
}
_MASKS = {
    sum(1 << (len(KEYS) - 1 - i) for i, key in enumerate(KEYS) if key not in keys): name
    for name, keys in GROUPS.items()
}


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _orders(period):
    return Order.objects.filter(
        currency=period.currency, created_at__gte=period.starts_at, created_at__lt=period.ends_at
    ).order_by()


# An order's day in the studio's time zone (the zone's name is the parameter).
DAY_SQL = "(o.created_at AT TIME ZONE %s)::date"


def day_fingerprints(period) -> dict:
    """Each day of the period that has orders, with what its sums depend on."""
    orders_sql, orders_params = _orders(period).values("id").query.sql_with_params()
    table = _table(Order)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT {DAY_SQL} AS day, COUNT(*), MAX(o.id), SUM(o.paid_total),
                SUM(o.refunded_total), COUNT(*) FILTER (WHERE o.progress = 'cancelled'),
                SUM(hashtext(LOWER(o.email))::bigint)
            FROM {table} o WHERE o.id IN ({orders_sql})
            GROUP BY 1
            """,
            [timezone.get_current_timezone_name(), *orders_params],
        )
        return {day: "|".join(map(str, rest)) for day, *rest in cursor.fetchall()}


def _cache_key(period, day, fingerprint: str) -> str:
    scope = f"{period.currency}|{period.school_id}|{timezone.get_current_timezone_name()}"
    digest = hashlib.sha256(f"{scope}|{day}|{fingerprint}".encode()).hexdigest()[:32]
    return f"reports:sales-day:{digest}"


def days_compute(period, days: list) -> dict:
    """The sums of ``days`` (dates of the period), each as the cache keeps it."""
    orders = (
        _orders(period)
        .filter(fulfillable_q())
        .values("id", "created_at", "email", "total", "refunded_total")
    )
    orders_sql, orders_params = orders.query.sql_with_params()
    line = _table(OrderLine)
    school_filter, school_params = "", []
    if period.school_id:
        school_filter, school_params = "WHERE school_id = %s", [period.school_id]
    keys = ", ".join(KEYS)
    sets = ", ".join(f"({', '.join(('day', *group))})" for group in GROUPS.values())

    def only(key: str) -> str:  # the grouping columns with just ``key`` filled
        return ", ".join(
            name if name == key else ("NULL::text" if name == "kind" else "NULL::integer")
            for name in KEYS
        )

    # Only the asked days' orders are read: their lines, refunds and joins, nothing else.
    sql = f"""
        WITH o AS (SELECT * FROM ({orders_sql}) o WHERE {DAY_SQL} = ANY(%s)),
        refunded_lines AS (
            SELECT l.order_id, SUM(l.net) AS amount
            FROM {line} l JOIN o ON o.id = l.order_id
            WHERE l.refunded GROUP BY l.order_id
        ),
        sold AS MATERIALIZED (
            SELECT * FROM (
                SELECT l.order_id, l.quantity, l.kind, l.product_id, l.package_id, l.shoot_id,
                    st.school_class_id AS class_id,
                    COALESCE(sh.school_id, cls.school_id) AS school_id,
                    {DAY_SQL} AS day, ph.photographer_id, l.photo_id, l.refunded,
                    ('x' || LEFT(MD5(LOWER(o.email)), 16))::bit(64)::bigint AS family,
                    CASE
                        WHEN o.refunded_total <= 0 THEN l.net
                        WHEN l.refunded THEN GREATEST(
                            l.net - l.net * LEAST(o.refunded_total, r.amount)
                                / NULLIF(r.amount, 0), 0)
                        ELSE COALESCE(GREATEST(
                            l.net - l.net * GREATEST(o.refunded_total - COALESCE(r.amount, 0), 0)
                                / NULLIF(o.total - COALESCE(r.amount, 0), 0), 0), 0)
                    END AS revenue
                FROM {line} l
                JOIN o ON o.id = l.order_id
                LEFT JOIN refunded_lines r ON r.order_id = l.order_id
                LEFT JOIN {_table(Shoot)} sh ON sh.id = l.shoot_id
                LEFT JOIN {_table(Student)} st ON st.id = l.child_id
                LEFT JOIN {_table(SchoolClass)} cls ON cls.id = st.school_class_id
                LEFT JOIN {_table(Photo)} ph ON ph.id = l.photo_id
            ) lines {school_filter}
        )
        SELECT 'sales', GROUPING({keys}), day, {keys},
            COUNT(DISTINCT order_id), COALESCE(SUM(quantity), 0), COALESCE(SUM(revenue), 0)
        FROM sold
        GROUP BY GROUPING SETS ({sets})
        UNION ALL
        SELECT DISTINCT 'family', NULL::integer, day, {only("school_id")}, family,
            NULL::bigint, NULL::numeric
        FROM sold
        UNION ALL
        SELECT DISTINCT 'photo', NULL::integer, day, {only("photographer_id")}, photo_id::bigint,
            NULL::bigint, NULL::numeric
        FROM sold WHERE photo_id IS NOT NULL AND NOT refunded
    """
    zone = timezone.get_current_timezone_name()
    params = [*orders_params, zone, days, zone, *school_params]
    computed = {
        day: {"rows": {name: [] for name in GROUPS}, "families": {}, "photos": {}} for day in days
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for what, mask, day, *values in cursor.fetchall():
            row = dict(zip(KEYS, values[: len(KEYS)], strict=True))
            counted, items, revenue = values[len(KEYS) :]
            entry = computed[day]
            if what == "family":
                entry["families"].setdefault(row["school_id"], set()).add(counted)
            elif what == "photo":
                entry["photos"].setdefault(row["photographer_id"], set()).add(counted)
            else:
                row.update(day=day, orders=counted, items=items, revenue=revenue)
                entry["rows"][_MASKS[mask]].append(row)
    return computed


def sales_rollup(period) -> dict[str, list[dict]]:
    """Rows per grouping (``total``, ``day``, ``school``, ``class``, ``shoot``, ``product``,
    ``photographer``) of orders, items and revenue; school rows with ``families``,
    photographer rows with ``photos``. Only days whose orders changed are read again."""
    fingerprints = day_fingerprints(period)
    keys = {day: _cache_key(period, day, fp) for day, fp in fingerprints.items()}
    found = cache.get_many(list(keys.values()))
    days = {day: found[key] for day, key in keys.items() if key in found}
    missing = sorted(day for day in keys if keys[day] not in found)
    if missing:
        computed = days_compute(period, missing)
        cache.set_many({keys[day]: computed[day] for day in missing}, DAY_SECONDS)
        days.update(computed)
    return _merge(days)


def _merge(days: dict) -> dict[str, list[dict]]:
    merged: dict[str, dict] = {name: {} for name in GROUPS}
    families, photos = defaultdict(set), defaultdict(set)
    for entry in days.values():
        for name, group in GROUPS.items():
            for row in entry["rows"][name]:
                key = row["day"] if name == "day" else tuple(row[k] for k in group)
                total = merged[name].setdefault(
                    key, {**row, "orders": 0, "items": 0, "revenue": Decimal(0)}
                )
                total["orders"] += row["orders"]
                total["items"] += row["items"]
                total["revenue"] += row["revenue"]
        for school_id, found in entry["families"].items():
            families[school_id] |= found
        for photographer_id, found in entry["photos"].items():
            photos[photographer_id] |= found
    rollup = {name: list(rows.values()) for name, rows in merged.items()}
    day_rows = rollup["day"]
    rollup["total"] = (
        [
            {
                "orders": sum(r["orders"] for r in day_rows),
                "items": sum(r["items"] for r in day_rows),
                "revenue": sum((r["revenue"] for r in day_rows), Decimal(0)),
            }
        ]
        if day_rows
        else []
    )
    for row in rollup["school"]:
        row["families"] = len(families.get(row["school_id"], ()))
    for row in rollup["photographer"]:
        row["photos"] = len(photos.get(row["photographer_id"], ()))
    return rollup
