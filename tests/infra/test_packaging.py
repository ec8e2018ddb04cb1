"""The package as the image installs it (``pip install .``, not editable): the wheel holds every
app, migration, template, translation and static file, and runs from outside the source
tree. Slow (a wheel build and a fresh venv), and part of every run like any test."""

import json
import secrets
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import REPO

pytestmark = pytest.mark.slow

# Folders of the source tree that are not part of the package, or are build leftovers (a
# stale build/lib would put deleted files into the wheel).
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "var",
    "build",
    "*.egg-info",
    "__pycache__",
    "*.pyc",
    ".*_cache",
    "infra",
    "test-output",
    "node_modules",
)


def packaged_roots() -> list[str]:
    """The apps (import-linter's root packages, where every new app is declared) and the
    project-wide templates and translations."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    return [*pyproject["tool"]["importlinter"]["root_packages"], "templates", "locale"]


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)  # noqa: S603
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """``pip wheel --no-deps`` of a clean copy of the working tree (as the Dockerfile builds)."""
    base = tmp_path_factory.mktemp("packaging")
    source = base / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-q",
        "-w",
        str(base / "dist"),
        str(source),
    )
    (found,) = (base / "dist").glob("pictureday-*.whl")
    return found


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
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    site_packages = Path(
        run(
            str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        ).stdout.strip()
    )
    # Dependencies from this venv (a path, not its site dir: the editable install's finder in
    # there is not loaded), the package itself from the wheel only.
    (site_packages / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        str(wheel),
    )

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
