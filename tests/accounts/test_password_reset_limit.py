"""Password-reset requests on a studio's host: every request may send a mail, so a few an
hour per address and per e-mail, counted per studio; past that a 429 and no mail."""

from django.conf import settings
from django.core import mail
from django.test import Client

from saas_platform import ratelimit

RESET = "/accounts/password-reset/"


def ask(host: str, ip: str, email: str):
    return Client(HTTP_HOST=host, REMOTE_ADDR=ip).post(RESET, {"email": email})


def test_a_fourth_reset_of_one_email_in_an_hour_is_refused_and_sends_nothing(alpha, beta):
    for n in range(ratelimit.RESET_PER_EMAIL.limit):
        response = ask(alpha.host, f"203.0.113.{n + 1}", alpha.owner_email)
        assert response.status_code == 302
    assert len(mail.outbox) == ratelimit.RESET_PER_EMAIL.limit

    blocked = ask(alpha.host, "198.51.100.9", alpha.owner_email.upper())

    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= ratelimit.RESET_PER_EMAIL.window_seconds
    page = blocked.content.decode()
    assert "Too many password reset requests. Please try again in" in page
    assert f'value="{alpha.owner_email.upper()}"' in page  # the form again, the address kept
    assert len(mail.outbox) == ratelimit.RESET_PER_EMAIL.limit
    # another studio's counters are its own
    assert ask(beta.host, "198.51.100.9", alpha.owner_email).status_code == 302


def test_one_address_asking_for_many_emails_is_stopped(alpha):
    for n in range(ratelimit.RESET_PER_IP.limit):
        assert ask(alpha.host, "203.0.113.50", f"someone{n}@example.test").status_code == 302

    blocked = ask(alpha.host, "203.0.113.50", "another@example.test")

    assert blocked.status_code == 429
    assert ask(alpha.host, "203.0.113.51", "another@example.test").status_code == 302


def test_the_blocked_page_is_in_russian_for_a_russian_reader(alpha):
    client = Client(HTTP_HOST=alpha.host, REMOTE_ADDR="203.0.113.77")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    for _ in range(ratelimit.RESET_PER_EMAIL.limit):
        client.post(RESET, {"email": alpha.owner_email})

    blocked = client.post(RESET, {"email": alpha.owner_email})

    assert blocked.status_code == 429
    assert "Слишком много запросов на сброс пароля" in blocked.content.decode()
