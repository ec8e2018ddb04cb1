"""Production settings: complete from the environment, refusing to start without secrets."""

import logging
import os
import secrets
import subprocess
import sys

import pytest

from tests.conftest import REPO

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "saas_platform.settings.production",
    "DATABASE_URL": "postgres://pictureday@db.internal:5432/pictureday",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "BASE_DOMAIN": "pictureday.example.com",
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.com:587/?tls=1",
}


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and k != "SECRET_KEY" and not k.startswith("EMAIL_")
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = manage("check", "--deploy", **PRODUCTION_ENV, SECRET_KEY=secrets.token_urlsafe(64))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize(
    ("secret_key", "message"),
    [
        (None, "Missing required environment variables: SECRET_KEY"),
        ("short", "SECRET_KEY must be a random string of at least 50 characters"),
        ("django-insecure-" + "x" * 60, "SECRET_KEY must be a random string"),
        ("a" * 64, "SECRET_KEY must be a random string"),
    ],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key, message):
    env = dict(PRODUCTION_ENV)
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    result = manage("check", **env)

    assert result.returncode != 0
    assert message in result.stderr


def test_production_names_every_missing_variable():
    result = manage("check", DJANGO_SETTINGS_MODULE="saas_platform.settings.production")

    assert result.returncode != 0
    assert (
        "Missing required environment variables: SECRET_KEY, DATABASE_URL, REDIS_URL, "
        "BASE_DOMAIN, EMAIL_URL (or EMAIL_HOST)" in result.stderr
    )


def test_production_refuses_to_guess_where_mail_goes():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_URL"}
    result = manage("check", **env, SECRET_KEY=secrets.token_urlsafe(64))

    assert result.returncode != 0
    assert "Missing required environment variables: EMAIL_URL (or EMAIL_HOST)" in result.stderr


def test_settings_read_database_and_redis_from_the_environment(settings, monkeypatch):
    from saas_platform.settings.base import caches_from_url, database_from_url

    db = database_from_url("postgres://app:pw@db.internal:6543/studiodb")
    assert (db["ENGINE"], db["HOST"], db["PORT"], db["NAME"], db["USER"]) == (
        "django_tenants.postgresql_backend",
        "db.internal",
        6543,
        "studiodb",
        "app",
    )
    # persistent connections with health checks: connecting costs throughput on every request
    assert (db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]) == (60, True)
    # ...bounded, since a backend caches the catalog of every studio it serves (infra/README)
    monkeypatch.setenv("CONN_MAX_AGE", "20")
    assert database_from_url("postgres://app:pw@db.internal:6543/studiodb")["CONN_MAX_AGE"] == 20
    cache = caches_from_url("redis://cache.internal:6379/3")["default"]
    assert (cache["LOCATION"], cache["KEY_FUNCTION"]) == (
        "redis://cache.internal:6379/3",
        "django_tenants.cache.make_key",
    )
    assert settings.SESSION_COOKIE_DOMAIN is None
    assert settings.CSRF_COOKIE_DOMAIN is None
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True


def test_django_log_messages_are_printed_once_by_the_root_handler():
    """Django's default config gave the "django" logger a console handler of its own that
    also propagated to the root's: runserver said "Watching for file changes" twice."""
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django").propagate is True
    assert len(logging.getLogger().handlers) >= 1
