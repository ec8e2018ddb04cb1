"""A parent on a phone, in English and in Russian: withdraws consent to publish their child
(the gallery no longer shows her), gives it back (she is back), then deletes their account."""

import re
from decimal import Decimal
from uuid import uuid4

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from saas_platform.accounts.models import DELETED_EMAIL_DOMAIN, Role, User
from studio.access.models import AccessCode
from studio.orders.models import Order
from studio.orders.services import LineInput, order_create
from studio.photos.models import Photo
from studio.privacy.models import ConsentRecord, ConsentText
from studio.privacy.services import consent_text_publish
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_create
from tests.browser.test_parent_gallery import photos_published
from tests.browser.test_parent_purchase import shot, sign_in_code_from_mail

pytestmark = pytest.mark.browser

TEXTS = {
    "en": {
        "not_recorded": "consent not recorded",
        "withdrawn": "consent withdrawn",
        "given": "consent given",
        "withdraw": "Withdraw consent",
        "give": "Give consent",
        "delete_link": "Delete my account…",
        "confirm": "I understand; delete my account",
        "delete": "Delete my account",
        "deleted": "Your account has been deleted.",
        "one_order": "your 1 order stays with the studio",
    },
    "ru": {
        "not_recorded": "согласие не записано",
        "withdrawn": "согласие отозвано",
        "given": "согласие дано",
        "withdraw": "Отозвать согласие",
        "give": "Дать согласие",
        "delete_link": "Удалить учётную запись…",
        "confirm": "Понимаю; удалить мою учётную запись",
        "delete": "Удалить учётную запись",
        "deleted": "Ваша учётная запись удалена.",
        "one_order": "ваш 1 заказ остаётся у студии",
    },
}


@pytest.fixture
def consent_day(live_studios, committed, live_media, tmp_path, monkeypatch):
    """In alpha: a published picture day with two photos of Vera and a class photo, a
    consent text, and a parent account with one order."""
    from studio.photos import tasks

    monkeypatch.setattr(tasks.process_photo, "enqueue_on_commit", lambda *args: None)
    alpha = live_studios["alpha"]
    tag = uuid4().hex[:6]
    email = f"parent-{tag}@example.com"
    with committed(), schema_context(alpha.schema):
        manager = User.objects.create_user(
            email=f"m-{tag}@x.test", password="pw-123456", role=Role.MANAGER
        )
        school = School.objects.create(name=f"Consent school {tag}")
        school_class = SchoolClass.objects.create(school=school, name="2B", school_year="2026-2027")
        vera = Student.objects.create(
            school_class=school_class, first_name="Vera", last_name="Sokolova"
        )
        shoot = shoot_create(school=school, name=f"Autumn {tag}", date="2026-10-01")
        shoot, photos = photos_published(
            shoot=shoot,
            school_class=school_class,
            manager=manager,
            folder=tmp_path,
            tagging=[([vera], False), ([vera], False), ([], True)],
            seed=900,
        )
        code = AccessCode.objects.get(shoot=shoot, student=vera).code
        text = consent_text_publish(actor=manager, body="We show Vera’s photos to her family.")
        parent = User.objects.create_user(email=email, role=Role.PARENT)
        order = order_create(
            lines=[
                LineInput(
                    description="Digital file",
                    kind="digital",
                    quantity=1,
                    unit_price=Decimal("5.00"),
                    gross=Decimal("5.00"),
                    net=Decimal("5.00"),
                    child_id=vera.pk,
                    photo_id=photos[0],
                    shoot_id=shoot.pk,
                )
            ],
            currency="EUR",
            email=email,
            parent=parent,
            payment_method="bank_transfer",
            idempotency_key=f"privacy-{tag}",
            delivery={"method": "none", "name": "Olga Sokolova", "phone": "+7 900 000 00 00"},
        )
    yield {
        "studio": alpha,
        "manager": manager,
        "school_class": school_class,
        "code": code,
        "photos": photos,
        "email": email,
        "parent": parent,
        "vera": vera,
        "order": order,
    }
    with committed(), schema_context(alpha.schema):
        Order.objects.filter(pk=order.pk).delete()
        ConsentRecord.objects.filter(student=vera).delete()
        AccessCode.objects.filter(shoot=shoot).delete()
        Photo.objects.filter(shoot=shoot).delete()
        Shoot.objects.filter(pk=shoot.pk).delete()
        Student.objects.filter(school_class=school_class).delete()
        SchoolClass.objects.filter(pk=school_class.pk).delete()
        School.objects.filter(pk=school.pk).delete()
        ConsentText.objects.filter(pk=text.pk).delete()
        User.objects.filter(pk__in=[parent.pk, manager.pk]).delete()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_parent_withdraws_and_gives_consent_then_deletes_their_account_on_a_phone(
    consent_day, language, web_server, shared_mail_dir, context_factory, screenshot_dir, committed
):
    alpha = consent_day["studio"]
    base = f"http://{alpha.host}:{web_server}"
    words = TEXTS[language]
    page = context_factory("phone").new_page()
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])

    def snap(step):
        shot(page, screenshot_dir, f"privacy-{language}-{step}")

    # the card's link opens Vera's gallery; the parent signs in from the account link
    page.goto(f"{base}/?code={consent_day['code']}")
    expect(page).to_have_url(f"{base}/gallery/")
    expect(page.locator(".gallery-grid img")).to_have_count(3)
    page.goto(f"{base}/account/")
    expect(page).to_have_url(re.compile(re.escape(f"{base}/account/sign-in/")))
    page.locator("input[name=email]").fill(consent_day["email"])
    page.locator("main button[type=submit]").click()
    page.locator("input[name=code]").fill(
        sign_in_code_from_mail(shared_mail_dir, consent_day["email"])
    )
    page.locator("main button[type=submit]").click()
    expect(page).to_have_url(f"{base}/account/")

    consent = page.locator("#consent")
    expect(consent).to_contain_text("Vera Sokolova")
    expect(consent.locator(".badge")).to_have_text(words["not_recorded"])
    consent.locator("summary").click()
    expect(consent).to_contain_text("We show Vera’s photos to her family.")
    snap("01-account")

    # withdraw: the next page of the gallery shows nothing of her
    consent.get_by_role("button", name=words["withdraw"]).click()
    expect(page).to_have_url(f"{base}/account/")
    expect(page.locator("#consent .badge")).to_have_text(words["withdrawn"])
    snap("02-withdrawn")
    page.goto(f"{base}/gallery/")
    expect(page).not_to_have_url(f"{base}/gallery/")  # nothing to show: back to code entry

    # give it back: she is back
    page.goto(f"{base}/account/")
    page.locator("#consent").get_by_role("button", name=words["give"]).click()
    expect(page.locator("#consent .badge")).to_have_text(words["given"])
    page.goto(f"{base}/gallery/")
    expect(page.locator(".gallery-grid img")).to_have_count(3)
    with committed(), schema_context(alpha.schema):
        decisions = list(
            ConsentRecord.objects.filter(student=consent_day["vera"])
            .order_by("at", "id")
            .values_list("decision", "source", "recorded_by_email", "text__version")
        )
    assert [d[:2] for d in decisions] == [("withdrawn", "parent"), ("given", "parent")]
    assert {d[2] for d in decisions} == {consent_day["email"]}

    # delete the account: a confirm step, then signed out
    page.goto(f"{base}/account/")
    page.get_by_role("link", name=words["delete_link"]).click()
    expect(page).to_have_url(f"{base}/account/delete/")
    form = page.locator("#delete-account")
    expect(form).to_contain_text(consent_day["email"])
    expect(form).to_contain_text(words["one_order"])
    form.get_by_label(words["confirm"]).check()
    snap("03-delete-confirm")
    # the page fits the phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    form.get_by_role("button", name=words["delete"]).click()
    expect(page).to_have_url(f"{base}/")
    expect(page.locator(".messages")).to_contain_text(words["deleted"])
    snap("04-deleted")
    page.goto(f"{base}/account/")
    expect(page).to_have_url(re.compile(re.escape(f"{base}/account/sign-in/")))

    with committed(), schema_context(alpha.schema):
        parent = User.objects.get(pk=consent_day["parent"].pk)
        order = Order.objects.get(pk=consent_day["order"].pk)
    assert not parent.is_active and parent.email.endswith("@" + DELETED_EMAIL_DOMAIN)
    assert order.email == parent.email and order.delivery["name"] == "Deleted account"
    assert order.total == Decimal("5.000")


def test_a_manager_records_consent_and_erases_a_child_on_a_phone(
    consent_day, web_server, context_factory, screenshot_dir, committed
):
    alpha = consent_day["studio"]
    base = f"http://{alpha.host}:{web_server}"
    school_class = consent_day["school_class"]
    roster = f"/staff/schools/{school_class.school_id}/classes/{school_class.pk}/"
    page = context_factory("phone").new_page()
    page.goto(f"{base}/accounts/login/?next={roster}")
    page.get_by_label("E-mail", exact=True).fill(consent_day["manager"].email)
    page.get_by_label("Password", exact=True).fill("pw-123456")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}{roster}")
    expect(page.locator("td.consent-none")).to_have_count(1)

    page.get_by_role("link", name="Consent and erasure").click()
    expect(page.get_by_role("heading", name="Vera Sokolova")).to_be_visible()
    page.get_by_label("Decision").select_option("given")
    page.get_by_label("How it was given").fill("Paper form signed by the mother")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("#consent-status")).to_contain_text("Paper form signed by the mother")
    expect(page.locator("#consent-status")).to_contain_text("version 1")
    shot(page, screenshot_dir, "privacy-staff-01-child")

    page.get_by_role("link", name="Erase…").click()
    form = page.locator("#erase-child")
    expect(form).to_contain_text("2 photos of the child are deleted")
    expect(form).to_contain_text("1 order line keeps its amounts")
    form.get_by_label("I understand; erase the child").check()
    shot(page, screenshot_dir, "privacy-staff-02-erase")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    form.get_by_role("button", name="Erase").click()
    expect(page).to_have_url(f"{base}{roster}")
    expect(page.locator(".messages")).to_contain_text("The child has been erased.")
    expect(page.get_by_text("Vera Sokolova")).to_have_count(0)

    with committed(), schema_context(alpha.schema):
        assert not Student.objects.filter(pk=consent_day["vera"].pk).exists()
        order = Order.objects.get(pk=consent_day["order"].pk)
        line = order.lines.get()
        assert (line.child_id, line.photo_id, line.net) == (None, None, Decimal("5.000"))
        assert Photo.objects.filter(pk__in=consent_day["photos"]).count() == 1  # the class photo
