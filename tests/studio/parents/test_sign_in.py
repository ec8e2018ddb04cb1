"""Parents sign in with a one-time code: no password, nothing guessable, staff kept out."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.parents.channels import SignInChannel, SmsChannel, channel_for
from studio.parents.models import SignInCode
from studio.parents.services import (
    MAX_ATTEMPTS,
    sign_in_code_send,
    sign_in_code_verify,
)
from tests.conftest import host_client


def sent_code() -> str:
    return next(w for w in mail.outbox[-1].body.split() if w.isdigit() and len(w) == 6)


def test_the_code_from_the_email_signs_in_and_makes_a_parent_account(in_alpha, alpha):
    sign_in_code_send(email=" Mum@Example.com ", studio=alpha.studio)

    assert mail.outbox[-1].to == ["mum@example.com"]
    assert alpha.studio.name in mail.outbox[-1].subject
    parent = sign_in_code_verify(email="mum@example.com", code=sent_code())
    assert (parent.email, parent.role, parent.has_usable_password()) == (
        "mum@example.com",
        Role.PARENT,
        False,
    )
    assert SignInCode.objects.get().code_hash != sent_code()  # only a keyed hash is stored


def test_a_code_works_once_and_not_after_ten_minutes(in_alpha, alpha):
    sign_in_code_send(email="a@example.com", studio=alpha.studio)
    code = sent_code()
    sign_in_code_verify(email="a@example.com", code=code)
    with pytest.raises(ValidationError):
        sign_in_code_verify(email="a@example.com", code=code)

    sign_in_code_send(email="a@example.com", studio=alpha.studio)
    late = timezone.now() + timedelta(minutes=11)
    with pytest.raises(ValidationError):
        sign_in_code_verify(email="a@example.com", code=sent_code(), now=late)


def test_five_wrong_guesses_burn_the_code(in_alpha, alpha):
    sign_in_code_send(email="b@example.com", studio=alpha.studio)
    right = sent_code()
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(ValidationError):
            sign_in_code_verify(email="b@example.com", code=wrong)

    with pytest.raises(ValidationError):
        sign_in_code_verify(email="b@example.com", code=right)


def test_a_new_code_replaces_the_old_one(in_alpha, alpha):
    sign_in_code_send(email="c@example.com", studio=alpha.studio)
    old = sent_code()
    sign_in_code_send(email="c@example.com", studio=alpha.studio)

    if old != sent_code():
        with pytest.raises(ValidationError):
            sign_in_code_verify(email="c@example.com", code=old)
    assert sign_in_code_verify(email="c@example.com", code=sent_code()).role == Role.PARENT


def test_a_staff_address_cannot_sign_in_with_a_code(in_alpha, alpha):
    sign_in_code_send(email=alpha.owner_email, studio=alpha.studio)

    with pytest.raises(ValidationError) as refused:
        sign_in_code_verify(email=alpha.owner_email, code=sent_code())
    assert refused.value.code == "staff"


def test_sign_in_pages_and_sending_is_rate_limited(alpha):
    client = host_client(alpha.host)
    statuses = [
        client.post("/account/sign-in/", {"email": "spam@example.com"}).status_code
        for _ in range(6)
    ]

    assert statuses == [302] * 5 + [429]
    assert len(mail.outbox) == 5
    page = client.get("/account/sign-in/code/")
    assert "spam@example.com" in page.content.decode()


def test_an_account_of_one_studio_does_not_exist_in_another(alpha, beta):
    with schema_context(alpha.schema):
        sign_in_code_send(email="x@example.com", studio=alpha.studio)
        code = sent_code()
    with schema_context(beta.schema), pytest.raises(ValidationError):
        sign_in_code_verify(email="x@example.com", code=code)
    with schema_context(beta.schema):
        assert not User.objects.filter(email="x@example.com").exists()


def test_sign_in_codes_go_by_e_mail_or_by_the_studios_sms_provider():
    assert isinstance(channel_for("sms"), SmsChannel)
    assert isinstance(channel_for("email"), SignInChannel)
    with pytest.raises(LookupError):
        channel_for("pigeon")
