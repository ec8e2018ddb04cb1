"""Logos uploaded under the public schema's media before are moved into the studio's own."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.models import Studio
from tests.conftest import host_client

from .images import logo_bytes


def test_a_logo_in_the_public_media_is_moved_into_the_studios(alpha, media_in_tmp, capsys):
    with schema_context(get_public_schema_name()):
        old = default_storage.save("branding/old.png", ContentFile(logo_bytes()))
    Studio.objects.filter(pk=alpha.studio.pk).update(logo=old)

    call_command("studio_logos_adopt")
    call_command("studio_logos_adopt")  # a second run moves nothing

    studio = Studio.objects.get(pk=alpha.studio.pk)
    assert studio.logo.name.startswith("branding/logo-")
    assert (media_in_tmp / "media" / "studio_alpha" / studio.logo.name).read_bytes() == (
        logo_bytes()
    )
    assert not (media_in_tmp / "media" / "public" / "branding" / "old.png").exists()
    assert capsys.readouterr().out.splitlines() == [
        "1 logo(s) moved: alpha",
        "0 logo(s) moved: —",
    ]
    storefront = host_client(alpha.host).get("/").content.decode()
    assert '<img src="/media/studio_alpha/branding/cache/' in storefront
