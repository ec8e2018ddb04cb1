"""The commission pages: who may open what (a principal sees only their own schools, in
their own studio), and the forms end to end."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.access import codes
from studio.access.models import AccessCode, AccessCodeKind
from studio.commissions import selectors
from studio.commissions.models import Agreement, AgreementStatus, Payout
from studio.ledger.services import last_closed_end, period_close
from studio.schools.models import Student
from tests.conftest import logged_in_client
from tests.studio.commissions.conftest import World
from tests.studio.commissions.test_statements import _backdate


def make_user(role, email=None):
    return User.objects.create_user(
        email=email or f"{role}-c@alpha.test", password="pw-123456", role=role
    )


@pytest.fixture
def setup(world, pay):
    """School A (the principal's) and school B, each with a signed agreement, a paid order
    and a closed period."""
    world.agreement()
    pay(world.order("50.00"))
    other = World("Lyceum 2")
    other.agreement()
    pay(other.order("80.00"))
    _backdate(48)
    now = timezone.now()
    period = period_close(
        starts_at=now - datetime.timedelta(days=10),
        ends_at=now - datetime.timedelta(hours=1),
        label="2026-11",
    )
    principal = make_user(Role.PRINCIPAL)
    world.school.principals.add(principal)
    return {"a": world, "b": other, "period": period, "principal": principal}


def urls(school, period, agreement):
    return {
        "portal": f"/staff/my-schools/{school.pk}/",
        "portal_pdf": f"/staff/my-schools/{school.pk}/statements/{period.pk}/pdf/",
        "portal_csv": f"/staff/my-schools/{school.pk}/statements/{period.pk}/csv/",
        "portal_agreement": f"/staff/my-schools/{school.pk}/agreements/{agreement.pk}/pdf/",
    }


OWNER_PAGES = [
    "/staff/commissions/",
    "/staff/commissions/schools/{school}/",
    "/staff/commissions/schools/{school}/agreements/new/",
    "/staff/commissions/schools/{school}/statements/{period}/pdf/",
    "/staff/commissions/agreements/{agreement}/pdf/",
    "/staff/commissions/agreements/{agreement}/edit/",
    "/staff/commissions/close/",
]


def test_a_principal_reads_their_school_and_its_statements(alpha, setup):
    a, period = setup["a"], setup["period"]
    agreement = Agreement.objects.get(school=a.school)
    client = logged_in_client(alpha, setup["principal"])

    listing = client.get("/staff/my-schools/").content.decode()
    assert "School No. 5" in listing and "Lyceum 2" not in listing
    page = client.get(urls(a.school, period, agreement)["portal"]).content.decode()
    assert "3B" in page and "Autumn portraits" in page
    assert "mum@x.test" not in page and "Petrov" not in page  # no parent, no child
    pdf = client.get(urls(a.school, period, agreement)["portal_pdf"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(urls(a.school, period, agreement)["portal_pdf"]).content == pdf.content
    csv = client.get(urls(a.school, period, agreement)["portal_csv"] + "?sep=;")
    assert csv.content.startswith(b"\xef\xbb\xbf") and b";5,00;EUR" in csv.content
    assert client.get(urls(a.school, period, agreement)["portal_agreement"]).status_code == 200
    dashboard = client.get("/staff/").content.decode()
    assert "/staff/my-schools/" in dashboard


def test_a_principal_of_school_a_gets_nothing_of_school_b(alpha, setup):
    b, period = setup["b"], setup["period"]
    agreement = Agreement.objects.get(school=b.school)
    client = logged_in_client(alpha, setup["principal"])
    for url in urls(b.school, period, agreement).values():
        assert client.get(url).status_code == 404, url


def test_a_principal_of_another_studio_gets_nothing_here(alpha, beta, setup):
    a, period = setup["a"], setup["period"]
    agreement = Agreement.objects.get(school=a.school)
    with schema_context(beta.schema):
        stranger = make_user(Role.PRINCIPAL, "head@beta.test")
    client = logged_in_client(beta, stranger)
    client.defaults["HTTP_HOST"] = alpha.host  # their session, on alpha's host
    for url in urls(a.school, period, agreement).values():
        assert client.get(url).status_code in (302, 403, 404), url
        assert not client.get(url).content.startswith(b"%PDF")


@pytest.mark.parametrize("role", [Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL])
def test_other_roles_get_403_on_the_studios_pages(alpha, setup, role):
    a, period = setup["a"], setup["period"]
    agreement = Agreement.objects.get(school=a.school)
    user = setup["principal"] if role == Role.PRINCIPAL else make_user(role)
    client = logged_in_client(alpha, user)
    for page in OWNER_PAGES:
        url = page.format(school=a.school.pk, period=period.pk, agreement=agreement.pk)
        assert client.get(url).status_code == 403, url
    response = client.post(
        f"/staff/commissions/schools/{a.school.pk}/payout/",
        {"amount": "1.00", "paid_on": "2026-12-01", "key": "x"},
    )
    assert response.status_code == 403
    assert not Payout.objects.exists()


def test_a_manager_manages_agreements_but_only_the_owner_closes_a_month(alpha, setup):
    with schema_context(alpha.schema):
        manager = make_user(Role.MANAGER)
    client = logged_in_client(alpha, manager)
    assert client.get("/staff/commissions/").status_code == 200
    assert client.get("/staff/commissions/close/").status_code == 403


def test_an_agreement_from_the_form_to_signed_with_its_scan(alpha, world, media_in_tmp):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    client = logged_in_client(alpha, owner)
    response = client.post(
        f"/staff/commissions/schools/{world.school.pk}/agreements/new/",
        {
            "basis": "tiered",
            "tier_percent": "10",
            "tier_up_to": "1000",
            "tier_above": "15",
            "kinds": ["print", "digital"],
            "valid_from": "2026-09-01",
            "valid_to": "2027-06-30",
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get(school=world.school)
    assert agreement.tiers == [
        {"up_to": "1000", "percent": "10"},
        {"up_to": None, "percent": "15"},
    ]
    pdf = client.get(f"/staff/commissions/agreements/{agreement.pk}/pdf/")
    assert pdf.content.startswith(b"%PDF")
    move = f"/staff/commissions/agreements/{agreement.pk}/move/"
    client.post(move, {"to": "signed"})  # not from a draft
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    client.post(move, {"to": "sent"})
    scan = f"/staff/commissions/agreements/{agreement.pk}/scan/"
    client.post(scan, {"scan": SimpleUploadedFile("x.pdf", b"MZ not a pdf", "application/pdf")})
    agreement.refresh_from_db()
    assert not agreement.scan
    client.post(scan, {"scan": SimpleUploadedFile("s.pdf", b"%PDF-1.4 signed", "application/pdf")})
    client.post(move, {"to": "signed"})
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED and agreement.scan
    downloaded = client.get(scan)
    assert (
        b"".join(downloaded.streaming_content if downloaded.streaming else [downloaded.content])
        == b"%PDF-1.4 signed"
    )
    page = client.get(f"/staff/commissions/schools/{world.school.pk}/").content.decode()
    assert "Signed" in page


def test_the_payout_form_pays_once_and_shows_as_paid(alpha, world, pay):
    world.agreement()
    pay(world.order("100.00"))
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    client = logged_in_client(alpha, owner)
    form = {"amount": "7.50", "paid_on": "2026-12-01", "reference": "TR-9", "key": "k" * 32}
    client.post(f"/staff/commissions/schools/{world.school.pk}/payout/", form)
    client.post(f"/staff/commissions/schools/{world.school.pk}/payout/", form)
    assert world.due() == Decimal("2.50")
    page = client.get(f"/staff/commissions/schools/{world.school.pk}/").content.decode()
    assert "TR-9" in page
    too_much = {**form, "amount": "3.00", "key": "other"}
    client.post(f"/staff/commissions/schools/{world.school.pk}/payout/", too_much)
    assert world.due() == Decimal("2.50")


def test_the_owner_closes_last_month_from_the_page(alpha, world):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    client = logged_in_client(alpha, owner)
    page = client.get("/staff/commissions/close/")
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    value = f"{last_month.year}-{last_month.month:02d}"
    assert value in page.content.decode()
    response = client.post("/staff/commissions/close/", {"month": value})
    assert response.status_code == 302
    with schema_context(alpha.schema):
        assert last_closed_end() is not None
    again = client.get("/staff/commissions/close/").content.decode()
    assert f'value="{value}"' not in again


def test_pages_speak_russian(alpha, world, pay):
    world.agreement()
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
    client = logged_in_client(alpha, owner)
    client.cookies["django_language"] = "ru"
    page = client.get(f"/staff/commissions/schools/{world.school.pk}/").content.decode()
    assert "Комиссии" in page and "Договор" in page and "Выплатить школе" in page


def test_participation_is_children_who_bought_over_children_given_a_code(world, pay):
    world.agreement()
    sibling = Student.objects.create(
        school_class=world.school_class, first_name="Olga", last_name="Petrova"
    )
    for student in (world.child, sibling):
        AccessCode.objects.create(
            code=codes.generate(),
            kind=AccessCodeKind.STUDENT,
            shoot=world.shoot,
            school_class=world.school_class,
            student=student,
            expires_at=timezone.now() + datetime.timedelta(days=30),
        )
    pay(world.order("10.00", "5.00"))
    world.order("99.00")  # not paid: not a sale

    overall = selectors.participation(school=world.school)
    assert (overall.buyers, overall.codes, overall.participation) == (1, 2, 50)
    assert overall.net == Decimal("15.00") and overall.orders == 1
    (day,) = selectors.sales_by_picture_day(school=world.school)
    assert (day.label, day.net, day.participation) == ("Autumn portraits", Decimal("15.00"), 50)
    (school_class,) = selectors.sales_by_class(school=world.school)
    assert (school_class.label, school_class.net) == ("3B", Decimal("15.00"))
