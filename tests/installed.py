"""The package as the image installs it (``pip install .``, not editable): a wheel built from a
clean copy of the working tree, installed into a fresh venv. Used by the packaging test and
the production stack test (``tests/prod``)."""

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.conftest import REPO

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


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)  # noqa: S603
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def build_wheel(base: Path) -> Path:
    """``pip wheel --no-deps`` of a clean copy of the working tree (as the Dockerfile builds),
    made under ``base``."""
    source = base / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"), source)
    (found,) = (base / "dist").glob("pictureday-*.whl")
    return found


def fresh_venv_with(wheel: Path, venv: Path, base: str = sys.executable) -> tuple[Path, Path]:
    """A new venv at ``venv`` made by the interpreter ``base`` (of this Python's version),
    with the package from ``wheel`` only; returns its python and site-packages. Dependencies
    come from this venv (a path in a .pth file, not its site dir: the editable install's
    finder in there is not loaded), so nothing is downloaded."""
    run(base, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    site_packages = Path(
        run(
            str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        ).stdout.strip()
    )
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
    return python, site_packages
