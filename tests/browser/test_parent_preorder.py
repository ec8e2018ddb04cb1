"""A parent pre-orders on a phone before the picture day and spends the credit afterwards,
against the real web server: the class's pre-order code, their child picked by first name
and initial, a "Class photo + 3 prints" package into the cart, sign-in and checkout by bank
transfer; the studio records the transfer; once the photos are published the parent opens
the gallery with the child's card code, sees the pre-paid package and picks its photos.

Phone width throughout; screenshots in
``test-output/screenshots/purchase-phone-preorder-*.png`` (the purchase test's ``shot``).
"""

import datetime
import re
from decimal import Decimal
from uuid import uuid4

import pytest
from django.db import transaction
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from studio.access import codes
from tests.browser.test_parent_gallery import photos_published
from tests.browser.test_parent_purchase import shot as purchase_shot
from tests.browser.test_parent_purchase import sign_in_code_from_mail

pytestmark = pytest.mark.browser


def shot(page, screenshot_dir, step: str) -> None:
    purchase_shot(page, screenshot_dir, f"preorder-{step}")


@pytest.fixture
def preorder_day(live_studios, committed, live_media, tmp_path, monkeypatch):
    """In alpha (committed): a planned picture day of class 5B (Lena Orlova, Mark Ivanov)
    with pre-orders open for "Class photo + 3 prints" (€12), its class code, bank details."""
    from saas_platform.accounts.models import Role, User
    from studio.catalogue.kinds import PackageKind, ProductKind
    from studio.catalogue.services.packages import PackageItemInput, package_create
    from studio.catalogue.services.price_sheets import (
        price_sheet_attach,
        price_sheet_create,
        price_sheet_item_set,
    )
    from studio.catalogue.services.products import product_create
    from studio.photos import tasks
    from studio.preorders.models import PreorderLink
    from studio.preorders.services import preorder_links_issue, preorder_setup_update
    from studio.schools.models import School, SchoolClass, Student
    from studio.shoots.services import shoot_create
    from tenants.models import Studio
    from tenants.selectors import host_cache_forget

    monkeypatch.setattr(tasks.process_photo, "enqueue_on_commit", lambda *args: None)
    alpha = live_studios["alpha"]
    tag = uuid4().hex[:6]
    with committed():
        studio = Studio.objects.get(pk=alpha.studio.pk)
        saved = (studio.accept_bank_transfer, studio.bank_details)
        studio.accept_bank_transfer, studio.bank_details = True, "Alpha Photo Ltd\nIBAN DE00 1"
        studio.save()
        host_cache_forget(hostnames=[alpha.host])
        with schema_context(alpha.schema):
            manager = User.objects.create_user(
                email=f"m-{tag}@x.test", password="pw-123456", role=Role.MANAGER
            )
            school = School.objects.create(name=f"Pre-order school {tag}")
            school_class = SchoolClass.objects.create(
                school=school, name="5B", school_year="2026-2027"
            )
            lena = Student.objects.create(
                school_class=school_class, first_name="Lena", last_name="Orlova"
            )
            mark = Student.objects.create(
                school_class=school_class, first_name="Mark", last_name="Ivanov"
            )
            shoot = shoot_create(
                school=school, name=f"Spring {tag}", date=datetime.date(2026, 10, 1)
            )
            sheet = price_sheet_create(name=f"Pre-order sheet {tag}")
            price_sheet_attach(sheet=sheet, school=school)
            print10 = product_create(
                kind=ProductKind.PRINT, name=f"Print 10×15 {tag}", print_size="10x15"
            )
            price_sheet_item_set(sheet=sheet, product=print10, price="2")
            bundle = package_create(
                sheet=sheet,
                name="Class photo + 3 prints",
                kind=PackageKind.BUNDLE,
                price="12",
                items=[
                    PackageItemInput(product=print10, quantity=1, class_photo=True),
                    PackageItemInput(product=print10, quantity=3),
                ],
            )
            preorder_setup_update(shoot=shoot, enabled=True, package_ids=[bundle.pk])
            preorder_links_issue(shoot=shoot)
            link = PreorderLink.objects.get(shoot=shoot)
    yield {
        "studio": alpha,
        "shoot": shoot,
        "school_class": school_class,
        "lena": lena,
        "mark": mark,
        "manager": manager,
        "link": link,
        "tmp_path": tmp_path,
        "parent_email": f"parent-{tag}@family.test",
    }

    from saas_platform.accounts.models import User as UserModel
    from studio.access.models import AccessCode
    from studio.catalogue.models import PriceSheet, Product
    from studio.orders.models import Order, Payment, Refund
    from studio.parents.models import FamilyCode, SignInCode
    from studio.photos.models import Photo
    from studio.preorders.models import Credit, CreditSlot, PreorderSetup
    from studio.shoots.models import Shoot
    from studio.storefront.models import Cart

    with committed():
        with schema_context(alpha.schema):
            orders = Order.objects.filter(lines__shoot=shoot).distinct()
            CreditSlot.objects.filter(credit__shoot=shoot).delete()
            Credit.objects.filter(shoot=shoot).delete()
            Refund.objects.filter(order__in=orders).delete()
            Payment.objects.filter(order__in=orders).delete()
            Order.objects.filter(pk__in=list(orders.values_list("pk", flat=True))).delete()
            parents = UserModel.objects.filter(email=f"parent-{tag}@family.test")
            Cart.objects.filter(items__shoot=shoot).delete()
            Cart.objects.filter(parent__in=parents).delete()
            FamilyCode.objects.filter(parent__in=parents).delete()
            SignInCode.objects.filter(recipient=f"parent-{tag}@family.test").delete()
            parents.delete()
            PreorderLink.objects.filter(shoot=shoot).delete()
            PreorderSetup.objects.filter(shoot=shoot).delete()
            AccessCode.objects.filter(shoot=shoot).delete()
            Photo.objects.filter(shoot=shoot).delete()
            Shoot.objects.filter(pk=shoot.pk).delete()
            PriceSheet.objects.filter(pk=sheet.pk).delete()
            Product.objects.filter(pk=print10.pk).delete()
            Student.objects.filter(school_class=school_class).delete()
            SchoolClass.objects.filter(pk=school_class.pk).delete()
            School.objects.filter(pk=school.pk).delete()
            UserModel.objects.filter(pk=manager.pk).delete()
        studio = Studio.objects.get(pk=alpha.studio.pk)
        studio.accept_bank_transfer, studio.bank_details = saved
        studio.save()
        host_cache_forget(hostnames=[alpha.host])


def test_a_parent_pre_orders_with_the_class_code_and_spends_the_credit_once_published(
    preorder_day, web_server, shared_mail_dir, context_factory, screenshot_dir, committed
):
    from studio.access.models import AccessCode
    from studio.orders.models import Order
    from studio.orders.services import payment_record_offline

    day = preorder_day
    alpha = day["studio"]
    base = f"http://{alpha.host}:{web_server}"
    email = day["parent_email"]
    page = context_factory("phone").new_page()

    # --- 1. The class's pre-order code, typed as it is on the note from school. ----------
    page.goto(f"{base}/preorder/")
    page.get_by_label("Class pre-order code").fill(day["link"].display.lower())
    shot(page, screenshot_dir, "01-code")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{base}/preorder/{day['link'].code}/")

    # --- 2. The child by first name and initial; the package. -----------------------------
    expect(page.get_by_label("Lena O.")).to_be_visible()
    expect(page.get_by_text("Orlova")).to_have_count(0)
    page.get_by_label("Lena O.").check()
    expect(page.get_by_label(re.compile("Class photo \\+ 3 prints"))).to_be_checked()
    shot(page, screenshot_dir, "02-class")
    page.get_by_role("button", name="Pre-order").click()
    expect(page).to_have_url(f"{base}/cart/")
    expect(page.locator("ul.messages li.success")).to_have_text(
        "Pre-ordered: Class photo + 3 prints."
    )
    expect(page.locator(".totals .grand").last).to_have_text("€12.00")
    shot(page, screenshot_dir, "03-cart")

    # --- 3. Sign in with the e-mailed code, check out by bank transfer. ------------------
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Your e-mail").fill(email)
    page.get_by_role("button", name="E-mail me a code").click()
    page.get_by_label("The 6-digit code from the e-mail").fill(
        sign_in_code_from_mail(shared_mail_dir, email)
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/checkout/")
    page.get_by_label("Your name").fill("Olga Orlova")
    page.get_by_label("With the class to the school (free)").check()
    page.get_by_label("Bank transfer").check()
    shot(page, screenshot_dir, "04-checkout")
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(re.escape(f"{base}/account/orders/") + r"[\w-]+/$"))
    shot(page, screenshot_dir, "05-order")

    # --- 4. The studio records the transfer; later the photos are published. ------------
    with committed(), schema_context(alpha.schema):
        order = Order.objects.get(email=email)
        assert order.total == Decimal("12.00")
        payment_record_offline(order=order, amount=order.total, method="bank_transfer", actor=None)
    page.goto(f"{base}/account/")
    expect(page.locator("#credits")).to_contain_text("You can choose them when the photos")
    shot(page, screenshot_dir, "06-account-credit")
    with committed(), schema_context(alpha.schema):
        lena, mark = day["lena"], day["mark"]
        _shoot, photo_ids = photos_published(
            shoot=day["shoot"],
            school_class=day["school_class"],
            manager=day["manager"],
            folder=day["tmp_path"],
            tagging=[
                ([lena], False),
                ([lena], False),
                ([lena], False),
                ([mark], False),
                ([], True),
            ],
            seed=1300,
        )
        with transaction.atomic():
            from studio.access.services import access_codes_issue

            access_codes_issue(shoot=_shoot)
        card_code = AccessCode.objects.get(shoot=_shoot, student=lena).code

    # --- 5. The card's code opens the gallery, which offers the pre-paid package. --------
    page.goto(f"{base}/")
    page.get_by_label("Access code").fill(codes.display(card_code))
    page.get_by_role("button", name="Open gallery").click()
    expect(page).to_have_url(f"{base}/gallery/")
    credits = page.locator("#credits")
    expect(credits).to_contain_text("You have a pre-paid package: pick 3 photos.")
    shot(page, screenshot_dir, "07-gallery-credit")
    credits.get_by_role("link", name="Choose photos").click()
    tiles = page.locator(".gallery-grid .tile")
    expect(tiles).to_have_count(3)  # Lena's, never Mark's or the class photo
    tiles.nth(0).locator("input[type=checkbox]").check()
    tiles.nth(2).locator("input[type=checkbox]").check()
    shot(page, screenshot_dir, "08-choose")
    page.get_by_role("button", name="Use my package for these photos").click()
    expect(page.locator("ul.messages li.success")).to_have_text(
        "2 photos added to your pre-paid package."
    )
    expect(page.locator(".credit-left")).to_contain_text("Pick 1 more photo.")
    expect(page.locator(".tile .badge")).to_have_count(2)
    shot(page, screenshot_dir, "09-chosen")

    with committed(), schema_context(alpha.schema):
        printed = sorted(
            order.lines.filter(kind="print").exclude(photo=None).values_list("photo_id", flat=True)
        )
    assert printed == sorted([photo_ids[0], photo_ids[2], photo_ids[4]])  # with the class photo

    page.goto(f"{base}/gallery/")
    expect(page.locator("#credits")).to_contain_text("pick 1 photo.")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone


def test_staff_open_pre_orders_and_refund_unused_credit_from_the_order_page_on_a_phone(
    preorder_day, web_server, context_factory, screenshot_dir, committed
):
    from studio.orders.models import Order
    from studio.orders.services import payment_record_offline
    from studio.storefront.models import Cart, CartItem
    from studio.storefront.services import CheckoutDetails, checkout_place
    from tests.browser.test_parent_purchase import staff_log_in

    day = preorder_day
    alpha = day["studio"]
    base = f"http://{alpha.host}:{web_server}"
    page = context_factory("phone").new_page()
    shoot_path = f"/staff/preorders/shoots/{day['shoot'].pk}/"

    # --- 1. The picture day's pre-orders: on, the package ticked, the class's code. -------
    staff_log_in(page, base, alpha.owner_email, shoot_path)
    setup = page.locator("#preorder-setup")
    expect(setup.get_by_label("Take pre-orders for this picture day")).to_be_checked()
    expect(setup.get_by_label(re.compile("Class photo \\+ 3 prints"))).to_be_checked()
    setup.get_by_role("button", name="Save").click()
    expect(page.locator("ul.messages li.success")).to_have_text("Pre-orders saved.")
    expect(page.locator("#preorder-codes")).to_contain_text(day["link"].display)
    expect(page.locator("#preorder-codes")).to_contain_text(f"/preorder/{day['link'].code}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, screenshot_dir, "20-staff-setup")

    # --- 2. A parent's pre-order, paid by bank transfer (as in the test above). ----------
    with committed(), schema_context(alpha.schema):
        from saas_platform.accounts.models import Role, User

        parent = User.objects.create_user(email=day["parent_email"], role=Role.PARENT)
        cart = Cart.objects.create(parent=parent)
        bundle = day["link"].shoot.preorder_setup.packages.get()
        CartItem.objects.create(cart=cart, shoot=day["shoot"], child=day["lena"], package=bundle)
        order = checkout_place(
            cart=cart,
            parent=parent,
            key=cart.checkout_key,
            details=CheckoutDetails(
                email=parent.email,
                name="Olga",
                phone="",
                payment_method="bank_transfer",
                delivery_method="school",
            ),
        )
        payment_record_offline(order=order, amount=order.total, method="bank_transfer", actor=None)

    # --- 3. The order page: the pre-paid package, unused; refunded in one tap. -----------
    page.goto(f"{base}/staff/orders/{order.pk}/")
    credits = page.locator("#preorder-credits")
    expect(credits).to_contain_text("0 of 4 photos chosen")
    expect(credits).to_contain_text("€12.00")
    shot(page, screenshot_dir, "21-staff-order-credit")
    page.once("dialog", lambda dialog: dialog.accept())
    credits.get_by_role("button", name="Refund unused").click()
    expect(page).to_have_url(f"{base}/staff/orders/{order.pk}/")
    expect(page.locator("ul.messages li.success")).to_have_text(
        "Refunded €12.00 of the unused pre-paid package."
    )
    expect(page.locator("#preorder-credits")).to_contain_text("€0.00")
    expect(page.locator("#preorder-credits").get_by_role("button")).to_have_count(0)
    shot(page, screenshot_dir, "22-staff-refunded")
    with committed(), schema_context(alpha.schema):
        order = Order.objects.get(pk=order.pk)
    assert order.refunded_total == Decimal("12.00")
