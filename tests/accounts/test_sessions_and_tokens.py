"""A person of one studio is nobody in another: logins, sessions and API tokens."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from saas_platform.accounts.models import LoginToken, Role, User
from saas_platform.accounts.services import api_token_create, login_token_issue
from tests.conftest import OWNER_PASSWORD, host_client


def log_in(host, email, password=OWNER_PASSWORD):
    client = host_client(host)
    response = client.post("/accounts/login/", {"username": email, "password": password})
    return client, response


def test_owner_logs_in_on_their_studio_and_out_again(alpha):
    client, response = log_in(alpha.host, alpha.owner_email)
    assert (response.status_code, response["Location"]) == (302, "/staff/")
    assert client.get("/staff/").status_code == 200

    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/staff/")["Location"] == "/accounts/login/?next=/staff/"


def test_a_user_of_studio_a_cannot_log_in_on_studio_b(alpha, beta):
    _client, response = log_in(beta.host, alpha.owner_email)

    assert response.status_code == 200
    assert "do not match an account of this studio" in response.content.decode()


def test_a_session_cookie_copied_to_another_studio_is_worthless(alpha, beta):
    # beta has a user with the same primary key as alpha's owner
    with schema_context(alpha.schema):
        alpha_owner_id = User.objects.get(email=alpha.owner_email).pk
    with schema_context(beta.schema):
        assert User.objects.filter(pk=alpha_owner_id).exists()

    client_a, _ = log_in(alpha.host, alpha.owner_email)
    cookie = client_a.cookies[settings.SESSION_COOKIE_NAME].value

    client_b = host_client(beta.host)
    client_b.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = client_b.get("/staff/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_session_stamped_for_another_schema_is_refused_even_if_its_key_exists_here(alpha, beta):
    """Second guard: forge a row in beta's session table carrying alpha's schema stamp."""
    from django.contrib.sessions.backends.cached_db import SessionStore

    with schema_context(beta.schema):
        beta_owner = User.objects.get(email=beta.owner_email)
        store = SessionStore()
        store["_auth_user_id"] = str(beta_owner.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = beta_owner.get_session_auth_hash()
        store["_pictureday_schema"] = alpha.schema
        store.create()

    client = host_client(beta.host)
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    assert client.get("/staff/").status_code == 302


def test_login_token_is_single_use_short_lived_and_bound_to_its_studio(alpha, beta):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
        token = login_token_issue(user=owner)
        fresh = LoginToken.objects.latest("id")
        assert (
            timedelta(seconds=119) < fresh.expires_at - fresh.created_at <= timedelta(seconds=121)
        )
        expired = login_token_issue(user=owner)
        LoginToken.objects.filter(pk=LoginToken.objects.latest("id").pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )

    assert (
        host_client(beta.host).get(f"/accounts/welcome/{token}/")["Location"] == "/accounts/login/"
    )
    assert (
        host_client(alpha.host).get(f"/accounts/welcome/{expired}/")["Location"]
        == "/accounts/login/"
    )
    first = host_client(alpha.host).get(f"/accounts/welcome/{token}/")
    second = host_client(alpha.host).get(f"/accounts/welcome/{token}/")
    assert (first["Location"], second["Location"]) == ("/staff/", "/accounts/login/")


@pytest.fixture
def alpha_api_token(alpha):
    with schema_context(alpha.schema):
        owner = User.objects.get(email=alpha.owner_email)
        _token, raw = api_token_create(user=owner, name="uploader")
    return raw


def test_api_token_works_on_its_own_studio_only(alpha, beta, alpha_api_token):
    on_alpha = APIClient(HTTP_HOST=alpha.host)
    on_alpha.credentials(HTTP_AUTHORIZATION=f"Bearer {alpha_api_token}")
    on_beta = APIClient(HTTP_HOST=beta.host)
    on_beta.credentials(HTTP_AUTHORIZATION=f"Bearer {alpha_api_token}")

    assert on_alpha.get("/api/me/").json() == {
        "email": alpha.owner_email,
        "role": Role.OWNER,
        "studio": "alpha",
    }
    assert on_beta.get("/api/me/").status_code == 401


def test_api_token_is_stored_hashed_and_refused_once_revoked(alpha, alpha_api_token):
    from saas_platform.accounts.models import ApiToken

    with schema_context(alpha.schema):
        token = ApiToken.objects.get()
        assert alpha_api_token not in (token.token_hash, token.key_prefix * 2)
        assert token.schema_name == alpha.schema
        token.revoked_at = timezone.now()
        token.save()

    client = APIClient(HTTP_HOST=alpha.host)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {alpha_api_token}")
    assert client.get("/api/me/").status_code == 401


def test_password_reset_mail_links_to_the_studio_host(alpha, mailoutbox):
    client = host_client(alpha.host)
    response = client.post("/accounts/password-reset/", {"email": alpha.owner_email})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    link = next(line for line in body.splitlines() if line.startswith("http"))
    assert link.startswith(f"http://{alpha.host}/accounts/reset/")

    # the same address on another studio gets no mail
    host_client("beta.localhost").post("/accounts/password-reset/", {"email": alpha.owner_email})
    assert len(mailoutbox) == 1

    path = link.removeprefix(f"http://{alpha.host}")
    form_page = client.get(path, follow=True)
    new = "a-brand-new-passphrase"
    done = client.post(form_page.request["PATH_INFO"], {"new_password1": new, "new_password2": new})
    assert done["Location"] == "/accounts/reset/done/"
    _client, login = log_in(alpha.host, alpha.owner_email, new)
    assert login.status_code == 302
