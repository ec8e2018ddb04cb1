"""The staff menu stays on one line on a 1366 px laptop and stays usable on a 390 px phone,
for every staff role, in English and in Russian (issue 10: it wrapped at 1366 px in Russian).

Screenshots: ``test-output/screenshots/staff-nav-*.png``.
"""

from uuid import uuid4

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from saas_platform.accounts.models import Role, User
from tests.browser.conftest import TIMEOUT_MS, VIEWPORTS
from tests.browser.test_operator_console import log_in_staff
from tests.conftest import OWNER_PASSWORD

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
ROLES = ["owner", "manager", "photographer", "principal"]
LANGUAGES = ["en", "ru", "uk"]
# The label of one menu entry per role, proving the role's own menu is the one measured.
MENU_PROBE = {
    "owner": {"en": "Settings", "ru": "Настройки", "uk": "Налаштування"},
    "manager": {"en": "Settings", "ru": "Настройки", "uk": "Налаштування"},
    "photographer": {"en": "My earnings", "ru": "Мой заработок", "uk": "Мій заробіток"},
    "principal": {"en": "My schools", "ru": "Мои школы", "uk": "Мої школи"},
}

# What the "Money" entry holds for those who have it: the studio's reports are the owner's.
MONEY = {
    "en": ("Money", "Commissions", "Staff pay", "Reports"),
    "ru": ("Деньги", "Комиссии", "Оплата сотрудникам", "Отчёты"),
    "uk": ("Гроші", "Комісії", "Оплата працівникам", "Звіти"),
}
MONEY_PAGES = {"owner": 3, "manager": 2}

# Every item of the menu and of the header around it, as rectangles.
MENU_BOXES = """() => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height,
            text: el.textContent.trim(), visible: r.width > 0 && r.height > 0}; };
  const nav = document.querySelector('nav.nav');
  return {nav: box(nav), brand: box(document.querySelector('.topbar .brand')),
          items: [...nav.children].map(box)};
}"""


@pytest.fixture
def staff(live_studios, committed):
    """Alpha's owner plus a manager, a photographer and a principal (removed afterwards)."""
    alpha = live_studios["alpha"]
    tag = uuid4().hex[:6]
    with committed(), schema_context(alpha.schema):
        made = {
            role: User.objects.create_user(
                email=f"nav-{role}-{tag}@alpha.test",
                password=OWNER_PASSWORD,
                role=role,
                full_name=f"Nav {role.title()}",
            )
            for role in (Role.MANAGER, Role.PHOTOGRAPHER, Role.PRINCIPAL)
        }
    emails = {"owner": alpha.owner_email} | {str(role): user.email for role, user in made.items()}
    yield alpha, emails
    with committed(), schema_context(alpha.schema):
        User.objects.filter(pk__in=[user.pk for user in made.values()]).delete()


def open_menu(browser, options, base, email, language):
    """A fresh browser context, logged in as ``email``, on the dashboard in ``language``."""
    context = browser.new_context(
        **options, locale="en-US", timezone_id="UTC", color_scheme="light"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in_staff(page, base, email)
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/staff/")
    return context, page


def open_money(page, role, language, width, screenshot):
    """Opens the "Money" entry (owner and manager only) and checks its pages are on screen."""
    summary = page.locator("nav.nav summary")
    if role not in MONEY_PAGES:
        expect(summary).to_have_count(0)
        return
    title, *pages = MONEY[language]
    expect(summary).to_have_text(title)
    links = [page.locator("nav.nav").get_by_role("link", name=name, exact=True) for name in pages]
    for link in links[MONEY_PAGES[role] :]:
        expect(link).to_have_count(0)
    links = links[: MONEY_PAGES[role]]
    for link in links:
        expect(link).to_be_hidden()
    summary.click()
    page.screenshot(path=screenshot)
    for link in links:
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (link, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_the_staff_menu_is_one_line_on_a_laptop(
    staff, web_server, browser, screenshot_dir, role, language
):
    alpha, emails = staff
    base = f"http://{alpha.host}:{web_server}"
    context, page = open_menu(browser, LAPTOP, base, emails[role], language)
    try:
        nav = page.locator("nav.nav")
        expect(nav.get_by_role("link", name=MENU_PROBE[role][language])).to_be_visible()
        page.screenshot(path=screenshot_dir / f"staff-nav-1366-{role}-{language}.png")
        boxes = page.evaluate(MENU_BOXES)
        items = [item for item in boxes["items"] if item["visible"]]
        tallest = max(item["height"] for item in items)
        # one row: the menu is no taller than its tallest item, and sits beside the brand
        assert boxes["nav"]["height"] <= tallest + 1, [i["text"] for i in items]
        middles = {round((item["top"] + item["bottom"]) / 2) for item in items}
        assert max(middles) - min(middles) <= 2, items
        brand_middle = (boxes["brand"]["top"] + boxes["brand"]["bottom"]) / 2
        nav_middle = (boxes["nav"]["top"] + boxes["nav"]["bottom"]) / 2
        assert abs(brand_middle - nav_middle) <= 2, boxes
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        open_money(
            page,
            role,
            language,
            1366,
            screenshot_dir / f"staff-nav-1366-{role}-{language}-money.png",
        )
    finally:
        context.close()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_the_staff_menu_is_usable_on_a_phone(
    staff, web_server, browser, screenshot_dir, role, language
):
    alpha, emails = staff
    base = f"http://{alpha.host}:{web_server}"
    context, page = open_menu(browser, VIEWPORTS["phone"], base, emails[role], language)
    try:
        nav = page.locator("nav.nav")
        probe = nav.get_by_role("link", name=MENU_PROBE[role][language])
        expect(probe).to_be_visible()
        page.screenshot(path=screenshot_dir / f"staff-nav-390-{role}-{language}.png")
        # nothing sticks out of the phone, and every entry is on screen, tall enough to tap
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        boxes = page.evaluate(MENU_BOXES)
        for item in boxes["items"]:
            if item["visible"]:
                assert item["left"] >= 0 and item["right"] <= 390, item
                assert item["height"] >= 24, item
        open_money(
            page, role, language, 390, screenshot_dir / f"staff-nav-390-{role}-{language}-money.png"
        )
        if role in MONEY_PAGES:  # closed again, it gives its row back
            page.locator("nav.nav summary").click()
        # the page's own heading still shows on the first screen
        assert page.get_by_role("heading", level=1).bounding_box()["y"] < 844 / 2
        probe.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
    finally:
        context.close()


MONEY_PAGES_RU = {
    "commissions": ("/staff/commissions/", "Комиссии"),
    "pay": ("/staff/pay/", "Оплата сотрудникам"),
    "reports": ("/staff/reports/", "Отчёты"),
    "billing": ("/staff/billing/", "Тариф и оплата"),
}


@pytest.mark.parametrize("name", MONEY_PAGES_RU)
def test_the_owner_reads_the_money_pages_in_russian_on_a_phone(
    staff, web_server, browser, screenshot_dir, name
):
    alpha, emails = staff
    base = f"http://{alpha.host}:{web_server}"
    path, heading = MONEY_PAGES_RU[name]
    context, page = open_menu(browser, VIEWPORTS["phone"], base, emails["owner"], "ru")
    try:
        page.goto(f"{base}{path}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        page.screenshot(path=screenshot_dir / f"staff-money-390-ru-{name}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
