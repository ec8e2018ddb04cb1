"""The package as the image installs it (``pip install .``, not editable): the wheel holds every
app, migration, template, translation and static file, and runs from outside the source
tree. Slow (a wheel build and a fresh venv), and part of every run like any test."""

import json
import secrets
import tomllib
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import REPO
from tests.installed import build_wheel, fresh_venv_with, run

pytestmark = pytest.mark.slow


def packaged_roots() -> list[str]:
    """The apps (import-linter's root packages, where every new app is declared) and the
    project-wide templates and translations."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    return [*pyproject["tool"]["importlinter"]["root_packages"], "templates", "locale"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("packaging"))


def test_the_wheel_holds_every_app_migration_template_translation_and_static_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())

    expected = set()
    for root in packaged_roots():
        for path in (REPO / root).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and not path.name.startswith("."):
                expected.add(path.relative_to(REPO).as_posix())
    assert expected - names == set()

    # the checks above, spelled out for the files a missing package-data rule loses first
    assert "locale/ru/LC_MESSAGES/django.mo" in names
    assert "templates/base.html" in names
    assert "saas_platform/static/css/app.css" in names
    ours = [app for app in settings.INSTALLED_APPS if app.split(".")[0] in packaged_roots()]
    for app in ours:
        assert f"{app.replace('.', '/')}/__init__.py" in names, app
    with_migrations = {
        path.relative_to(REPO).parent.parent.as_posix()
        for root in packaged_roots()
        for path in (REPO / root).glob("**/migrations/0001_*.py")
    }
    assert len(with_migrations) > 10
    assert with_migrations == {
        name.split("/migrations/")[0] for name in names if "/migrations/0001_" in name
    }
    assert not any(name.startswith(("tests/", "benchmarks/", "tools/")) for name in names)


# Run inside the fresh venv, from a folder outside the source tree.
INSTALLED_CHECK = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.migrations.loader import MigrationLoader
from django.template.loader import get_template
from django.utils import translation
import saas_platform
templates = json.loads(sys.argv[1])
for name in templates:
    get_template(name)
with translation.override("ru"):
    russian = translation.gettext("English")
print(json.dumps({
    "package": saas_platform.__file__,
    "templates": len(templates),
    "russian": russian,
    "static": bool(finders.find("css/app.css")),
    "migrated_apps": sorted({app for app, _ in MigrationLoader(None).disk_migrations}),
}))
"""


def test_the_installed_package_runs_the_production_settings_outside_the_source_tree(
    wheel, tmp_path
):
    python, site_packages = fresh_venv_with(wheel, tmp_path / "venv")

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "saas_platform.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": "postgres://pictureday@db.internal:5432/pictureday",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "BASE_DOMAIN": "pictureday.example.com",
        "EMAIL_URL": "smtp://mailer:secret@smtp.example.com:587/?tls=1",
    }
    check = run(str(python), "-m", "django", "check", "--deploy", cwd=outside, env=env)
    assert check.stdout.strip() == "System check identified no issues (0 silenced)."

    templates = sorted(
        path.relative_to(REPO / "templates").as_posix()
        for path in (REPO / "templates").rglob("*")
        if path.is_file()
    )
    found = json.loads(
        run(str(python), "-c", INSTALLED_CHECK, json.dumps(templates), cwd=outside, env=env).stdout
    )
    assert found["package"] == str(site_packages / "saas_platform" / "__init__.py")
    assert found["templates"] == len(templates) > 50
    assert found["russian"] == "Английский"
    assert found["static"] is True
    assert {"tenants", "billing", "operator_console", "accounts", "photos", "orders"} <= set(
        found["migrated_apps"]
    )
