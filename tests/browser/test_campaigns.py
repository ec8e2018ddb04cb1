"""A manager on a phone sends "photos are online" for a picture day and follows its progress;
the real worker sends it; a parent opens the unsubscribe link from the e-mail on their phone,
confirms, and the campaign's page then shows them unsubscribed.

Screenshots: ``test-output/screenshots/campaigns-phone-*.png``.
"""

import datetime
import re
import time
import uuid

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from saas_platform.accounts.models import Role, User
from studio.access.models import AccessCode
from studio.access.services import access_codes_issue
from studio.campaigns.models import CampaignSend, MessageTemplate, Suppression
from studio.schools.models import School, SchoolClass, Student
from studio.schools.roster import current_school_year
from studio.shoots.models import Shoot, ShootStatus
from tests.browser.test_first_season import expect_fits_the_phone
from tests.browser.test_operator_console import log_in_staff
from tests.conftest import OWNER_PASSWORD, sent_mail

pytestmark = pytest.mark.browser


@pytest.fixture
def campaign_day(live_studios, committed):
    alpha = live_studios["alpha"]
    tag = uuid.uuid4().hex[:6]
    date = timezone.localdate() - datetime.timedelta(days=2)
    parents = [f"olga-{tag}@example.com", f"petr-{tag}@example.com"]
    with committed(), schema_context(alpha.schema):
        manager = User.objects.create_user(
            email=f"camp-m-{tag}@alpha.test", password=OWNER_PASSWORD, role=Role.MANAGER
        )
        school = School.objects.create(name=f"Lyceum {tag}")
        school_class = SchoolClass.objects.create(
            school=school, name="4B", school_year=current_school_year(date)
        )
        for first, address in zip(["Vera", "Oleg"], parents, strict=True):
            Student.objects.create(
                school_class=school_class, first_name=first, last_name="Sokolov",
                parent_emails=[address],
            )  # fmt: skip
        shoot = Shoot.objects.create(
            school=school,
            name=f"Spring {tag}",
            date=date,
            sales_deadline=timezone.now() + datetime.timedelta(days=14),
            status=ShootStatus.PUBLISHED,
        )
        access_codes_issue(shoot=shoot)
    yield {"studio": alpha, "manager": manager, "shoot": shoot, "parents": parents}
    with committed(), schema_context(alpha.schema):
        CampaignSend.objects.filter(shoot=shoot).delete()
        MessageTemplate.objects.filter(kind="reminder", language="ru").delete()
        Suppression.objects.filter(address__in=parents).delete()
        AccessCode.objects.filter(shoot=shoot).delete()
        Shoot.objects.filter(pk=shoot.pk).delete()
        School.objects.filter(pk=school.pk).delete()
        User.objects.filter(pk=manager.pk).delete()


def _mail_to(mail_dir, address, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sent_mail(mail_dir, address)
        if found:
            return found
        time.sleep(0.3)
    raise TimeoutError(f"no e-mail to {address}")


def test_a_manager_sends_a_campaign_and_a_parent_unsubscribes_on_a_phone(
    campaign_day,
    web_server,
    celery_worker_process,
    shared_mail_dir,
    context_factory,
    screenshot_dir,
    committed,
):
    alpha = campaign_day["studio"]
    shoot = campaign_day["shoot"]
    olga, petr = campaign_day["parents"]
    base = f"http://{alpha.host}:{web_server}"
    page = context_factory("phone").new_page()

    def snap(step, on=page):
        on.screenshot(path=screenshot_dir / f"campaigns-phone-{step}.png", full_page=True)
        expect_fits_the_phone(on)

    # --- the manager finds Campaigns under Settings and opens the picture day -----------------
    log_in_staff(page, base, campaign_day["manager"].email)
    page.locator("nav.nav").get_by_role("link", name="Settings").click()
    page.locator("a.settings-link").filter(
        has=page.get_by_role("heading", name="Campaigns")
    ).click()
    expect(page).to_have_url(f"{base}/staff/campaigns/")
    snap("01-index")
    page.get_by_role("link", name=shoot.name).click()
    online = page.locator(".campaign-kind[data-kind=photos_online]")
    expect(online).to_contain_text("Would reach 2 addresses.")
    expect(page.locator(".campaign-kind[data-kind=last_chance] .refusal")).to_have_text(
        "The last chance goes after the sales deadline."
    )
    snap("02-picture-day")

    # --- "Send now": the worker sends it, the page follows until both are sent ----------------
    online.get_by_role("button", name="Send now").click()
    expect(page).to_have_url(re.compile(re.escape(f"{base}/staff/campaigns/sends/") + r"\d+/$"))
    expect(page.locator("ul.messages li.success")).to_contain_text("The campaign is being sent.")
    expect(page.locator('[data-count="sent"]')).to_have_text("2", timeout=60_000)
    expect(page.locator("#progress")).to_have_attribute("data-status", "done")
    snap("03-sent")

    # --- the e-mail: branded, filled in, with one-click unsubscribe -------------------------
    (message,) = _mail_to(shared_mail_dir, olga)
    assert message["Subject"] == "Alpha Photo: the photos of Vera Sokolov are online"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip().strip("<>")
    assert link.startswith(f"{base}/unsubscribe/")
    assert link in message.get_body(preferencelist=("plain",)).get_content()
    assert link in message.get_body(preferencelist=("html",)).get_content()

    # --- the parent, on their phone, unsubscribes ------------------------------------------
    parent = context_factory("phone").new_page()
    parent.goto(link)
    expect(parent.locator("#unsubscribe")).to_contain_text(
        f"Stop messages about photos and reminders from Alpha Photo to {olga}?"
    )
    snap("04-unsubscribe-confirm", parent)
    parent.get_by_role("button", name="Unsubscribe").click()
    expect(parent.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    snap("05-unsubscribed", parent)

    # --- the campaign's page shows it; the next campaign skips her ---------------------------
    page.reload()
    expect(page.locator(f'tr.recipient[data-address="{olga}"]')).to_have_attribute(
        "data-status", "unsubscribed"
    )
    expect(page.locator(f'tr.recipient[data-address="{petr}"]')).to_have_attribute(
        "data-status", "sent"
    )
    expect(page.locator('[data-count="sent"]')).to_have_text("2")  # both went
    expect(page.locator('[data-count="unsubscribed"]')).to_have_text("1")  # one left since
    snap("06-recipients")
    page.goto(f"{base}/staff/campaigns/shoots/{shoot.pk}/")
    expect(page.locator(".campaign-kind[data-kind=reminder]")).to_contain_text(
        "Would reach 2 addresses."
    )
    page.locator(".campaign-kind[data-kind=reminder]").get_by_role(
        "button", name="Send now"
    ).click()
    expect(page.locator('[data-count="sent"]')).to_have_text("1", timeout=60_000)
    expect(page.locator('[data-count="unsubscribed"]')).to_have_text("1")
    assert len(_mail_to(shared_mail_dir, petr)) >= 1
    time.sleep(1)
    assert len(sent_mail(shared_mail_dir, olga)) == 1  # no reminder for her
    with committed(), schema_context(alpha.schema):
        assert Suppression.objects.filter(address=olga, reason="unsubscribed").exists()

    # --- the wording: the Russian reminder, previewed as a family would get it ---------------
    page.goto(f"{base}/staff/campaigns/")
    page.get_by_role("link", name="Edit the messages").click()
    snap("07-messages")
    page.locator("#message-list tr").filter(has_text="Russian").get_by_role(
        "link", name="Reminder"
    ).click()
    expect(page).to_have_url(f"{base}/staff/campaigns/messages/reminder/ru/")
    page.get_by_label("Subject").fill("{studio}: {child}, заказы до {deadline}")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-subject")).to_have_text(
        re.compile(r"^Alpha Photo: Анна Смирнова, заказы до \d")
    )
    mail_preview = page.frame_locator("#preview iframe")
    expect(mail_preview.get_by_text("Вы ещё не заказали фотографии Анна Смирнова")).to_be_visible()
    expect(mail_preview.get_by_role("link", name="Отписаться от этих сообщений")).to_be_visible()
    snap("08-preview")
    # the e-mail itself, as the family gets it (a full-page shot leaves frames blank)
    page.locator("#preview").screenshot(path=screenshot_dir / "campaigns-phone-09-email.png")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("ul.messages li.success")).to_contain_text("Message saved.")
