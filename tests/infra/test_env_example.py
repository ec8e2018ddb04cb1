"""``infra/.env.example`` is what ``docker compose up`` runs with: the production settings
must accept it as shipped."""

from pathlib import Path

from tests.conftest import REPO
from tests.platform.test_settings import manage

ENV_EXAMPLE = REPO / "infra" / ".env.example"


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines as Compose reads an ``env_file``: comments and blank lines skipped,
    the value is the rest of the line (matching quotes removed)."""
    values = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not KEY=value: {raw!r}"
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def test_the_compose_environment_passes_the_production_deploy_check():
    env = read_env_file(ENV_EXAMPLE)
    assert len(env["SECRET_KEY"]) >= 50

    result = manage(
        "check", "--deploy", DJANGO_SETTINGS_MODULE="saas_platform.settings.production", **env
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


def test_every_variable_the_production_settings_require_is_in_the_example():
    env = read_env_file(ENV_EXAMPLE)
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BASE_DOMAIN", "EMAIL_URL"):
        assert env.get(name), name
