"""A parent buys their child's photos on a phone, end to end, against the real web server:

the card's link opens the gallery; the parent adds the "All photos" package and two prints of
one photo, checks the cart, signs in with the code e-mailed to them, places the order (a
double tap on "Place order" makes one order) and sees how to pay by bank transfer. The
studio's owner records the transfer; the parent's order page then offers the photos, and the
ZIP holds the child's full-resolution files. The owner moves the prints on; the parent sees
their new status.

Phone width throughout; every step leaves a screenshot in
``test-output/screenshots/purchase-*.png``.
"""

import io
import re
import zipfile
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import transaction
from django_tenants.utils import schema_context
from PIL import Image
from playwright.sync_api import Page, expect

from tests.conftest import OWNER_PASSWORD, sent_mail
from tests.studio.photos.images import jpeg_bytes, write

pytestmark = pytest.mark.browser

ORIGINAL_SIZE = (2400, 1600)
BANK_DETAILS = "Alpha Photo Ltd\nIBAN DE00 1234 5678 9000"


def shot(page: Page, screenshot_dir, step: str) -> None:
    """A full-page screenshot with every (lazy) image loaded, scrolled back to the top."""
    images = page.locator("main img")
    handles = images.element_handles()
    for handle in handles:
        handle.scroll_into_view_if_needed()
    if handles:
        page.wait_for_function("imgs => imgs.every(img => img.complete)", arg=handles)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"purchase-phone-{step}.png", full_page=True)


@pytest.fixture
def shop_day(live_studios, committed, live_media, tmp_path, monkeypatch):
    """In alpha (committed, for the web server): a published picture day of class 2A with
    three photos of Lena, two of Mark and a class photo, their access codes, a price sheet
    (digital €5, print 10×15 €2, "All photos" €20) and bank details on the studio."""
    from saas_platform.accounts.models import Role, User
    from studio.access.models import AccessCode
    from studio.access.services import access_codes_issue
    from studio.catalogue.kinds import PackageKind, ProductKind
    from studio.catalogue.models import PriceSheet, Product
    from studio.catalogue.services.packages import package_create
    from studio.catalogue.services.price_sheets import (
        price_sheet_attach,
        price_sheet_create,
        price_sheet_item_set,
    )
    from studio.catalogue.services.products import product_create
    from studio.photos import tasks
    from studio.photos.services.ingest import photo_ingest_file
    from studio.photos.services.processing import photo_process
    from studio.schools.models import School, SchoolClass, Student
    from studio.shoots.services import shoot_create, shoot_transition
    from tenants.models import Studio
    from tenants.selectors import host_cache_forget

    monkeypatch.setattr(tasks.process_photo, "enqueue_on_commit", lambda *args: None)
    alpha = live_studios["alpha"]
    tag = uuid4().hex[:6]
    originals, lena_photos = {}, []
    with committed():
        studio = Studio.objects.get(pk=alpha.studio.pk)
        saved_payment_settings = (studio.accept_bank_transfer, studio.accept_cash)
        saved_bank_details = studio.bank_details
        studio.accept_bank_transfer, studio.accept_cash = True, True
        studio.bank_details = BANK_DETAILS
        studio.save()
        host_cache_forget(hostnames=[alpha.host])
        with schema_context(alpha.schema):
            manager = User.objects.create_user(
                email=f"m-{tag}@x.test", password="pw-123456", role=Role.MANAGER
            )
            school = School.objects.create(name=f"Purchase school {tag}")
            school_class = SchoolClass.objects.create(
                school=school, name="2A", school_year="2026-2027"
            )
            lena = Student.objects.create(
                school_class=school_class, first_name="Lena", last_name="Orlova"
            )
            mark = Student.objects.create(
                school_class=school_class, first_name="Mark", last_name="Ivanov"
            )
            shoot = shoot_create(school=school, name=f"Autumn {tag}", date="2026-10-01")
            plan = [([lena], False)] * 3 + [([mark], False)] * 2 + [([], True)]
            for n, (students, group) in enumerate(plan):
                data = jpeg_bytes(*ORIGINAL_SIZE, seed=900 + n)
                with transaction.atomic():
                    outcome = photo_ingest_file(
                        shoot=shoot,
                        path=write(tmp_path / f"{n}.jpg", data),
                        file_name=f"IMG_{n:04d}.jpg",
                        uploaded_by=manager,
                    )
                photo = photo_process(photo_id=outcome.photo_id)
                photo.students.set(students)
                photo.school_class, photo.is_group = school_class, group
                photo.save()
                originals[photo.pk] = data
                if lena in students:
                    lena_photos.append(photo.pk)
            for status in ("uploading", "in_review", "published"):
                shoot = shoot_transition(shoot=shoot, to=status, actor=manager)
            with transaction.atomic():
                access_codes_issue(shoot=shoot)
            code = AccessCode.objects.get(shoot=shoot, student=lena).code

            sheet = price_sheet_create(name=f"Standard {tag}")
            price_sheet_attach(sheet=sheet, school=school)
            digital = product_create(kind=ProductKind.DIGITAL, name="Digital file")
            print10 = product_create(kind=ProductKind.PRINT, name="Print 10×15", print_size="10x15")
            for product, price in ((digital, "5"), (print10, "2")):
                price_sheet_item_set(sheet=sheet, product=product, price=price)
            package_create(sheet=sheet, name="All photos", kind=PackageKind.ALL_DIGITAL, price="20")
    yield {
        "studio": alpha,
        "code": code,
        "shoot": shoot,
        "lena": lena,
        "originals": originals,
        "lena_photos": lena_photos,
        "parent_email": f"parent-{tag}@family.test",
    }

    from saas_platform.accounts.models import User as UserModel
    from studio.orders.models import Order, Payment
    from studio.parents.models import FamilyCode, SignInCode
    from studio.photos.models import Photo
    from studio.shoots.models import Shoot
    from studio.storefront.models import Cart

    with committed():
        with schema_context(alpha.schema):
            orders = Order.objects.filter(lines__child__school_class=school_class).distinct()
            Payment.objects.filter(order__in=orders).delete()
            Order.objects.filter(pk__in=list(orders.values_list("pk", flat=True))).delete()
            parents = UserModel.objects.filter(email=f"parent-{tag}@family.test")
            Cart.objects.filter(items__shoot=shoot).delete()
            Cart.objects.filter(parent__in=parents).delete()
            FamilyCode.objects.filter(parent__in=parents).delete()
            SignInCode.objects.filter(recipient=f"parent-{tag}@family.test").delete()
            parents.delete()
            AccessCode.objects.filter(shoot=shoot).delete()
            Photo.objects.filter(shoot=shoot).delete()
            Shoot.objects.filter(pk=shoot.pk).delete()
            PriceSheet.objects.filter(pk=sheet.pk).delete()
            Product.objects.filter(pk__in=[digital.pk, print10.pk]).delete()
            Student.objects.filter(school_class=school_class).delete()
            SchoolClass.objects.filter(pk=school_class.pk).delete()
            School.objects.filter(pk=school.pk).delete()
            UserModel.objects.filter(pk=manager.pk).delete()
        studio = Studio.objects.get(pk=alpha.studio.pk)
        studio.accept_bank_transfer, studio.accept_cash = saved_payment_settings
        studio.bank_details = saved_bank_details
        studio.save()
        host_cache_forget(hostnames=[alpha.host])


def staff_log_in(page: Page, base: str, email: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(OWNER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}{next_path}")


def sign_in_code_from_mail(mail_dir, email: str) -> str:
    messages = sent_mail(mail_dir, email)
    assert messages, f"no e-mail to {email}"
    body = messages[-1].get_body(preferencelist=("plain",)).get_content()
    # The code stands on its own line; a studio's name may hold six digits too.
    codes = re.findall(r"^\s*(\d{6})\s*$", body, re.MULTILINE)
    assert len(codes) == 1, body
    return codes[0]


def test_a_parent_buys_photos_and_prints_on_a_phone_and_downloads_them_once_paid(
    shop_day, web_server, shared_mail_dir, context_factory, screenshot_dir, committed
):
    from studio.orders.models import Order, OrderStatus

    alpha = shop_day["studio"]
    base = f"http://{alpha.host}:{web_server}"
    email = shop_day["parent_email"]
    page = context_factory("phone").new_page()

    # --- 1. The card's link: the code is filled in, the gallery opens. --------------------
    page.goto(f"{base}/?code={shop_day['code']}")  # the card's link opens the gallery
    expect(page).to_have_url(f"{base}/gallery/")
    lena = page.locator("section.gallery-section").filter(
        has=page.get_by_role("heading", name="Lena Orlova")
    )
    expect(lena.locator(".gallery-grid img")).to_have_count(3)
    shot(page, screenshot_dir, "02-gallery")

    # --- 2. The "All photos" package from Lena's section. ---------------------------------
    package = lena.locator("form.package").filter(has_text="All photos")
    expect(package).to_contain_text("€20.00")
    package.get_by_role("button", name="Add to cart").click()
    expect(page.locator("ul.messages li.success")).to_have_text("Added to your cart: All photos.")
    expect(page.locator("nav .cart-link .badge")).to_have_text("1")
    shot(page, screenshot_dir, "03-package-added")

    # --- 3. One photo full size: two 10×15 prints of it. ----------------------------------
    lena.locator(".gallery-grid a").first.tap()
    first_photo = shop_day["lena_photos"][0]
    expect(page).to_have_url(f"{base}/gallery/{first_photo}/?child={shop_day['lena'].pk}")
    viewer = page.locator("#viewer img")
    expect(viewer).to_have_js_property("complete", True)
    assert viewer.evaluate("img => img.naturalWidth") > 0
    buy = page.locator("form.buy")
    product = buy.locator("#buy-product option").filter(has_text="Print 10×15")
    buy.get_by_label("Product").select_option(product.get_attribute("value"))
    buy.get_by_label("Quantity").fill("2")
    shot(page, screenshot_dir, "04-photo")
    buy.get_by_role("button", name="Add to cart").click()
    expect(page.locator("ul.messages li.success")).to_have_text(
        "Added to your cart: Print 10×15 × 2."
    )
    expect(page.locator("nav .cart-link .badge")).to_have_text("3")

    # --- 4. The cart: both lines and the total. -------------------------------------------
    page.locator("nav .cart-link").click()
    expect(page).to_have_url(f"{base}/cart/")
    lines = page.locator(".cart-line")
    expect(lines).to_have_count(2)
    expect(lines.filter(has_text="All photos").locator(".price")).to_have_text("€20.00")
    prints = lines.filter(has_text="Print 10×15")
    expect(prints).to_contain_text("2 × €2.00")
    expect(prints.locator(".price")).to_have_text("€4.00")
    expect(page.locator(".totals .grand").last).to_have_text("€24.00")
    shot(page, screenshot_dir, "05-cart")

    # --- 5. Checkout asks the parent to sign in with a code from an e-mail. ---------------
    page.get_by_role("link", name="Checkout").click()
    expect(page).to_have_url(re.compile(re.escape(f"{base}/account/sign-in/") + r"\?next="))
    page.get_by_label("Your e-mail").fill(email)
    shot(page, screenshot_dir, "06-sign-in")
    page.get_by_role("button", name="E-mail me a code").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    code = sign_in_code_from_mail(shared_mail_dir, email)
    page.get_by_label("The 6-digit code from the e-mail").fill(code)
    shot(page, screenshot_dir, "07-sign-in-code")
    page.get_by_role("button", name="Sign in").click()

    # --- 6. Checkout: name, delivery to school, bank transfer; a double tap, one order. ----
    expect(page).to_have_url(f"{base}/checkout/")
    expect(page.get_by_role("heading", name="Checkout", exact=True)).to_be_visible()
    page.get_by_label("Your name").fill("Anna Orlova")
    page.get_by_label("With the class to the school (free)").check()
    page.get_by_label("Bank transfer").check()
    expect(page.locator("#home-address")).to_be_hidden()
    expect(page.locator(".totals .grand").last).to_have_text("€24.00")
    shot(page, screenshot_dir, "08-checkout")
    page.get_by_role("button", name="Place order").dblclick()
    expect(page).to_have_url(re.compile(re.escape(f"{base}/account/orders/") + r"[\w-]+/$"))

    with committed(), schema_context(alpha.schema):
        orders = list(Order.objects.filter(email=email))
        assert len(orders) == 1, [o.number for o in orders]
        order = orders[0]
        assert order.total == Decimal("24.00")
        assert order.status == OrderStatus.PENDING_PAYMENT
        assert order.payment_method == "bank_transfer"
        assert order.delivery["method"] == "school"
        assert order.delivery["name"] == "Anna Orlova"
        assert sorted(order.lines.values_list("kind", "quantity")) == [
            ("package", 1),
            ("print", 2),
        ]
    order_url = f"{base}/account/orders/{order.number}/"
    expect(page).to_have_url(order_url)
    to_pay = page.locator(".notice-card")
    expect(to_pay.get_by_role("heading")).to_have_text("To pay: €24.00")
    expect(to_pay).to_contain_text("Alpha Photo Ltd")
    expect(to_pay).to_contain_text("IBAN DE00 1234 5678 9000")
    expect(to_pay).to_contain_text(f"Reference: {order.number}")
    expect(page.locator("#order-status")).to_have_text("Waiting for payment")
    expect(page.get_by_role("link", name="Download all (ZIP)")).to_have_count(0)
    expect(page.locator(".fulfilment")).to_have_count(0)  # no print status before paying
    shot(page, screenshot_dir, "09-order-to-pay")

    # --- 7. The owner records the bank transfer. ------------------------------------------
    staff = context_factory("phone").new_page()
    staff_log_in(staff, base, alpha.owner_email, "/staff/orders/")
    expect(staff.get_by_role("link", name=order.number)).to_be_visible()
    shot(staff, screenshot_dir, "10-staff-orders")
    staff.get_by_role("link", name=order.number).click()
    expect(staff).to_have_url(f"{base}/staff/orders/{order.pk}/")
    payment = staff.locator("form", has=staff.get_by_role("heading", name="Record a payment"))
    expect(payment.get_by_label("Amount")).to_have_value("24.00")
    payment.get_by_label("Method").select_option("bank_transfer")
    payment.get_by_label("Reference").fill(f"Statement 42 · {order.number}")
    shot(staff, screenshot_dir, "11-staff-order")
    payment.get_by_role("button", name="Record payment").click()
    expect(staff.locator("ul.messages li.success")).to_have_text("Payment recorded.")
    expect(staff.locator(".head .badge")).to_have_text("Paid")
    payments = staff.locator("section", has=staff.get_by_role("heading", name="Payments"))
    expect(payments.locator("tbody tr")).to_have_count(1)
    expect(payments.locator("tbody tr")).to_contain_text("Bank transfer")
    shot(staff, screenshot_dir, "12-staff-paid")

    # --- 8. The parent's order page: paid, the photos to download. ------------------------
    page.reload()
    expect(page.locator("#order-status")).to_have_text("Paid")
    expect(page.locator(".notice-card")).to_have_count(0)
    expect(page.locator("#balance-due")).to_have_text("€0.00")
    downloads = page.locator("section.downloads")
    expect(downloads.locator(".gallery-grid img")).to_have_count(3)
    expect(page.locator(".cart-line .fulfilment .badge")).to_have_text(["Accepted"])
    shot(page, screenshot_dir, "13-order-paid")
    with page.expect_download() as download_info:
        downloads.get_by_role("link", name="Download all (ZIP)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip"), download.suggested_filename
    archive = zipfile.ZipFile(download.path())
    names = sorted(archive.namelist())
    assert len(names) == 3, names
    assert all(name.startswith(order.number) and name.endswith(".jpg") for name in names), names
    with committed(), schema_context(alpha.schema):
        from studio.photos.models import Photo

        previews = {
            photo.original_name: photo.preview.size
            for photo in Photo.objects.filter(pk__in=shop_day["lena_photos"])
        }
        expected = {
            photo.original_name: shop_day["originals"][photo.pk]
            for photo in Photo.objects.filter(pk__in=shop_day["lena_photos"])
        }
    for name in names:
        data = archive.read(name)
        original_name = name.removeprefix(f"{order.number}_")
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert image.size == ORIGINAL_SIZE, (name, image.size)
        assert len(data) > previews[original_name], name
        assert data == expected[original_name], name

    # --- 9. The owner moves the prints on; the parent sees it. ----------------------------
    staff.reload()
    lines_form = staff.locator("form", has=staff.get_by_role("heading", name="Lines"))
    lines_form.get_by_label("Print 10×15").check()
    lines_form.get_by_label("Mark as").select_option("printing")
    lines_form.get_by_role("button", name="Update selected prints").click()
    expect(staff.locator("ul.messages li.success")).to_be_visible()
    expect(staff.locator("td .badge").filter(has_text="Printing")).to_have_count(1)
    shot(staff, screenshot_dir, "14-staff-printing")

    page.reload()
    print_line = page.locator(".cart-line").filter(has_text="Print 10×15")
    expect(print_line.locator(".fulfilment .badge")).to_have_text("Printing")
    shot(page, screenshot_dir, "15-order-printing")
