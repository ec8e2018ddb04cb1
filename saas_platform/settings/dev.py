"""Development: works with nothing set, starting embedded PostgreSQL and Redis under var/."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, caches_from_url, database_from_url, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-never-use-in-production"
PUBLIC_SCHEME = os.environ.get("PUBLIC_SCHEME", "http")
PUBLIC_PORT = os.environ.get("PUBLIC_PORT", "8000")

if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
    from saas_platform import embedded

    if not os.environ.get("DATABASE_URL"):
        DATABASES = {"default": database_from_url(embedded.database_url(BASE_DIR / "var"))}
    if not os.environ.get("REDIS_URL"):
        REDIS_URL = embedded.redis_url(BASE_DIR / "var")
        CACHES = caches_from_url(REDIS_URL)
        CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL

# WhiteNoise serves from the apps' static folders here (no collectstatic in development).
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
