"""An ingress for the production stack test: TLS on one port (a self-signed certificate for
localhost and *.localhost), requests handed to the web processes in turn, with the
headers an ingress controller adds: X-Forwarded-For with the client's address appended,
X-Forwarded-Proto https, X-Forwarded-Host and -Port. Bodies are read whole in both
directions (chunks are at most 5 MB; the test's downloads are small).

The turns are kept per path, so requests to one path alternate between the web processes
whatever else the page asks meanwhile: the chunks of one upload (one path) land on both, as
a round robin spreads them, but every time."""

import contextlib
import http.client
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# Hop-by-hop headers (RFC 9110 7.6.1) and the length, which the ingress sets itself.
NOT_FORWARDED = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
}
# What a client says about proxies is replaced (-Proto, -Host, -Port) or appended to (-For).
SET_BY_INGRESS = {"x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-forwarded-for"}


def self_signed_certificate(folder: Path, common_name: str, alt_names: str) -> tuple[Path, Path]:
    """A certificate and key in ``folder`` (``alt_names`` as openssl's subjectAltName)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603
        [  # noqa: S607
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", f"/CN={common_name}", "-addext", f"subjectAltName={alt_names}",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection is closed

    def _forward(self):
        ingress: Ingress = self.server.ingress
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        client = self.client_address[0]
        forwarded_for = self.headers.get("X-Forwarded-For")
        host = self.headers.get("Host", "")
        headers = [
            (name, value)
            for name, value in self.headers.items()
            if name.lower() not in NOT_FORWARDED | SET_BY_INGRESS
        ]
        headers += [
            ("X-Forwarded-For", f"{forwarded_for}, {client}" if forwarded_for else client),
            ("X-Forwarded-Proto", "https"),
            ("X-Forwarded-Host", host),
            ("X-Forwarded-Port", str(self.server.server_address[1])),
        ]
        backend = ingress.next_backend(self.path.split("?")[0])
        upstream = http.client.HTTPConnection("127.0.0.1", backend, timeout=120)
        try:
            upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                upstream.putheader(name, value)
            if body is not None:
                upstream.putheader("Content-Length", str(len(body)))
            upstream.endheaders(body)
            response = upstream.getresponse()
            data = response.read()
        finally:
            upstream.close()
        ingress.record(backend, self.command, self.path.split("?")[0], response.status)
        self.send_response_only(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in NOT_FORWARDED:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _forward

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # every request is in ``Ingress.requests``; failures surface in the test


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def finish_request(self, request, client_address):
        """The TLS handshake in the connection's own thread, not in the accepting one."""
        try:
            request = self.tls.wrap_socket(request, server_side=True)
        except OSError:  # a client that gave up on the certificate or the handshake
            return
        try:
            self.RequestHandlerClass(request, client_address, self)
        finally:
            with contextlib.suppress(OSError):
                request.close()


class Ingress:
    """``with Ingress(ports, folder) as ingress:`` serves https://…:``ingress.port`` from the
    web processes on ``ports``; ``requests`` lists (backend port, method, path, status) of
    every request forwarded."""

    def __init__(self, backends: list[int], folder: Path):
        self.backends = backends
        self._turns: dict[str, int] = {}
        self._paths = 0
        self._lock = threading.Lock()
        self.requests: list[tuple[int, str, str, int]] = []
        cert, key = self_signed_certificate(folder, "localhost", "DNS:localhost,DNS:*.localhost")
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.ingress = self
        self._server.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._server.tls.load_cert_chain(cert, key)
        self.port = self._server.server_address[1]

    def next_backend(self, path: str) -> int:
        """Alternates per path; a new path starts where the previous new path did not."""
        with self._lock:
            if path not in self._turns:
                self._turns[path] = self._paths
                self._paths += 1
            turn = self._turns[path]
            self._turns[path] += 1
            return self.backends[turn % len(self.backends)]

    def record(self, backend: int, method: str, path: str, status: int) -> None:
        with self._lock:
            self.requests.append((backend, method, path, status))

    def backends_by_path(self, method: str, path_part: str) -> dict[str, list[int]]:
        """The web processes (ports, in order) that served each ``method`` request whose path
        contains ``path_part``."""
        found: dict[str, list[int]] = {}
        with self._lock:
            for backend, method_, path, _status in self.requests:
                if method_ == method and path_part in path:
                    found.setdefault(path, []).append(backend)
        return found

    def __enter__(self):
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)
