"""The dashboard: a new studio's checklist ticks itself off from the data; each role sees its
own work, and only the owner the licence."""

import re

import pytest
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.catalogue.kinds import ProductKind
from studio.catalogue.services.price_sheets import price_sheet_create, price_sheet_item_set
from studio.catalogue.services.products import product_create
from studio.dashboard.selectors import first_day_checklist
from studio.payments.services import payment_settings_update
from studio.photos.models import Photo, PhotoStatus
from studio.schools.models import School, SchoolClass, Student
from studio.shoots.models import ShootStatus
from studio.shoots.services import shoot_create
from tests.conftest import logged_in_client


def done(alpha) -> dict[str, bool]:
    with schema_context(alpha.schema):
        return {step.key: step.done for step in first_day_checklist(studio=alpha.studio)}


def test_the_checklist_ticks_itself_off_step_by_step(alpha):
    alpha.studio.accept_cash = False
    alpha.studio.accept_bank_transfer = False
    alpha.studio.save()
    assert done(alpha) == dict.fromkeys(
        ["school", "roster", "prices", "payments", "shoot", "upload", "publish"], False
    )
    with schema_context(alpha.schema):
        school = School.objects.create(name="No. 5")
    assert [k for k, v in done(alpha).items() if v] == ["school"]

    with schema_context(alpha.schema):
        school_class = SchoolClass.objects.create(school=school, name="1A", school_year="2026-2027")
        Student.objects.create(school_class=school_class, first_name="A", last_name="B")
        sheet = price_sheet_create(name="Prices", school=school)
    assert done(alpha)["roster"] is True
    assert done(alpha)["prices"] is False  # a sheet with no price sells nothing
    with schema_context(alpha.schema):
        price_sheet_item_set(
            sheet=sheet, product=product_create(kind=ProductKind.DIGITAL, name="File"), price="5"
        )
    assert done(alpha)["prices"] is True

    alpha.studio.accept_bank_transfer = True
    alpha.studio.bank_details = "IBAN DE00 1234"
    alpha.studio.save()
    assert done(alpha)["payments"] is True

    with schema_context(alpha.schema):
        shoot = shoot_create(school=school, name="Autumn", date="2026-10-01")
        owner = User.objects.get(email=alpha.owner_email)
        Photo.objects.create(
            shoot=shoot,
            original="o.jpg",
            original_name="o.jpg",
            content_hash="0" * 64,
            size_bytes=1,
            photographer=owner,
            status=PhotoStatus.READY,
        )
    assert done(alpha)["upload"] is True and done(alpha)["publish"] is False
    with schema_context(alpha.schema):
        shoot.status = ShootStatus.PUBLISHED
        shoot.save()
    assert all(done(alpha).values())


def test_cash_on_by_default_is_no_choice_until_the_owner_saves_the_payment_settings(alpha):
    assert alpha.studio.accept_cash and not alpha.studio.bank_details  # as a new studio
    assert done(alpha)["payments"] is False

    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
        payment_settings_update(
            studio=alpha.studio, actor=owner, accept_bank_transfer=False, accept_cash=True
        )
    assert done(alpha)["payments"] is True


def test_the_owner_sees_the_checklist_with_links_until_it_is_done(alpha):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    page = logged_in_client(alpha, owner).get("/staff/").content.decode()

    assert 'id="first-day"' in page
    for url in (
        "/staff/schools/",
        "/staff/catalogue/",
        "/staff/settings/payments/",
        "/staff/shoots/",
    ):
        assert f'href="{url}"' in page
    assert "Trial until" in page


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL])
def test_other_roles_see_neither_the_checklist_nor_the_licence(alpha, role):
    with schema_context(alpha.schema):
        user = User.objects.create_user(email=f"{role}-d@alpha.test", password="x", role=role)
    page = logged_in_client(alpha, user).get("/staff/").content.decode()

    assert 'id="first-day"' not in page
    assert "Trial until" not in page and "Licence until" not in page


def test_a_photographer_sees_their_own_picture_days(alpha):
    with schema_context(alpha.schema):
        school = School.objects.create(name="No. 9")
        me = User.objects.create_user(email="ph-d@alpha.test", password="x", role=Role.PHOTOGRAPHER)
        mine = shoot_create(school=school, name="Mine", date="2026-10-01", photographers=[me])
        shoot_create(school=school, name="Someone else's", date="2026-10-02")
    page = logged_in_client(alpha, me).get("/staff/").content.decode()

    assert f'href="/staff/shoots/{mine.pk}/"' in page
    assert "Someone else" not in page


SETTINGS_PAGES = {
    Role.OWNER: [
        "/staff/settings/studio/",
        "/staff/settings/payments/",
        "/staff/settings/domains/",
        "/staff/team/",
        "/staff/billing/",
        "/staff/tokens/",
        "/staff/privacy/consent-text/",
        "/staff/campaigns/",
        "/staff/audit/",
        "/staff/settings/export/",
    ],
    Role.MANAGER: ["/staff/tokens/", "/staff/privacy/consent-text/", "/staff/campaigns/"],
}


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER])
def test_the_settings_page_lists_every_page_the_role_may_use_and_each_opens(alpha, role):
    with schema_context(alpha.schema):
        user = (
            User.objects.get(email=alpha.owner_email)
            if role == Role.OWNER
            else (User.objects.create_user(email="mg-s@alpha.test", password="x", role=role))
        )
    client = logged_in_client(alpha, user)

    page = client.get("/staff/settings/").content.decode()
    staff_home = client.get("/staff/").content.decode()

    assert 'href="/staff/settings/"' in staff_home  # in the menu
    listed = [url for url in re.findall(r'class="card settings-link" href="([^"]+)"', page)]
    assert listed == SETTINGS_PAGES[role]
    for url in listed:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL])
def test_roles_without_settings_have_no_settings_entry(alpha, role):
    with schema_context(alpha.schema):
        user = User.objects.create_user(email=f"{role}-s@alpha.test", password="x", role=role)
    client = logged_in_client(alpha, user)

    assert client.get("/staff/settings/").status_code == 403
    assert 'href="/staff/settings/"' not in client.get("/staff/").content.decode()


def test_owners_and_managers_see_what_waits_in_retouching_and_for_their_review(alpha):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
        school = School.objects.create(name="R")
        shoot = shoot_create(school=school, name="Spring", date="2027-03-01")
        for n, status in enumerate(["queued", "submitted", "submitted"]):
            Photo.objects.create(
                shoot=shoot,
                original=f"o{n}.jpg",
                original_name=f"o{n}.jpg",
                content_hash=f"{n:064x}",
                size_bytes=1,
                photographer=owner,
                status=PhotoStatus.READY,
                retouch_status=status,
            )
    client = logged_in_client(alpha, owner)

    assert 'href="/staff/retouch/"' in client.get("/staff/").content.decode()
    page = client.get("/staff/retouch/").content.decode()
    assert f'href="/staff/retouch/review/{shoot.pk}/"' in page
    assert "Review 2 photos" in page
