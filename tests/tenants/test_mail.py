"""Mail to parents and staff comes from the studio, and replies reach the studio."""

from django.core import mail

from tenants.mail import studio_mail_send


def test_mail_carries_the_studios_name_and_reply_to(alpha, settings):
    settings.DEFAULT_FROM_EMAIL = "Pictureday <no-reply@pictureday.example>"
    alpha.studio.name = "Acme, Photo & Co"
    alpha.studio.contact_email = "hello@acme.test"

    sent = studio_mail_send(
        studio=alpha.studio, subject="Your photos", body="…", to=["a@x.test", "b@x.test"]
    )

    assert sent == 2
    assert [m.to for m in mail.outbox] == [["a@x.test"], ["b@x.test"]]  # one each
    assert mail.outbox[0].from_email == '"Acme, Photo & Co" <no-reply@pictureday.example>'
    assert mail.outbox[0].reply_to == ["hello@acme.test"]


def test_without_a_contact_address_replies_go_to_the_owner(alpha):
    alpha.studio.contact_email = ""

    studio_mail_send(studio=alpha.studio, subject="S", body="B", to=["p@x.test"])

    assert mail.outbox[0].reply_to == [alpha.studio.owner_email]
    assert mail.outbox[0].from_email.startswith("Alpha Photo <")


def test_a_parents_sign_in_code_comes_from_the_studio(alpha):
    from studio.parents.channels import EmailChannel

    EmailChannel().send(recipient="mum@x.test", code="123456", studio=alpha.studio)

    assert mail.outbox[0].from_email.startswith("Alpha Photo <")
    assert "123456" in mail.outbox[0].body
