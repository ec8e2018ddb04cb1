"""``infra/docker-compose.yml`` read as Compose would: services, healthchecks, env files,
dependencies. Where the Docker CLI has the Compose plugin, ``docker compose config`` must
accept it too (it needs no daemon); the YAML checks run everywhere."""

import shutil
import subprocess

import yaml

from tests.conftest import REPO
from tests.infra.test_env_example import read_env_file

INFRA = REPO / "infra"
COMPOSE = INFRA / "docker-compose.yml"
APP_SERVICES = {"migrate", "web", "worker", "beat"}


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def one_shot(service: dict) -> bool:
    return service.get("restart") == "no"


def test_the_stack_has_its_services():
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "minio", "minio-init", *APP_SERVICES}
    images = {services[name]["image"] for name in APP_SERVICES}
    assert images == {"pictureday:latest"}
    build = services["web"]["build"]
    assert (INFRA / build["context"] / build["dockerfile"]).is_file()


def test_every_long_running_service_has_a_healthcheck():
    for name, service in compose()["services"].items():
        if one_shot(service):
            continue
        check = service.get("healthcheck")
        assert check, name
        assert check["test"][0] in {"CMD", "CMD-SHELL"}, name
        assert check.get("interval") and check.get("retries"), name


def test_env_files_exist_and_hold_what_production_requires():
    for name, service in compose()["services"].items():
        for entry in service.get("env_file", []):
            entry = {"path": entry} if isinstance(entry, str) else entry
            if entry.get("required", True):
                assert (INFRA / entry["path"]).is_file(), (name, entry["path"])
    env = read_env_file(INFRA / ".env.example")
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BASE_DOMAIN", "EMAIL_URL"} <= env.keys()
    # nothing in front of web in this file: X-Forwarded-For is not to be trusted
    assert env["TRUSTED_PROXY_COUNT"] == "0"
    # the app reaches the services by their compose names
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    assert env["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"


def test_dependencies_name_services_that_can_meet_their_condition():
    services = compose()["services"]
    for name, service in services.items():
        depends = service.get("depends_on", {})
        if isinstance(depends, list):
            depends = {target: {"condition": "service_started"} for target in depends}
        for target, rule in depends.items():
            assert target in services, (name, target)
            condition = rule["condition"]
            if condition == "service_healthy":
                assert "healthcheck" in services[target], (name, target)
            if condition == "service_completed_successfully":
                assert one_shot(services[target]), (name, target)
    # processes start only after the migration has finished
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_worker_and_beat_healthchecks_read_the_file_their_process_writes():
    services = compose()["services"]
    for name, variable in (("worker", "WORKER_HEARTBEAT_FILE"), ("beat", "BEAT_HEARTBEAT_FILE")):
        test = services[name]["healthcheck"]["test"]
        assert test[1:4] == ["python", "-m", "saas_platform.heartbeat"], name
        assert test[4] == services[name]["environment"][variable], name


def test_docker_compose_accepts_the_file_where_it_is_installed():
    """``docker compose config`` is the reference parser; this machine may not have the
    plugin, and then the checks above are what holds."""
    docker = shutil.which("docker")
    has_compose = (
        docker is not None
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0  # noqa: S603
    )
    if has_compose:
        result = subprocess.run(  # noqa: S603
            [docker, "compose", "-f", str(COMPOSE), "config", "--quiet"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
    # everywhere: the file is plain YAML with the top-level keys Compose knows
    assert set(compose()) <= {"name", "services", "volumes", "networks", "configs", "secrets"} | {
        key for key in compose() if key.startswith("x-")
    }
