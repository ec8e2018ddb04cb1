"""The import contracts in pyproject.toml hold, and they do catch a forbidden import."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PACKAGES = ["saas_platform", "tenants", "billing", "operator_console", "public_site", "studio"]


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the tree at ``root`` (its packages first on the path)."""
    return subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _copy_of_the_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold_on_the_code_as_it_is(tmp_path):
    result = _lint_imports(_copy_of_the_code(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_studio_import_in_tenants_breaks_the_contracts(tmp_path):
    root = _copy_of_the_code(tmp_path)
    selectors = root / "tenants" / "selectors.py"
    selectors.write_text(
        selectors.read_text() + "\nfrom studio.orders.models import Order  # noqa\n"
    )

    result = _lint_imports(root)

    assert result.returncode != 0
    assert "Tenants know nothing of a studio's inside" in result.stdout
    assert "BROKEN" in result.stdout
    assert "tenants.selectors -> studio.orders.models" in result.stdout


def test_an_import_hidden_inside_a_function_is_still_an_import(tmp_path):
    """A cycle dodged by importing inside a function breaks the studio's layers all the same."""
    root = _copy_of_the_code(tmp_path)
    policy = root / "studio" / "core" / "policy.py"
    policy.write_text(
        policy.read_text()
        + "\n\ndef _hidden():\n    from studio.schools.models import School  # noqa\n\n"
        + "    return School\n"
    )

    result = _lint_imports(root)

    assert result.returncode != 0
    assert "Studio apps point one way BROKEN" in result.stdout
    assert "studio.core.policy -> studio.schools.models" in result.stdout
