"""The load generator of ``storefront.py``: N parents, each with a session of its own, on one
asyncio loop (standard library only: no HTTP client library is a dependency of the project).

    python benchmarks/_load.py SPEC.json

Runs in a process of its own, never imports Django, and prints one JSON object on stdout.
``SPEC["action"]`` is ``"login"`` (each parent opens its own session: GET ``/`` for the CSRF
token, POST its child's code to ``/access/``, GET ``/gallery/`` once; answers each parent's
cookies and thumbnail links) or ``"run"`` (the parents, already logged in, repeat a
``mode`` for ``warmup + duration`` seconds; only requests that start after the warm-up and
end inside the window count).

Every request carries ``Host: <slug>.localhost`` (nothing here resolves ``*.localhost``) and
an ``X-Forwarded-For`` of its own per parent (the server trusts one proxy): 200 families do
not share one address, and the code entry's per-address limit sees them as they would be.
HTTP/1.1 with keep-alive, one connection per parent, reopened when the server closes it.
"""

import asyncio
import json
import random
import re
import resource
import sys
import time
from urllib.parse import urlencode

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
# The gallery's thumbnails: signed links answered before Django (saas_platform.images).
THUMB_SRC = re.compile(rb'<img src="(/images/[^"]+)"')


def thumb_links(page: bytes) -> list[str]:
    return [m.decode().replace("&amp;", "&") for m in THUMB_SRC.findall(page)]


class Connection:
    """One keep-alive HTTP/1.1 connection."""

    def __init__(self, address: str, port: int):
        self.address, self.port = address, port
        self.reader = self.writer = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict, body: bytes = b""):
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()
        )
        if body or method == "POST":
            head += f"Content-Length: {len(body)}\r\n"
        data = (head + "\r\n").encode("latin-1") + body
        for _ in range(2):
            fresh = self.writer is None
            if fresh:
                self.reader, self.writer = await asyncio.open_connection(
                    self.address, self.port, limit=2**22
                )
            try:
                self.writer.write(data)
                await self.writer.drain()
                line = await self.reader.readline()
                if not line:
                    raise ConnectionResetError("closed before the status line")
                break
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if fresh:  # a new connection that fails is an error, not a stale keep-alive
                    raise
        status = int(line.split()[1])
        response_headers: dict[str, list[str]] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            response_headers.setdefault(name.strip().lower(), []).append(value.strip())
        if "content-length" in response_headers:
            payload = await self.reader.readexactly(int(response_headers["content-length"][0]))
        elif "chunked" in response_headers.get("transfer-encoding", [""])[0].lower():
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            payload = b"".join(parts)
        else:
            payload = await self.reader.read()
            self.close()
        if response_headers.get("connection", [""])[0].lower() == "close":
            self.close()
        return status, response_headers, payload


class Parent:
    def __init__(self, index: int, spec: dict, cookies: dict | None = None):
        self.connection = Connection(spec["address"], spec["port"])
        self.host = spec["host"]
        self.forwarded_for = f"10.{index // 250 % 250}.{index % 250}.{7 + index // 62500}"
        self.cookies = dict(cookies or {})
        self.thumbs: list[str] = []

    async def call(self, method: str, path: str, body: bytes = b"", extra: dict | None = None):
        headers = {"Host": self.host, "X-Forwarded-For": self.forwarded_for, **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, headers_in, payload = await self.connection.request(method, path, headers, body)
        for cookie in headers_in.get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, headers_in, payload

    async def log_in(self, code: str) -> None:
        status, _, page = await self.call("GET", "/")
        found = CSRF_INPUT.search(page)
        if status != 200 or not found:
            raise RuntimeError(f"code entry page: {status}")
        body = urlencode({"csrfmiddlewaretoken": found.group(1).decode(), "code": code}).encode()
        status, headers, page = await self.call(
            "POST", "/access/", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302 or not headers.get("location", [""])[0].endswith("/gallery/"):
            raise RuntimeError(f"code entry: {status} {page[:300]!r}")
        status, _, page = await self.call("GET", "/gallery/")
        if status != 200:
            raise RuntimeError(f"gallery: {status}")
        self.thumbs = thumb_links(page)


# --- actions --------------------------------------------------------------------------------


async def log_in_all(spec: dict) -> dict:
    limit = asyncio.Semaphore(spec.get("login_concurrency", 20))
    parents = [Parent(i, spec) for i in range(len(spec["codes"]))]

    async def one(parent, code):
        async with limit:
            await parent.log_in(code)
            parent.connection.close()

    await asyncio.gather(*(one(p, c) for p, c in zip(parents, spec["codes"], strict=True)))
    return {"parents": [{"cookies": p.cookies, "thumbs": p.thumbs} for p in parents]}


async def run(spec: dict) -> dict:
    """Each parent repeats its ``mode`` until the window closes: ``trivial`` (the health
    check), ``gallery`` (the gallery page), or ``browse`` (the page and two of its
    thumbnails, then a think time drawn from an exponential distribution of mean ``think``
    seconds; 0 is a closed loop)."""
    mode, think = spec["mode"], spec.get("think", 0.0)
    parents = [Parent(i, spec, p["cookies"]) for i, p in enumerate(spec["parents"])]
    for parent, p in zip(parents, spec["parents"], strict=True):
        parent.thumbs = p["thumbs"]
    started = time.perf_counter()
    window_start = started + spec["warmup"]
    window_end = window_start + spec["duration"]
    samples: dict[str, list[float]] = {}
    statuses: dict[str, dict[str, int]] = {}
    errors: list[str] = []
    total = 0
    cpu = {}

    async def timed(parent, kind, path):
        nonlocal total
        begun = time.perf_counter()
        payload = b""
        try:
            status, _, payload = await parent.call("GET", path)
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            parent.connection.close()
            errors.append(f"{kind}: {type(error).__name__}: {error}")
            status = "error"
        ended = time.perf_counter()
        total += 1
        if begun >= window_start and ended <= window_end:
            samples.setdefault(kind, []).append(ended - begun)
            by_status = statuses.setdefault(kind, {})
            by_status[str(status)] = by_status.get(str(status), 0) + 1
        return payload

    async def loop(index, parent):
        rng = random.Random(index)
        if think:  # spread the first arrivals over one think time
            await asyncio.sleep(rng.uniform(0, think))
        while time.perf_counter() < window_end:
            if mode == "trivial":
                await timed(parent, "trivial", "/healthz")
            elif mode == "gallery":
                await timed(parent, "gallery", "/gallery/")
            else:  # the thumbnails' links come from the page just fetched, as in a browser
                parent.thumbs = thumb_links(await timed(parent, "gallery", "/gallery/"))
                for path in rng.sample(parent.thumbs, min(2, len(parent.thumbs))):
                    await timed(parent, "thumbnail", path)
            if think:  # never past the window: the phase ends with it
                pause = rng.expovariate(1 / think)
                await asyncio.sleep(min(pause, max(0.0, window_end - time.perf_counter())))

    async def clock():
        await asyncio.sleep(max(0.0, window_start - time.perf_counter()))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu["start"] = usage.ru_utime + usage.ru_stime
        await asyncio.sleep(max(0.0, window_end - time.perf_counter()))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu["end"] = usage.ru_utime + usage.ru_stime

    await asyncio.gather(clock(), *(loop(i, p) for i, p in enumerate(parents)))
    for parent in parents:
        parent.connection.close()
    return {
        "mode": mode,
        "think": think,
        "duration": spec["duration"],
        "warmup": spec["warmup"],
        "samples": samples,
        "statuses": statuses,
        "errors": errors[:20],
        "error_count": len(errors),
        "requests_total": total,
        "wall": time.perf_counter() - started,
        "client_cpu_s": cpu["end"] - cpu["start"],
    }


def main() -> int:
    with open(sys.argv[1]) as spec_file:
        spec = json.load(spec_file)
    action = log_in_all if spec["action"] == "login" else run
    result = asyncio.run(action(spec))
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
