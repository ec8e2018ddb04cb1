"""The owner reads the reports on a phone (390 px), in English and in Russian: the menu link,
the filters, the charts drawn on the server and the tables as cards, nothing wider than the
screen; a table downloads as CSV.

The sales are committed for the web server and removed afterwards. They are marked paid in
the database (no payment is recorded), so nothing reaches the append-only ledger.

Screenshots: ``test-output/screenshots/reports-phone-*.png``.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from tests.browser.test_operator_console import log_in_staff

pytestmark = pytest.mark.browser


def shot(page: Page, screenshot_dir, step: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"reports-phone-{step}.png", full_page=True)


@pytest.fixture
def sold(live_studios, committed):
    """Two schools' paid orders over the last two weeks and one unpaid order, in alpha."""
    from saas_platform.accounts.models import Role, User
    from studio.orders.models import Order, OrderStatus
    from studio.orders.services import LineInput, order_create
    from studio.photos.models import Photo, PhotoStatus
    from studio.schools.models import School, SchoolClass, Student
    from studio.shoots.models import Shoot
    from studio.shoots.services import shoot_create

    alpha = live_studios["alpha"]
    with committed(), schema_context(alpha.schema):
        photographer = User.objects.create_user(
            email="reports-ph@alpha.test",
            password="x",
            role=Role.PHOTOGRAPHER,
            full_name="Pat Lens",
        )
        schools, made = [], []
        for index, name in enumerate(("Oak School No. 5", "Elm Gymnasium")):
            school = School.objects.create(name=name)
            group = SchoolClass.objects.create(school=school, name="1A", school_year="2026-2027")
            child = Student.objects.create(school_class=group, first_name="A", last_name="B")
            shoot = shoot_create(school=school, name=f"Autumn {index + 1}", date="2026-10-01")
            photo = Photo.objects.create(
                shoot=shoot,
                original=f"r{index}.jpg",
                original_name=f"r{index}.jpg",
                content_hash=f"reports{index}".ljust(64, "0"),
                size_bytes=1,
                photographer=photographer,
                status=PhotoStatus.READY,
            )
            schools.append((school, child, shoot, photo))
        now = timezone.now()
        for day in range(14):
            for index, (_school, child, shoot, photo) in enumerate(schools):
                if (day + index) % 3 == 0:
                    continue
                amount = Decimal(15 + 5 * ((day * 7 + index) % 4))
                order = order_create(
                    lines=[
                        LineInput(
                            "Print 13×18",
                            "print",
                            1,
                            amount,
                            amount,
                            amount,
                            child_id=child.pk,
                            shoot_id=shoot.pk,
                            photo_id=photo.pk,
                        )
                    ],
                    currency="EUR",
                    email=f"family{day}-{index}@x.test",
                    payment_method="bank_transfer",
                    idempotency_key=f"browser-reports-{day}-{index}",
                )
                made.append(order.pk)
                paid = day != 1 or index != 0  # one order of yesterday stays unpaid
                Order.objects.filter(pk=order.pk).update(
                    created_at=now - timedelta(days=day),
                    status=OrderStatus.PAID if paid else OrderStatus.PENDING_PAYMENT,
                    paid_total=amount if paid else 0,
                )
    yield alpha
    with committed(), schema_context(alpha.schema):
        Order.objects.filter(pk__in=made).delete()
        Photo.objects.filter(photographer=photographer).delete()
        Shoot.objects.filter(school__in=[s[0] for s in schools]).delete()
        School.objects.filter(pk__in=[s[0].pk for s in schools]).delete()
        photographer.delete()


def test_the_owner_reads_the_reports_on_a_phone(sold, web_server, context_factory, screenshot_dir):
    base = f"http://{sold.host}:{web_server}"
    page = context_factory("phone").new_page()
    log_in_staff(page, base, sold.owner_email)

    page.locator("nav.nav summary", has_text="Money").click()
    page.locator("nav.nav").get_by_role("link", name="Reports", exact=True).click()
    expect(page).to_have_url(f"{base}/staff/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    charts = page.locator("figure.chart svg")
    expect(charts).to_have_count(4)
    for i in range(4):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 250 and box["height"] > 100
    expect(page.locator("#sales_by_school")).to_contain_text("Oak School No. 5")
    expect(page.locator("#photographers")).to_contain_text("Pat Lens")
    expect(page.locator("#unpaid_ageing tbody tr").first).to_contain_text("€")
    expect(page.locator("#unpaid_ageing tbody tr").first).not_to_contain_text("€0.00")
    # A phone never scrolls sideways: the tables turn into cards.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, screenshot_dir, "01-reports")

    page.get_by_label("School", exact=True).select_option(label="Elm Gymnasium")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#sales_by_school")).not_to_contain_text("Oak School No. 5")
    expect(page.locator("#sales_by_school")).to_contain_text("Elm Gymnasium")

    with page.expect_download() as download:
        page.locator("#sales_by_school").get_by_role("link", name="CSV").click()
    body = download.value.path().read_bytes()
    assert body.startswith(b"\xef\xbb\xbf") and "Elm Gymnasium" in body.decode("utf-8-sig")

    page.context.add_cookies([{"name": "django_language", "value": "ru", "url": base}])
    page.goto(f"{base}/staff/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Отчёты")
    expect(page.locator("#sales_by_school h2")).to_have_text("Продажи по школам")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, screenshot_dir, "02-reports-ru")

    page.get_by_role("link", name="Выгрузки для бухгалтера").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Выгрузки для бухгалтера")
    shot(page, screenshot_dir, "03-exports-ru")
