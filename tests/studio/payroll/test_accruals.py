"""What each fact earns: sold photos, percent of a picture day's sales, approved retouches,
the picture day itself and the day rate; the rule in force on the day decides; refunds take
back what the refunded lines earned, never more."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from studio.ledger import accounts
from studio.ledger.models import LedgerTransaction, TransactionKind
from studio.ledger.selectors import balance
from studio.orders.services import refund_record
from studio.payroll.models import PayRuleKind as K
from studio.payroll.selectors import statement
from studio.photos.models import RetouchStatus
from studio.retouching.models import RetouchBatch
from studio.retouching.services import retouch_approve
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_create
from studio.shoots.signals import shoot_published
from tests.studio.payroll.conftest import make_photo, rule, sell, sold


def owed(person) -> Decimal:
    """What the studio owes ``person`` in the books."""
    return -balance(accounts.staff_payable(person.pk), "EUR")


def publish(books, shoot):
    """The picture day's event, sent inside a transaction as ``shoot_transition`` sends it."""
    books(lambda: shoot_published.send(sender=Shoot, shoot=shoot))


def test_a_sold_photo_pays_its_photographer_by_kind_and_quantity(crew, books):
    rule(K.PHOTO_SALE, "2.00", role="photographer", print_amount=Decimal("3.00"))
    order = books(sell, sold(crew, ("print", 2, "10.00"), ("digital", 1, "8.00")))

    assert owed(crew.photographer) == Decimal("8.00")  # 2 prints × 3.00 + 1 file × 2.00
    assert owed(crew.second) == Decimal("0")  # on the picture day, did not take the photo
    assert balance(accounts.account(accounts.STAFF_PAY), "EUR") == Decimal("8.00")
    keys = set(LedgerTransaction.objects.filter(kind="pay").values_list("key", flat=True))
    assert keys == {f"pay:photo-sale:line:{line.pk}" for line in order.lines.all()}


def test_a_persons_own_rule_overrides_their_roles(crew, books):
    rule(K.PHOTO_SALE, "2.00", role="photographer")
    rule(K.PHOTO_SALE, "5.00", person=crew.photographer)
    books(sell, sold(crew, ("digital", 1, "8.00")))
    assert owed(crew.photographer) == Decimal("5.00")


def test_the_percent_of_net_sales_pays_every_photographer_of_the_picture_day(crew, books):
    rule(K.SALES_PERCENT, "10", role="photographer")
    rule(K.SALES_PERCENT, "5", person=crew.second)
    books(sell, sold(crew, ("print", 2, "10.00"), ("digital", 1, "8.50")))
    assert owed(crew.photographer) == Decimal("1.85")
    assert owed(crew.second) == Decimal("0.93")  # 5 % of 18.50 = 0.925, half up


def test_a_new_rate_from_the_15th_applies_to_sales_after_it(crew, books):
    today = timezone.localdate()
    the_15th = today - datetime.timedelta(days=5)
    rule(K.PHOTO_SALE, "2.00", role="photographer", since=today - datetime.timedelta(days=40))
    rule(K.PHOTO_SALE, "3.00", role="photographer", since=the_15th)

    before = timezone.now() - datetime.timedelta(days=10)
    books(sell, sold(crew, ("digital", 1, "8.00")), paid_at=before)
    assert owed(crew.photographer) == Decimal("2.00")
    books(sell, sold(crew, ("digital", 1, "8.00")))
    assert owed(crew.photographer) == Decimal("5.00")
    # a rule that has not started yet changes nothing today
    rule(K.PHOTO_SALE, "9.00", role="photographer", since=today + datetime.timedelta(days=1))
    books(sell, sold(crew, ("digital", 1, "8.00")))
    assert owed(crew.photographer) == Decimal("8.00")


def _submitted(crew, name, seed):
    photo = make_photo(crew.shoot, crew.photographer, name=name, seed=seed)
    batch = RetouchBatch.objects.create(shoot=crew.shoot, retoucher=crew.retoucher)
    photo.retouch_batch = batch
    photo.retouch_status = RetouchStatus.SUBMITTED
    photo.save(update_fields=["retouch_batch", "retouch_status"])
    return photo


def test_an_approved_retouch_pays_its_retoucher_once_even_if_approved_again(crew, books):
    rule(K.RETOUCH, "0.75", role="retoucher")
    first = _submitted(crew, "IMG_7.jpg", 7)
    second = _submitted(crew, "IMG_8.jpg", 8)
    books(retouch_approve, photo=first, actor=crew.manager)
    books(retouch_approve, photo=second, actor=crew.manager)
    assert owed(crew.retoucher) == Decimal("1.50")

    # More work asked for after approval; submitted and approved again: still paid once.
    type(first).objects.filter(pk=first.pk).update(retouch_status=RetouchStatus.SUBMITTED)
    books(retouch_approve, photo=first, actor=crew.manager)
    assert owed(crew.retoucher) == Decimal("1.50")
    assert LedgerTransaction.objects.filter(key=f"pay:retouch:photo:{first.pk}").count() == 1


def test_a_held_picture_day_pays_the_fixed_amount_and_one_day_rate_per_date(crew, books):
    rule(K.PICTURE_DAY, "40.00", role="photographer")
    rule(K.DAY_RATE, "100.00", person=crew.photographer)
    same_day = shoot_create(
        school=crew.school,
        name="Spring, second building",
        date=crew.shoot.date,
        photographers=[crew.photographer],
    )
    publish(books, crew.shoot)
    publish(books, crew.shoot)  # heard twice: paid once
    publish(books, same_day)

    assert owed(crew.photographer) == Decimal("180.00")  # 2 picture days + 1 day worked
    assert owed(crew.second) == Decimal("40.00")  # no day rate for the role


def test_the_day_rate_in_force_on_the_picture_days_date_applies(crew, books):
    rule(K.DAY_RATE, "100.00", role="photographer", since=datetime.date(2026, 1, 1))
    rule(K.DAY_RATE, "120.00", role="photographer", since=crew.shoot.date + datetime.timedelta(1))
    publish(books, crew.shoot)
    assert owed(crew.photographer) == Decimal("100.00")


def test_a_refund_naming_a_line_takes_back_all_that_line_earned(crew, books):
    rule(K.PHOTO_SALE, "2.00", role="photographer", print_amount=Decimal("3.00"))
    rule(K.SALES_PERCENT, "10", role="photographer")
    order = books(sell, sold(crew, ("print", 2, "10.00"), ("digital", 1, "8.00")))
    assert owed(crew.photographer) == Decimal("9.80")  # 6 + 2 + 1.80
    prints = order.lines.get(kind="print")
    books(refund_record, order=order, amount=Decimal("10.00"), line_ids=[prints.pk])

    assert owed(crew.photographer) == Decimal("2.80")  # the prints' 6.00 and 1.00 went back
    assert owed(crew.second) == Decimal("0.80")
    reversals = LedgerTransaction.objects.filter(kind=TransactionKind.PAY_REVERSAL)
    assert reversals.count() == 2 and all(t.refund_id for t in reversals)


def test_a_refund_without_lines_takes_back_its_share_and_never_more_than_earned(crew, books):
    rule(K.PHOTO_SALE, "3.00", role="photographer")
    order = books(sell, sold(crew, ("digital", 1, "10.00"), ("digital", 1, "10.00")))
    assert owed(crew.photographer) == Decimal("6.00")

    books(refund_record, order=order, amount=Decimal("5.00"))  # a quarter of the order
    assert owed(crew.photographer) == Decimal("4.50")
    order.refresh_from_db()
    books(refund_record, order=order, amount=Decimal("15.00"))  # the rest (75 %)
    assert owed(crew.photographer) == Decimal("0.00")


def test_a_whole_order_refunded_in_thirds_takes_back_every_cent(crew, books):
    rule(K.SALES_PERCENT, "10", role="photographer")
    order = books(sell, sold(crew, ("digital", 1, "10.00")))
    assert owed(crew.photographer) == owed(crew.second) == Decimal("1.00")
    for amount in ("3.33", "3.33", "3.34"):
        order.refresh_from_db()
        books(refund_record, order=order, amount=Decimal(amount))
    assert owed(crew.photographer) == owed(crew.second) == Decimal("0.00")
    assert balance(accounts.account(accounts.STAFF_PAY), "EUR") == Decimal("0.00")


def test_the_statement_adds_up_by_kind(crew, books):
    rule(K.PHOTO_SALE, "2.00", role="photographer")
    rule(K.SALES_PERCENT, "10", role="photographer")
    rule(K.PICTURE_DAY, "40.00", role="photographer")
    order = books(sell, sold(crew, ("digital", 2, "16.00")))
    publish(books, crew.shoot)
    books(refund_record, order=order, amount=Decimal("8.00"))

    today = timezone.localdate()
    st = statement(crew.photographer, starts=today.replace(day=1), ends=today)
    assert st.opening == Decimal("0")
    assert st.earned == {
        str(K.PHOTO_SALE.label): Decimal("4.00"),
        str(K.SALES_PERCENT.label): Decimal("1.60"),
        str(K.PICTURE_DAY.label): Decimal("40.00"),
    }
    assert st.reversed == Decimal("2.80")
    assert st.closing == owed(crew.photographer) == Decimal("42.80")
    assert [line.kind for line in st.lines] == [
        "photo-sale",
        "sales-percent",
        "picture-day",
        "reversal",  # one per refunded line and person: the sale's and the percent's pay
    ]
    # the next period opens where this one closed
    later = statement(
        crew.photographer,
        starts=today + datetime.timedelta(days=1),
        ends=today + datetime.timedelta(days=2),
    )
    assert (later.opening, later.closing, later.lines) == (st.closing, st.closing, [])


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"role": "photographer", "person": "x"}, "scope"),
        ({"role": "", "person": None}, "scope"),
        ({"role": "photographer", "amount": "-1"}, "negative"),
        ({"role": "photographer", "kind": K.SALES_PERCENT, "amount": "120"}, "percent"),
    ],
)
def test_a_rule_must_be_for_one_scope_and_sane(crew, kw, code):
    from django.core.exceptions import ValidationError

    if kw.get("person") == "x":
        kw["person"] = crew.photographer
    kind = kw.pop("kind", K.PHOTO_SALE)
    amount = kw.pop("amount", "1")
    with pytest.raises(ValidationError) as error:
        rule(kind, amount, **kw)
    assert error.value.code == code
