"""Outgoing mail settings from one ``EMAIL_URL``, or from Django's own ``EMAIL_*`` variables.

One URL is one secret to rotate (``smtp://user:pass@host:587/?tls=1``); the separate variables
stay supported because most providers document them. Read by the settings modules, so this
imports nothing from Django but its exception.
"""

from collections.abc import Mapping
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# Schemes that name a backend with no server (development, a worker that must not send).
SERVERLESS_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
# Seconds before a silent SMTP server fails the send (Django's default waits forever, holding a
# web thread or a worker process).
DEFAULT_TIMEOUT = 30.0
_TRUE = {"1", "true", "yes", "on"}


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in _TRUE


def _timeout(value: str | None) -> float | None:
    if not (value or "").strip():
        return None
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"E-mail timeout must be a number of seconds: {value!r}"
        ) from None


def parse_email_url(url: str) -> dict:
    """Django's e-mail settings from ``smtp://``, ``smtps://`` (implicit TLS), ``console:`` or
    ``dummy:``. User and password are percent-decoded (``%40`` for ``@``); ``?tls=1`` asks
    for STARTTLS, ``?ssl=1`` is ``smtps``, ``?timeout=10`` is in seconds (else ``EMAIL_TIMEOUT``, else 30). Default ports: 465
    with SSL, 587 with STARTTLS, else 25."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in SERVERLESS_BACKENDS:
        return {"EMAIL_BACKEND": SERVERLESS_BACKENDS[scheme]}
    if scheme not in {"smtp", "smtps"}:
        raise ImproperlyConfigured(
            f"EMAIL_URL must start with smtp://, smtps://, console: or dummy:, not {scheme!r}:"
        )
    query = {key.lower(): values[-1] for key, values in parse_qs(parts.query).items()}
    use_ssl = scheme == "smtps" or _flag(query.get("ssl"))
    use_tls = _flag(query.get("tls"))
    if use_ssl and use_tls:
        raise ImproperlyConfigured("EMAIL_URL: choose STARTTLS (tls=1) or SSL (smtps), not both.")
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has an invalid port.") from None
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no host.")
    return {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if use_ssl else 587 if use_tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": _timeout(query.get("timeout")),
    }


def email_settings(environ: Mapping[str, str], default_backend: str) -> dict:
    """The e-mail settings for this environment: ``EMAIL_URL`` when set, else ``EMAIL_BACKEND``
    (default ``default_backend``), ``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``,
    ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``, ``EMAIL_USE_SSL`` and ``EMAIL_TIMEOUT``, as a
    dict of Django settings."""
    url = (environ.get("EMAIL_URL") or "").strip()
    if url:
        found = parse_email_url(url)
        if found.get("EMAIL_TIMEOUT") is None:
            found["EMAIL_TIMEOUT"] = _timeout(environ.get("EMAIL_TIMEOUT")) or DEFAULT_TIMEOUT
        return found
    use_tls, use_ssl = _flag(environ.get("EMAIL_USE_TLS")), _flag(environ.get("EMAIL_USE_SSL"))
    if use_tls and use_ssl:
        raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
    port = (environ.get("EMAIL_PORT") or "").strip()
    if port and not port.isdigit():
        raise ImproperlyConfigured(f"EMAIL_PORT must be a number: {port!r}")
    return {
        "EMAIL_BACKEND": (environ.get("EMAIL_BACKEND") or "").strip() or default_backend,
        "EMAIL_HOST": (environ.get("EMAIL_HOST") or "").strip() or "localhost",
        "EMAIL_PORT": int(port) if port else 25,
        "EMAIL_HOST_USER": environ.get("EMAIL_HOST_USER") or "",
        "EMAIL_HOST_PASSWORD": environ.get("EMAIL_HOST_PASSWORD") or "",
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": _timeout(environ.get("EMAIL_TIMEOUT")) or DEFAULT_TIMEOUT,
    }


def email_is_configured(environ: Mapping[str, str]) -> bool:
    """Whether the environment says where mail goes (production refuses to guess localhost)."""
    names = ("EMAIL_URL", "EMAIL_HOST", "EMAIL_BACKEND")
    return any((environ.get(name) or "").strip() for name in names)
