"""A studio runs itself, on a phone (390 px), against the real stack (gunicorn, a Celery
worker, the test database, shared media and mail folders):

a new studio signs up and follows the first-day checklist on its dashboard from empty to a
published picture day (each step ticks itself off): a school, a roster imported from a CSV,
its own price sheet, bank transfer with bank details, then its logo and brand colour, a
picture day, a few real JPEGs uploaded and processed by the worker, a class photo tagged by
hand, and publishing. The owner e-mails the codes; a parent opens the storefront with theirs,
sees the studio's logo, colour and prices, fills the cart, signs in with the e-mailed code
and orders by bank transfer at exactly the owner's prices.

Only e-mails (read from the mail folder) and the worker's progress (polled by the page) are
looked at behind the browser's back. Screenshots:
``test-output/screenshots/season-phone-*.png``.
"""

import io
import re
import time
from decimal import Decimal
from uuid import uuid4

import pytest
from django_tenants.utils import schema_context
from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.test_parent_purchase import sign_in_code_from_mail
from tests.browser.test_signup_flow import SIGN_UP_TIMEOUT_MS, fill_sign_up
from tests.conftest import sent_mail
from tests.studio.photos.images import jpeg_bytes

pytestmark = pytest.mark.browser

PROCESSING_TIMEOUT_MS = 90_000
BRAND = "#0f766e"  # teal 700: white text on it is readable
BRAND_RGB = "rgb(15, 118, 110)"
BANK_DETAILS = "Sunny Days Photography GmbH\nIBAN DE02 1203 0000 0000 2020 51"
# The owner's price sheet, as typed into the catalogue editor.
PRINT_PRICE, DIGITAL_PRICE, PACKAGE_PRICE = Decimal("3.50"), Decimal("6.00"), Decimal("25.00")
PRINTS_BOUGHT = 2
STEPS = ["school", "roster", "prices", "payments", "shoot", "upload", "publish"]


def shot(page: Page, screenshot_dir, step: str) -> None:
    """A full-page screenshot with every (lazy) image loaded, scrolled back to the top."""
    handles = page.locator("main img").element_handles()
    for handle in handles:
        handle.scroll_into_view_if_needed()
    if handles:
        page.wait_for_function("imgs => imgs.every(img => img.complete)", arg=handles)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"season-phone-{step}.png", full_page=True)


def expect_success(page: Page, text: str) -> None:
    expect(page.locator("ul.messages li.success")).to_contain_text(text)


def expect_fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide"


def to_dashboard(page: Page, base: str) -> None:
    page.locator("nav.nav").get_by_role("link", name="Dashboard", exact=True).click()
    expect(page).to_have_url(f"{base}/staff/")


def expect_checklist(page: Page, done: list[str]) -> None:
    """The dashboard's checklist shows exactly ``done`` ticked, and says how many."""
    checklist = page.locator("#first-day")
    expect(checklist).to_be_visible()
    expect(checklist.locator("h2 small")).to_have_text(f"{len(done)} of {len(STEPS)} done")
    for key in STEPS:
        step = checklist.locator(f'li[data-step="{key}"]')
        if key in done:
            expect(step).to_have_class("done")
            expect(step.get_by_label("done")).to_have_text("✓")
        else:
            expect(step).not_to_have_class("done")


def follow_step(page: Page, key: str) -> None:
    page.locator(f'#first-day li[data-step="{key}"] a').click()


def add_products(page: Page) -> None:
    """On the catalogue: a digital file and a 13×18 print, back on the catalogue after each."""
    for kind, name, size in (("digital", "Digital file", ""), ("print", "Print 13×18", "13x18")):
        page.get_by_role("link", name="Add a product").click()
        page.get_by_label("Kind").select_option(kind)
        page.get_by_label("Name").fill(name)
        if size:
            page.get_by_label("Print size").fill(size)
        page.get_by_role("button", name="Add product").click()
        expect_success(page, f"Product “{name}” added.")
        page.get_by_role("link", name="Catalogue").first.click()


def attach_price_sheet(page: Page, school_name: str) -> None:
    """On a price sheet's page: the school sells with it."""
    attach_form = page.locator("form[action$='/attach/']")
    attach_form.get_by_label("School").select_option(label=school_name)
    attach_form.get_by_role("button", name="Attach").click()
    expect_success(page, f"{school_name} now sells with this price sheet.")


def roster_csv(tmp_path, tag: str) -> tuple:
    """Three children of class 3B, their parents' e-mails and ids (photos named after the
    ids tag themselves)."""
    children = [
        (f"S{tag}1", "Mia", "Keller", f"mia.parent-{tag}@family.test"),
        (f"S{tag}2", "Noah", "Becker", f"noah.parent-{tag}@family.test"),
        (f"S{tag}3", "Ella", "Wagner", f"ella.parent-{tag}@family.test"),
    ]
    lines = ["Class,First name,Last name,Student ID,Parent e-mail"]
    lines += [f"3B,{first},{last},{sid},{email}" for sid, first, last, email in children]
    path = tmp_path / "roster-3b.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, children


def access_link_from_mail(mail_dir, email: str, timeout: float = 60) -> str:
    """The gallery link in the access-code e-mail the worker sends to ``email``."""
    deadline = time.monotonic() + timeout
    while True:
        for message in sent_mail(mail_dir, email):
            body = message.get_body(preferencelist=("plain",))
            found = re.search(r"http://\S+", body.get_content()) if body else None
            if found:
                return found.group(0)
        assert time.monotonic() < deadline, f"no access-code e-mail to {email}"
        time.sleep(0.2)


def logo_png(tmp_path):
    image = Image.new("RGBA", (360, 120), (0, 0, 0, 0))
    image.paste((15, 118, 110, 255), (0, 0, 120, 120))
    image.paste((250, 200, 40, 255), (130, 30, 360, 90))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path = tmp_path / "sunny-days-logo.png"
    path.write_bytes(buffer.getvalue())
    return path


def test_a_new_studio_goes_from_sign_up_to_a_parents_order_on_a_phone(
    web_server,
    celery_worker_process,
    shared_mail_dir,
    context_factory,
    screenshot_dir,
    tmp_path,
    committed,
):
    from studio.catalogue.kinds import PackageKind
    from studio.catalogue.models import PriceSheet
    from studio.orders.models import Order, OrderStatus
    from tenants.models import Studio

    port = web_server
    tag = uuid4().hex[:6]
    slug = f"season{tag}"
    base = f"http://{slug}.localhost:{port}"
    studio_name = f"Sunny Days {tag.upper()}"
    school_name = f"Lindenhof Primary {tag.upper()}"
    shoot_name = f"Autumn portraits {tag.upper()}"
    page = context_factory("phone").new_page()

    # --- 1. Sign-up on the public site: an empty studio, nothing on the checklist done. ----
    page.goto(f"http://localhost:{port}/signup/")
    fill_sign_up(page, studio_name=studio_name, subdomain=slug, email=f"anna@{slug}.test")
    # Making the studio's schema takes seconds; the click lasts until the server answers.
    page.get_by_role("button", name="Create studio").click(timeout=SIGN_UP_TIMEOUT_MS)
    expect(page).to_have_url(f"{base}/staff/", timeout=SIGN_UP_TIMEOUT_MS)
    expect(page.get_by_role("heading", level=1)).to_have_text(studio_name)
    expect_checklist(page, done=[])
    shot(page, screenshot_dir, "01-dashboard-empty")
    expect_fits_the_phone(page)

    # --- 2. "Add a school". -----------------------------------------------------------------
    follow_step(page, "school")
    expect(page).to_have_url(f"{base}/staff/schools/")
    page.get_by_role("link", name="Add a school").click()
    page.get_by_label("Name", exact=True).fill(school_name)
    shot(page, screenshot_dir, "02-school-form")
    page.get_by_role("button", name="Add school").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(school_name)
    to_dashboard(page, base)
    expect_checklist(page, done=STEPS[:1])

    # --- 3. "Import the roster": a CSV, previewed, then imported. ---------------------------
    follow_step(page, "roster")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import roster")
    roster, children = roster_csv(tmp_path, tag)
    page.get_by_label("File").set_input_files(roster)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roster preview")
    expect(
        page.locator(".stats .card").filter(has_text="New students").locator(".stat")
    ).to_have_text("3")
    shot(page, screenshot_dir, "03-roster-preview")
    expect_fits_the_phone(page)
    page.get_by_role("button", name="Import 3 valid rows").click()
    expect_success(page, "Roster imported. Created: 3,")
    shot(page, screenshot_dir, "04-roster-imported")
    to_dashboard(page, base)
    expect_checklist(page, done=STEPS[:2])

    # --- 4. "Set your prices": two products, a price sheet, a package, for the school. ------
    follow_step(page, "prices")
    expect(page).to_have_url(f"{base}/staff/catalogue/")
    shot(page, screenshot_dir, "05-catalogue-empty")
    add_products(page)
    page.get_by_role("link", name="Add a price sheet").click()
    page.get_by_label("Name").fill("Season 2026")
    page.get_by_role("button", name="Add price sheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Season 2026")
    page.get_by_label("Digital file", exact=True).fill(str(DIGITAL_PRICE))
    page.get_by_label("Print 13×18", exact=True).fill(str(PRINT_PRICE))
    page.get_by_role("button", name="Save prices").click()
    expect_success(page, "Prices saved.")
    page.get_by_text("Add a package", exact=True).click()
    package_form = page.locator("form[action$='/packages/new/']")
    package_form.get_by_label("Name").fill("All photos")
    package_form.get_by_label("Kind").select_option(PackageKind.ALL_DIGITAL)
    package_form.get_by_label("Price").fill(str(PACKAGE_PRICE))
    package_form.get_by_role("button", name="Add package").click()
    expect_success(page, "Package “All photos” added.")
    attach_price_sheet(page, school_name)
    shot(page, screenshot_dir, "06-price-sheet")
    expect_fits_the_phone(page)
    to_dashboard(page, base)
    expect_checklist(page, done=STEPS[:3])

    # --- 5. "Choose offline methods": bank transfer with the bank details, no cash. ---------
    follow_step(page, "payments")
    expect(page).to_have_url(f"{base}/staff/settings/payments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payment settings")
    page.get_by_label("Accept bank transfers").check()
    page.get_by_label("Bank details").fill(BANK_DETAILS)
    page.get_by_label("Accept cash to the class coordinator").uncheck()
    shot(page, screenshot_dir, "07-payments")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("ul.messages li.success")).to_be_visible()
    to_dashboard(page, base)
    expect_checklist(page, done=STEPS[:4])

    # --- 6. Branding (Settings → Studio): a logo and a colour. ------------------------------
    page.locator("nav.nav").get_by_role("link", name="Settings", exact=True).click()
    page.locator("a.settings-link").filter(has=page.get_by_role("heading", name="Studio")).click()
    expect(page).to_have_url(f"{base}/staff/settings/studio/")
    page.get_by_label("Logo", exact=True).set_input_files(logo_png(tmp_path))
    page.get_by_label("Brand colour").fill(BRAND)
    page.get_by_role("button", name="Save").click()
    expect_success(page, "Studio settings saved.")
    expect(page.locator("header .brand img")).to_be_visible()
    shot(page, screenshot_dir, "08-branding")

    # --- 7. "Create a picture day". ---------------------------------------------------------
    to_dashboard(page, base)
    follow_step(page, "shoot")
    expect(page).to_have_url(f"{base}/staff/shoots/")
    page.get_by_label("School").select_option(label=school_name)
    page.get_by_label("Name").fill(shoot_name)
    page.get_by_label("Date", exact=True).fill("2026-10-06")
    shot(page, screenshot_dir, "09-picture-day-form")
    page.get_by_role("button", name="Create picture day").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(shoot_name)  # its own page
    expect(page.get_by_text("No photos yet.")).to_be_visible()
    expect(page.get_by_role("button", name="Tag selected")).to_have_count(0)  # nothing to tag
    shot(page, screenshot_dir, "10-picture-day-empty")
    shoot_url = page.url
    to_dashboard(page, base)
    expect_checklist(page, done=STEPS[:5])

    # --- 8. "Upload the photos": a portrait of each child (named by id) and a class photo. --
    follow_step(page, "upload")
    expect(page).to_have_url(shoot_url)
    files = []
    for n, (sid, *_rest) in enumerate(children):
        path = tmp_path / f"{sid}_{n + 1:04d}.jpg"
        path.write_bytes(jpeg_bytes(1800, 1200, seed=300 + n))
        files.append(path)
    class_photo = tmp_path / "CLASS_3B.jpg"
    class_photo.write_bytes(jpeg_bytes(2400, 1600, seed=399))
    files.append(class_photo)
    page.get_by_label("Class (optional)").select_option(label="3B (2026-2027)")
    page.set_input_files("#upload-files", files)
    page.wait_for_function(
        """() => [...document.querySelectorAll('.upload-list > li')].length === 4 &&
               [...document.querySelectorAll('.upload-list > li')].every(
                   li => li.dataset.state === 'accepted')""",
        timeout=60_000,
    )
    counts = page.locator("#processing")
    expect(counts.locator('[data-count="ready"]')).to_have_text("4", timeout=PROCESSING_TIMEOUT_MS)
    expect(counts.locator('[data-count="failed"]')).to_have_text("0")
    shot(page, screenshot_dir, "11-uploaded")
    to_dashboard(page, base)
    expect_checklist(page, done=STEPS[:6])

    # --- 9. "Publish the gallery": the class photo is untagged until tagged by hand. --------
    follow_step(page, "publish")
    expect(page).to_have_url(shoot_url)
    expect(page.locator(".photo-grid img")).to_have_count(4)
    for sid, first, last, _email in children:
        photo = page.locator(".photo-grid li").filter(has_text=f"{sid}_")
        expect(photo.locator(".tags")).to_contain_text(f"{first} {last}")
    for status in ("Uploading", "In review"):
        page.get_by_role("button", name=f"Move to “{status}”").click()
        expect(page.locator("p .badge").first).to_have_text(status)
    blockers = page.locator("#publish-blockers")
    expect(blockers).to_contain_text("CLASS_3B.jpg")
    publish = page.get_by_role("button", name="Move to “Published”")
    expect(publish).to_be_disabled()
    expect(publish).to_have_css("opacity", "0.45")  # and looks it
    shot(page, screenshot_dir, "12-not-ready")
    page.get_by_label("CLASS_3B.jpg").check()
    page.get_by_label("Group photo").select_option("group")
    page.get_by_role("button", name="Tag selected").click()
    expect_success(page, "1 photo tagged.")
    expect(blockers).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    expect(publish).to_have_css("opacity", "1")
    publish.click()
    expect(page.locator("p .badge").first).to_have_text("Published")
    shot(page, screenshot_dir, "13-published")
    expect_fits_the_phone(page)

    # Every step done: the checklist has done its job and steps aside.
    to_dashboard(page, base)
    expect(page.locator("#first-day")).to_have_count(0)
    shot(page, screenshot_dir, "14-dashboard-done")

    # --- 10. The owner e-mails the parents their codes, from the picture day's page. --------
    page.locator("nav.nav").get_by_role("link", name="Picture days", exact=True).click()
    page.get_by_role("link", name=shoot_name).click()
    expect(page).to_have_url(shoot_url)
    page.locator("#share-codes").get_by_role(
        "link", name="E-mail the codes or print the cards"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(shoot_name)
    page.get_by_role("button", name="E-mail parents").click()
    expect_success(page, "The codes of 3 children are on their way to their parents.")
    shot(page, screenshot_dir, "15-codes-emailed")

    # --- 11. Mia's parent: the link from the e-mail opens the branded gallery. --------------
    parent_email = children[0][3]
    link = access_link_from_mail(shared_mail_dir, parent_email)
    assert link.startswith(f"{base}/?code="), link

    parent = context_factory("phone").new_page()
    parent.goto(link)
    expect(parent).to_have_url(f"{base}/gallery/")
    logo = parent.locator("header .brand img")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.naturalWidth") > 0
    mia = parent.locator("section.gallery-section").filter(
        has=parent.get_by_role("heading", name="Mia Keller")
    )
    expect(mia.locator(".gallery-grid img")).to_have_count(1)  # her portrait
    class_3b = parent.locator("section.gallery-section").filter(
        has=parent.get_by_role("heading", name="Class 3B")
    )
    expect(class_3b.locator(".gallery-grid img")).to_have_count(1)  # the class photo
    package = mia.locator("form.package").filter(has_text="All photos")
    expect(package).to_contain_text("€25.00")
    add_button = package.get_by_role("button", name="Add to cart")
    expect(add_button).to_have_css("background-color", BRAND_RGB)
    shot(parent, screenshot_dir, "16-gallery")
    expect_fits_the_phone(parent)

    # --- 12. The cart: the package and two prints of the portrait. --------------------------
    add_button.click()
    expect_success(parent, "Added to your cart: All photos.")
    mia.locator(".gallery-grid a").first.tap()
    viewer = parent.locator("#viewer img")
    expect(viewer).to_have_js_property("complete", True)
    buy = parent.locator("form.buy")
    option = buy.locator("#buy-product option").filter(has_text="Print 13×18")
    expect(option).to_contain_text("€3.50")
    buy.get_by_label("Product").select_option(option.get_attribute("value"))
    buy.get_by_label("Quantity").fill(str(PRINTS_BOUGHT))
    shot(parent, screenshot_dir, "17-photo")
    buy.get_by_role("button", name="Add to cart").click()
    expect_success(parent, f"Added to your cart: Print 13×18 × {PRINTS_BOUGHT}.")
    parent.locator("nav .cart-link").click()
    expect(parent).to_have_url(f"{base}/cart/")
    expected_total = PACKAGE_PRICE + PRINTS_BOUGHT * PRINT_PRICE
    expect(parent.locator(".totals .grand").last).to_have_text(f"€{expected_total}")
    shot(parent, screenshot_dir, "18-cart")

    # --- 13. Sign in with the e-mailed code, order by bank transfer. ------------------------
    parent.get_by_role("link", name="Checkout").click()
    parent.get_by_label("Your e-mail").fill(parent_email)
    parent.get_by_role("button", name="E-mail me a code").click()
    expect(parent.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    parent.get_by_label("The 6-digit code from the e-mail").fill(
        sign_in_code_from_mail(shared_mail_dir, parent_email)
    )
    parent.get_by_role("button", name="Sign in").click()
    expect(parent).to_have_url(f"{base}/checkout/")
    parent.get_by_label("Your name").fill("Sophie Keller")
    parent.get_by_label("With the class to the school (free)").check()
    expect(parent.get_by_label("Cash")).to_have_count(0)  # the owner switched cash off
    parent.get_by_label("Bank transfer").check()
    shot(parent, screenshot_dir, "19-checkout")
    parent.get_by_role("button", name="Place order").click()
    expect(parent).to_have_url(re.compile(re.escape(f"{base}/account/orders/") + r"[\w-]+/$"))
    to_pay = parent.locator(".notice-card")
    expect(to_pay.get_by_role("heading")).to_have_text(f"To pay: €{expected_total}")
    expect(to_pay).to_contain_text("IBAN DE02 1203 0000 0000 2020 51")
    shot(parent, screenshot_dir, "20-order")

    # The order costs exactly what the owner's price sheet says.
    with committed():
        studio = Studio.objects.get(slug=slug)
        assert studio.brand_color == BRAND
        with schema_context(studio.schema_name):
            sheet = PriceSheet.objects.get(name="Season 2026")
            prices = {item.product.name: item.price for item in sheet.items.all()}
            package_price = sheet.packages.get(name="All photos").price
            order = Order.objects.get(email=parent_email)
    assert prices == {"Digital file": DIGITAL_PRICE, "Print 13×18": PRINT_PRICE}
    assert package_price == PACKAGE_PRICE
    assert order.total == package_price + PRINTS_BOUGHT * prices["Print 13×18"]
    assert order.currency == "EUR"
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.payment_method == "bank_transfer"
