"""The families of ``rush.py``: a load generator in a process of its own (asyncio, standard
library plus ``tests/fakestripe.py``'s webhook signing), and the mail sink the web servers
send their sign-in codes to (a minimal SMTP server in the same event loop, so a family reads
its code the moment it is sent).

    python benchmarks/_rush_load.py SPEC.json  →  JSON on stdout

Every request carries ``X-Request-Start: t=<now>`` as an ingress would set it, so the server
counts the time a request waited in gunicorn's queue. A 429 or 503 with ``Retry-After`` is
"shed": the family waits that long (with jitter) and tries the same step again; any other
unexpected answer or a broken connection is an error and the family stops.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import random
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _load import Connection  # noqa: E402

from tests.fakestripe import event, sign  # noqa: E402

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_INPUT = re.compile(rb'name="key" value="([0-9a-f-]{36})"')
SIX_DIGITS = re.compile(r"\b(\d{6})\b")
MAX_WAIT = 600.0  # a family gives up a step after this long of being shed


class Shed(Exception):
    def __init__(self, retry_after: float):
        self.retry_after = retry_after


class Failed(Exception):
    pass


# --- the mail sink --------------------------------------------------------------------------


class MailSink:
    """Just enough SMTP for Django's backend (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT). Each
    message's six-digit code is handed to whoever waits for its recipient."""

    def __init__(self):
        self.codes: dict[str, asyncio.Future] = {}
        self.received = 0

    def future(self, address: str) -> asyncio.Future:
        address = address.lower()
        if address not in self.codes:
            self.codes[address] = asyncio.get_running_loop().create_future()
        return self.codes[address]

    async def handle(self, reader, writer):
        def reply(line: str):
            writer.write((line + "\r\n").encode())

        reply("220 rush-sink ESMTP")
        recipients: list[str] = []
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                command = line.decode("latin-1").strip()
                verb = command[:4].upper()
                if verb in ("EHLO", "HELO"):
                    reply("250 rush-sink")
                elif verb == "MAIL":
                    recipients = []
                    reply("250 OK")
                elif verb == "RCPT":
                    found = re.search(r"<([^>]*)>", command)
                    recipients.append((found.group(1) if found else command[8:]).lower())
                    reply("250 OK")
                elif verb == "DATA":
                    reply("354 End data with <CR><LF>.<CR><LF>")
                    await writer.drain()
                    data = await reader.readuntil(b"\r\n.\r\n")
                    self._deliver(recipients, data[:-5].replace(b"\r\n..", b"\r\n."))
                    reply("250 OK queued")
                elif verb == "QUIT":
                    reply("221 Bye")
                    await writer.drain()
                    break
                else:  # RSET, NOOP
                    reply("250 OK")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def _deliver(self, recipients: list[str], data: bytes):
        self.received += 1
        message = email.message_from_bytes(data, policy=email.policy.default)
        part = message.get_body(preferencelist=("plain",))
        text = part.get_content() if part is not None else ""
        found = SIX_DIGITS.search(text)
        for recipient in recipients:
            future = self.future(recipient)
            if found and not future.done():
                future.set_result(found.group(1))


# --- one family -----------------------------------------------------------------------------


class Family:
    def __init__(self, index: int, data: dict, spec: dict, stats: Stats, sink: MailSink):
        self.index, self.data, self.spec, self.stats, self.sink = index, data, spec, stats, sink
        self.host = spec["host"]
        self.forwarded_for = f"10.{index // 250 % 250}.{index % 250}.{7 + index // 62500}"
        self.cookies: dict[str, str] = {}
        self.connection = Connection(spec["address"], spec["port"])
        self.rng = random.Random(index)
        self.csrf = ""
        self.place_seconds: list[float] = []

    def headers(self, extra=None) -> dict:
        headers = {
            "Host": self.host,
            "X-Forwarded-For": self.forwarded_for,
            "X-Request-Start": f"t={time.time():.3f}",
            "Accept-Language": "en",
            **(extra or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    async def send(self, connection, method, path, body=b"", extra=None):
        if body:
            extra = {"Content-Type": "application/x-www-form-urlencoded", **(extra or {})}
        status, headers, payload = await connection.request(method, path, self.headers(extra), body)
        for cookie in headers.get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and value != '""':
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        return status, headers, payload

    async def step(
        self, name, method, path, fields=None, *, expect=(200, 302), connection=None, also=None
    ):
        """One request with its retries while shed; returns (status, location, page)."""
        body = urlencode(fields, doseq=True).encode() if fields is not None else b""
        deadline = time.perf_counter() + MAX_WAIT
        while True:
            begun = time.perf_counter()
            try:
                status, headers, page = await self.send(
                    connection or self.connection, method, path, body
                )
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                (connection or self.connection).close()
                self.stats.error(name, f"{type(error).__name__}: {error}")
                raise Failed(name) from error
            elapsed = time.perf_counter() - begun
            if status in (429, 503) and headers.get("retry-after"):
                self.stats.shed(name, elapsed)
                if time.perf_counter() > deadline:
                    self.stats.error(name, "shed for longer than MAX_WAIT")
                    raise Failed(name)
                wait = float(headers["retry-after"][0])
                await asyncio.sleep(wait * self.rng.uniform(0.5, 1.5))
                continue
            if status not in expect:
                if self.spec.get("dump"):
                    Path(self.spec["dump"]).write_bytes(body + b"\n\n" + page)
                self.stats.error(name, f"{method} {path}: {status} {page[:200]!r}")
                raise Failed(name)
            self.stats.ok(name, elapsed, begun)
            if also:
                self.stats.ok(also, elapsed, begun)
            if name == "place_order":
                self.place_seconds.append(elapsed)
            found = CSRF_INPUT.search(page)
            if found:
                self.csrf = found.group(1).decode()
            return status, headers.get("location", [""])[0], page

    def form(self, **fields) -> dict:
        return {"csrfmiddlewaretoken": self.csrf, **fields}

    async def run(self) -> dict:
        d = self.data
        outcome = {"family": self.index, "email": d["email"], "method": d["method"]}
        try:
            # the card's QR code: the storefront with the code filled in, opened at once
            _, location, _ = await self.step("card_link", "GET", f"/?code={d['code']}")
            if not location.endswith("/gallery/"):
                self.stats.error("card_link", f"went to {location!r}")
                raise Failed("card_link")
            await self.step("gallery", "GET", "/gallery/", expect=(200,))
            for photo in d["photos"][:2]:
                await self.step(
                    "photo", "GET", f"/gallery/{photo}/?child={d['child']}", expect=(200,)
                )
            await self.step(
                "add_to_cart",
                "POST",
                "/cart/add/",
                self.form(
                    child=d["child"],
                    product=d["product"],
                    photo=d["photos"][0],
                    quantity=1,
                    back="/gallery/",
                ),
                expect=(302,),
            )
            await self.step("cart", "GET", "/cart/", expect=(200,))
            if d["coupon"]:
                await self.step(
                    "coupon", "POST", "/cart/update/", self.form(coupon=d["coupon"]), expect=(302,)
                )
            # checkout asks to sign in: e-mail, then the code from the e-mail
            _, location, _ = await self.step("checkout_start", "GET", "/checkout/", expect=(302,))
            await self.step("sign_in", "GET", location, expect=(200,))
            waiting = self.sink.future(d["email"])
            _, location, _ = await self.step(
                "sign_in_email",
                "POST",
                "/account/sign-in/",
                self.form(email=d["email"], next="/checkout/"),
                expect=(302,),
            )
            begun = time.perf_counter()
            try:
                code = await asyncio.wait_for(waiting, 120)
            except TimeoutError:
                self.stats.error("mail", f"no code for {d['email']}")
                raise Failed("mail") from None
            self.stats.ok("mail", time.perf_counter() - begun, begun)
            await self.step("sign_in_code_page", "GET", location, expect=(200,))
            _, location, _ = await self.step(
                "sign_in_code",
                "POST",
                "/account/sign-in/code/",
                self.form(code=code, next="/checkout/"),
                expect=(302,),
            )
            outcome["order"] = await self.place()
            outcome["placed"] = True
            outcome["placed_at"] = time.perf_counter() - self.stats.started
            outcome["place_s"] = max(self.place_seconds)
        except Failed as failed:
            outcome["failed_at"] = str(failed)
        finally:
            self.connection.close()
        return outcome

    async def place(self) -> str:
        """The checkout page, then "Place order" (twice at once for a double click); a coupon
        used up meanwhile sends the family back to the cart, and it places the order again."""
        d = self.data
        for _attempt in range(3):
            _, _, page = await self.step("checkout_page", "GET", "/checkout/", expect=(200,))
            key = KEY_INPUT.search(page)
            if not key:
                self.stats.error("checkout_page", "no checkout key on the page")
                raise Failed("checkout_page")
            fields = self.form(
                key=key.group(1).decode(),
                name=f"Parent {self.index}",
                phone="",
                payment_method=d["method"],
            )
            place = {"expect": (302,), "also": f"place_order_{d['method']}"}
            if d["double_click"]:
                second = Connection(self.spec["address"], self.spec["port"])
                try:
                    results = await asyncio.gather(
                        self.step("place_order", "POST", "/checkout/", fields, **place),
                        self.step(
                            "place_order", "POST", "/checkout/", fields, connection=second, **place
                        ),
                    )
                finally:
                    second.close()
                locations = {location for _, location, _ in results}
                if len(locations) != 1:
                    self.stats.error("place_order", f"double click went to {locations}")
                    raise Failed("place_order")
                location = locations.pop()
            else:
                _, location, _ = await self.step(
                    "place_order", "POST", "/checkout/", fields, **place
                )
            if location.endswith("/cart/"):
                self.stats.note("back_to_cart")
                continue
            break
        else:
            self.stats.error("place_order", "sent back to the cart three times")
            raise Failed("place_order")
        if d["method"] == "stripe":
            return await self.pay_by_card(location)
        number = location.rstrip("/").rsplit("/", 1)[-1]
        await self.step("order_page", "GET", location, expect=(200,))
        return number

    async def pay_by_card(self, location: str) -> str:
        """Stripe's page (the fake's "Pay"), back to the order, and Stripe's signed webhook."""
        stripe = urlsplit(location)
        if not stripe.path.startswith("/pay/"):
            self.stats.error("place_order", f"card order went to {location!r}")
            raise Failed("place_order")
        session_id = stripe.path.rsplit("/", 1)[-1]
        pay = Connection(stripe.hostname, stripe.port)
        try:
            status, headers, _ = await pay.request("POST", stripe.path, {"Host": stripe.netloc})
        finally:
            pay.close()
        if status != 303:
            self.stats.error("stripe_pay", f"fake Stripe answered {status}")
            raise Failed("stripe_pay")
        back = urlsplit(headers["location"][0])
        success = back.path + (f"?{back.query}" if back.query else "")
        _, _, page = await self.step("order_page", "GET", success, expect=(200, 302))
        await self.stats.webhooks.put(session_id)
        return session_id


# --- Stripe's webhook deliveries ------------------------------------------------------------


async def stripe_sender(spec: dict, stats: Stats):
    """Stripe: for each paid Checkout Session, the ``checkout.session.completed`` event of the
    studio's account, signed, POSTed to the bare domain's webhook. Retried while refused,
    as Stripe retries."""
    api = urlsplit(spec["stripe_url"])
    connection = Connection(spec["address"], spec["port"])
    stripe_api = Connection(api.hostname, api.port)
    while True:
        session_id = await stats.webhooks.get()
        if session_id is None:
            break
        status, _, body = await stripe_api.request(
            "GET",
            f"/v1/checkout/sessions/{session_id}",
            {
                "Host": api.netloc,
                "Authorization": f"Bearer {spec['stripe_key']}",
                "Stripe-Account": spec["stripe_account"],
            },
        )
        session = json.loads(body)
        payload = event("checkout.session.completed", session, account=spec["stripe_account"])
        for _attempt in range(20):
            begun = time.perf_counter()
            try:
                status, headers, page = await connection.request(
                    "POST",
                    "/stripe/webhook/",
                    {
                        "Host": spec["bare_host"],
                        "Content-Type": "application/json",
                        "Stripe-Signature": sign(payload, spec["stripe_webhook_secret"]),
                        "X-Request-Start": f"t={time.time():.3f}",
                    },
                    payload,
                )
            except (OSError, asyncio.IncompleteReadError) as error:
                connection.close()
                stats.error("webhook", f"{type(error).__name__}: {error}")
                await asyncio.sleep(1)
                continue
            elapsed = time.perf_counter() - begun
            if status == 200:
                stats.ok("webhook", elapsed, begun)
                break
            if status in (429, 503):
                stats.shed("webhook", elapsed)
                await asyncio.sleep(1)
                continue
            stats.error("webhook", f"{status} {page[:200]!r}")
            break
        stats.webhooks.task_done()
    connection.close()
    stripe_api.close()


# --- figures --------------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.samples: dict[str, list[float]] = {}
        self.completions: dict[str, list[float]] = {}  # seconds since start, per success
        self.shed_samples: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.error_steps: dict[str, int] = {}
        self.notes: dict[str, int] = {}
        self.started = time.perf_counter()
        self.webhooks: asyncio.Queue = asyncio.Queue()

    def ok(self, step, elapsed, begun):
        self.samples.setdefault(step, []).append(elapsed)
        self.completions.setdefault(step, []).append(begun + elapsed - self.started)

    def shed(self, step, elapsed):
        self.shed_samples.setdefault(step, []).append(elapsed)

    def error(self, step, message):
        self.error_steps[step] = self.error_steps.get(step, 0) + 1
        if len(self.errors) < 30:
            self.errors.append(f"{step}: {message}")

    def note(self, what):
        self.notes[what] = self.notes.get(what, 0) + 1


async def trivial(spec: dict) -> dict:
    """The limit: ``/healthz`` on the studio's host, closed loop, ``connections`` at once."""
    samples: list[float] = []
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    window_start = started + spec["warmup"]
    window_end = window_start + spec["duration"]

    async def loop(index):
        connection = Connection(spec["address"], spec["port"])
        headers = {"Host": spec["host"], "X-Forwarded-For": f"10.200.0.{index % 250}"}
        while time.perf_counter() < window_end:
            begun = time.perf_counter()
            status, _, _ = await connection.request("GET", "/healthz", headers)
            ended = time.perf_counter()
            if begun >= window_start and ended <= window_end:
                samples.append(ended - begun)
                statuses[str(status)] = statuses.get(str(status), 0) + 1
        connection.close()

    await asyncio.gather(*(loop(i) for i in range(spec["connections"])))
    return {"samples": samples, "statuses": statuses, "duration": spec["duration"]}


async def rush(spec: dict) -> dict:
    stats = Stats()
    sink = MailSink()
    server = await asyncio.start_server(sink.handle, "127.0.0.1", spec["smtp_port"])
    sender = asyncio.create_task(stripe_sender(spec, stats))
    arrivals = spec["arrivals"]  # seconds after the start, one per family

    async def family(index, data):
        await asyncio.sleep(max(0.0, arrivals[index] - (time.perf_counter() - stats.started)))
        return await Family(index, data, spec, stats, sink).run()

    outcomes = await asyncio.gather(*(family(i, d) for i, d in enumerate(spec["families"])))
    await stats.webhooks.join()
    await stats.webhooks.put(None)
    await sender
    server.close()
    return {
        "outcomes": outcomes,
        "samples": stats.samples,
        "completions": stats.completions,
        "shed": stats.shed_samples,
        "errors": stats.errors,
        "error_steps": stats.error_steps,
        "notes": stats.notes,
        "mail_received": sink.received,
        "wall": time.perf_counter() - stats.started,
    }


def main() -> int:
    with open(sys.argv[1]) as spec_file:
        spec = json.load(spec_file)
    action = trivial if spec["action"] == "trivial" else rush
    json.dump(asyncio.run(action(spec)), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
