"""Parents' e-mails: the studio's brand in an HTML part next to the plain text, and the
parent's language (the page's, the account's, else the studio's default)."""

import re
from urllib.parse import urlsplit

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.core.emails import parent_email_send
from studio.parents.services import sign_in_code_send
from studio.settings.services import studio_settings_update
from tenants.models import Studio
from tenants.selectors import studio_url
from tests.conftest import host_client
from tests.studio.settings.images import logo_bytes

BRANDING = {
    "name": "Alpha Photo",
    "brand_color": "#7c2d12",
    "currency": "EUR",
    "language": "en",
    "timezone": "Europe/London",
    "contact_email": "help@alpha.test",
    "contact_phone": "+44 20 7946 0000",
    "support_text": "Mon–Fri 9–17",
    "legal_name": "",
    "legal_address": "",
    "watermark_text": "",
}


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def parent(email: str, language: str = "") -> User:
    return User.objects.create_user(email=email, role=Role.PARENT, language=language)


def test_the_html_part_carries_the_logo_colour_and_contact_details(alpha, media_in_tmp):
    with schema_context(alpha.schema):
        studio_settings_update(
            studio=alpha.studio,
            actor=None,
            logo=SimpleUploadedFile("logo.png", logo_bytes()),
            **BRANDING,
        )
        studio = Studio.objects.get(pk=alpha.studio.pk)
        sign_in_code_send(email="mum@example.com", studio=studio)

    [message] = mail.outbox
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    assert "Your code to sign in to Alpha Photo:" in message.body  # the plain text stays
    html = html_of(message)
    logo = re.search(r'<img src="([^"]+)"', html).group(1)
    assert logo.startswith(studio_url(studio=studio, path=f"/media/{alpha.schema}/branding/"))
    logo_file = host_client(alpha.host).get(urlsplit(logo).path)
    # a lasting address on the studio's host (not a signed one that expires in the inbox)
    assert (logo_file.status_code, logo_file["Content-Type"]) == (200, "image/png")
    assert "background:#7c2d12;color:#ffffff" in html  # the header bar, readable text
    assert code in html
    for detail in ("help@alpha.test", "+44 20 7946 0000", "Mon–Fri 9–17"):
        assert detail in html
    assert '<html lang="en">' in html


def test_the_button_takes_the_brand_colour_and_the_html_is_escaped(in_alpha, alpha):
    studio = alpha.studio
    studio.name = "Alpha <b>Photo</b>"
    studio.brand_color = "#14532d"

    parent_email_send(
        studio=studio,
        to=["mum@example.com"],
        template="parents/email/sign_in_code",
        context={"code": "123456"},
        action=None,
    )

    html = html_of(mail.outbox[0])
    assert "background:#14532d" in html
    assert "<b>Photo</b>" not in html and "Alpha &lt;b&gt;Photo&lt;/b&gt;" in html
    assert "<img" not in html  # no logo: the studio's name alone


def test_each_parent_reads_their_own_language_and_the_studio_default_without_one(in_alpha, alpha):
    alpha.studio.language = "ru"
    parent("ivan@example.com", "ru")
    parent("john@example.com", "en")
    parent("new@example.com")  # never signed in from a browser

    sent = parent_email_send(
        studio=alpha.studio,
        to=["ivan@example.com", "john@example.com", "new@example.com", "roster@example.com"],
        template="parents/email/sign_in_code",
        context={"code": "123456"},
    )

    assert sent == 4
    by_address = {message.to[0]: message for message in mail.outbox}
    russian = "123456 — ваш код для входа в Alpha Photo"
    english = "123456 is your sign-in code for Alpha Photo"
    assert by_address["john@example.com"].subject == english
    assert "Your code to sign in to Alpha Photo:" in by_address["john@example.com"].body
    assert '<html lang="en">' in html_of(by_address["john@example.com"])
    for address in ("ivan@example.com", "new@example.com", "roster@example.com"):
        assert by_address[address].subject == russian
        assert "Ваш код для входа в Alpha Photo:" in by_address[address].body
        html = html_of(by_address[address])
        assert "Ваш код для входа в Alpha Photo:" in html and '<html lang="ru">' in html


def test_a_russian_parent_of_an_english_studio_gets_russian(in_alpha, alpha):
    alpha.studio.language = "en"
    parent("ivan@example.com", "ru")

    sign_in_code_send(email="ivan@example.com", studio=alpha.studio)

    assert mail.outbox[0].subject.endswith("— ваш код для входа в Alpha Photo")
    assert "Чтобы связаться со студией, ответьте на это письмо." in html_of(mail.outbox[0])


def test_a_ukrainian_parent_of_a_russian_studio_gets_ukrainian(in_alpha, alpha):
    alpha.studio.language = "ru"
    parent("olena@example.com", "uk")

    sign_in_code_send(email="olena@example.com", studio=alpha.studio)

    assert mail.outbox[0].subject.endswith("— ваш код для входу в Alpha Photo")
    assert "Ваш код для входу в Alpha Photo:" in mail.outbox[0].body
    html = html_of(mail.outbox[0])
    assert '<html lang="uk">' in html
    assert "Щоб зв’язатися зі студією, дайте відповідь на цей лист." in html


def test_the_page_the_parent_is_on_wins_over_the_account(in_alpha, alpha):
    parent("ivan@example.com", "ru")

    sign_in_code_send(email="ivan@example.com", studio=alpha.studio, language="en")

    assert mail.outbox[0].subject.endswith("is your sign-in code for Alpha Photo")


def test_signing_in_keeps_the_browsers_language_for_the_e_mails(alpha):
    client = host_client(alpha.host)
    client.cookies["django_language"] = "ru"

    client.post("/account/sign-in/", {"email": "Ivan@Example.com"})
    [message] = mail.outbox
    assert message.subject.endswith("— ваш код для входа в Alpha Photo")  # studio: English
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    response = client.post("/account/sign-in/code/", {"code": code})

    assert response.status_code == 302
    with schema_context(alpha.schema):
        assert User.objects.get(email="ivan@example.com").language == "ru"
        client.cookies["django_language"] = "en"  # a later visit in English, not signing in
        client.get("/account/")
        assert User.objects.get(email="ivan@example.com").language == "ru"
