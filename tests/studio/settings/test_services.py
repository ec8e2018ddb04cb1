"""The settings service: validation before anything changes, and the logo in the studio's
own storage with its display sizes."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from saas_platform.accounts.models import User
from studio.settings.services import LOGO_MAX_BYTES, studio_settings_update
from tenants.models import Studio
from tenants.validators import contrast_with_white
from tests.conftest import logged_in_client

from .images import huge_png, logo_bytes

VALID = {
    "name": "Alpha Photo",
    "brand_color": "#7c2d12",
    "currency": "GBP",
    "language": "ru",
    "timezone": "Europe/London",
    "contact_email": "help@alpha.test",
    "contact_phone": "+44 20 7946 0000",
    "support_text": "Mon–Fri 9–17",
    "legal_name": "Alpha Photo Ltd",
    "legal_address": "1 High Street\nLondon",
    "watermark_text": "ALPHA PROOF",
}


def update(studio, **changes):
    with schema_context(studio.schema_name):
        return studio_settings_update(studio=studio, actor=None, **{**VALID, **changes})


def test_valid_settings_are_saved(alpha):
    update(alpha.studio)

    studio = Studio.objects.get(pk=alpha.studio.pk)
    assert {name: getattr(studio, name) for name in VALID} == VALID


def test_ukrainian_can_be_the_studios_language_and_its_settings_page_speaks_it(alpha):
    update(alpha.studio, language="uk", currency="UAH", timezone="Europe/Kyiv")

    studio = Studio.objects.get(pk=alpha.studio.pk)
    assert (studio.language, studio.currency, studio.timezone) == ("uk", "UAH", "Europe/Kyiv")
    with schema_context(studio.schema_name):
        owner = User.objects.get(email=alpha.owner_email)
    page = logged_in_client(alpha, owner).get("/staff/settings/studio/").content.decode()
    assert "<h1>Налаштування студії</h1>" in page
    assert '<option value="uk" selected>Українська</option>' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "  ", "Enter the studio's name."),
        ("brand_color", "#ffff00", "White text on this colour is hard to read (contrast 1.1:1"),
        ("brand_color", "#60a5fa", "(contrast 2.5:1; at least 4.5:1 is needed)"),
        ("brand_color", "blue", "Enter a colour as #rrggbb."),
        ("currency", "XYZ", "“XYZ” is not an ISO 4217 currency code."),
        ("timezone", "Mars/Olympus", "“Mars/Olympus” is not a known time zone."),
        ("language", "de", "Choose English, Russian or Ukrainian."),
    ],
)
def test_invalid_values_are_refused_by_field_and_nothing_changes(alpha, field, value, message):
    before = alpha.studio.name
    with pytest.raises(ValidationError) as error:
        update(alpha.studio, **{field: value})

    assert list(error.value.message_dict) == [field]
    assert message in error.value.message_dict[field][0]
    assert Studio.objects.get(pk=alpha.studio.pk).name == before


def test_the_contrast_rule_is_wcag_white_text_at_4_5():
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#2563eb"), 2) == 5.17  # the default passes
    assert round(contrast_with_white("#767676"), 2) == 4.54  # the lightest grey that passes


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("logo.gif", b"GIF89a" + b"\x00" * 100, "GIF files are not supported"),
        ("logo.tif", None, "Upload the logo as JPEG, PNG or WebP."),
        ("logo.png", b"this is not an image at all", "This file is not an image."),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (LOGO_MAX_BYTES), "the limit is 2 MB"),
        ("logo.png", huge_png(), "The logo is 5000 × 4000 pixels; keep it under 4096 × 4096."),
    ],
)
def test_bad_logos_are_refused_with_a_reason(alpha, name, data, message):
    if data is None:
        data = logo_bytes("TIFF")
    with pytest.raises(ValidationError) as error:
        update(alpha.studio, logo=SimpleUploadedFile(name, data))

    assert message in error.value.message_dict["logo"][0]
    assert not Studio.objects.get(pk=alpha.studio.pk).logo


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_the_logo_is_stored_under_the_studios_schema_with_its_display_sizes(
    alpha, media_in_tmp, fmt
):
    studio = update(alpha.studio, logo=SimpleUploadedFile("my logo", logo_bytes(fmt)))

    assert studio.logo.name.startswith("branding/logo-")
    stored = media_in_tmp / "media" / "studio_alpha" / studio.logo.name
    assert stored.read_bytes() == logo_bytes(fmt)
    thumbnails = list((media_in_tmp / "media" / "studio_alpha" / "branding" / "cache").rglob("*"))
    assert [p.suffix for p in thumbnails if p.is_file()] == [".png", ".png"]
    assert not (media_in_tmp / "media" / "public").exists()


def test_a_new_logo_replaces_the_old_one_and_remove_drops_it(alpha, media_in_tmp):
    first = update(alpha.studio, logo=SimpleUploadedFile("a.png", logo_bytes())).logo.name
    second = update(alpha.studio, logo=SimpleUploadedFile("b.png", logo_bytes("JPEG"))).logo.name
    branding = media_in_tmp / "media" / "studio_alpha" / "branding"

    assert first != second
    assert not (branding / first.removeprefix("branding/")).exists()
    assert (branding / second.removeprefix("branding/")).exists()

    studio = update(alpha.studio, remove_logo=True)
    assert not studio.logo
    assert not (branding / second.removeprefix("branding/")).exists()
