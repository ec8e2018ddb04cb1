"""Staff pages: who may use them, issuing, regenerating, cards and e-mails to parents."""

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.access.models import AccessCode, AccessCodeKind
from studio.access.services import access_codes_issue
from studio.schools.models import Student
from studio.shoots.models import ShootStatus
from tests.conftest import host_client, logged_in_client

from .conftest import NOW, make_picture_day

PAGES = {
    "list": ("get", "/staff/access/"),
    "shoot": ("get", "/staff/access/shoots/{shoot}/"),
    "cards": ("get", "/staff/access/shoots/{shoot}/cards.pdf"),
    "class_cards": ("get", "/staff/access/shoots/{shoot}/class-cards.pdf"),
    "issue": ("post", "/staff/access/shoots/{shoot}/issue/"),
    "email": ("post", "/staff/access/shoots/{shoot}/email/"),
    "regenerate": ("post", "/staff/access/codes/{code}/regenerate/"),
}

MATRIX = """
page          owner manager photographer retoucher principal parent
list           200    200       403         403       403      403
shoot          200    200       403         403       403      403
cards          200    200       403         403       403      403
class_cards    200    200       403         403       403      403
issue          302    302       403         403       403      403
email          302    302       403         403       403      403
regenerate     302    302       403         403       403      403
"""


def _matrix():
    header, *rows = [line.split() for line in MATRIX.strip().splitlines()]
    return [(row[0], role, int(status)) for row in rows for role, status in zip(header[1:], row[1:], strict=True)]  # fmt: skip


def client_for(studio, role: str):
    with schema_context(studio.schema):
        user = User.objects.create_user(
            email=f"{role}-access@alpha.test", password="pw-123456", role=role
        )
    return logged_in_client(studio, user)


@pytest.fixture
def issued(alpha):
    with schema_context(alpha.schema):
        day = make_picture_day()
        access_codes_issue(shoot=day.shoot, now=NOW)
    return day


def code_of(day, student) -> AccessCode:
    return AccessCode.objects.get(shoot=day.shoot, student=student, revoked_at=None)


@pytest.mark.parametrize(("page", "role", "status"), _matrix())
def test_who_may_use_the_staff_pages(alpha, issued, page, role, status):
    client = client_for(alpha, role)
    with schema_context(alpha.schema):
        code = code_of(issued, issued.ivan).pk
    method, url = PAGES[page]

    response = getattr(client, method)(url.format(shoot=issued.shoot.pk, code=code))

    assert response.status_code == status


def test_anonymous_visitors_are_sent_to_log_in(alpha, issued):
    response = host_client(alpha.host).get(f"/staff/access/shoots/{issued.shoot.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_codes_page_lists_every_code_class_by_class(alpha, issued):
    page = client_for(alpha, Role.MANAGER).get(f"/staff/access/shoots/{issued.shoot.pk}/")

    html = page.content.decode()
    with schema_context(alpha.schema):
        expected = [code.display for code in AccessCode.objects.filter(revoked_at=None)]
    assert all(code in html for code in expected)
    assert len(expected) == 6
    assert html.index("Ivan Petrov") < html.index("Hidden Child")  # 11A before 5B by name
    assert "do not publish" in html


def test_the_codes_page_offers_e_mails_and_counts_children_without_an_address(alpha, issued):
    page = client_for(alpha, Role.MANAGER).get(f"/staff/access/shoots/{issued.shoot.pk}/")

    html = page.content.decode()
    cards = f'href="/staff/access/shoots/{issued.shoot.pk}/cards.pdf"'
    assert "3 children’s codes have not been e-mailed yet." in html
    assert "1 child has no parent e-mail on the roster: print their card and hand it out." in html
    assert '<button class="btn" type="submit">E-mail parents</button>' in html
    assert f'<a class="btn secondary" {cards}>Download cards (PDF)</a>' in html


def test_without_any_parent_e_mail_the_codes_page_offers_the_printable_cards(alpha, issued):
    with schema_context(alpha.schema):
        Student.objects.update(parent_emails=[])

    page = client_for(alpha, Role.MANAGER).get(f"/staff/access/shoots/{issued.shoot.pk}/")

    html = page.content.decode()
    cards = f'href="/staff/access/shoots/{issued.shoot.pk}/cards.pdf"'
    assert "not been e-mailed yet" not in html
    assert (
        "4 children have no parent e-mail on the roster: print their cards and hand them out."
        in html
    )
    assert "E-mail parents</button>" not in html
    assert "Also send again" not in html
    assert f'<a class="btn" {cards}>Download cards (PDF)</a>' in html


def test_once_every_address_was_e_mailed_sending_again_is_a_secondary_action(alpha, issued):
    with schema_context(alpha.schema):
        Student.objects.filter(parent_emails=[]).update(parent_emails=["late@example.com"])
        AccessCode.objects.update(emailed_at=NOW)

    page = client_for(alpha, Role.MANAGER).get(f"/staff/access/shoots/{issued.shoot.pk}/")

    html = page.content.decode()
    assert "Every child with a parent e-mail on the roster has been sent their code." in html
    assert "no parent e-mail" not in html
    assert '<button class="btn secondary" type="submit">E-mail parents</button>' in html


def test_managers_issue_codes_from_the_page(alpha):
    with schema_context(alpha.schema):
        day = make_picture_day(status=ShootStatus.IN_REVIEW)
    client = client_for(alpha, Role.MANAGER)

    first = client.post(f"/staff/access/shoots/{day.shoot.pk}/issue/", follow=True)
    second = client.post(f"/staff/access/shoots/{day.shoot.pk}/issue/", follow=True)

    assert "New codes: 4 for children, 2 for classes." in first.content.decode()
    assert "Every child and class already has a code." in second.content.decode()
    with schema_context(alpha.schema):
        assert AccessCode.objects.count() == 6


def test_regenerating_a_code_from_the_page_revokes_the_old_one(alpha, issued):
    with schema_context(alpha.schema):
        old = code_of(issued, issued.ivan)

    response = client_for(alpha, Role.MANAGER).post(
        f"/staff/access/codes/{old.pk}/regenerate/", follow=True
    )

    with schema_context(alpha.schema):
        old.refresh_from_db()
        new = code_of(issued, issued.ivan)
    assert old.revoked_at is not None and old.replaced_by == new
    assert (
        f"Ivan Petrov: the old code {old.display} no longer works; the new code is {new.display}."
        in response.content.decode()
    )


def test_emailing_parents_sends_each_code_once_unless_asked_to_send_again(
    alpha, issued, run_tasks, django_capture_on_commit_callbacks
):
    client = client_for(alpha, Role.MANAGER)
    url = f"/staff/access/shoots/{issued.shoot.pk}/email/"

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, follow=True)
    first_batch = sorted(address for message in mail.outbox for address in message.to)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(url, follow=True)
    after_second = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"resend": "1"})

    assert first_batch == [
        "hidden@example.com",  # do not publish: the parents may still buy group photos
        "mama@example.com",
        "papa@example.com",
        "semenova@example.com",
    ]
    assert "The codes of 3 children are on their way to their parents." in first.content.decode()
    assert "1 child has no parent e-mail on the roster" in first.content.decode()
    assert "Nothing to send: every code was e-mailed already." in second.content.decode()
    assert after_second == 4
    assert len(mail.outbox) == 8
    with schema_context(alpha.schema):
        emailed = AccessCode.objects.filter(kind=AccessCodeKind.STUDENT, emailed_at__isnull=False)
        assert emailed.count() == 3
        masha = code_of(issued, issued.masha)
    masha_mail = next(m for m in mail.outbox if m.to == ["semenova@example.com"])
    assert masha_mail.subject == "Alpha Photo: the access code for Мария Семёнова’s photos"
    assert f"Access code: {masha.display}" in masha_mail.body
    assert f"/?code={masha.display}" in masha_mail.body


def test_parents_are_not_emailed_before_the_picture_day_is_published(alpha, run_tasks):
    with schema_context(alpha.schema):
        day = make_picture_day(status=ShootStatus.IN_REVIEW)
        access_codes_issue(shoot=day.shoot, now=NOW)

    response = client_for(alpha, Role.MANAGER).post(
        f"/staff/access/shoots/{day.shoot.pk}/email/", follow=True
    )

    assert "Publish the picture day before e-mailing parents" in response.content.decode()
    assert mail.outbox == []


def test_cards_download_as_a_pdf(alpha, issued):
    response = client_for(alpha, Role.MANAGER).get(
        f"/staff/access/shoots/{issued.shoot.pk}/cards.pdf"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="access-cards-{issued.shoot.pk}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
