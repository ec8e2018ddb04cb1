"""Back-pressure: under overload a web process answers at once with a friendly "busy, retry in
a moment" page (503 + ``Retry-After``) instead of letting requests queue until they time out,
and it never opens more database connections than it is allowed.

A WSGI wrapper around Django's application (``saas_platform.wsgi``), outermost, so a shed
request costs no database query, no session load and no tenant lookup. Per process:

* **Connection slots.** ``WEB_DB_CONNECTIONS`` tokens (default ``WEB_THREADS``, else 8). A
  request runs only while its thread holds a token, and a thread opens a database connection
  only inside a request, so a process never has more connections than tokens, however many
  threads gunicorn runs. While the threads seen so far fit in the tokens (the normal set-up,
  threads = connections) a thread keeps its token and its connection between requests
  (``CONN_MAX_AGE`` applies, nobody ever waits); once more threads than tokens have served,
  each request closes its connection and gives its token back at the end.
* **Queue time.** A request that already waited longer than ``WEB_SHED_QUEUE_MS`` (default
  1000) is shed before it reaches Django. The wait is counted from ``X-Request-Start`` when the
  ingress sets it (``t=<seconds>``, with milli- or microseconds accepted as nginx, Heroku and
  New Relic write them), which includes gunicorn's own queue; otherwise from when this wrapper
  got the request. A request waits for a token only for what is left of that budget. A client
  sending the header itself can only get itself shed sooner: a future timestamp counts as no
  wait, and the token limit holds regardless.

Never shed: the health check (an orchestrator that sees 503 would take the pod out or restart
it just when it is busiest) and Stripe's webhook (a refused event is retried by Stripe, but for
up to days with growing gaps, so a parent's paid order would look unpaid long after the rush:
it is small, bounded by Stripe's own rate, and confirms money already taken). They skip the
queue-time check and wait for a token as long as gunicorn's timeout allows.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.handlers.wsgi import WSGIRequest
from django.db import connections
from django.template.loader import render_to_string
from django.utils import translation

from .api_errors import API_PREFIX, reason_for

EXEMPT_PATHS = frozenset({"/healthz", "/stripe/webhook/"})
EXEMPT_WAIT_SECONDS = 55.0  # under gunicorn's --timeout 60
_START = re.compile(r"^\s*(?:t=)?(\d+(?:\.\d+)?)\s*$")


def _env_int(name: str, default: int) -> int:
    value = (os.environ.get(name) or "").strip()
    return int(value) if value else default


def default_connections() -> int:
    """``WEB_DB_CONNECTIONS``, else ``WEB_THREADS`` (what the image starts gunicorn with),
    else 8."""
    return _env_int("WEB_DB_CONNECTIONS", _env_int("WEB_THREADS", 8))


def request_start(value: str | None) -> float | None:
    """Epoch seconds from an ``X-Request-Start`` value: ``t=1700000000.123`` (seconds),
    ``t=1700000000123`` (ms) or ``t=1700000000123456`` (µs); None when unreadable."""
    found = _START.match(value or "")
    if not found:
        return None
    number = float(found.group(1))
    for scale in (1.0, 1e3, 1e6, 1e9):
        if number / scale < 1e10:  # seconds since the epoch have ten digits until 2286
            return number / scale
    return None


class BackPressure:
    """WSGI middleware bounding one process's in-flight requests and database connections,
    shedding with 503 what cannot be served in time. Counters are for tests and logs."""

    def __init__(
        self,
        application,
        *,
        connections_allowed: int | None = None,
        queue_ms: int | None = None,
        retry_after: int | None = None,
    ):
        self.application = application
        self.slots_total = (
            connections_allowed
            if connections_allowed is not None
            else getattr(settings, "WEB_DB_CONNECTIONS", default_connections())
        )
        self.queue_seconds = (
            queue_ms if queue_ms is not None else getattr(settings, "WEB_SHED_QUEUE_MS", 1000)
        ) / 1000
        self.retry_after = (
            retry_after if retry_after is not None else getattr(settings, "WEB_RETRY_AFTER", 5)
        )
        self.slots = threading.BoundedSemaphore(self.slots_total)
        self.lock = threading.Lock()
        self.threads_seen: set[int] = set()
        # Threads keeping a token between requests. A server that starts a thread per
        # request (runserver, the test server) lets them end still holding it: their tokens
        # are taken back (``_reclaim``), or after as many requests as tokens every later one
        # would wait and be shed.
        self.holders: dict[int, threading.Thread] = {}
        self.local = threading.local()
        self.shed = 0
        self.in_flight = 0
        self.in_flight_peak = 0

    # -- the request ----------------------------------------------------------------------

    def __call__(self, environ, start_response):
        entered = time.time()
        exempt = environ.get("PATH_INFO", "") in EXEMPT_PATHS
        with self.lock:
            self.threads_seen.add(threading.get_ident())
        if exempt:
            wait = EXEMPT_WAIT_SECONDS
        else:
            started = request_start(environ.get("HTTP_X_REQUEST_START")) or entered
            wait = self.queue_seconds - max(0.0, entered - started)
            if wait <= 0:  # late already: answered at once, whoever holds a token
                return self._busy(environ, start_response)
        if not getattr(self.local, "holds", False):
            self._reclaim()
            if not self.slots.acquire(timeout=wait):
                return self._busy(environ, start_response)
            self.local.holds = True
            with self.lock:
                self.holders[threading.get_ident()] = threading.current_thread()
        with self.lock:
            self.in_flight += 1
            self.in_flight_peak = max(self.in_flight_peak, self.in_flight)
        try:
            result = self.application(environ, start_response)
        except BaseException:
            self._finished()
            raise
        return _ClosingIterator(result, self._finished)

    def _finished(self) -> None:
        """After the response went out (streamed bodies included): the token is given back,
        with the connection, when this process has more threads than tokens."""
        with self.lock:
            self.in_flight -= 1
            crowded = len(self.threads_seen) > self.slots_total
        if crowded and getattr(self.local, "holds", False):
            connections.close_all()  # this thread's connections only
            self.local.holds = False
            with self.lock:
                self.holders.pop(threading.get_ident(), None)
            self.slots.release()

    def _reclaim(self) -> None:
        """Gives back the tokens of threads that ended holding one (their connections went
        with them)."""
        with self.lock:
            ended = [ident for ident, thread in self.holders.items() if not thread.is_alive()]
            for ident in ended:
                del self.holders[ident]
                self.threads_seen.discard(ident)
        for _ in ended:
            self.slots.release()

    # -- the busy page --------------------------------------------------------------------

    def _busy(self, environ, start_response):
        with self.lock:
            self.shed += 1
        api = environ.get("PATH_INFO", "/").startswith(API_PREFIX)
        body = busy_json(environ) if api else busy_page(environ, self.retry_after)
        start_response(
            "503 Service Unavailable",
            [
                ("Content-Type", "application/json" if api else "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Retry-After", str(self.retry_after)),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]


class _ClosingIterator:
    """The response body, calling ``on_close`` once after the body's own ``close``."""

    def __init__(self, result, on_close):
        self.result, self.on_close, self.closed = result, on_close, False

    def __iter__(self):
        return iter(self.result)

    def close(self):
        if self.closed:
            return
        self.closed = True
        try:
            if hasattr(self.result, "close"):
                self.result.close()
        finally:
            self.on_close()


def _language(environ) -> str:
    try:
        return translation.get_language_from_request(WSGIRequest(environ))
    except Exception:  # noqa: BLE001 - a malformed request still gets the page
        return settings.LANGUAGE_CODE


def busy_json(environ) -> bytes:
    """The API's 503: ``{"detail": ...}`` like every error under ``/api/``."""
    with translation.override(_language(environ)):
        return json.dumps({"detail": reason_for(503)}, ensure_ascii=False).encode()


def busy_page(environ, retry_after: int) -> bytes:
    """The 503 page in the visitor's language (cookie or ``Accept-Language``), rendered
    without a database query: no studio, no session."""
    language = _language(environ)
    with translation.override(language):
        return render_to_string(
            "503.html",
            {"retry_after": retry_after, "LANGUAGE_CODE": language, "again": again_url(environ)},
        ).encode()


def again_url(environ) -> str:
    """Where "Try again" leads: the same page for a GET; after a form was sent (a POST must
    not be replayed by a link), the page the form was on when it is on this host, else
    the home page."""
    if environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD"):
        query = environ.get("QUERY_STRING", "")
        return environ.get("PATH_INFO", "/") + (f"?{query}" if query else "")
    referer = urlsplit(environ.get("HTTP_REFERER", ""))
    if referer.netloc and referer.netloc == environ.get("HTTP_HOST") and referer.path:
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/"
