"""Chunked uploads across separate web processes, as behind a load balancer with several
pods: two gunicorn processes on the test database and the same storage folders receive
alternate chunks of one upload, a real Celery worker unpacks and processes it; a web process
killed mid-chunk loses nothing already acknowledged; a chunk too large is refused by its
headers while its body is never sent, and a 300 MB attempt leaves the web process's memory
where it was."""

import contextlib
import http.client
import json
import os
import signal
import socket
import time
import uuid

import psutil
import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from saas_platform.accounts.models import Role, User
from studio.photos.models import Photo, PhotoStatus, Upload
from studio.photos.storage import originals_storage
from studio.schools.models import School, SchoolClass
from studio.shoots.models import Shoot
from studio.shoots.services import shoot_create
from tests.conftest import _started_process_env, background_process, free_port, wait_for_port
from tests.studio.photos.images import broken_jpeg, jpeg_bytes, zip_bytes

pytestmark = pytest.mark.worker

CSRF = uuid.uuid4().hex  # 32 characters: a CSRF secret, sent as cookie and header alike
CHUNK = 64 * 1024


@contextlib.contextmanager
def web_processes(tmp_path, shared_media, shared_mail_dir, fake_stripe, fake_dns, **extra_env):
    """Two gunicorn servers (one worker each) on the same database and storage, each with a
    scratch folder of its own, as pods have."""
    servers = []
    with contextlib.ExitStack() as stack:
        for name in ("a", "b"):
            port = free_port()
            env = _started_process_env(
                shared_media, shared_mail_dir, fake_stripe.url, fake_dns.address, port
            )
            args = ["gunicorn", "saas_platform.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            args += ["--workers", "1", "--worker-class", "gthread", "--threads", "2"]
            log = tmp_path / f"gunicorn-{name}.log"
            env = {**env, "UPLOAD_TEMP_DIR": str(tmp_path / f"scratch-{name}"), **extra_env}
            process = stack.enter_context(background_process(args, log, env))
            try:
                wait_for_port(port, process)
            except (RuntimeError, TimeoutError):
                print(log.read_text())
                raise
            servers.append((port, process))
        yield servers


@pytest.fixture
def two_web_processes(
    django_db_setup, tmp_path, shared_media, shared_mail_dir, fake_stripe, fake_dns
):
    """Two web processes sharing the storage folders (the disk storage, as in development)."""
    with web_processes(tmp_path, shared_media, shared_mail_dir, fake_stripe, fake_dns) as servers:
        yield servers


@pytest.fixture
def alpha_day(live_studios, committed, live_media):
    """In alpha (committed, for the servers and the worker): a photographer on a picture day,
    a retoucher; the test's rows are deleted afterwards."""
    alpha = live_studios["alpha"]
    tag = uuid.uuid4().hex[:6]
    with committed(), schema_context(alpha.schema):
        photographer = User.objects.create_user(
            email=f"pods-{tag}@alpha.test", password="pw-123456", role=Role.PHOTOGRAPHER
        )
        retoucher = User.objects.create_user(
            email=f"pods-r-{tag}@alpha.test", password="pw-123456", role=Role.RETOUCHER
        )
        school = School.objects.create(name=f"Pods school {tag}")
        SchoolClass.objects.create(school=school, name="7C", school_year="2026-2027")
        shoot = shoot_create(
            school=school, name="Many pods", date="2026-10-01", photographers=[photographer]
        )
    yield {"studio": alpha, "shoot": shoot, "photographer": photographer, "retoucher": retoucher}
    with committed(), schema_context(alpha.schema):
        Photo.objects.filter(shoot=shoot).delete()
        Upload.objects.filter(shoot=shoot).delete()
        Shoot.objects.filter(pk=shoot.pk).delete()
        School.objects.filter(pk=school.pk).delete()
        User.objects.filter(email__contains=f"-{tag}@").delete()


def session_cookie(committed, studio, user) -> str:
    """A session made in the studio's schema, as the servers' Cookie header."""
    client = Client()
    with committed(), schema_context(studio.schema):
        client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class Api:
    """A browser's calls to one server: the studio's host, a session, the CSRF token."""

    def __init__(self, port: int, host: str, cookie: str):
        self.port, self.host, self.cookie = port, host, cookie

    def headers(self, **extra) -> dict:
        return {
            "Host": f"{self.host}:{self.port}",
            "Cookie": f"{self.cookie}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Accept": "application/json",
            **extra,
        }

    def call(self, method: str, path: str, body: bytes | None = None, **headers):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=self.headers(**headers))
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            connection.close()

    def start(self, shoot, name: str, size: int) -> dict:
        body = json.dumps({"shoot": shoot.pk, "file_name": name, "size_bytes": size}).encode()
        status, data = self.call(
            "POST", "/api/uploads/", body, **{"Content-Type": "application/json"}
        )
        assert status == 201, data
        return data

    def chunk(self, upload_id: str, offset: int, data: bytes):
        return self.call(
            "PUT",
            f"/api/uploads/{upload_id}/chunk/",
            data,
            **{"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)},
        )

    def headers_only(self, upload_id: str, offset: int, declared: int) -> tuple[int, dict]:
        """Sends a chunk's headers declaring ``declared`` bytes and not one byte of body, and
        reads the answer: only a server that judged the headers alone can answer."""
        lines = [
            f"PUT /api/uploads/{upload_id}/chunk/ HTTP/1.1",
            *(f"{k}: {v}" for k, v in self.headers().items()),
            "Content-Type: application/offset+octet-stream",
            f"Upload-Offset: {offset}",
            f"Content-Length: {declared}",
        ]
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            reply = b""
            while b"\r\n\r\n" not in reply or len(reply) < _expected_length(reply):
                piece = sock.recv(65536)
                if not piece:
                    break
                reply += piece
        head, _, body = reply.partition(b"\r\n\r\n")
        return int(head.split()[1]), json.loads(body or b"{}")


def _expected_length(reply: bytes) -> int:
    head, _, _body = reply.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(head) + 4 + int(value)
    return 0


def chunk_objects(studio, upload_id) -> list[str]:
    with schema_context(studio.schema):
        try:
            return originals_storage().listdir(f"uploads/{upload_id}")[1]
        except FileNotFoundError:
            return []


def wait_for(predicate, timeout=90, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.3)
    raise TimeoutError(f"{what} not reached in time")


def test_two_web_processes_receive_alternate_chunks_and_the_worker_unpacks_the_zip(
    two_web_processes, alpha_day, committed, celery_worker_process
):
    studio = alpha_day["studio"]
    cookie = session_cookie(committed, studio, alpha_day["photographer"])
    pods = [Api(port, studio.host, cookie) for port, _process in two_web_processes]
    photos = {f"7C/IMG_{n}.jpg": jpeg_bytes(400, 300, seed=40 + n) for n in range(3)}
    data = zip_bytes({**photos, "7C/IMG_broken.jpg": broken_jpeg()})
    assert len(data) > 3 * CHUNK  # enough chunks that both processes get several

    upload = pods[0].start(alpha_day["shoot"], "day.zip", len(data))
    offsets = range(0, len(data), CHUNK)
    for n, offset in enumerate(offsets):
        status, body = pods[n % 2].chunk(upload["id"], offset, data[offset : offset + CHUNK])
        assert (status, body["received_bytes"]) == (200, min(offset + CHUNK, len(data)))
    assert body["status"] == "receiving"  # the worker unpacks it

    def finished():
        status, polled = pods[1].call("GET", f"/api/uploads/{upload['id']}/")
        return polled if polled["status"] != "receiving" else None

    polled = wait_for(finished, what="the ZIP unpacked")
    assert sorted((o["file_name"], o["result"]) for o in polled["outcome"]) == [
        ("7C/IMG_0.jpg", "accepted"),
        ("7C/IMG_1.jpg", "accepted"),
        ("7C/IMG_2.jpg", "accepted"),
        ("7C/IMG_broken.jpg", "rejected"),
    ]

    def processed():
        with committed(), schema_context(studio.schema):
            ready = Photo.objects.filter(shoot=alpha_day["shoot"], status=PhotoStatus.READY)
            return list(ready) if ready.count() == 3 else None

    ready = wait_for(processed, what="the photos processed")
    with committed(), schema_context(studio.schema):
        assert {p.original_name: p.original.read() for p in ready} == {
            name.split("/")[1]: content for name, content in photos.items()
        }
        assert {p.school_class.name for p in ready} == {"7C"}  # the folder named the class
        assert all(p.preview for p in ready)
        assert not Upload.objects.get(pk=upload["id"]).chunks.exists()
    assert chunk_objects(studio, upload["id"]) == []


def test_a_web_process_killed_mid_chunk_loses_nothing_acknowledged(
    two_web_processes, alpha_day, committed
):
    studio = alpha_day["studio"]
    cookie = session_cookie(committed, studio, alpha_day["photographer"])
    (port_a, _), (port_b, process_b) = two_web_processes
    pod_a, pod_b = Api(port_a, studio.host, cookie), Api(port_b, studio.host, cookie)
    data = jpeg_bytes(1200, 900, seed=50)
    assert len(data) > 2 * CHUNK
    upload = pod_a.start(alpha_day["shoot"], "IMG_killed.jpg", len(data))
    assert pod_b.chunk(upload["id"], 0, data[:CHUNK])[0] == 200  # acknowledged by b

    # b receives half of the next chunk and is killed (master and worker, no goodbye)
    lines = [
        f"PUT /api/uploads/{upload['id']}/chunk/ HTTP/1.1",
        *(f"{k}: {v}" for k, v in pod_b.headers().items()),
        "Content-Type: application/offset+octet-stream",
        f"Upload-Offset: {CHUNK}",
        f"Content-Length: {CHUNK}",
    ]
    with socket.create_connection(("127.0.0.1", port_b), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + data[CHUNK : CHUNK + CHUNK // 2])
        time.sleep(0.5)  # the worker thread is inside the view, reading the body
        for child in psutil.Process(process_b.pid).children(recursive=True):
            os.kill(child.pid, signal.SIGKILL)
        os.kill(process_b.pid, signal.SIGKILL)
        process_b.wait(10)

    # a knows what b acknowledged and nothing of what b was receiving
    status, polled = pod_a.call("GET", f"/api/uploads/{upload['id']}/")
    assert (status, polled["received_bytes"], polled["status"]) == (200, CHUNK, "receiving")
    for offset in range(CHUNK, len(data), CHUNK):
        status, body = pod_a.chunk(upload["id"], offset, data[offset : offset + CHUNK])
        assert status == 200, body
    assert (body["status"], body["outcome"][0]["result"]) == ("done", "accepted")
    with committed(), schema_context(studio.schema):
        assert Photo.objects.get(pk=body["outcome"][0]["photo_id"]).original.read() == data
    assert chunk_objects(studio, upload["id"]) == []


def test_a_chunk_too_large_is_refused_by_its_headers_and_costs_the_server_no_memory(
    two_web_processes, alpha_day, committed, capsys
):
    studio = alpha_day["studio"]
    cookie = session_cookie(committed, studio, alpha_day["photographer"])
    (port, process), _ = two_web_processes
    pod = Api(port, studio.host, cookie)
    upload = pod.start(alpha_day["shoot"], "IMG_small.jpg", 1_000)

    # the answer comes while not one byte of the 300 MB body has been sent
    assert pod.headers_only(upload["id"], 0, 300_000_000) == (
        413,
        {"chunk": ["A chunk may be at most 5 MB."]},
    )
    assert pod.headers_only(upload["id"], 0, 1_001) == (
        400,
        {"chunk": ["More data than the announced file size."]},
    )

    # and a client that sends the 300 MB anyway: the web worker's memory stays where it was
    (worker,) = psutil.Process(process.pid).children()
    before = worker.memory_info().rss
    lines = [
        f"PUT /api/uploads/{upload['id']}/chunk/ HTTP/1.1",
        *(f"{k}: {v}" for k, v in pod.headers().items()),
        "Content-Type: application/offset+octet-stream",
        "Upload-Offset: 0",
        f"Content-Length: {300 * 2**20}",
    ]
    sent, piece = 0, b"\0" * 2**20
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        with contextlib.suppress(OSError):  # the server closes the connection on it
            while sent < 300 * 2**20:
                sock.sendall(piece)
                sent += len(piece)
        with contextlib.suppress(OSError):
            reply = sock.recv(4096)
    after = worker.memory_info().rss
    with capsys.disabled():
        print(
            f"\n300 MB chunk attempt: {sent / 2**20:.0f} MB accepted by the socket, "
            f"web worker RSS {before / 2**20:.1f} -> {after / 2**20:.1f} MB"
        )
    assert reply.startswith(b"HTTP/1.1 413")
    assert sent < 300 * 2**20  # the server stopped listening long before the end
    assert after - before < 20 * 2**20
    with committed(), schema_context(studio.schema):
        assert Upload.objects.get(pk=upload["id"]).received_bytes == 0
    assert chunk_objects(studio, upload["id"]) == []


def test_another_studio_and_another_role_are_refused_before_the_body_is_read(
    two_web_processes, alpha_day, live_studios, committed
):
    studio, beta = alpha_day["studio"], live_studios["beta"]
    (port, _), _ = two_web_processes
    pod = Api(port, studio.host, session_cookie(committed, studio, alpha_day["photographer"]))
    upload = pod.start(alpha_day["shoot"], "IMG_mine.jpg", 5_000)
    with committed(), schema_context(beta.schema):
        beta_owner = User.objects.get(email=beta.owner_email)

    strangers = {
        # beta's owner, on beta's host, with alpha's upload id
        "beta": Api(port, beta.host, session_cookie(committed, beta, beta_owner)),
        # alpha's own retoucher, on alpha's host
        "retoucher": Api(
            port, studio.host, session_cookie(committed, studio, alpha_day["retoucher"])
        ),
        # alpha's photographer's cookie replayed on beta's host: not a session there
        "replayed": Api(port, beta.host, pod.cookie),
    }
    answers = {
        who: (
            api.headers_only(upload["id"], 0, 4_000)[0],
            api.call("GET", f"/api/uploads/{upload['id']}/")[0],
        )
        for who, api in strangers.items()
    }

    assert answers == {"beta": (404, 404), "retoucher": (403, 403), "replayed": (401, 401)}
    status, mine = pod.call("GET", f"/api/uploads/{upload['id']}/")
    assert (status, mine["received_bytes"]) == (200, 0)


@pytest.fixture
def s3_bucket():
    """A real S3 API endpoint (moto's server, over HTTP) with an empty private bucket."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    env = {
        "STORAGE_BACKEND": "s3",
        "AWS_STORAGE_BUCKET_NAME": f"pictureday-{uuid.uuid4().hex[:8]}",
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    client = boto3.client(
        "s3",
        endpoint_url=env["AWS_S3_ENDPOINT_URL"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_DEFAULT_REGION"],
    )
    client.create_bucket(Bucket=env["AWS_STORAGE_BUCKET_NAME"])
    yield client, env
    server.stop()


def test_on_s3_alternate_chunks_are_objects_in_the_bucket_until_the_photo_is_stored(
    django_db_setup,
    tmp_path,
    shared_media,
    shared_mail_dir,
    fake_stripe,
    fake_dns,
    s3_bucket,
    alpha_day,
    committed,
):
    s3, env = s3_bucket
    bucket, studio = env["AWS_STORAGE_BUCKET_NAME"], alpha_day["studio"]
    cookie = session_cookie(committed, studio, alpha_day["photographer"])
    data = jpeg_bytes(1200, 900, seed=60)
    assert len(data) > 3 * CHUNK

    def keys(prefix: str) -> list[str]:
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    with web_processes(
        tmp_path, shared_media, shared_mail_dir, fake_stripe, fake_dns, **env
    ) as servers:
        pods = [Api(port, studio.host, cookie) for port, _process in servers]
        upload = pods[0].start(alpha_day["shoot"], "IMG_s3.jpg", len(data))
        prefix = f"{studio.schema}/uploads/{upload['id']}/"
        offsets = list(range(0, len(data), CHUNK))
        for n, offset in enumerate(offsets[:-1]):
            status, body = pods[n % 2].chunk(upload["id"], offset, data[offset : offset + CHUNK])
            assert status == 200, body
        # every acknowledged chunk is an object in the studio's prefix of the bucket
        stored = keys(prefix)
        assert [key.removeprefix(prefix).split("-")[0] for key in stored] == [
            f"{offset:015d}" for offset in offsets[:-1]
        ]
        assert (
            b"".join(s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in stored)
            == (data[: offsets[-1]])
        )

        status, body = pods[1].chunk(upload["id"], offsets[-1], data[offsets[-1] :])

    assert (status, body["status"], body["outcome"][0]["result"]) == (200, "done", "accepted")
    assert keys(prefix) == []
    with committed(), schema_context(studio.schema):
        original = Photo.objects.get(pk=body["outcome"][0]["photo_id"]).original.name
    assert s3.get_object(Bucket=bucket, Key=f"{studio.schema}/{original}")["Body"].read() == data
