"""The studio's figures, each one aggregate query (never a loop over orders), so the page
stays fast with tens of thousands of orders.

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

from django.db.models import (
    Aggregate,
    Case,
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
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least, Lower, NullIf, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saas_platform.accounts.models import User
from saas_platform.money import quantize
from studio.access.models import AccessCode, AccessCodeKind
from studio.catalogue.kinds import ProductKind
from studio.ledger import selectors as ledger
from studio.orders.models import Order, OrderLine, fulfillable_q
from studio.photos.models import Photo
from studio.retouching.models import RetouchEvent, RetouchEventKind
from studio.schools.models import School

from .tables import COUNT, DATE, DURATION, MONEY, PERCENT, Column, Table

AMOUNT = DecimalField(max_digits=20, decimal_places=6)
ZERO = Value(Decimal("0"), output_field=AMOUNT)
# Unpaid balances by age in whole days: (label, from day, to day or None).
AGE_BUCKETS = (("0–7", 0, 7), ("8–30", 8, 30), ("31+", 31, None))
KIND_LABELS = {**dict(ProductKind.choices), "package": gettext_lazy("Package")}
GROUPS = ("day", "school", "class", "shoot", "product")


@dataclass(frozen=True)
class Period:
    """[starts_at, ends_at) made from whole days in the studio's time zone, optionally one
    school, in one currency (sums never mix currencies)."""

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


def _line_revenue():
    """The line's net less its share of the order's refunds (see the module's docstring)."""
    net, refunded, total = F("net"), F("order__refunded_total"), F("order__total")
    refunded_lines = Coalesce(
        Subquery(
            OrderLine.objects.filter(order=OuterRef("order"), refunded=True)
            .order_by()
            .values("order")
            .annotate(amount=Sum("net"))
            .values("amount")[:1],
            output_field=AMOUNT,
        ),
        ZERO,
    )
    return Case(
        When(order__refunded_total__lte=0, then=net),
        When(
            refunded=True,
            then=Greatest(
                net - net * Least(refunded, refunded_lines) / NullIf(refunded_lines, 0), 0
            ),
        ),
        default=Coalesce(
            Greatest(
                net
                - net * Greatest(refunded - refunded_lines, 0) / NullIf(total - refunded_lines, 0),
                0,
            ),
            ZERO,
        ),
        output_field=AMOUNT,
    )


def sold_lines(period: Period):
    """Lines sold in the period, each with its ``line_revenue`` and ``line_school``."""
    lines = OrderLine.objects.filter(
        fulfillable_q("order__"),
        order__currency=period.currency,
        order__created_at__gte=period.starts_at,
        order__created_at__lt=period.ends_at,
    ).annotate(line_school=_line_school())
    if period.school_id:
        lines = lines.filter(line_school=period.school_id)
    return lines.annotate(line_revenue=_line_revenue())


def _money(value, currency: str) -> Decimal:
    return quantize(value or Decimal("0"), currency)


def _ratio(part, whole) -> Decimal | None:
    """A share in per cent, or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def totals(period: Period) -> dict:
    """The headline figures: revenue, orders, items and the average order."""
    figures = sold_lines(period).aggregate(
        revenue=Sum("line_revenue"), orders=Count("order", distinct=True), items=Sum("quantity")
    )
    revenue = _money(figures["revenue"], period.currency)
    orders = figures["orders"] or 0
    return {
        "revenue": revenue,
        "orders": orders,
        "items": figures["items"] or 0,
        "average_order": _money(revenue / orders, period.currency) if orders else None,
    }


def _sales_columns(first: Column) -> list[Column]:
    return [
        first,
        Column("orders", _("Orders"), COUNT),
        Column("items", _("Items"), COUNT),
        Column("revenue", _("Revenue"), MONEY),
    ]


_SALES_SUMS = {
    "orders": Count("order", distinct=True),
    "items": Sum("quantity"),
    "revenue": Sum("line_revenue"),
}


def sales_by_day(period: Period) -> Table:
    """Every day of the period, days without sales as zeros (so the chart has no gaps)."""
    rows = (
        sold_lines(period)
        .annotate(day=TruncDate("order__created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(**_SALES_SUMS)
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
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


def _grouped(period: Period, key: str, title: str, fields: tuple, label) -> Table:
    rows = sold_lines(period).values(*fields).annotate(**_SALES_SUMS).order_by("-revenue", *fields)
    table = Table(key, title, _sales_columns(Column("name", _("Name"))), currency=period.currency)
    table.rows = [
        [label(row), row["orders"], row["items"] or 0, _money(row["revenue"], period.currency)]
        for row in rows
    ]
    return table


def sales_by_school(period: Period) -> Table:
    names = dict(School.objects.values_list("pk", "name"))
    return _grouped(
        period,
        "sales_by_school",
        _("Sales by school"),
        ("line_school",),
        lambda row: names.get(row["line_school"], _("No school")),
    )


def sales_by_class(period: Period) -> Table:
    return _grouped(
        period,
        "sales_by_class",
        _("Sales by class"),
        (
            "child__school_class_id",
            "child__school_class__name",
            "child__school_class__school__name",
        ),
        lambda row: (
            f"{row['child__school_class__school__name']} — {row['child__school_class__name']}"
            if row["child__school_class_id"]
            else _("No class")
        ),
    )


def sales_by_shoot(period: Period) -> Table:
    return _grouped(
        period,
        "sales_by_shoot",
        _("Sales by picture day"),
        ("shoot_id", "shoot__name", "shoot__school__name"),
        lambda row: (
            f"{row['shoot__name']} ({row['shoot__school__name']})"
            if row["shoot_id"]
            else _("No picture day")
        ),
    )


def sales_by_product(period: Period) -> Table:
    return _grouped(
        period,
        "sales_by_product",
        _("Sales by product"),
        ("kind", "product_id", "product__name", "package_id", "package__name"),
        lambda row: (
            row["product__name"]
            or row["package__name"]
            or str(KIND_LABELS.get(row["kind"], row["kind"]))
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
    bought = {
        row["line_school"]: row
        for row in sold_lines(period)
        .values("line_school")
        .annotate(
            families=Count(Lower("order__email"), distinct=True),
            orders=Count("order", distinct=True),
            revenue=Sum("line_revenue"),
        )
        .order_by()
    }
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
        row["photo__photographer"]: row
        for row in sold_lines(period)
        .filter(photo__isnull=False, refunded=False)
        .values("photo__photographer")
        .annotate(photos=Count("photo", distinct=True), revenue=Sum("line_revenue"))
        .order_by()
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
    ("refunded", gettext_lazy("Refunded")),
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
