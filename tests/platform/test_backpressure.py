"""Back-pressure (``saas_platform.backpressure``): more threads than database connections
never means more connections than allowed, late requests are answered 503 + Retry-After with
the friendly page in the visitor's language, and the health check and Stripe's webhook are
never shed. Real threads on the real test database."""

import json
import threading
import time
from io import BytesIO

import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connection, connections

from saas_platform.backpressure import BackPressure, request_start

THREADS = 12
ALLOWED = 3


def environ(path="/", host="testserver", **extra) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(b""),
        "wsgi.errors": BytesIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        **extra,
    }


def call(app, env) -> tuple[int, dict, bytes]:
    """One request through a WSGI app as a server thread makes it (the body iterated and
    closed)."""
    captured = {}

    def start_response(status, headers, exc_info=None):
        captured["status"] = int(status.split()[0])
        captured["headers"] = dict(headers)

    result = app(env, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return captured["status"], captured["headers"], body


def sleeping_app(seconds: float):
    """A view's worth of work: one query holding its connection for ``seconds``."""

    def app(env, start_response):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(%s)", [seconds])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    return app


class Backends:
    """Samples how many server backends other than this one are connected to the test
    database, every few milliseconds, from its own connection."""

    def __init__(self, dsn_settings: dict):
        self.settings = dsn_settings
        self.peak = 0
        self.samples = 0
        self.error = None
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        try:
            self._sample()
        except Exception as error:  # noqa: BLE001 - raised in the test's thread
            self.error = error
        finally:
            self.ready.set()

    def _sample(self):
        import psycopg2

        s = self.settings
        conn = psycopg2.connect(
            dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"]
        )
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                while not self.stop.is_set():
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        " AND backend_type = 'client backend'"
                    )
                    self.peak = max(self.peak, cursor.fetchone()[0])
                    self.samples += 1
                    self.ready.set()
                    time.sleep(0.005)
        finally:
            conn.close()

    def __enter__(self):
        self.thread.start()
        self.ready.wait(10)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)
        if self.error is not None:
            raise self.error
        assert self.samples > 10, "the sampler hardly ran"


def storm(app, envs: list[dict]) -> list:
    """Every environ in a thread of its own, released together (gunicorn's threads taking a
    burst of requests); returns (status, headers, body) or the exception per request."""
    barrier = threading.Barrier(len(envs))
    results: list = [None] * len(envs)

    def run(n):
        try:
            barrier.wait()
            results[n] = call(app, envs[n])
        except Exception as error:  # noqa: BLE001 - reported by the test
            results[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(envs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.fixture
def database(live_studios, committed):
    """The test database reached from threads (committed, no test transaction); this
    thread's own connection closed, so the sampler counts only the threads'."""
    with committed():
        connections.close_all()
        yield connection.settings_dict
        connections.close_all()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("t=1700000000.250", 1700000000.25),  # nginx: seconds with milliseconds
        ("t=1700000000250", 1700000000.25),  # milliseconds
        ("t=1700000000250000", 1700000000.25),  # microseconds (Heroku, New Relic)
        ("1700000000", 1700000000.0),
        ("", None),
        ("t=soon", None),
        ("t=-5", None),
    ],
)
def test_the_ingress_queue_start_is_read_in_any_unit(header, expected):
    assert request_start(header) == (pytest.approx(expected) if expected else None)


def test_more_threads_than_connections_sheds_with_503_and_never_exceeds_the_connections(
    database,
):
    app = BackPressure(sleeping_app(0.4), connections_allowed=ALLOWED, queue_ms=150)

    with Backends(database) as backends:
        results = storm(app, [environ() for _ in range(THREADS)])

    errors = [r for r in results if isinstance(r, Exception)]
    statuses = sorted(r[0] for r in results if not isinstance(r, Exception))
    assert errors == []
    assert statuses == [200] * ALLOWED + [503] * (THREADS - ALLOWED)
    assert all(r[1]["Retry-After"] == "5" for r in results if r[0] == 503)
    assert 1 <= backends.peak <= ALLOWED
    assert app.in_flight_peak == ALLOWED
    assert app.shed == THREADS - ALLOWED


def test_without_it_the_same_burst_opens_a_connection_per_thread(database):
    """The control: what the test above prevents does happen without the wrapper."""
    with Backends(database) as backends:
        results = storm(sleeping_app(0.4), [environ() for _ in range(THREADS)])

    assert [r[0] for r in results] == [200] * THREADS
    assert backends.peak > ALLOWED


def test_a_request_that_waits_for_a_connection_within_its_budget_is_served(database):
    app = BackPressure(sleeping_app(0.1), connections_allowed=1, queue_ms=5000)

    results = storm(app, [environ() for _ in range(4)])

    assert [r[0] for r in results] == [200] * 4
    assert app.shed == 0


def test_the_whole_site_with_more_threads_than_connections_answers_200_or_503(
    database, live_studios
):
    """Django's own application (tenant routing, sessions, a studio's storefront page) in 12
    threads with 3 connections: no error, never more than 3 backends, and when more threads
    than connections have served, no connection is left open behind them."""
    host = live_studios["alpha"].host
    app = BackPressure(get_wsgi_application(), connections_allowed=ALLOWED, queue_ms=2000)

    with Backends(database) as backends:
        results = []
        for _ in range(3):
            results += storm(app, [environ("/", host=host) for _ in range(THREADS)])

    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    assert {r[0] for r in results} <= {200, 503}
    assert 200 in {r[0] for r in results}
    assert backends.peak <= ALLOWED
    assert len(app.threads_seen) > ALLOWED


def test_a_request_that_queued_too_long_gets_the_busy_page_at_once_without_a_query(database):
    def must_not_run(env, start_response):
        raise AssertionError("a shed request reached Django")

    app = BackPressure(must_not_run, connections_allowed=ALLOWED, queue_ms=1000)
    late = f"t={time.time() - 3:.3f}"

    started = time.perf_counter()
    status, headers, body = call(app, environ(HTTP_X_REQUEST_START=late))

    assert time.perf_counter() - started < 1
    assert status == 503
    assert headers["Retry-After"] == "5"
    assert headers["Cache-Control"] == "no-store"
    page = body.decode()
    assert "We are busy right now" in page
    assert 'name="viewport"' in page  # phone-friendly, the site's own stylesheet
    assert "/static/css/app.css" in page


def test_a_shed_api_request_gets_json_in_the_visitors_language(database):
    app = BackPressure(sleeping_app(0), connections_allowed=1, queue_ms=1000)
    late = f"t={time.time() - 3:.3f}"

    status, headers, body = call(
        app, environ("/api/schools/", HTTP_X_REQUEST_START=late, HTTP_ACCEPT_LANGUAGE="ru")
    )

    assert (status, headers["Content-Type"], headers["Retry-After"]) == (
        503,
        "application/json",
        "5",
    )
    assert json.loads(body) == {"detail": "Сервис временно недоступен; попробуйте позже."}


def test_the_busy_page_speaks_the_visitors_language(database):
    app = BackPressure(sleeping_app(0), connections_allowed=1, queue_ms=1000)
    late = f"t={time.time() - 3:.3f}"

    _, _, russian = call(app, environ(HTTP_X_REQUEST_START=late, HTTP_ACCEPT_LANGUAGE="ru"))
    _, _, english = call(app, environ(HTTP_X_REQUEST_START=late, HTTP_ACCEPT_LANGUAGE="en"))

    assert "Сейчас у нас очень много посетителей" in russian.decode()
    assert 'lang="ru"' in russian.decode()
    assert "We are busy right now" in english.decode()


@pytest.mark.parametrize("path", ["/healthz", "/stripe/webhook/"])
def test_the_health_check_and_stripes_webhook_are_never_shed(database, path):
    served = []

    def inner(env, start_response):
        served.append(env["PATH_INFO"])
        start_response("200 OK", [])
        return [b"ok"]

    app = BackPressure(inner, connections_allowed=1, queue_ms=100)
    late = f"t={time.time() - 30:.3f}"

    status, _, _ = call(app, environ(path, HTTP_X_REQUEST_START=late))
    shed_status, _, _ = call(app, environ("/gallery/", HTTP_X_REQUEST_START=late))

    assert status == 200
    assert served == [path]
    assert shed_status == 503


def test_the_exempt_paths_are_the_real_ones():
    """If the health check or the webhook moved, the exemption would silently stop applying."""
    from django.urls import resolve

    assert resolve("/healthz", urlconf="saas_platform.urls_tenant").url_name == "healthz"
    assert resolve("/healthz", urlconf="saas_platform.urls_public").url_name == "healthz"
    webhook = resolve("/stripe/webhook/", urlconf="saas_platform.urls_public")
    assert webhook.url_name == "stripe_webhook"


@pytest.mark.parametrize(
    ("method", "path", "query", "referer", "again"),
    [
        ("GET", "/gallery/", "favourites=1", "", "/gallery/?favourites=1"),
        (
            "POST",
            "/cart/add/",
            "",
            "http://alpha.localhost/gallery/12/?child=3",
            "/gallery/12/?child=3",
        ),
        ("POST", "/cart/add/", "", "http://evil.example/phish", "/"),
        ("POST", "/checkout/", "", "", "/"),
    ],
)
def test_try_again_never_replays_a_form(database, method, path, query, referer, again):
    app = BackPressure(sleeping_app(0), connections_allowed=1, queue_ms=1000)
    late = f"t={time.time() - 3:.3f}"
    env = environ(
        path,
        host="alpha.localhost",
        REQUEST_METHOD=method,
        QUERY_STRING=query,
        HTTP_X_REQUEST_START=late,
        HTTP_REFERER=referer,
    )

    _, _, body = call(app, env)

    assert f'class="btn" href="{again.replace("&", "&amp;")}"' in body.decode()


def test_threads_that_end_give_their_tokens_back(database):
    """A server that starts a thread per request (runserver, the test server): its threads
    end holding their tokens, which must come back, or after as many requests as tokens
    every request would be shed."""
    app = BackPressure(sleeping_app(0), connections_allowed=2, queue_ms=300)
    statuses = []

    def one_request():
        try:
            statuses.append(call(app, environ())[0])
        finally:
            connections.close_all()

    for _ in range(6):
        thread = threading.Thread(target=one_request)
        thread.start()
        thread.join(10)
    assert statuses == [200] * 6
    assert app.shed == 0
