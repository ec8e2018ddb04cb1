"""A manager on a phone (390 px) switches campaigns to e-mail and SMS, sends "photos are online"
and sees the texts recorded; the real worker texts the roster's phones through the fake
provider, skipping the number that replied STOP; the SMS wording is previewed with its length.

Screenshots: ``test-output/screenshots/campaigns-sms-phone-*.png``.
"""

import datetime
import random
import time
import uuid

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from saas_platform.accounts.models import Role, User
from studio.access.models import AccessCode
from studio.access.services import access_codes_issue
from studio.campaigns.models import CampaignSend, CampaignSettings
from studio.schools.models import School, SchoolClass, Student
from studio.schools.roster import current_school_year
from studio.shoots.models import Shoot, ShootStatus
from studio.sms.models import SmsMessage, SmsOptOut, SmsSettings
from studio.sms.services import sms_opt_out
from tests.browser.test_first_season import expect_fits_the_phone
from tests.browser.test_operator_console import log_in_staff
from tests.conftest import OWNER_PASSWORD
from tests.studio.sms.conftest import twilio_on

pytestmark = pytest.mark.browser


def _phone() -> str:
    return f"+38063{random.randrange(10**7):07d}"  # noqa: S311 - a test number, not a secret


@pytest.fixture
def sms_campaign_day(live_studios, committed):
    alpha = live_studios["alpha"]
    tag = uuid.uuid4().hex[:6]
    date = timezone.localdate() - datetime.timedelta(days=2)
    vera_phone, oleg_phone, stopped = _phone(), _phone(), _phone()
    with committed(), schema_context(alpha.schema):
        twilio_on(alpha.schema)
        sms_opt_out(phone=stopped)
        manager = User.objects.create_user(
            email=f"camp-sms-{tag}@alpha.test", password=OWNER_PASSWORD, role=Role.MANAGER
        )
        school = School.objects.create(name=f"Gymnasium {tag}")
        school_class = SchoolClass.objects.create(
            school=school, name="2C", school_year=current_school_year(date)
        )
        Student.objects.create(
            school_class=school_class, first_name="Vera", last_name="Lis",
            parent_emails=[f"lis-{tag}@example.com"], parent_phones=[vera_phone],
        )  # fmt: skip
        Student.objects.create(
            school_class=school_class, first_name="Oleg", last_name="Lis",
            parent_phones=[oleg_phone, stopped],
        )  # fmt: skip
        shoot = Shoot.objects.create(
            school=school,
            name=f"Autumn {tag}",
            date=date,
            sales_deadline=timezone.now() + datetime.timedelta(days=14),
            status=ShootStatus.PUBLISHED,
        )
        access_codes_issue(shoot=shoot)
    yield {
        "studio": alpha,
        "manager": manager,
        "shoot": shoot,
        "phones": (vera_phone, oleg_phone, stopped),
    }
    with committed(), schema_context(alpha.schema):
        CampaignSend.objects.filter(shoot=shoot).delete()
        CampaignSettings.objects.all().delete()
        SmsMessage.objects.filter(to__in=[vera_phone, oleg_phone, stopped]).delete()
        SmsOptOut.objects.filter(phone=stopped).delete()
        SmsSettings.objects.all().delete()
        AccessCode.objects.filter(shoot=shoot).delete()
        Shoot.objects.filter(pk=shoot.pk).delete()
        School.objects.filter(pk=school.pk).delete()
        User.objects.filter(pk=manager.pk).delete()


def _texts(fake_sms, phone, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = fake_sms.texts_to(phone)
        if found:
            return found
        time.sleep(0.3)
    raise TimeoutError(f"no text to {phone}")


def test_a_manager_sends_a_campaign_by_sms_on_a_phone(
    sms_campaign_day,
    web_server,
    celery_worker_process,
    fake_sms,
    context_factory,
    screenshot_dir,
):
    alpha, shoot = sms_campaign_day["studio"], sms_campaign_day["shoot"]
    vera_phone, oleg_phone, stopped = sms_campaign_day["phones"]
    base = f"http://{alpha.host}:{web_server}"
    page = context_factory("phone").new_page()

    def snap(step):
        page.screenshot(path=screenshot_dir / f"campaigns-sms-phone-{step}.png", full_page=True)
        expect_fits_the_phone(page)

    # --- the studio has an SMS provider: campaigns may go by e-mail and SMS -------------------
    log_in_staff(page, base, sms_campaign_day["manager"].email)
    page.goto(f"{base}/staff/campaigns/")
    page.get_by_label("Send by").select_option("both")
    page.locator("#campaign-settings").get_by_role("button", name="Save").click()
    expect(page.locator("ul.messages li.success")).to_contain_text("Campaign settings saved.")
    expect(page.get_by_label("Send by")).to_have_value("both")
    snap("01-settings")

    # --- the picture day: one address and three phones; "Send now" -------------------------
    page.goto(f"{base}/staff/campaigns/shoots/{shoot.pk}/")
    online = page.locator(".campaign-kind[data-kind=photos_online]")
    expect(online).to_contain_text("Would reach 1 address. And 3 phones by SMS.")
    snap("02-picture-day")
    online.get_by_role("button", name="Send now").click()
    expect(page.locator('[data-count="sent"]')).to_have_text("3", timeout=60_000)
    expect(page.locator('[data-count="unsubscribed"]')).to_have_text("1")
    expect(page.locator("#progress")).to_have_attribute("data-status", "done")
    for phone, status in [(vera_phone, "sent"), (oleg_phone, "sent"), (stopped, "unsubscribed")]:
        row = page.locator(f'tr.recipient[data-address="{phone}"]')
        expect(row).to_have_attribute("data-channel", "sms")
        expect(row).to_have_attribute("data-status", status)
    expect(page.locator(f'tr.recipient[data-address="{stopped}"]')).to_contain_text("STOP")
    snap("03-sent")

    # --- the worker texted both numbers once, through the studio's provider ----------------
    (vera_text,) = _texts(fake_sms, vera_phone)
    (oleg_text,) = _texts(fake_sms, oleg_phone)
    assert vera_text.startswith("Alpha Photo: the photos of Vera Lis are online. Code ")
    assert f"{base}/?code=" in vera_text and vera_text.endswith("STOP to opt out")
    assert "Oleg Lis" in oleg_text
    time.sleep(1)
    assert fake_sms.texts_to(stopped) == []

    # --- the SMS wording, previewed with its length ------------------------------------------
    page.goto(f"{base}/staff/campaigns/messages/reminder/ru/")
    expect(page.locator("#sms-preview-text")).to_contain_text("STOP — отписаться")
    expect(page.locator("#sms-length")).to_contain_text("UCS-2, 70")
    page.get_by_label("SMS text").fill("{child}: фото до {deadline}, код {code}")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#sms-preview-text")).to_contain_text("Анна Смирнова: фото до ")
    snap("04-sms-preview")
