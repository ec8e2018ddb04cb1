"""The studio's figures from aggregate queries (never a loop over orders), so the page stays
fast with tens of thousands of orders: every sales grouping comes from one pass over the sold
lines (``rollup.sales_rollup``, GROUPING SETS, kept day by day), the other tables from one
query each.

Definitions, shown on the page too:

* A sale is a line of an order that was paid in full (``fulfillable_q``: paid, in fulfilment,
  completed, or paid and then partly refunded), counted on the day the order was placed, in
  the studio's time zone.
* A line's revenue is its net amount less its share of the order's refunds: a refund that
  named lines is taken from those lines first, the rest of a refund is spread over the order's
  other lines in proportion to their amounts. Summed over an order it is total − refunded.
* A line belongs to the school of its picture day (or of the child, for a line without one).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property

from django.db.models import (
    Aggregate,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from saas_platform.accounts.models import User
from saas_platform.money import quantize
from studio.access.models import AccessCode, AccessCodeKind
from studio.catalogue.kinds import ProductKind
from studio.catalogue.models import Package, Product
from studio.ledger import selectors as ledger
from studio.orders.models import Order, OrderLine, fulfillable_q
from studio.photos.models import Photo
from studio.retouching.models import RetouchEvent, RetouchEventKind
from studio.schools.models import School, SchoolClass
from studio.shoots.models import Shoot

from . import rollup
from .tables import COUNT, DATE, DURATION, MONEY, PERCENT, Column, Table

AMOUNT = DecimalField(max_digits=20, decimal_places=6)
ZERO = Value(Decimal("0"), output_field=AMOUNT)
# Unpaid balances by age in whole days: (label, from day, to day or None).
AGE_BUCKETS = (("0–7", 0, 7), ("8–30", 8, 30), ("31+", 31, None))
KIND_LABELS = {
    **dict(ProductKind.choices),
    "package": gettext_lazy("Package"),
    "late_fee": gettext_lazy("late fee"),  # a late order's fee line (studio.catalogue.pricing)
}
GROUPS = ("day", "school", "class", "shoot", "product")


@dataclass
class Period:
    """[starts_at, ends_at) made from whole days in the studio's time zone, optionally one
    school, in one currency (sums never mix currencies). Its sales are summed once, on first
    use, for every table that needs them."""

    first_day: date
    last_day: date
    currency: str
    school_id: int | None = None

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first_day, time.min))

    @property
    def ends_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last_day + timedelta(days=1), time.min))

    @cached_property
    def sales(self) -> dict[str, list[dict]]:
        return rollup.sales_rollup(self)


def default_period(currency: str, school_id: int | None = None) -> Period:
    """The last 30 days, today included."""
    today = timezone.localdate()
    return Period(today - timedelta(days=29), today, currency, school_id)


class Median(Aggregate):
    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _line_school():
    return Coalesce(F("shoot__school_id"), F("child__school_class__school_id"))


def _money(value, currency: str) -> Decimal:
    return quantize(value or Decimal("0"), currency)


def _ratio(part, whole) -> Decimal | None:
    """A share in per cent, or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def totals(period: Period) -> dict:
    """The headline figures: revenue, orders, items and the average order."""
    figures = (period.sales["total"] or [{}])[0]
    revenue = _money(figures.get("revenue"), period.currency)
    orders = figures.get("orders") or 0
    return {
        "revenue": revenue,
        "orders": orders,
        "items": figures.get("items") or 0,
        "average_order": _money(revenue / orders, period.currency) if orders else None,
    }


def _sales_columns(first: Column) -> list[Column]:
    return [
        first,
        Column("orders", _("Orders"), COUNT),
        Column("items", _("Items"), COUNT),
        Column("revenue", _("Revenue"), MONEY),
    ]


def sales_by_day(period: Period) -> Table:
    """Every day of the period, days without sales as zeros (so the chart has no gaps)."""
    by_day = {row["day"]: row for row in period.sales["day"]}
    table = Table(
        "sales_by_day",
        _("Sales by day"),
        _sales_columns(Column("day", _("Day"), DATE)),
        currency=period.currency,
    )
    day = period.first_day
    while day <= period.last_day:
        row = by_day.get(day, {})
        table.rows.append(
            [
                day,
                row.get("orders", 0),
                row.get("items") or 0,
                _money(row.get("revenue"), period.currency),
            ]
        )
        day += timedelta(days=1)
    return table


def _grouped(period: Period, key: str, title: str, group: str, label) -> Table:
    """A table of one grouping, the best-selling first; ``label(row)`` names a row."""
    table = Table(key, title, _sales_columns(Column("name", _("Name"))), currency=period.currency)
    rows = [
        [str(label(row)), row["orders"], row["items"], _money(row["revenue"], period.currency)]
        for row in period.sales[group]
    ]
    table.rows = sorted(rows, key=lambda row: (-row[3], row[0]))
    return table


def sales_by_school(period: Period) -> Table:
    names = dict(School.objects.values_list("pk", "name"))
    return _grouped(
        period,
        "sales_by_school",
        _("Sales by school"),
        "school",
        lambda row: names.get(row["school_id"], _("No school")),
    )


def sales_by_class(period: Period) -> Table:
    ids = [row["class_id"] for row in period.sales["class"] if row["class_id"]]
    names = {
        pk: f"{school} — {name}"
        for pk, name, school in SchoolClass.objects.filter(pk__in=ids).values_list(
            "pk", "name", "school__name"
        )
    }
    return _grouped(
        period,
        "sales_by_class",
        _("Sales by class"),
        "class",
        lambda row: names.get(row["class_id"], _("No class")),
    )


def sales_by_shoot(period: Period) -> Table:
    ids = [row["shoot_id"] for row in period.sales["shoot"] if row["shoot_id"]]
    names = {
        pk: f"{name} ({school})"
        for pk, name, school in Shoot.objects.filter(pk__in=ids).values_list(
            "pk", "name", "school__name"
        )
    }
    return _grouped(
        period,
        "sales_by_shoot",
        _("Sales by picture day"),
        "shoot",
        lambda row: names.get(row["shoot_id"], _("No picture day")),
    )


def sales_by_product(period: Period) -> Table:
    rows = period.sales["product"]
    products = dict(
        Product.objects.filter(pk__in={row["product_id"] for row in rows}).values_list("pk", "name")
    )
    packages = dict(
        Package.objects.filter(pk__in={row["package_id"] for row in rows}).values_list("pk", "name")
    )
    return _grouped(
        period,
        "sales_by_product",
        _("Sales by product"),
        "product",
        lambda row: (
            products.get(row["product_id"])
            or packages.get(row["package_id"])
            or KIND_LABELS.get(row["kind"], row["kind"])
        ),
    )


SALES_TABLES = {
    "day": sales_by_day,
    "school": sales_by_school,
    "class": sales_by_class,
    "shoot": sales_by_shoot,
    "product": sales_by_product,
}


def conversion_by_school(period: Period) -> Table:
    """Families who bought (distinct e-mails) ÷ the child codes that were open during the
    period, and the average order, per school."""
    bought = {row["school_id"]: row for row in period.sales["school"]}
    codes = AccessCode.objects.filter(
        kind=AccessCodeKind.STUDENT,
        revoked_at__isnull=True,
        created_at__lt=period.ends_at,
        expires_at__gte=period.starts_at,
    )
    if period.school_id:
        codes = codes.filter(shoot__school_id=period.school_id)
    issued = dict(
        codes.values("shoot__school_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("shoot__school_id", "n")
    )
    names = dict(School.objects.filter(pk__in=set(bought) | set(issued)).values_list("pk", "name"))
    table = Table(
        "conversion_by_school",
        _("Conversion and average order by school"),
        [
            Column("school", _("School")),
            Column("codes", _("Access codes issued"), COUNT),
            Column("families", _("Families who bought"), COUNT),
            Column("conversion", _("Conversion"), PERCENT),
            Column("orders", _("Orders"), COUNT),
            Column("average_order", _("Average order"), MONEY),
        ],
        currency=period.currency,
        note=_(
            "Conversion: families (distinct e-mails) who bought ÷ child access codes open "
            "during the period."
        ),
    )
    for school_id in sorted(set(bought) | set(issued), key=lambda pk: names.get(pk, "")):
        row = bought.get(school_id, {})
        orders = row.get("orders", 0)
        revenue = row.get("revenue") or Decimal("0")
        table.rows.append(
            [
                names.get(school_id, _("No school")),
                issued.get(school_id, 0),
                row.get("families", 0),
                _ratio(row.get("families", 0), issued.get(school_id, 0)),
                orders,
                _money(revenue / orders, period.currency) if orders else None,
            ]
        )
    return table


def _names(ids) -> dict:
    return {
        user.pk: user.get_full_name()
        for user in User.objects.filter(pk__in=ids).only("pk", "full_name", "email")
    }


def photographers(period: Period) -> Table:
    """Photos taken in the period and the share of them sold (ever, on a paid order, on a
    line not refunded); photos sold and the revenue of their lines in the period."""
    photos = Photo.objects.annotate(taken_at=Coalesce("captured_at", "uploaded_at")).filter(
        taken_at__gte=period.starts_at, taken_at__lt=period.ends_at
    )
    if period.school_id:
        photos = photos.filter(shoot__school_id=period.school_id)
    ever_sold = OrderLine.objects.filter(
        fulfillable_q("order__"), photo=OuterRef("pk"), refunded=False
    )
    taken = {
        row["photographer"]: row
        for row in photos.values("photographer")
        .annotate(taken=Count("id"), taken_sold=Count("id", filter=Q(Exists(ever_sold))))
        .order_by()
    }
    sold = {
        row["photographer_id"]: row
        for row in period.sales["photographer"]
        if row["photographer_id"] is not None
    }
    names = _names(set(taken) | set(sold))
    table = Table(
        "photographers",
        _("Photographers"),
        [
            Column("person", _("Person")),
            Column("photos_taken", _("Photos taken"), COUNT),
            Column("photos_sold", _("Photos sold"), COUNT),
            Column("sell_through", _("Sell-through"), PERCENT),
            Column("revenue", _("Revenue attributed"), MONEY),
        ],
        currency=period.currency,
        note=_(
            "Sell-through: the share of the photos taken in the period that sold. Revenue "
            "attributed: sold lines of each photographer's photos."
        ),
    )
    for person in sorted(set(taken) | set(sold), key=lambda pk: names.get(pk, "")):
        took, sold_row = taken.get(person, {}), sold.get(person, {})
        table.rows.append(
            [
                names.get(person, "—"),
                took.get("taken", 0),
                sold_row.get("photos", 0),
                _ratio(took.get("taken_sold", 0), took.get("taken", 0)),
                _money(sold_row.get("revenue"), period.currency),
            ]
        )
    return table


def retouchers(period: Period) -> Table:
    """Per retoucher (the batch's): photos approved, send-backs ÷ submissions, and the median
    time from claiming (or being sent back) to submitting."""
    events = RetouchEvent.objects.filter(
        created_at__gte=period.starts_at, created_at__lt=period.ends_at, batch__isnull=False
    )
    if period.school_id:
        events = events.filter(photo__shoot__school_id=period.school_id)
    counts = {
        row["batch__retoucher"]: row
        for row in events.values("batch__retoucher")
        .annotate(
            approved=Count("id", filter=Q(kind=RetouchEventKind.APPROVED)),
            submitted=Count("id", filter=Q(kind=RetouchEventKind.SUBMITTED)),
            sent_back=Count("id", filter=Q(kind=RetouchEventKind.SENT_BACK)),
        )
        .order_by()
    }
    started = RetouchEvent.objects.filter(
        photo=OuterRef("photo"),
        kind__in=[RetouchEventKind.CLAIMED, RetouchEventKind.SENT_BACK],
        created_at__lte=OuterRef("created_at"),
    ).order_by("-created_at", "-id")
    turnaround = dict(
        events.filter(kind=RetouchEventKind.SUBMITTED)
        .annotate(started_at=Subquery(started.values("created_at")[:1]))
        .values("batch__retoucher")
        .annotate(
            median=Median(
                ExpressionWrapper(F("created_at") - F("started_at"), output_field=DurationField())
            )
        )
        .order_by()
        .values_list("batch__retoucher", "median")
    )
    names = _names(counts)
    table = Table(
        "retouchers",
        _("Retouchers"),
        [
            Column("person", _("Person")),
            Column("approved", _("Retouches done"), COUNT),
            Column("submitted", _("Submitted"), COUNT),
            Column("send_back_rate", _("Sent back"), PERCENT),
            Column("median_turnaround", _("Median turnaround, hours"), DURATION),
        ],
        note=_(
            "Retouches done: photos approved. Sent back: send-backs ÷ submissions. "
            "Turnaround: from claiming (or a send-back) to submitting."
        ),
    )
    for person in sorted(counts, key=lambda pk: names.get(pk, "")):
        row = counts[person]
        table.rows.append(
            [
                names.get(person, "—"),
                row["approved"],
                row["submitted"],
                _ratio(row["sent_back"], row["submitted"]),
                _hours(turnaround.get(person)),
            ]
        )
    return table


def _hours(duration: timedelta | None) -> Decimal | None:
    if duration is None:
        return None
    return (Decimal(duration.total_seconds()) / 3600).quantize(Decimal("0.1"))


def unpaid_ageing(period: Period, *, now: datetime | None = None) -> Table:
    """Orders still waiting for (some of) their money, by age today (the period does not
    apply, the school does)."""
    now = now or timezone.now()
    orders = Order.objects.payable().filter(currency=period.currency, total__gt=F("paid_total"))
    if period.school_id:
        orders = orders.filter(
            Exists(
                OrderLine.objects.annotate(line_school=_line_school()).filter(
                    order=OuterRef("pk"), line_school=period.school_id
                )
            )
        )
    due = ExpressionWrapper(F("total") - F("paid_total"), output_field=AMOUNT)
    sums = {}
    for index, (_label, first, last) in enumerate(AGE_BUCKETS):
        within = Q(created_at__lte=now - timedelta(days=first))
        if last is not None:
            within &= Q(created_at__gt=now - timedelta(days=last + 1))
        sums[f"n{index}"] = Count("id", filter=within)
        sums[f"due{index}"] = Sum(due, filter=within)
    figures = orders.aggregate(**sums)
    table = Table(
        "unpaid_ageing",
        _("Unpaid balances by age"),
        [
            Column("age", _("Age in days")),
            Column("orders", _("Orders"), COUNT),
            Column("balance_due", _("Balance due"), MONEY),
        ],
        currency=period.currency,
        note=_("Orders waiting for payment today, by days since they were placed."),
    )
    for index, (label, _first, _last) in enumerate(AGE_BUCKETS):
        table.rows.append(
            [label, figures[f"n{index}"], _money(figures[f"due{index}"], period.currency)]
        )
    return table


LEDGER_FIGURES = (
    ("received", gettext_lazy("Received")),
    ("refunded", pgettext_lazy("money", "Refunded")),
    ("discounts", gettext_lazy("Discounts")),
    ("platform_fees", gettext_lazy("Platform fees")),
    ("commissions", gettext_lazy("School commissions")),
    ("staff_pay", gettext_lazy("Staff pay")),
    ("studio_revenue", gettext_lazy("Studio revenue")),
)


def ledger_summary(period: Period) -> Table:
    """The books' view of the same period (the whole studio: the ledger has no schools)."""
    summary = ledger.summary(period.currency, starts_at=period.starts_at, ends_at=period.ends_at)
    table = Table(
        "ledger_summary",
        _("The books for the period"),
        [Column("figure", _("Figure")), Column("amount", _("Amount"), MONEY)],
        currency=period.currency,
        note=_(
            "From the ledger, by the time money moved (sales above count the day an order "
            "was placed), for the whole studio."
        ),
    )
    table.rows = [[str(label), summary.amount(name)] for name, label in LEDGER_FIGURES]
    return table


REPORT_TABLES = {
    "sales_by_day": sales_by_day,
    "sales_by_school": sales_by_school,
    "sales_by_class": sales_by_class,
    "sales_by_shoot": sales_by_shoot,
    "sales_by_product": sales_by_product,
    "conversion_by_school": conversion_by_school,
    "photographers": photographers,
    "retouchers": retouchers,
    "unpaid_ageing": unpaid_ageing,
    "ledger_summary": ledger_summary,
}


def order_currencies(default: str) -> list[str]:
    """The studio's currency first, then any other its orders were placed in."""
    others = (
        Order.objects.exclude(currency=default)
        .values_list("currency", flat=True)
        .distinct()
        .order_by("currency")
    )
    return [default, *others]
