"""Parents sign in with a code texted through the studio's SMS provider, when it has one:
only roster (or known) phones get a text, limits as for e-mail, one account per phone."""

import re

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from saas_platform.accounts.models import PHONE_EMAIL_DOMAIN, Role, User
from studio.parents.models import ParentPhone
from studio.parents.services import sign_in_code_send_sms, sign_in_code_verify_sms
from studio.schools.models import School, SchoolClass, Student
from studio.sms.services import sms_opt_out
from tests.conftest import host_client
from tests.studio.sms.conftest import twilio_on

MUM = "+380501234567"


@pytest.fixture
def on_roster(alpha):
    with schema_context(alpha.schema):
        school = School.objects.create(name="School 5")
        school_class = SchoolClass.objects.create(school=school, name="1A", school_year="2026")
        Student.objects.create(
            school_class=school_class, first_name="Ira", last_name="K", parent_phones=[MUM]
        )
    return MUM


def texted_code(fake, phone) -> str:
    return re.match(r"(\d{6}) ", fake.texts_to(phone)[-1]).group(1)


@pytest.fixture
def texting(alpha, sms_api, run_tasks):
    """alpha on Twilio (the fake); tasks run in this process."""
    twilio_on(alpha.schema)
    return sms_api


@pytest.fixture
def send_now(alpha, django_capture_on_commit_callbacks):
    """``send_now(phone)``: a code texted to ``phone`` from alpha, the send task run."""

    def send(phone):
        with schema_context(alpha.schema), django_capture_on_commit_callbacks(execute=True):
            return sign_in_code_send_sms(phone=phone, studio=alpha.studio)

    return send


def test_no_phone_option_without_an_sms_provider(alpha, on_roster):
    page = host_client(alpha.host).get("/account/sign-in/").content.decode()
    assert "Text me a code" not in page
    response = host_client(alpha.host).post("/account/sign-in/", {"phone": MUM})
    assert response.status_code == 200  # the e-mail form again: no e-mail given


def test_a_roster_phone_gets_a_code_by_sms_and_signs_in(
    alpha, on_roster, texting, django_capture_on_commit_callbacks
):
    client = host_client(alpha.host)
    assert "Text me a code" in client.get("/account/sign-in/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        # written as the parent would, in the studio's country (none set: with the code)
        response = client.post(
            "/account/sign-in/", {"phone": "+380 50 123 45 67", "next": "/checkout/"}
        )
    assert response.status_code == 302
    page = client.get("/account/sign-in/code/?next=/checkout/").content.decode()
    assert "Check your phone" in page and MUM in page

    response = client.post(
        "/account/sign-in/code/?next=/checkout/",
        {"code": texted_code(texting, MUM), "next": "/checkout/"},
    )

    assert response.status_code == 302 and response["Location"] == "/checkout/"
    with schema_context(alpha.schema):
        parent = ParentPhone.objects.get(phone=MUM).parent
        assert parent.role == Role.PARENT and parent.email.endswith("@" + PHONE_EMAIL_DOMAIN)


def test_a_known_account_signs_in_again_with_its_phone(alpha, on_roster, texting, send_now):
    send_now(MUM)
    with schema_context(alpha.schema):
        from studio.sms.models import SmsMessage

        # the code is kept nowhere in clear once the provider has it
        assert SmsMessage.objects.get(to=MUM).text == "[sign-in code]"
        first = sign_in_code_verify_sms(phone=MUM, code=texted_code(texting, MUM))
        Student.objects.update(parent_phones=[])  # off the roster now: the account stays
    assert send_now(MUM) is not None
    with schema_context(alpha.schema):
        again = sign_in_code_verify_sms(phone=MUM, code=texted_code(texting, MUM))
    assert again.pk == first.pk


def test_an_unknown_number_gets_no_text_and_the_page_does_not_say_so(
    alpha, on_roster, texting, django_capture_on_commit_callbacks
):
    client = host_client(alpha.host)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/sign-in/", {"phone": "+380931239876"})

    assert response.status_code == 302
    assert texting.texts_to("+380931239876") == []
    with schema_context(alpha.schema), pytest.raises(ValidationError):
        sign_in_code_verify_sms(phone="+380931239876", code="000000")
    with schema_context(alpha.schema):
        assert not User.objects.filter(email__endswith=PHONE_EMAIL_DOMAIN).exists()


def test_a_code_is_sent_even_to_a_number_that_said_stop(alpha, on_roster, texting, send_now):
    with schema_context(alpha.schema):
        sms_opt_out(phone=MUM)
    before = len(texting.texts_to(MUM))
    send_now(MUM)
    assert len(texting.texts_to(MUM)) == before + 1


def test_sending_by_sms_is_rate_limited_like_e_mail(
    alpha, on_roster, texting, django_capture_on_commit_callbacks
):
    client = host_client(alpha.host)
    before = len(texting.texts_to(MUM))
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [client.post("/account/sign-in/", {"phone": MUM}).status_code for _ in range(6)]

    assert statuses == [302] * 5 + [429]
    assert len(texting.texts_to(MUM)) == before + 5
    # the visitor's own limit (10 an hour) counts texts and e-mails together
    for n in range(5):
        client.post("/account/sign-in/", {"email": f"e{n}@example.com"})
    assert client.post("/account/sign-in/", {"email": "e9@example.com"}).status_code == 429


def test_a_phone_that_is_not_one_is_refused_with_why(alpha, texting):
    response = host_client(alpha.host).post("/account/sign-in/", {"phone": "12"})
    assert response.status_code == 200
    assert "no country code: write it as +" in response.content.decode()


def test_alphas_code_does_not_sign_in_on_beta(alpha, beta, on_roster, texting, send_now):
    send_now(MUM)
    with schema_context(beta.schema), pytest.raises(ValidationError):
        sign_in_code_verify_sms(phone=MUM, code=texted_code(texting, MUM))
    with schema_context(beta.schema):
        assert not ParentPhone.objects.exists()
    # and beta, with no SMS provider, offers no phone sign-in at all
    assert "Text me a code" not in host_client(beta.host).get("/account/sign-in/").content.decode()


def test_a_phone_account_gets_no_e_mail_and_once_deleted_its_phone_starts_afresh(
    alpha, on_roster, texting, send_now, mailoutbox
):
    from studio.core.emails import parent_email_send
    from studio.storefront.account import parent_account_delete

    send_now(MUM)
    with schema_context(alpha.schema):
        parent = sign_in_code_verify_sms(phone=MUM, code=texted_code(texting, MUM))
        sent = parent_email_send(
            studio=alpha.studio,
            to=[parent.email],
            template="parents/email/sign_in_code",
            context={"code": "123456"},
        )
        assert (sent, len(mailoutbox)) == (0, 0)  # its placeholder address reaches nobody
        parent_account_delete(parent=parent)
        assert not ParentPhone.objects.filter(phone=MUM).exists()
    send_now(MUM)
    with schema_context(alpha.schema):
        fresh = sign_in_code_verify_sms(phone=MUM, code=texted_code(texting, MUM))
    assert fresh.pk != parent.pk and fresh.is_active
