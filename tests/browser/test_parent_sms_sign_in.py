"""SMS on a phone, against the real web server, a real Celery worker and the fake providers
(``tests/fakesms.py``, which both processes are pointed at):

the owner sets Twilio up at /staff/settings/sms/ and sends a test SMS; Twilio's signed
delivery report reaches the web server and the page shows it delivered. A parent whose number
is on the class roster adds "All photos" to the cart, goes to checkout, chooses to get the
sign-in code by SMS, types the code the fake received and is at checkout, signed in.

Screenshots in ``test-output/screenshots/sms-phone-*.png``.
"""

import re
import secrets
import time
from uuid import uuid4

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from tests.browser.test_operator_console import log_in_staff
from tests.browser.test_parent_gallery import photos_published
from tests.fakesms import SENDER, TWILIO_SID, TWILIO_TOKEN

pytestmark = pytest.mark.browser


def shot(page: Page, screenshot_dir, step: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / f"sms-phone-{step}.png", full_page=True)


def wait_for_text(fake, phone: str, count: int, timeout: float = 30) -> str:
    """The ``count``-th text the fake accepted for ``phone`` (the worker sends it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = fake.texts_to(phone)
        if len(texts) >= count:
            return texts[count - 1]
        time.sleep(0.2)
    raise AssertionError(f"no text #{count} to {phone}: {fake.texts_to(phone)}")


@pytest.fixture
def sms_day(live_studios, committed, live_media, tmp_path, monkeypatch):
    """In alpha (committed): no SMS settings yet; a published picture day of Lena, whose
    parent's phone is on the roster, with an "All photos" package."""
    from saas_platform.accounts.models import Role, User
    from studio.access.models import AccessCode
    from studio.catalogue.kinds import PackageKind
    from studio.catalogue.models import PriceSheet
    from studio.catalogue.services.packages import package_create
    from studio.catalogue.services.price_sheets import price_sheet_attach, price_sheet_create
    from studio.parents.models import FamilyCode, ParentPhone, SignInCode
    from studio.photos import tasks
    from studio.photos.models import Photo
    from studio.schools.models import School, SchoolClass, Student
    from studio.shoots.models import Shoot
    from studio.shoots.services import shoot_create
    from studio.sms.models import SmsMessage, SmsSettings
    from studio.storefront.models import Cart

    monkeypatch.setattr(tasks.process_photo, "enqueue_on_commit", lambda *args: None)
    alpha = live_studios["alpha"]
    tag = uuid4().hex[:6]
    phone = f"+38050{secrets.randbelow(10**7):07d}"
    with committed(), schema_context(alpha.schema):
        manager = User.objects.create_user(
            email=f"m-{tag}@x.test", password="pw-123456", role=Role.MANAGER
        )
        school = School.objects.create(name=f"SMS school {tag}")
        school_class = SchoolClass.objects.create(school=school, name="4D", school_year="2026")
        lena = Student.objects.create(
            school_class=school_class, first_name="Lena", last_name="Orlova", parent_phones=[phone]
        )
        shoot = shoot_create(school=school, name=f"SMS day {tag}", date="2026-10-03")
        shoot, _photos = photos_published(
            shoot=shoot,
            school_class=school_class,
            manager=manager,
            folder=tmp_path,
            tagging=[([lena], False)],
            seed=1300,
        )
        code = AccessCode.objects.get(shoot=shoot, student=lena).code
        sheet = price_sheet_create(name=f"SMS sheet {tag}")
        price_sheet_attach(sheet=sheet, school=school)
        package_create(sheet=sheet, name="All photos", kind=PackageKind.ALL_DIGITAL, price="20")
    yield {"studio": alpha, "code": code, "phone": phone}
    with committed(), schema_context(alpha.schema):
        parents = User.objects.filter(sign_in_phone__phone=phone)
        Cart.objects.filter(items__shoot=shoot).delete()
        Cart.objects.filter(parent__in=parents).delete()
        FamilyCode.objects.filter(parent__in=parents).delete()
        SignInCode.objects.filter(recipient=phone).delete()
        ParentPhone.objects.filter(phone=phone).delete()
        parents.delete()
        SmsMessage.objects.all().delete()
        SmsSettings.objects.all().delete()
        AccessCode.objects.filter(shoot=shoot).delete()
        Photo.objects.filter(shoot=shoot).delete()
        Shoot.objects.filter(pk=shoot.pk).delete()
        PriceSheet.objects.filter(pk=sheet.pk).delete()
        Student.objects.filter(school_class=school_class).delete()
        SchoolClass.objects.filter(pk=school_class.pk).delete()
        School.objects.filter(pk=school.pk).delete()
        User.objects.filter(pk=manager.pk).delete()


def test_the_owner_sets_sms_up_and_a_parent_signs_in_at_checkout_with_a_texted_code(
    sms_day, web_server, celery_worker_process, fake_sms, context_factory, screenshot_dir, committed
):
    alpha = sms_day["studio"]
    base = f"http://{alpha.host}:{web_server}"
    phone = sms_day["phone"]

    # --- 1. The owner chooses Twilio, saves the token, sends a test SMS. -----------------
    owner = context_factory("phone").new_page()
    log_in_staff(owner, base, alpha.owner_email)
    owner.goto(f"{base}/staff/settings/studio/")
    owner.get_by_role("link", name="SMS", exact=True).click()
    expect(owner).to_have_url(f"{base}/staff/settings/sms/")
    owner.get_by_label("Provider").select_option("twilio")
    owner.get_by_label("Twilio account SID").fill(TWILIO_SID)
    owner.get_by_label("Auth token").fill(TWILIO_TOKEN)
    owner.get_by_label("Sender").fill(SENDER)
    shot(owner, screenshot_dir, "01-settings")
    owner.get_by_role("button", name="Save").click()
    expect(owner.locator("ul.messages li.success")).to_have_text("SMS settings saved.")
    expect(owner.locator("#secret-saved")).to_contain_text(TWILIO_TOKEN[-4:])
    assert TWILIO_TOKEN not in owner.content()
    assert owner.evaluate("document.documentElement.scrollWidth") <= 390

    test_phone = f"+38067{secrets.randbelow(10**7):07d}"
    owner.get_by_label("Send a test SMS to").fill(test_phone)
    owner.get_by_role("button", name="Send test SMS").click()
    expect(owner.locator("ul.messages li.success")).to_contain_text("Test SMS queued")
    assert "SMS works." in wait_for_text(fake_sms, test_phone, 1)
    sid = next(s for s, sent in fake_sms.messages.items() if sent["To"] == test_phone)
    # Twilio's signed delivery report, over HTTP to the web server
    assert fake_sms.twilio_callback(sid, "delivered") == 204
    owner.reload()
    expect(owner.locator("#sms-recent li").filter(has_text=test_phone)).to_contain_text("Delivered")
    shot(owner, screenshot_dir, "02-test-delivered")

    # --- 2. A parent: the card's code, "All photos" into the cart, checkout. -------------
    page = context_factory("phone").new_page()
    page.goto(f"{base}/?code={sms_day['code']}")
    expect(page).to_have_url(f"{base}/gallery/")
    page.locator("form.package").filter(has_text="All photos").get_by_role(
        "button", name="Add to cart"
    ).click()
    expect(page.locator("nav .cart-link .badge")).to_have_text("1")
    page.locator("nav .cart-link").click()
    page.get_by_role("link", name="Checkout").click()
    expect(page).to_have_url(re.compile(re.escape(f"{base}/account/sign-in/") + r"\?next="))

    # --- 3. The code by SMS, typed as a parent would (spaces), read from the fake. --------
    page.get_by_label("Your phone number").fill(f"{phone[:4]} {phone[4:6]} {phone[6:]}")
    shot(page, screenshot_dir, "03-sign-in")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Text me a code").click()
    expect(page.get_by_role("heading", name="Check your phone")).to_be_visible()
    text = wait_for_text(fake_sms, phone, 1)
    code = re.match(r"(\d{6}) is your sign-in code", text).group(1)
    page.get_by_label("The 6-digit code from the SMS").fill(code)
    shot(page, screenshot_dir, "04-code")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{base}/checkout/")
    expect(page.get_by_role("heading", name="Checkout", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="My account")).to_be_visible()
    shot(page, screenshot_dir, "05-checkout")
    from studio.parents.models import ParentPhone

    with committed(), schema_context(alpha.schema):
        assert ParentPhone.objects.get(phone=phone).parent.role == "parent"
