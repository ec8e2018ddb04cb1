"""Fixtures shared by every test.

Two studios (alpha and beta) are created once per session by cloning the base schema, with
an owner each; tests enter a studio's schema per test inside pytest-django's transaction.
Anything a separate process must see (a web server, a Celery worker) is written with
``committed()`` instead, and cleaned up by the test.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.app.task import Task
from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
from django.test import Client
from django.utils import translation
from django_tenants.utils import schema_context
from moto.server import ThreadedMotoServer

from saas_platform import ratelimit
from saas_platform.tasks import SCHEMA_HEADER

REPO = Path(__file__).resolve().parent.parent
OWNER_PASSWORD = "correct horse battery staple"


@dataclass
class StudioFixture:
    studio: object
    host: str
    owner_email: str

    @property
    def schema(self) -> str:
        return self.studio.schema_name


def _make_studio(slug: str, name: str) -> StudioFixture:
    from tenants.services import studio_create

    result = studio_create(
        name=name,
        slug=slug,
        owner_email=f"owner@{slug}.test",
        owner_name=f"{name} Owner",
        owner_password=OWNER_PASSWORD,
    )
    return StudioFixture(result.studio, f"{slug}.{settings.BASE_DOMAIN}", result.owner.email)


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_modify_db_settings
):
    """Always the test database (pytest-django creates it only when a collected test asks for
    ``db``; a run of only browser or worker tests would otherwise write to the dev database),
    then the public row, the base schema and the two studios."""
    from django.test.utils import setup_databases, teardown_databases

    from tenants.services import ensure_public_tenant, ensure_template_studio

    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        name = connection.settings_dict["NAME"]
        assert name.startswith("test_"), f"refusing to run tests against {name!r}"
        ensure_public_tenant()
        ensure_template_studio()
        studios = {
            "alpha": _make_studio("alpha", "Alpha Photo"),
            "beta": _make_studio("beta", "Beta Pictures"),
        }
    yield studios
    with django_db_blocker.unblock():
        try:
            teardown_databases(db_cfg, verbosity=0)
        except Exception as error:  # noqa: BLE001 - a leftover test database is not a failure
            request.node.warn(pytest.PytestWarning(f"test database not dropped: {error!r}"))


def _fresh(fixture: StudioFixture) -> StudioFixture:
    """A fresh row per test: tests edit the studio, and the database rolls back, not Python."""
    from tenants.models import Studio

    return StudioFixture(
        Studio.objects.get(pk=fixture.studio.pk), fixture.host, fixture.owner_email
    )


@pytest.fixture
def alpha(django_db_setup, db) -> StudioFixture:
    return _fresh(django_db_setup["alpha"])


@pytest.fixture
def beta(django_db_setup, db) -> StudioFixture:
    return _fresh(django_db_setup["beta"])


@pytest.fixture(autouse=True)
def _back_to_public(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (
        marker.kwargs.get("transaction") or (len(marker.args) > 0 and marker.args[0])
    )
    if transactional or "transactional_db" in request.fixturenames:
        pytest.fail(
            "django_db(transaction=True) flushes the public tables at the end, the session's "
            "studios with them, and breaks every later test of this worker: use `committed`"
        )
    yield
    # A request served in Russian leaves Russian active in this thread (the locale middleware
    # activates, nothing deactivates): the next test must start in the default language.
    translation.activate(settings.LANGUAGE_CODE)
    connection.set_schema_to_public()
    if "django_db_setup" in request.fixturenames:
        # Rolled-back edits of the session studios must not outlive the test in the
        # (non-transactional) host lookup cache.
        from tenants.selectors import host_cache_forget

        host_cache_forget(
            hostnames=[f"{slug}.{settings.BASE_DOMAIN}" for slug in ("alpha", "beta")]
        )


@pytest.fixture
def in_alpha(alpha):
    """Runs the test body inside alpha's schema."""
    with schema_context(alpha.schema):
        yield alpha


def push_id_sequences(models, start: int = 1_000_000) -> None:
    """In the current schema, make new rows of ``models`` get ids from ``start`` on. Sequences
    are not rolled back with a test's transaction, so tests that need ids existing in one
    studio and not in another push the other studio's sequences apart explicitly."""
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST(%s, last_value)) FROM "
                + connection.ops.quote_name(f"{table}_id_seq"),
                [table, start],
            )


def host_client(host: str) -> Client:
    return Client(HTTP_HOST=host)


def logged_in_client(studio: StudioFixture, user) -> Client:
    """A client on the studio's host with ``user`` logged in (session made in its schema)."""
    client = host_client(studio.host)
    with schema_context(studio.schema):
        client.force_login(user)
    return client


def _reset_storages():
    from django.core.files.storage import default_storage, storages
    from django.utils.functional import empty
    from sorl.thumbnail import default as sorl_default

    storages._storages = {}
    default_storage._wrapped = empty
    sorl_default.storage._wrapped = empty  # sorl keeps its own instance of the default


@pytest.fixture
def media_in_tmp(settings, tmp_path):
    """Media, private originals (and upload chunks) and scratch space of this test in its
    own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    _reset_storages()
    yield tmp_path
    _reset_storages()


@pytest.fixture
def live_studios(django_db_setup) -> dict[str, StudioFixture]:
    """The session's studios for tests that share data with other processes: such tests take
    no ``db`` fixture (its transaction would hide their writes) and use ``committed()``."""
    return django_db_setup


# The books can be neither updated nor deleted (their triggers); TRUNCATE, which row triggers
# do not see, is how a committed test's money leaves them.
BOOKS = (
    "ledger_periodbalance",
    "ledger_ledgerentry",
    "ledger_ledgertransaction",
    "ledger_ledgerperiod",
)


@pytest.fixture
def committed(django_db_blocker, django_db_setup):
    """``with committed(): ...`` reaches the database outside any test transaction; use it
    only in tests without the ``db`` fixture, and clean up what you write. The ledger rows
    the test caused (payments taken by a web server or a worker, periods closed) are emptied
    from the session's studios afterwards, so later tests see only their own money."""

    @contextlib.contextmanager
    def _committed():
        with django_db_blocker.unblock():
            yield

    yield _committed
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for fixture in django_db_setup.values():
            tables = ", ".join(f'"{fixture.schema}".{table}' for table in BOOKS)
            cursor.execute(f"TRUNCATE {tables} CASCADE")


def database_url() -> str:
    """The URL of the test database, for processes the tests start."""
    db = connection.settings_dict
    host = quote(db["HOST"] or "", safe="") if (db["HOST"] or "").startswith("/") else db["HOST"]
    port = f":{db['PORT']}" if db["PORT"] else ""
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgresql://{db['USER']}{password}@{host}{port}/{db['NAME']}"


def child_env(**extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="saas_platform.settings.test",
        DATABASE_URL=database_url(),
        REDIS_URL=settings.REDIS_URL,
        PYTHONPATH=str(REPO),
    )
    env.update(extra)  # a test may point the process elsewhere (its own Redis, say)
    return env


@pytest.fixture(scope="session")
def shared_media(tmp_path_factory) -> dict[str, str]:
    """Media folders shared by the web server and worker processes of this session (use the
    ``live_media`` fixture to point the test process at them too)."""
    root = tmp_path_factory.mktemp("shared-media")
    return {
        "MEDIA_ROOT": str(root / "media"),
        "PRIVATE_MEDIA_ROOT": str(root / "private"),
        "UPLOAD_TEMP_DIR": str(root / "uploads"),
    }


@pytest.fixture(scope="session")
def shared_mail_dir(tmp_path_factory) -> Path:
    """Where the web server and worker processes of this session write their e-mails, one
    file per message (Django's file-based backend); read them with ``sent_mail``."""
    return tmp_path_factory.mktemp("shared-mail")


def sent_mail(mail_dir: Path, to: str) -> list:
    """The messages the started processes sent to ``to``, oldest first, as
    ``email.message.EmailMessage`` objects."""
    import email
    import email.policy

    found = []
    for path in sorted(mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
        # one file per connection; messages in it are separated by a line of 79 dashes
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.lstrip(), policy=email.policy.default)
            if to.lower() in (message["To"] or "").lower():
                found.append(message)
    return found


# The platform's Stripe keys in tests; the webhook secret signs the fake's events.
STRIPE_TEST_SECRET_KEY = "sk_test_platform"
STRIPE_TEST_WEBHOOK_SECRET = "whsec_test_pictureday"


@pytest.fixture(scope="session")
def fake_stripe():
    """The fake Stripe (``tests/fakestripe.py``) for the whole session: started processes
    are always pointed at it, tests in this process via ``stripe_on``."""
    from tests.fakestripe import FakeStripe

    fake = FakeStripe().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def fake_sms():
    """The fake SMS providers (``tests/fakesms.py``) for the whole session: started processes
    are always pointed at it; tests in this process set ``SMS_*_API_BASE`` to ``fake_sms.url``."""
    from tests.fakesms import FakeSms

    fake = FakeSms().start().accounts_register()
    yield fake
    fake.stop()


@pytest.fixture
def sms_api(settings, fake_sms):
    """This process's SMS clients aimed at the fake providers (the tests' accounts in
    ``tests/fakesms.py``)."""
    settings.SMS_TWILIO_API_BASE = fake_sms.url
    settings.SMS_TURBOSMS_API_BASE = fake_sms.url
    return fake_sms


@pytest.fixture(scope="session")
def fake_dns():
    """The local DNS server (``tests/fakedns.py``) for the whole session: started processes
    ask it for custom domains' TXT records."""
    from tests.fakedns import FakeDns

    server = FakeDns().start()
    yield server
    server.stop()


def _started_process_env(
    shared_media: dict,
    mail_dir: Path,
    stripe_api_base: str,
    dns_address: str,
    web_port: int,
    sms_api_base: str = "",
) -> dict:
    return {
        "SMS_TWILIO_API_BASE": sms_api_base,
        "SMS_TURBOSMS_API_BASE": sms_api_base,
        **shared_media,
        # links in e-mails (sent by the worker, with no request to take the port from) lead
        # to the started web server
        "PUBLIC_PORT": str(web_port),
        "PICTUREDAY_TEST_MAIL_DIR": str(mail_dir),
        "CUSTOM_DOMAIN_DNS": dns_address,
        "STRIPE_API_BASE": stripe_api_base,
        "STRIPE_SECRET_KEY": STRIPE_TEST_SECRET_KEY,
        "STRIPE_WEBHOOK_SECRET": STRIPE_TEST_WEBHOOK_SECRET,
    }


@pytest.fixture
def live_media(settings, shared_media):
    for name, value in shared_media.items():
        setattr(settings, name, value)
    _reset_storages()
    yield shared_media
    _reset_storages()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {port}")


@contextlib.contextmanager
def background_process(args: list[str], log: Path, env: dict, stop_timeout: float = 20):
    """A child process on the test database, its output in ``log``, stopped afterwards."""
    with open(log, "w") as log_file:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", *args],
            cwd=REPO,
            env=child_env(**env),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()
            process.wait(stop_timeout)


@pytest.fixture(scope="session")
def web_port() -> int:
    """The port ``web_server`` listens on, known to the worker before the server starts."""
    return free_port()


@pytest.fixture(scope="session")
def web_server(
    django_db_setup,
    tmp_path_factory,
    shared_media,
    shared_mail_dir,
    fake_stripe,
    fake_dns,
    fake_sms,
    web_port,
):
    """gunicorn serving the test database on a free port; yields the port."""
    port = web_port
    log = tmp_path_factory.mktemp("web") / "gunicorn.log"
    args = ["gunicorn", "saas_platform.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    env = _started_process_env(
        shared_media, shared_mail_dir, fake_stripe.url, fake_dns.address, port, fake_sms.url
    )
    with background_process([*args, "--workers", "2", "--threads", "2"], log, env) as process:
        try:
            wait_for_port(port, process)
        except (RuntimeError, TimeoutError):
            print(log.read_text())
            raise
        yield port


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup,
    tmp_path_factory,
    shared_media,
    shared_mail_dir,
    fake_stripe,
    fake_dns,
    fake_sms,
    web_port,
):
    """A real Celery worker process (prefork, 2 children) on this run's own queue."""
    log = tmp_path_factory.mktemp("worker") / "celery.log"
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    args = ["celery", "-A", "saas_platform", "worker", "--loglevel=INFO", "--concurrency=2"]
    flags = ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    env = _started_process_env(
        shared_media, shared_mail_dir, fake_stripe.url, fake_dns.address, web_port, fake_sms.url
    )
    with background_process([*args, "-Q", queue, *flags], log, env) as process:
        yield process, log


@pytest.fixture
def run_tasks(monkeypatch):
    """Celery tasks run in this process, in the schema they were sent from, instead of going
    to the broker (wrap requests in ``django_capture_on_commit_callbacks(execute=True)``)."""
    sent = []

    def run_now(self, args=None, kwargs=None, **options):
        sent.append((self.name, args, kwargs))
        with schema_context(options["headers"][SCHEMA_HEADER]):
            return self.run(*(args or ()), **(kwargs or {}))

    monkeypatch.setattr(Task, "apply_async", run_now)
    return sent


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(monkeypatch):
    """Every test counts attempts in a namespace of its own."""
    monkeypatch.setattr(ratelimit, "NAMESPACE", f"test-rl-{uuid.uuid4().hex}")


def ledger_backdate(order_id: int, when) -> None:
    """Moves an order's creation and its ledger rows to ``when`` in the current schema: the
    books refuse UPDATE (their triggers), so only a test may, with triggers off for the
    moment (``session_replication_role``, as the test database's superuser)."""
    from studio.orders.models import Order

    Order.objects.filter(pk=order_id).update(created_at=when)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE ledger_ledgerentry SET occurred_at = %s WHERE transaction_id IN "
            "(SELECT id FROM ledger_ledgertransaction WHERE order_id = %s)",
            [when, order_id],
        )
        cursor.execute(
            "UPDATE ledger_ledgertransaction SET occurred_at = %s WHERE order_id = %s",
            [when, order_id],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.fixture
def s3_storages(settings, tmp_path):
    """S3 (moto's server, a real HTTP endpoint) as the media and the private storage, each a
    bucket of its own. moto keeps buckets in this process beyond its server's life, so the
    names are new each time and the buckets go at the end."""
    suffix = uuid.uuid4().hex[:8]
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    options = {
        "bucket_name": f"pictureday-media-{suffix}",
        "endpoint_url": f"http://127.0.0.1:{port}",
        "access_key": "test",
        "secret_key": "test",
        "region_name": "us-east-1",
        "default_acl": "private",
        "file_overwrite": False,
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "saas_platform.storage.TenantS3Storage", "OPTIONS": options},
        "originals": {
            "BACKEND": "saas_platform.storage.TenantS3Storage",
            "OPTIONS": {**options, "bucket_name": f"pictureday-originals-{suffix}"},
        },
    }
    settings.UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    _reset_storages()
    for alias in ("default", "originals"):
        storages[alias].connection.create_bucket(Bucket=storages[alias].bucket_name)
    yield
    for alias in ("default", "originals"):
        bucket = storages[alias].bucket
        bucket.objects.all().delete()
        bucket.delete()
    _reset_storages()
    server.stop()
