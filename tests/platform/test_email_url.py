"""Outgoing mail configured from the environment, delivered to a real SMTP server (aiosmtpd)
by the production settings in a process of their own."""

import secrets
import ssl
import subprocess
from email import message_from_bytes
from email.policy import default as default_policy
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.core.exceptions import ImproperlyConfigured

from saas_platform.email_url import (
    DEFAULT_TIMEOUT,
    SMTP_BACKEND,
    email_is_configured,
    email_settings,
    parse_email_url,
)
from tests.conftest import free_port
from tests.platform.test_settings import PRODUCTION_ENV, manage

CONSOLE = "django.core.mail.backends.console.EmailBackend"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://mailer:s3cret@smtp.example.com:587/?tls=1",
            ("smtp.example.com", 587, "mailer", "s3cret", True, False),
        ),
        (
            "smtps://mailer:s3cret@smtp.example.com",
            ("smtp.example.com", 465, "mailer", "s3cret", False, True),
        ),
        ("smtp://smtp.example.com", ("smtp.example.com", 25, "", "", False, False)),
        ("smtp://smtp.example.com/?tls=true", ("smtp.example.com", 587, "", "", True, False)),
        (
            "smtp://apikey:p%40ss%3Aw%2Frd%25@relay.example.com:2525/?ssl=1",
            ("relay.example.com", 2525, "apikey", "p@ss:w/rd%", False, True),
        ),
        (
            "smtp://user%40example.com:pw@[2001:db8::25]:587?tls=1",
            ("2001:db8::25", 587, "user@example.com", "pw", True, False),
        ),
    ],
)
def test_an_smtp_url_gives_django_its_settings(url, expected):
    found = parse_email_url(url)

    assert found["EMAIL_BACKEND"] == SMTP_BACKEND
    assert (
        found["EMAIL_HOST"],
        found["EMAIL_PORT"],
        found["EMAIL_HOST_USER"],
        found["EMAIL_HOST_PASSWORD"],
        found["EMAIL_USE_TLS"],
        found["EMAIL_USE_SSL"],
    ) == expected


def test_a_timeout_comes_from_the_url_else_the_variable_else_thirty_seconds():
    assert parse_email_url("smtp://h/?timeout=7.5")["EMAIL_TIMEOUT"] == 7.5
    env = {"EMAIL_URL": "smtp://h", "EMAIL_TIMEOUT": "12"}
    assert email_settings(env, CONSOLE)["EMAIL_TIMEOUT"] == 12.0
    assert email_settings({"EMAIL_URL": "smtp://h"}, CONSOLE)["EMAIL_TIMEOUT"] == DEFAULT_TIMEOUT


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("console:", CONSOLE),
        ("console://", CONSOLE),
        ("dummy:", "django.core.mail.backends.dummy.EmailBackend"),
    ],
)
def test_serverless_schemes_name_their_backend(url, backend):
    assert email_settings({"EMAIL_URL": url}, SMTP_BACKEND)["EMAIL_BACKEND"] == backend


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://smtp.example.com", "must start with smtp://"),
        ("smtps://h/?tls=1", "not both"),
        ("smtp://h:notaport", "invalid port"),
        ("smtp://", "names no host"),
        ("smtp://h/?timeout=soon", "number of seconds"),
    ],
)
def test_a_wrong_url_is_refused_with_a_reason(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_email_url(url)


def test_without_a_url_the_standard_variables_are_read():
    env = {
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": "2587",
        "EMAIL_HOST_USER": "u",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": "1",
        "EMAIL_TIMEOUT": "5",
    }
    assert email_settings(env, SMTP_BACKEND) == {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 2587,
        "EMAIL_HOST_USER": "u",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 5.0,
    }
    # nothing set: the caller's default backend (console in development)
    assert email_settings({}, CONSOLE)["EMAIL_BACKEND"] == CONSOLE
    assert not email_is_configured({})
    assert email_is_configured({"EMAIL_HOST": "mail.example.com"})
    with pytest.raises(ImproperlyConfigured, match="not both"):
        email_settings({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, SMTP_BACKEND)
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be a number"):
        email_settings({"EMAIL_PORT": "smtp"}, SMTP_BACKEND)


# --- a real SMTP server ---------------------------------------------------------------------

SMTP_USER = "pictureday@example.com"
# characters that must be percent-encoded in a URL's userinfo
SMTP_PASSWORD = "p@ss:w/rd%#?"


class Inbox:
    """aiosmtpd handler keeping what arrived, with whether the session was authenticated
    and encrypted."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append(
            {
                "from": envelope.mail_from,
                "to": envelope.rcpt_tos,
                "message": message_from_bytes(envelope.content, policy=default_policy),
                "login": session.auth_data.login if session.authenticated else None,
                "tls": server._tls_protocol is not None,
            }
        )
        return "250 Message accepted for delivery"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


@pytest.fixture
def certificate(tmp_path):
    """A self-signed certificate for 127.0.0.1 (the sending process trusts it through
    ``SSL_CERT_FILE``)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # noqa: S603
        [  # noqa: S607
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def _smtp_server(inbox, *, auth=False, starttls_cert=None):
    options = {}
    if auth:
        # AUTH without TLS is allowed here only so the plain-auth case can be tested.
        options.update(
            authenticator=_authenticate, auth_required=True, auth_require_tls=bool(starttls_cert)
        )
    if starttls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*starttls_cert)
        options.update(tls_context=context, require_starttls=True)
    return Controller(inbox, hostname="127.0.0.1", port=free_port(), **options)


def _send_test_email(env: dict) -> subprocess.CompletedProcess:
    """Django's ``sendtestemail`` under the production settings, in a process of its own."""
    production = {k: v for k, v in PRODUCTION_ENV.items() if not k.startswith("EMAIL_")}
    return manage(
        "sendtestemail",
        "parent@example.com",
        **production,
        SECRET_KEY=secrets.token_urlsafe(64),
        DEFAULT_FROM_EMAIL="Pictureday <no-reply@pictureday.example.com>",
        **env,
    )


# aiosmtpd warns that AUTH without TLS is unsafe: the plain-auth cases test exactly that.
ALLOW_AUTH_WITHOUT_TLS = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@ALLOW_AUTH_WITHOUT_TLS
@pytest.mark.parametrize("mode", ["plain", "auth", "starttls+auth", "standard variables"])
def test_production_sends_through_the_smtp_server_its_environment_names(mode, certificate):
    inbox = Inbox()
    server = _smtp_server(
        inbox, auth=mode != "plain", starttls_cert=certificate if "starttls" in mode else None
    )
    server.start()
    try:
        credentials = f"{quote(SMTP_USER, safe='')}:{quote(SMTP_PASSWORD, safe='')}@"
        env = {
            "plain": {"EMAIL_URL": f"smtp://127.0.0.1:{server.port}"},
            "auth": {"EMAIL_URL": f"smtp://{credentials}127.0.0.1:{server.port}/?timeout=10"},
            "starttls+auth": {
                "EMAIL_URL": f"smtp://{credentials}127.0.0.1:{server.port}/?tls=1",
                "SSL_CERT_FILE": str(certificate[0]),
            },
            "standard variables": {
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(server.port),
                "EMAIL_HOST_USER": SMTP_USER,
                "EMAIL_HOST_PASSWORD": SMTP_PASSWORD,
            },
        }[mode]
        result = _send_test_email(env)
    finally:
        server.stop()

    assert result.returncode == 0, result.stderr
    assert len(inbox.received) == 1
    mail = inbox.received[0]
    assert mail["from"] == "no-reply@pictureday.example.com"
    assert mail["to"] == ["parent@example.com"]
    assert mail["message"]["Subject"].startswith("Test email from")
    assert mail["login"] == (None if mode == "plain" else SMTP_USER.encode())
    assert mail["tls"] is ("starttls" in mode)


@ALLOW_AUTH_WITHOUT_TLS
def test_a_wrong_password_fails_the_send_instead_of_dropping_the_mail():
    inbox = Inbox()
    server = _smtp_server(inbox, auth=True)
    server.start()
    try:
        result = _send_test_email(
            {"EMAIL_URL": f"smtp://{quote(SMTP_USER, safe='')}:wrong@127.0.0.1:{server.port}"}
        )
    finally:
        server.stop()

    assert result.returncode != 0
    assert "SMTPAuthenticationError" in result.stderr
    assert inbox.received == []
