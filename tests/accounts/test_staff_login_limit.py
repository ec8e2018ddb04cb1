"""Staff log-in on a studio's host: failed log-ins are limited per address and per e-mail,
per studio; while a counter is full even the right password is refused (429)."""

from django.test import Client
from django_tenants.utils import schema_context

from saas_platform import ratelimit
from saas_platform.accounts.models import Role, User
from tests.conftest import OWNER_PASSWORD

LOGIN = "/accounts/login/"


def client_at(host: str, ip: str) -> Client:
    return Client(HTTP_HOST=host, REMOTE_ADDR=ip)


def log_in(client: Client, email: str, password: str):
    return client.post(LOGIN, {"username": email, "password": password})


def fail(client: Client, email: str, times: int) -> None:
    for _ in range(times):
        response = log_in(client, email, "wrong password")
        assert response.status_code == 200
        assert "do not match an account of this studio" in response.content.decode()


def test_after_five_wrong_passwords_the_right_one_is_refused_with_a_wait(alpha):
    client = client_at(alpha.host, "203.0.113.5")
    fail(client, alpha.owner_email, ratelimit.LOGIN_PER_EMAIL.limit)

    blocked = log_in(client, alpha.owner_email, OWNER_PASSWORD)

    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= ratelimit.LOGIN_PER_EMAIL.window_seconds
    page = blocked.content.decode()
    assert "Too many failed log-ins. Please try again in" in page
    assert f'value="{alpha.owner_email}"' in page  # the form again, the address kept
    assert "_auth_user_id" not in client.session
    # the password is not checked while blocked: a wrong one reads exactly like the right one
    wrong = log_in(client, alpha.owner_email, "wrong password")
    assert wrong.status_code == 429
    assert "do not match" not in wrong.content.decode()
    # and the e-mail stays blocked from any other address
    assert (
        log_in(client_at(alpha.host, "198.51.100.7"), alpha.owner_email, OWNER_PASSWORD).status_code
        == 429
    )


def test_another_email_from_another_address_is_unaffected(alpha):
    with schema_context(alpha.schema):
        User.objects.create_user(email="ph@alpha.test", password="ph-secret-123", role=Role.MANAGER)
    fail(client_at(alpha.host, "203.0.113.5"), alpha.owner_email, ratelimit.LOGIN_PER_EMAIL.limit)

    response = log_in(client_at(alpha.host, "198.51.100.7"), "ph@alpha.test", "ph-secret-123")

    assert response.status_code == 302


def test_one_address_trying_many_emails_is_stopped_too(alpha):
    client = client_at(alpha.host, "203.0.113.5")
    for number in range(ratelimit.LOGIN_PER_IP.limit):
        fail(client, f"guess{number}@alpha.test", 1)

    assert log_in(client, alpha.owner_email, OWNER_PASSWORD).status_code == 429
    assert (
        log_in(client_at(alpha.host, "198.51.100.7"), alpha.owner_email, OWNER_PASSWORD).status_code
        == 302
    )


def test_the_limit_is_per_studio(alpha, beta):
    for studio in (alpha, beta):
        with schema_context(studio.schema):
            User.objects.create_user(
                email="shared@photo.test", password="shared-123", role=Role.MANAGER
            )
    fail(client_at(alpha.host, "203.0.113.5"), "shared@photo.test", ratelimit.LOGIN_PER_EMAIL.limit)

    assert (
        log_in(client_at(alpha.host, "203.0.113.9"), "shared@photo.test", "shared-123").status_code
        == 429
    )
    assert (
        log_in(client_at(beta.host, "203.0.113.5"), "shared@photo.test", "shared-123").status_code
        == 302
    )


def test_a_successful_log_in_gives_its_attempt_back(alpha):
    client = client_at(alpha.host, "203.0.113.5")
    fail(client, alpha.owner_email, ratelimit.LOGIN_PER_EMAIL.limit - 1)
    assert log_in(client, alpha.owner_email, OWNER_PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    fail(client, alpha.owner_email, 1)  # the fifth failure: still allowed

    assert log_in(client, alpha.owner_email, OWNER_PASSWORD).status_code == 429
