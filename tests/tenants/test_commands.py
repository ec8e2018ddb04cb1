from django.core.management import call_command
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User


def test_create_studio_command(db, capsys):
    call_command(
        "create_studio",
        "lumen",
        name="Lumen",
        owner_email="o@lumen.test",
        owner_password="s3cret-pass-word",
    )

    assert "http://lumen.localhost:8000/" in capsys.readouterr().out
    with schema_context("studio_lumen"):
        assert User.objects.get().role == Role.OWNER


def test_create_studio_command_explains_a_bad_subdomain(db):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="reserved"):
        call_command(
            "create_studio", "admin", name="X", owner_email="o@x.test", owner_password="pw"
        )
