"""A parent pays by card on a phone, end to end, against the real web server and the fake
Stripe (``tests/fakestripe.py``, which the session's web server is always pointed at):

the card's link opens the gallery; the parent adds "All photos", signs in with the e-mailed
code, chooses card and places the order; the browser goes to the fake's stand-in for
Checkout's hosted page, pays, and comes back to the order page, which says the payment is
being processed: coming back alone pays nothing. Stripe's signed ``checkout.session.completed``
webhook then reaches the web server; on reload the order is paid and the photos download.

Every step leaves a screenshot in ``test-output/screenshots/card-phone-*.png``.
"""

import http.client
import re
from decimal import Decimal
from uuid import uuid4

import pytest
from django.conf import settings
from django.db import transaction
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from tests.browser.test_parent_purchase import sign_in_code_from_mail
from tests.conftest import STRIPE_TEST_WEBHOOK_SECRET
from tests.fakestripe import event, sign
from tests.studio.photos.images import jpeg_bytes, write

pytestmark = pytest.mark.browser


def shot(page: Page, screenshot_dir, step: str) -> None:
    """A full-page screenshot with every (lazy) image loaded, scrolled back to the top."""
    handles = page.locator("main img").element_handles()
    for handle in handles:
        handle.scroll_into_view_if_needed()
    if handles:
        page.wait_for_function("imgs => imgs.every(img => img.complete)", arg=handles)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"card-phone-{step}.png", full_page=True)


@pytest.fixture
def card_day(live_studios, committed, live_media, tmp_path, monkeypatch):
    """In alpha (committed, for the web server): a connected, ready Stripe account of its
    own, and a published picture day with two photos of Lena, her access code and a price
    sheet with "All photos" at €20."""
    from saas_platform.accounts.models import Role, User
    from studio.access.models import AccessCode
    from studio.access.services import access_codes_issue
    from studio.catalogue.kinds import PackageKind
    from studio.catalogue.models import PriceSheet
    from studio.catalogue.services.packages import package_create
    from studio.catalogue.services.price_sheets import price_sheet_attach, price_sheet_create
    from studio.photos import tasks
    from studio.photos.services.ingest import photo_ingest_file
    from studio.photos.services.processing import photo_process
    from studio.schools.models import School, SchoolClass, Student
    from studio.shoots.services import shoot_create, shoot_transition
    from tenants.models import StripeAccountStatus, Studio
    from tenants.selectors import host_cache_forget

    monkeypatch.setattr(tasks.process_photo, "enqueue_on_commit", lambda *args: None)
    alpha = live_studios["alpha"]
    tag = uuid4().hex[:6]
    account = f"acct_browser_{tag}"
    with committed():
        studio = Studio.objects.get(pk=alpha.studio.pk)
        saved = (studio.stripe_account_id, studio.stripe_account_status)
        studio.stripe_account_id = account
        studio.stripe_account_status = StripeAccountStatus.READY
        studio.save()
        host_cache_forget(hostnames=[alpha.host])
        with schema_context(alpha.schema):
            manager = User.objects.create_user(
                email=f"m-{tag}@x.test", password="pw-123456", role=Role.MANAGER
            )
            school = School.objects.create(name=f"Card school {tag}")
            school_class = SchoolClass.objects.create(
                school=school, name="3B", school_year="2026-2027"
            )
            lena = Student.objects.create(
                school_class=school_class, first_name="Lena", last_name="Orlova"
            )
            shoot = shoot_create(school=school, name=f"Spring {tag}", date="2026-10-02")
            for n in range(2):
                with transaction.atomic():
                    outcome = photo_ingest_file(
                        shoot=shoot,
                        path=write(tmp_path / f"{n}.jpg", jpeg_bytes(1200, 800, seed=700 + n)),
                        file_name=f"IMG_{n:04d}.jpg",
                        uploaded_by=manager,
                    )
                photo = photo_process(photo_id=outcome.photo_id)
                photo.students.set([lena])
                photo.school_class = school_class
                photo.save()
            for status in ("uploading", "in_review", "published"):
                shoot = shoot_transition(shoot=shoot, to=status, actor=manager)
            with transaction.atomic():
                access_codes_issue(shoot=shoot)
            code = AccessCode.objects.get(shoot=shoot, student=lena).code
            sheet = price_sheet_create(name=f"Card sheet {tag}")
            price_sheet_attach(sheet=sheet, school=school)
            package_create(sheet=sheet, name="All photos", kind=PackageKind.ALL_DIGITAL, price="20")
    email = f"card-parent-{tag}@family.test"
    yield {"studio": alpha, "code": code, "account": account, "email": email}

    from billing.models import StripeEvent
    from studio.orders.models import Order, Payment
    from studio.parents.models import FamilyCode, SignInCode
    from studio.photos.models import Photo
    from studio.shoots.models import Shoot
    from studio.storefront.models import Cart

    with committed():
        with schema_context(alpha.schema):
            orders = Order.objects.filter(email=email)
            Payment.objects.filter(order__in=orders).delete()
            orders.delete()
            parents = User.objects.filter(email=email)
            Cart.objects.filter(items__shoot=shoot).delete()
            Cart.objects.filter(parent__in=parents).delete()
            FamilyCode.objects.filter(parent__in=parents).delete()
            SignInCode.objects.filter(recipient=email).delete()
            parents.delete()
            AccessCode.objects.filter(shoot=shoot).delete()
            Photo.objects.filter(shoot=shoot).delete()
            Shoot.objects.filter(pk=shoot.pk).delete()
            PriceSheet.objects.filter(pk=sheet.pk).delete()
            Student.objects.filter(school_class=school_class).delete()
            SchoolClass.objects.filter(pk=school_class.pk).delete()
            School.objects.filter(pk=school.pk).delete()
            User.objects.filter(pk=manager.pk).delete()
        StripeEvent.objects.filter(account=account).delete()
        studio = Studio.objects.get(pk=alpha.studio.pk)
        studio.stripe_account_id, studio.stripe_account_status = saved
        studio.save()
        host_cache_forget(hostnames=[alpha.host])


def deliver_webhook(port: int, payload: bytes) -> tuple[int, str]:
    """POSTs a signed event to the web server's ``/stripe/webhook/`` on the bare domain."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "POST",
            "/stripe/webhook/",
            body=payload,
            headers={
                "Host": f"{settings.BASE_DOMAIN}:{port}",
                "Content-Type": "application/json",
                "Stripe-Signature": sign(payload, STRIPE_TEST_WEBHOOK_SECRET),
            },
        )
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_a_parent_pays_by_card_on_a_phone_and_the_webhook_marks_the_order_paid(
    card_day, web_server, fake_stripe, shared_mail_dir, context_factory, screenshot_dir, committed
):
    from studio.orders.models import Order, OrderStatus, PaymentStatus

    alpha = card_day["studio"]
    base = f"http://{alpha.host}:{web_server}"
    email, account = card_day["email"], card_day["account"]
    page = context_factory("phone").new_page()

    # --- 1. The card's link opens the gallery; "All photos" into the cart. ----------------
    page.goto(f"{base}/?code={card_day['code']}")  # the card's link opens the gallery
    expect(page).to_have_url(f"{base}/gallery/")
    lena = page.locator("section.gallery-section").filter(
        has=page.get_by_role("heading", name="Lena Orlova")
    )
    expect(lena.locator(".gallery-grid img")).to_have_count(2)
    shot(page, screenshot_dir, "01-gallery")
    lena.locator("form.package").filter(has_text="All photos").get_by_role(
        "button", name="Add to cart"
    ).click()
    expect(page.locator("ul.messages li.success")).to_have_text("Added to your cart: All photos.")
    page.locator("nav .cart-link").click()
    expect(page.locator(".totals .grand").last).to_have_text("€20.00")
    shot(page, screenshot_dir, "02-cart")

    # --- 2. Checkout: sign in with the e-mailed code. -------------------------------------
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Your e-mail").fill(email)
    page.get_by_role("button", name="E-mail me a code").click()
    page.get_by_label("The 6-digit code from the e-mail").fill(
        sign_in_code_from_mail(shared_mail_dir, email)
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/checkout/")

    # --- 3. Card (photos only: nothing to deliver), "Place order": the fake's stand-in for Checkout's hosted page. ----------
    page.get_by_label("Your name").fill("Anna Orlova")
    page.get_by_role("radio", name=re.compile(r"Card\b")).check()
    shot(page, screenshot_dir, "03-checkout-card")
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(re.escape(f"{fake_stripe.url}/pay/") + r"cs_test_\w+$"))
    session_id = page.url.rsplit("/", 1)[1]
    expect(page.locator(".total")).to_have_text("20.00 EUR")
    shot(page, screenshot_dir, "04-stripe-checkout")
    with committed(), schema_context(alpha.schema):
        order = Order.objects.get(email=email)
        payment = order.payments.get()
    assert (order.status, order.payment_method) == (OrderStatus.PENDING_PAYMENT, "stripe")
    assert payment.provider_data["session_id"] == session_id
    assert fake_stripe.session(account, session_id)["amount_total"] == 2000

    # --- 4. Paying sends the browser back; the redirect alone pays nothing. ---------------
    page.get_by_role("button", name="Pay").click()
    order_url = f"{base}/account/orders/{order.number}/"
    expect(page).to_have_url(f"{order_url}?checkout=done")
    assert fake_stripe.session(account, session_id)["payment_status"] == "paid"
    expect(page.locator("#order-status")).to_have_text("Waiting for payment")
    expect(page.locator("#payment-instructions")).to_contain_text(
        "Your card payment is being processed."
    )
    expect(page.locator("#balance-due")).to_have_text("€20.00")
    # paying again stays possible (an abandoned payment) but is no longer the main action
    expect(page.get_by_role("button", name="Pay by card")).to_have_class(
        re.compile(r"\bsecondary\b")
    )
    expect(page.get_by_role("link", name="Download all (ZIP)")).to_have_count(0)
    shot(page, screenshot_dir, "05-order-processing")
    with committed(), schema_context(alpha.schema):
        order.refresh_from_db()
        assert order.status == OrderStatus.PENDING_PAYMENT
        assert order.paid_total == Decimal("0")

    # --- 5. Stripe's webhook reaches the web server; the order is paid. -------------------
    payload = event(
        "checkout.session.completed", fake_stripe.session(account, session_id), account=account
    )
    assert deliver_webhook(web_server, payload)[0] == 200
    with committed(), schema_context(alpha.schema):
        order.refresh_from_db()
        payment.refresh_from_db()
    assert (order.status, order.paid_total) == (OrderStatus.PAID, Decimal("20.00"))
    assert payment.status == PaymentStatus.CONFIRMED

    page.goto(order_url)
    expect(page.locator("#order-status")).to_have_text("Paid")
    expect(page.locator(".notice-card")).to_have_count(0)
    expect(page.locator("#balance-due")).to_have_text("€0.00")
    expect(page.get_by_role("link", name="Download all (ZIP)")).to_be_visible()
    shot(page, screenshot_dir, "06-order-paid")
