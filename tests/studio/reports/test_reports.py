"""The owner's reports against hand-made sales (see ``conftest.make_sales``), the CSV files
read back, the accountant's journal, who may see them and that a studio sees only its own."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import Role, User
from studio.orders.models import Order
from studio.reports import selectors
from studio.reports.csv_files import table_csv
from studio.reports.selectors import Period
from studio.reports.tables import Column, Table
from studio.schools.models import School
from tests.conftest import logged_in_client

from .conftest import make_sales


def today_period(school=None) -> Period:
    today = timezone.localdate()
    return Period(today - timedelta(days=29), today, "EUR", school.pk if school else None)


def rows(table) -> dict:
    return {row[0]: row[1:] for row in table.rows}


def test_sales_are_paid_orders_less_refunds_by_school_class_day_and_product(alpha, sales):
    with schema_context(alpha.schema):
        period = today_period()
        figures = selectors.totals(period)
        assert figures["revenue"] == Decimal("102.00")  # 30 + (15 − 5) + (20 − 8) + 50
        assert figures["orders"] == 4  # the unpaid and the part-paid are not sales
        assert figures["average_order"] == Decimal("25.50")

        assert rows(selectors.sales_by_school(period)) == {
            "Oak School": [3, 5, Decimal("52.00")],
            "Elm School": [1, 1, Decimal("50.00")],
        }
        assert rows(selectors.sales_by_class(period)) == {
            "Oak School — 1A": [3, 5, Decimal("52.00")],
            "Elm School — 2B": [1, 1, Decimal("50.00")],
        }
        assert rows(selectors.sales_by_shoot(period))["Oak autumn (Oak School)"][2] == Decimal(
            "52.00"
        )
        # The line refunded by name gives all its money back; the pro-rata refund of order 2
        # comes off its only line.
        assert rows(selectors.sales_by_product(period)) == {
            "Digital file": [3, 3, Decimal("32.00")],  # 10 + 10 + 12
            "Print": [3, 3, Decimal("70.00")],  # 20 + 0 + 50
        }
        by_day = selectors.sales_by_day(period)
        assert len(by_day.rows) == 30
        assert by_day.rows[-1][1:] == [4, 6, Decimal("102.00")]
        assert sum(row[3] for row in by_day.rows) == Decimal("102.00")

        oak_only = today_period(sales.oak)
        assert selectors.totals(oak_only)["revenue"] == Decimal("52.00")
        assert list(rows(selectors.sales_by_school(oak_only))) == ["Oak School"]


def test_conversion_people_and_unpaid_balances(alpha, sales):
    with schema_context(alpha.schema):
        period = today_period()
        # Oak: 2 codes, families mum1 (orders 1 and 3, e-mail in two cases) and mum2.
        assert rows(selectors.conversion_by_school(period)) == {
            "Elm School": [1, 1, Decimal("100.0"), 1, Decimal("50.00")],
            "Oak School": [2, 2, Decimal("100.0"), 3, Decimal("17.33")],
        }
        # Pat took 3 photos; pa3 sold only on a refunded line: 2 sold, 20 + 10 + 10 + 12.
        assert rows(selectors.photographers(period)) == {
            "Alpha Photo Owner": [1, 1, Decimal("100.0"), Decimal("50.00")],
            "Pat Lens": [3, 2, Decimal("66.7"), Decimal("52.00")],
        }
        assert rows(selectors.retouchers(period)) == {
            "Rita Brush": [2, 3, Decimal("33.3"), Decimal("2.0")],
        }
        assert selectors.unpaid_ageing(period).rows == [
            ["0–7", 1, Decimal("40.00")],
            ["8–30", 1, Decimal("15.00")],
            ["31+", 0, Decimal("0.00")],
        ]
        ledger = rows(selectors.ledger_summary(period))
        assert ledger["Received"] == [Decimal("125.00")]  # 30 + 15 + 20 + 10 + 50
        assert ledger["Refunded"] == [Decimal("13.00")]
        # The books agree with the sales report on what the paid orders brought in.
        assert ledger["Received"][0] - ledger["Refunded"][0] - Decimal("10") == Decimal("102.00")


def test_the_page_draws_charts_and_every_table(alpha, sales):
    client = logged_in_client(alpha, sales.owner)
    page = client.get("/staff/reports/").content.decode()
    assert page.count("<svg") == 4
    for key in selectors.REPORT_TABLES:
        assert f'id="{key}"' in page and f"export={key}" in page
    assert "Oak School" in page and "Pat Lens" in page and "Rita Brush" in page
    assert 'href="/staff/reports/"' in page  # the navigation link

    client.cookies["django_language"] = "ru"
    russian = client.get("/staff/reports/").content.decode()
    assert "Отчёты" in russian and "Продажи по школам" in russian


def test_a_period_that_ends_before_it_starts_is_explained_and_unknown_tables_are_404(alpha, sales):
    client = logged_in_client(alpha, sales.owner)
    page = client.get("/staff/reports/?start=2026-05-02&end=2026-05-01")
    assert page.status_code == 200
    assert "The period ends before it starts." in page.content.decode()
    assert client.get("/staff/reports/?export=nope").status_code == 404
    # A period without sales: zeros, not errors.
    empty = client.get("/staff/reports/?start=2020-01-01&end=2020-01-31").content.decode()
    assert "Nothing in this period." in empty


def read_csv(body: bytes, encoding: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode(encoding)), delimiter=delimiter))


def test_csv_exports_read_back_in_each_encoding_and_delimiter(alpha, sales):
    client = logged_in_client(alpha, sales.owner)
    plain = client.get("/staff/reports/?export=sales_by_school")
    assert plain["Content-Type"] == "text/csv; charset=utf-8"
    assert plain.content.startswith(b"\xef\xbb\xbf")  # the BOM
    assert read_csv(plain.content, "utf-8-sig", ",") == [
        ["Name", "Orders", "Items", "Revenue"],
        ["Oak School", "3", "5", "52.00"],
        ["Elm School", "1", "1", "50.00"],
    ]
    semicolon = client.get(
        "/staff/reports/?export=sales_by_school&delimiter=semicolon&school=" + str(sales.oak.pk)
    )
    assert read_csv(semicolon.content, "utf-8-sig", ";")[1] == ["Oak School", "3", "5", "52,00"]

    table = Table(
        "t",
        "T",
        [Column("name", "Имя"), Column("amount", "Сумма", "money")],
        rows=[["Школа № 5 — ✓ 😀", Decimal("1.50")]],
    )
    body = table_csv(table, delimiter="semicolon", encoding="cp1251")
    assert not body.startswith(b"\xef\xbb\xbf")
    assert read_csv(body, "cp1251", ";") == [["Имя", "Сумма"], ["Школа № 5 — ? ?", "1,50"]]
    served = client.get("/staff/reports/?export=photographers&encoding=cp1251")
    assert served["Content-Type"] == "text/csv; charset=windows-1251"
    assert read_csv(served.content, "cp1251", ",")[0][0] == "Person"


def test_the_accountants_journal_balances_and_lists_every_kind_of_money(alpha, sales):
    client = logged_in_client(alpha, sales.owner)
    assert client.get("/staff/reports/exports/").status_code == 200
    today = timezone.localdate().isoformat()
    journal = client.get(
        f"/staff/reports/exports/?dataset=journal&start={today}&end={today}&delimiter=semicolon"
    )
    table = read_csv(journal.content, "utf-8-sig", ";")
    header, lines = table[0], table[1:]
    assert header[:6] == ["Date", "Transaction", "Key", "Kind", "Account code", "Account"]
    debit, credit = header.index("Debit"), header.index("Credit")
    total_debit = sum(Decimal(row[debit].replace(",", ".")) for row in lines)
    total_credit = sum(Decimal(row[credit].replace(",", ".")) for row in lines)
    assert total_debit == total_credit > 0
    assert {row[4] for row in lines} >= {"bank", "sales", "refunds"}
    assert "Bank" in {row[5] for row in lines}

    def csv_rows(dataset):
        body = client.get(f"/staff/reports/exports/?dataset={dataset}&start={today}&end={today}")
        return read_csv(body.content, "utf-8-sig", ",")[1:]

    assert len(csv_rows("orders")) == 5  # the 20-day-old order is outside the day
    assert sorted(row[4] for row in csv_rows("payments")) == [
        "10.00",
        "15.00",
        "20.00",
        "30.00",
        "50.00",
    ]
    assert sorted(row[3] for row in csv_rows("refunds")) == ["5.00", "8.00"]
    for dataset in ("platform_fees", "commissions", "payouts"):
        assert client.get(f"/staff/reports/exports/?dataset={dataset}").status_code == 200


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL, Role.MANAGER])
def test_only_who_the_policy_lets_in_sees_reports(alpha, role):
    with schema_context(alpha.schema):
        person = User.objects.create_user(email=f"{role}@alpha.test", password="x", role=role)
        owner = User.objects.get(email=alpha.owner_email)
    client = logged_in_client(alpha, person)
    for url in (
        "/staff/reports/",
        "/staff/reports/?export=sales_by_day",
        "/staff/reports/exports/?dataset=journal",
    ):
        assert client.get(url).status_code == 403
    assert 'href="/staff/reports/"' not in client.get("/staff/").content.decode()
    api = APIClient(HTTP_HOST=alpha.host)
    with schema_context(alpha.schema):
        api.force_login(person)
    assert api.get("/api/reports/sales/").status_code == 403
    assert logged_in_client(alpha, owner).get("/staff/reports/").status_code == 200


def test_the_api_gives_the_same_figures_and_is_in_the_schema(alpha, sales):
    api = APIClient(HTTP_HOST=alpha.host)
    with schema_context(alpha.schema):
        api.force_login(sales.owner)
    today = timezone.localdate().isoformat()
    by_school = api.get(f"/api/reports/sales/?from={today}&to={today}&group=school").json()
    assert by_school["group"] == "school" and by_school["totals"]["revenue"] == "102.00"
    assert by_school["rows"] == [
        {"name": "Oak School", "orders": 3, "items": 5, "revenue": "52.00"},
        {"name": "Elm School", "orders": 1, "items": 1, "revenue": "50.00"},
    ]
    assert api.get("/api/reports/sales/?group=nope").status_code == 400
    assert api.get(f"/api/reports/sales/?from={today}&to=2000-01-01").status_code == 400
    unpaid = api.get("/api/reports/unpaid/").json()
    assert [row["balance_due"] for row in unpaid["rows"]] == ["40.00", "15.00", "0.00"]
    for name in ("conversion", "photographers", "retouchers", "ledger"):
        assert api.get(f"/api/reports/{name}/").status_code == 200
    paths = api.get("/api/schema/?format=json").json()["paths"]
    assert {"/api/reports/sales/", "/api/reports/unpaid/", "/api/reports/ledger/"} <= set(paths)
    assert any(p["name"] == "group" for p in paths["/api/reports/sales/"]["get"]["parameters"])


def test_another_studios_sales_never_appear(alpha, beta, sales, run):
    make_sales(run, beta.schema)
    with schema_context(beta.schema):
        beta_owner = User.objects.filter(role=Role.OWNER).first()
        Order.objects.update(email="beta-family@x.test")
        School.objects.filter(name="Oak School").update(name="Beta Oak")
    client = logged_in_client(alpha, sales.owner)
    page = client.get("/staff/reports/").content.decode()
    assert "Beta Oak" not in page
    with schema_context(alpha.schema):
        assert selectors.totals(today_period())["revenue"] == Decimal("102.00")
    journal = client.get("/staff/reports/exports/?dataset=orders").content.decode("utf-8-sig")
    assert "beta-family" not in journal and "mum1@x.test" in journal
    beta_page = logged_in_client(beta, beta_owner).get("/staff/reports/").content.decode()
    assert "Beta Oak" in beta_page and "Pat Lens" in beta_page
