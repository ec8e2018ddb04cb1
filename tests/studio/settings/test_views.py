"""The owner's settings page, the storefront showing its results, and who may see it."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from tenants.models import Studio
from tests.conftest import host_client, logged_in_client

from .images import logo_bytes, watermark_png

FORM = {
    "name": "Alpha Photo",
    "brand_color": "#7c2d12",
    "currency": "GBP",
    "language": "en",
    "timezone": "Europe/London",
    "contact_email": "help@alpha.test",
    "contact_phone": "+44 20 7946 0000",
    "support_text": "We answer within a day.",
    "legal_name": "Alpha Photo Ltd",
    "legal_address": "1 High Street, London",
    "watermark_text": "",
}


def owner_client(fixture):
    with schema_context(fixture.schema):
        owner = User.objects.get(email=fixture.owner_email)
    return logged_in_client(fixture, owner)


def test_the_owner_saves_settings_and_the_storefront_shows_them(alpha, beta):
    client = owner_client(alpha)
    page = client.get("/staff/settings/studio/")
    assert page.status_code == 200
    hub = client.get("/staff/settings/").content.decode()
    assert 'href="/staff/settings/studio/"' in hub  # from the menu's Settings page

    response = client.post(
        "/staff/settings/studio/", {**FORM, "logo": SimpleUploadedFile("logo.png", logo_bytes())}
    )

    assert (response.status_code, response["Location"]) == (302, "/staff/settings/studio/")
    studio = Studio.objects.get(pk=alpha.studio.pk)
    assert (studio.name, studio.brand_color, studio.currency) == ("Alpha Photo", "#7c2d12", "GBP")
    storefront = host_client(alpha.host).get("/").content.decode()
    assert ":root { --brand: #7c2d12; }" in storefront
    assert "We answer within a day." in storefront
    assert 'href="mailto:help@alpha.test"' in storefront
    assert 'href="tel:+442079460000"' in storefront
    logo_url = re.search(r'class="brand" href="/"><img src="([^"]+)"', storefront).group(1)
    assert logo_url.startswith("/media/studio_alpha/branding/cache/")
    image = host_client(alpha.host).get(logo_url)
    assert (image.status_code, image["Content-Type"]) == (200, "image/png")
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    # another studio's host does not serve it, nor does any path outside branding/
    assert host_client(beta.host).get(logo_url).status_code == 404
    assert host_client(alpha.host).get("/media/studio_alpha/branding/../x").status_code == 404
    # the staff header shows it too
    assert logo_url in client.get("/staff/").content.decode()


def test_a_refused_value_is_shown_next_to_its_field(alpha):
    response = owner_client(alpha).post(
        "/staff/settings/studio/", {**FORM, "brand_color": "#fde047"}
    )

    assert response.status_code == 400
    assert "White text on this colour is hard to read" in str(
        response.context["form"].errors["brand_color"]
    )
    assert Studio.objects.get(pk=alpha.studio.pk).brand_color == alpha.studio.brand_color


def test_a_bad_logo_is_refused_with_its_reason(alpha):
    response = owner_client(alpha).post(
        "/staff/settings/studio/",
        {**FORM, "logo": SimpleUploadedFile("logo.gif", b"GIF89a" + bytes(64))},
    )

    assert response.status_code == 400
    assert "GIF files are not supported" in str(response.context["form"].errors["logo"])


@pytest.mark.parametrize(
    "role", [Role.MANAGER, Role.PHOTOGRAPHER, Role.RETOUCHER, Role.PRINCIPAL, Role.PARENT]
)
def test_only_the_owner_may(alpha, role):
    with schema_context(alpha.schema):
        user = User.objects.create_user(email=f"{role}@alpha.test", password="x", role=role)
    client = logged_in_client(alpha, user)

    assert client.get("/staff/settings/studio/").status_code == 403
    assert client.post("/staff/settings/studio/", FORM).status_code == 403
    assert client.get("/staff/settings/studio/watermark-progress/").status_code == 403
    assert client.get("/staff/settings/studio/watermark-preview/").status_code == 403
    assert Studio.objects.get(pk=alpha.studio.pk).name == alpha.studio.name
    assert 'href="/staff/settings/studio/"' not in client.get("/staff/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(alpha):
    response = host_client(alpha.host).get("/staff/settings/studio/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


PREVIEW = "/staff/settings/studio/watermark-preview/"


def preview(client, **params) -> bytes:
    response = client.get(PREVIEW, params)
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert response.content.startswith(b"\xff\xd8")
    return response.content


def test_the_preview_follows_the_saved_and_the_typed_watermark(alpha):
    client = owner_client(alpha)
    text_only = preview(client)
    assert preview(client, text="ANOTHER MARK") != text_only
    assert preview(client, opacity="80") != text_only
    assert preview(client, opacity="nonsense") == text_only  # falls back to the saved one
    assert preview(client, opacity="5") == text_only  # out of range: the saved one

    response = client.post(
        "/staff/settings/studio/",
        {
            **FORM,
            "watermark_opacity": "60",
            "watermark_image": SimpleUploadedFile("mark.png", watermark_png()),
        },
    )

    assert response.status_code == 302
    studio = Studio.objects.get(pk=alpha.studio.pk)
    assert studio.watermark_opacity == 60 and studio.watermark_image
    with_image = preview(client)
    assert with_image not in (text_only, preview(client, opacity="60", image="0"))
    assert preview(client, text="typed text is not drawn over an image") == with_image
    page = client.get("/staff/settings/studio/").content.decode()
    assert f'src="{PREVIEW}"' in page  # without JS: the saved watermark
    assert 'name="remove_watermark_image"' in page

    client.post("/staff/settings/studio/", {**FORM, "remove_watermark_image": "on"})
    assert not Studio.objects.get(pk=alpha.studio.pk).watermark_image
    assert preview(client) == preview(client, image="0") != with_image


def test_a_jpeg_watermark_image_is_refused_on_the_page(alpha):
    response = owner_client(alpha).post(
        "/staff/settings/studio/",
        {**FORM, "watermark_image": SimpleUploadedFile("mark.png", logo_bytes("JPEG"))},
    )

    assert response.status_code == 400
    assert "Upload the watermark image as a PNG." in str(
        response.context["form"].errors["watermark_image"]
    )


def test_another_studios_host_never_draws_this_studios_image(alpha, beta):
    alpha_owner = owner_client(alpha)
    alpha_owner.post(
        "/staff/settings/studio/",
        {**FORM, "watermark_image": SimpleUploadedFile("mark.png", watermark_png())},
    )
    beta_owner = owner_client(beta)

    assert preview(beta_owner) == preview(beta_owner, image="0")
    assert preview(beta_owner) != preview(alpha_owner)
    # the PNG is no media file: not even alpha's owner can fetch it, let alone beta's
    name = Studio.objects.get(pk=alpha.studio.pk).watermark_image.name
    assert name.startswith("watermark/")
    assert alpha_owner.get(f"/media/{alpha.schema}/{name}").status_code == 404
    assert beta_owner.get(f"/media/{alpha.schema}/{name}").status_code == 404
    # alpha's session means nothing on beta's host
    other_host = host_client(beta.host)
    other_host.cookies.load({"sessionid": alpha_owner.cookies["sessionid"].value})
    assert other_host.get(PREVIEW).status_code == 302
