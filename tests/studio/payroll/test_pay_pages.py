"""The pages: owners and managers see everyone's pay, the owner adjusts and runs pay (in the
audit log, each balance paid once), photographers see their own earnings and nothing else,
another studio's people are not found."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.audit.models import AuditEntry
from studio.ledger import accounts
from studio.ledger.models import LedgerTransaction, TransactionKind
from studio.ledger.selectors import balance
from studio.payroll.models import PayRuleKind as K
from studio.payroll.models import PayRun
from studio.payroll.services import adjustment_record, pay_run_create, profile_save
from tests.conftest import logged_in_client, push_id_sequences
from tests.studio.payroll.conftest import rule, sell, sold


def owed(person) -> Decimal:
    return -balance(accounts.staff_payable(person.pk), "EUR")


def test_an_owners_adjustment_is_booked_and_audited_with_its_reason(crew, alpha):
    client = logged_in_client(alpha, crew.owner)
    url = f"/staff/pay/people/{crew.photographer.pk}/adjust/"
    form = {"amount": "25.00", "reason": "Weekend shoot", "key": "k-1"}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302  # submitted twice: recorded once
    client.post(url, {"amount": "-5", "reason": "Lost lens cap", "key": "k-2"})
    with schema_context(alpha.schema):
        assert owed(crew.photographer) == Decimal("20.00")
        entries = AuditEntry.objects.filter(kind="pay_adjusted").order_by("id")
        assert [(e.subject, e.actor_id, e.changes[1]["new"]) for e in entries] == [
            ("Pavel", crew.owner.pk, "Weekend shoot"),
            ("Pavel", crew.owner.pk, "Lost lens cap"),
        ]
        assert entries[1].changes[0]["new"] == "-5.00 EUR"
        assert LedgerTransaction.objects.filter(kind=TransactionKind.PAY_ADJUSTMENT).count() == 2
        with pytest.raises(ValidationError):
            adjustment_record(person=crew.photographer, amount=Decimal("5"), reason=" ", actor=None)

    # a manager sees the person's pay but cannot adjust it
    manager = logged_in_client(alpha, crew.manager)
    assert manager.get(f"/staff/pay/people/{crew.photographer.pk}/").status_code == 200
    assert manager.post(url, {"amount": "1", "reason": "x", "key": "k-3"}).status_code == 403
    with schema_context(alpha.schema):
        assert owed(crew.photographer) == Decimal("20.00")


def test_a_pay_run_pays_every_balance_due_once_and_exports_the_transfers(crew, books, alpha):
    rule(K.PHOTO_SALE, "2.00", role="photographer")
    rule(K.SALES_PERCENT, "10", role="photographer")
    books(sell, sold(crew, ("digital", 2, "20.00")))
    profile_save(
        person=crew.photographer, account_holder="Pavel Ivanov", bank_account="de89 3704 0044"
    )
    today = timezone.localdate()

    client = logged_in_client(alpha, crew.owner)
    response = client.post("/staff/pay/runs/", {"period_end": today.isoformat()})
    assert response.status_code == 302
    with schema_context(alpha.schema):
        run = PayRun.objects.get()
        assert owed(crew.photographer) == owed(crew.second) == Decimal("0")
        # the order's 20.00 came in by transfer, 6.00 + 2.00 went out
        assert balance(accounts.account(accounts.BANK), "EUR") == Decimal("12.00")
        lines = {line.person_id: line for line in run.lines.all()}
        assert {p: line.amount for p, line in lines.items()} == {
            crew.photographer.pk: Decimal("6.000"),
            crew.second.pk: Decimal("2.000"),
        }
    exported = client.get(f"/staff/pay/runs/{run.pk}/transfers.csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["name", "account", "amount", "currency", "reference"]
    assert [
        "Pavel Ivanov",
        "DE8937040044",
        "6.00",
        "EUR",
        lines[crew.photographer.pk].reference,
    ] in rows

    # run again: nothing left to pay, the owner is told so and nothing is written
    again = client.post("/staff/pay/runs/", {"period_end": today.isoformat()})
    assert again.status_code == 200
    assert "Nobody is owed anything" in again.content.decode()
    with schema_context(alpha.schema):
        assert PayRun.objects.count() == 1
        assert LedgerTransaction.objects.filter(kind=TransactionKind.PAYOUT).count() == 2


def test_a_pay_run_pays_only_work_up_to_its_period_end(crew, books, alpha):
    import datetime

    rule(K.PHOTO_SALE, "2.00", role="photographer")
    books(sell, sold(crew, ("digital", 1, "10.00")))
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        pay_run_create(period_end=today - datetime.timedelta(days=1), actor=crew.owner)
    assert error.value.code == "nothing_due"
    with pytest.raises(ValidationError):
        pay_run_create(period_end=today + datetime.timedelta(days=1), actor=crew.owner)
    pay_run_create(period_end=today, actor=crew.owner)
    assert owed(crew.photographer) == Decimal("0")


def test_a_photographer_sees_only_their_own_earnings(crew, books, alpha):
    rule(K.PHOTO_SALE, "2.50", role="photographer")
    books(sell, sold(crew, ("digital", 1, "10.00")))
    client = logged_in_client(alpha, crew.photographer)

    page = client.get("/staff/my-earnings/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "My earnings" in body and "€2.50" in body
    client.cookies["django_language"] = "ru"
    russian = client.get("/staff/my-earnings/").content.decode()
    assert "Мой заработок" in russian and "За проданное фото" in russian
    client.cookies["django_language"] = "en"
    pdf = client.get("/staff/my-earnings/statement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    own_csv = client.get("/staff/my-earnings/statement.csv")
    assert own_csv.content.startswith(b"\xef\xbb\xbf")
    assert "2.50" in own_csv.content.decode("utf-8-sig")

    for url in (
        f"/staff/pay/people/{crew.second.pk}/",
        f"/staff/pay/people/{crew.second.pk}/statement.csv",
        f"/staff/pay/people/{crew.photographer.pk}/",
        "/staff/pay/",
        "/staff/pay/rules/",
        "/staff/pay/runs/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post("/staff/pay/runs/", {"period_end": "2026-01-01"}).status_code == 403

    second = logged_in_client(alpha, crew.second)  # the other photographer's page is empty
    assert "€2.50" not in second.get("/staff/my-earnings/").content.decode()


@pytest.mark.parametrize(
    ("role", "pay", "mine"),
    [
        (Role.OWNER, 200, 403),
        (Role.MANAGER, 200, 403),
        (Role.PHOTOGRAPHER, 403, 200),
        (Role.RETOUCHER, 403, 200),
        (Role.PRINCIPAL, 403, 403),
    ],
)
def test_who_may_open_which_pay_page(crew, alpha, role, pay, mine):
    person = {
        Role.OWNER: crew.owner,
        Role.MANAGER: crew.manager,
        Role.PHOTOGRAPHER: crew.photographer,
        Role.RETOUCHER: crew.retoucher,
        Role.PRINCIPAL: crew.principal,
    }[role]
    client = logged_in_client(alpha, person)
    for url in ("/staff/pay/", "/staff/pay/rules/", "/staff/pay/runs/"):
        assert client.get(url).status_code == pay, url
    assert client.get("/staff/my-earnings/").status_code == mine
    nav = client.get("/staff/").content.decode()
    assert ('href="/staff/pay/"' in nav) is (pay == 200)
    assert ('href="/staff/my-earnings/"' in nav) is (mine == 200)


def test_another_studios_people_and_runs_are_not_found(crew, alpha, beta, books):
    rule(K.PHOTO_SALE, "2.00", role="photographer")
    books(sell, sold(crew, ("digital", 1, "10.00")))
    pay_run_create(period_end=timezone.localdate(), actor=crew.owner)
    with schema_context(beta.schema):
        push_id_sequences([User, PayRun])
        theirs = User.objects.create_user(
            email="ph@beta.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
        their_run = PayRun.objects.create(
            period_end=timezone.localdate(),
            currency="EUR",
            created_by=User.objects.get(email=beta.owner_email),
        )
    client = logged_in_client(alpha, crew.owner)
    assert client.get(f"/staff/pay/people/{crew.photographer.pk}/").status_code == 200
    assert client.get(f"/staff/pay/people/{theirs.pk}/").status_code == 404
    assert client.get(f"/staff/pay/people/{theirs.pk}/statement.pdf").status_code == 404
    assert client.get(f"/staff/pay/runs/{their_run.pk}/").status_code == 404
    assert client.get(f"/staff/pay/runs/{their_run.pk}/transfers.csv").status_code == 404


def test_the_owner_adds_a_rule_from_the_page_and_managers_cannot(crew, alpha):
    form = {
        "kind": K.PHOTO_SALE,
        "role": "photographer",
        "effective_from": "2026-12-15",
        "amount": "3.00",
        "print_amount": "4.50",
    }
    manager = logged_in_client(alpha, crew.manager)
    assert manager.post("/staff/pay/rules/", form).status_code == 403
    owner = logged_in_client(alpha, crew.owner)
    assert owner.post("/staff/pay/rules/", form).status_code == 302
    page = owner.get("/staff/pay/rules/").content.decode()
    assert "€4.50" in page
    both = owner.post("/staff/pay/rules/", {**form, "person": crew.photographer.pk})
    assert "Choose either a role or a person." in both.content.decode()


def test_only_a_rule_that_has_not_started_can_be_removed(crew, alpha):
    import datetime

    today = timezone.localdate()
    started = rule(K.RETOUCH, "0.50", role="retoucher", since=today)
    planned = rule(K.RETOUCH, "0.60", role="retoucher", since=today + datetime.timedelta(days=3))
    client = logged_in_client(alpha, crew.owner)
    assert client.post(f"/staff/pay/rules/{started.pk}/delete/").status_code == 302
    assert client.post(f"/staff/pay/rules/{planned.pk}/delete/").status_code == 302
    with schema_context(alpha.schema):
        assert list(type(started).objects.values_list("pk", flat=True)) == [started.pk]


def test_the_owner_downloads_anyones_statement(crew, books, alpha):
    rule(K.PHOTO_SALE, "2.00", role="photographer")
    books(sell, sold(crew, ("digital", 1, "10.00")))
    client = logged_in_client(alpha, crew.owner)
    pdf = client.get(f"/staff/pay/people/{crew.photographer.pk}/statement.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    f"/staff/pay/people/{crew.photographer.pk}/statement.csv"
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert ["Closing balance", "2.00"] in rows
    kind, description, amount = rows[-1][1:]
    assert (kind, amount) == ("Per sold photo", "2.00")
    assert description.endswith("Digital IMG_1.jpg × 1")
