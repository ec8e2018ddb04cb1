"""Production: every secret and address from the environment; refuses to start without them."""

import os

from django.core.exceptions import ImproperlyConfigured

from saas_platform.email_url import SMTP_BACKEND, email_is_configured, email_settings

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False

_REQUIRED = ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "BASE_DOMAIN"]
_missing = [name for name in _REQUIRED if not os.environ.get(name)]
# Parents sign in and staff are invited by e-mail: never guess an SMTP server on localhost.
if not email_is_configured(os.environ):
    _missing.append("EMAIL_URL (or EMAIL_HOST)")
if _missing:
    raise ImproperlyConfigured(f"Missing required environment variables: {', '.join(_missing)}")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):  # noqa: F405
    raise ImproperlyConfigured(
        "SECRET_KEY must be a random string of at least 50 characters "
        '(python -c "import secrets; print(secrets.token_urlsafe(64))").'
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
PUBLIC_SCHEME = "https"
PUBLIC_PORT = ""
globals().update(email_settings(os.environ, SMTP_BACKEND))
