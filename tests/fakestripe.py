"""A small fake of Stripe's API for the tests: a threaded HTTP server on a free port.

It implements what Pictureday calls (Checkout Sessions, payment intents, refunds; for the
platform's own subscriptions customers, subscription Checkout, portal sessions), keeps
objects per connected account (the ``Stripe-Account`` header; another account's object is
a 404 as on Stripe), replays ``Idempotency-Key`` requests like Stripe does (same key and
parameters → the first response; other parameters → an error), and shapes its objects after
Stripe's published fixtures (``shared/stripe/fixtures3.json`` in the repository's parent folder). Helpers play the
parent paying and the studio refunding in Stripe's dashboard, and sign webhook payloads
exactly as Stripe does.
"""

import copy
import hashlib
import hmac
import html
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

# The repository's parent folder holds ``shared/`` next to every checkout of it.
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "stripe" / "fixtures3.json"


def _fixtures() -> dict:
    """Stripe's example objects. Missing is an error, not a fallback: objects shaped by
    guesswork would let the tests pass against shapes Stripe never sends."""
    try:
        return json.loads(FIXTURES.read_text())["resources"]
    except FileNotFoundError:
        raise RuntimeError(
            f"Stripe's example fixtures are missing: expected {FIXTURES} "
            "(shared/stripe/ in the folder that holds this repository)"
        ) from None


RESOURCES = _fixtures()


def shaped(kind: str, **fields) -> dict:
    """A copy of Stripe's example ``kind`` object with ``fields`` set."""
    if kind not in RESOURCES:
        raise KeyError(f"Stripe's fixtures have no example {kind!r} object ({FIXTURES})")
    obj = copy.deepcopy(RESOURCES[kind])
    obj.update(fields)
    return obj


def decode_form(pairs) -> dict:
    """``a[b][0][c]=1`` (Stripe's form encoding) → ``{"a": {"b": [{"c": "1"}]}}``."""
    root: dict = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = root
        for part, following in zip(parts, parts[1:] + [None], strict=True):
            if following is None:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        if node and all(key.isdigit() for key in node):
            return [_lists(node[key]) for key in sorted(node, key=int)]
        return {key: _lists(value) for key, value in node.items()}
    return node


def _id(prefix: str) -> str:
    return f"{prefix}_test_{uuid.uuid4().hex[:24]}"


class FakeStripe:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> "FakeStripe":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with getattr(self, "lock", threading.Lock()):
            self.objects: dict[tuple[str, str], dict] = {}  # (account, id) → object
            self.idempotent: dict[tuple[str, str], tuple[str, dict, int, dict]] = {}
            self.requests: list[dict] = []  # every request: method, path, account, params

    # ------------------------------------------------------------------ API endpoints

    def _create_subscription_session(self, account: str, params: dict) -> tuple[int, dict]:
        """Checkout in subscription mode (the platform's own account): a recurring price."""
        if ("", params.get("customer", "")) not in self.objects:
            return 404, _error("No such customer", "resource_missing")
        price = params["line_items"][0]["price"]
        session_id = _id("cs")
        session = shaped(
            "checkout.session",
            id=session_id,
            object="checkout.session",
            mode="subscription",
            status="open",
            payment_status="unpaid",
            customer=params["customer"],
            subscription=None,
            client_reference_id=params.get("client_reference_id"),
            metadata=params.get("metadata", {}),
            payment_intent=None,
            success_url=params["success_url"],
            cancel_url=params["cancel_url"],
            url=f"{self.url}/pay/{session_id}",
            livemode=False,
        )
        session["_params"] = params
        session["_price"] = price
        self.objects[(account, session_id)] = session
        return 200, session

    def _create_session(self, account: str, params: dict) -> tuple[int, dict]:
        if params.get("mode") == "subscription":
            return self._create_subscription_session(account, params)
        line = params["line_items"][0]
        amount = int(line["price_data"]["unit_amount"]) * int(line.get("quantity", 1))
        session_id = _id("cs")
        session = shaped(
            "checkout.session",
            id=session_id,
            object="checkout.session",
            mode=params["mode"],
            status="open",
            payment_status="unpaid",
            amount_subtotal=amount,
            amount_total=amount,
            currency=line["price_data"]["currency"],
            client_reference_id=params.get("client_reference_id"),
            customer_email=params.get("customer_email"),
            metadata=params.get("metadata", {}),
            payment_intent=None,
            success_url=params["success_url"],
            cancel_url=params["cancel_url"],
            url=f"{self.url}/pay/{session_id}",
            expires_at=int(time.time()) + 24 * 3600,
            livemode=False,
        )
        session["_params"] = params  # what we were asked (application fee, …), for tests
        self.objects[(account, session_id)] = session
        return 200, session

    def _create_refund(self, account: str, params: dict) -> tuple[int, dict]:
        intent = self.objects.get((account, params.get("payment_intent", "")))
        if intent is None or intent["status"] != "succeeded":
            return 404, _error("No such payment_intent", "resource_missing")
        charge = self.objects[(account, intent["latest_charge"])]
        amount = int(params.get("amount", charge["amount"] - charge["amount_refunded"]))
        if amount > charge["amount"] - charge["amount_refunded"]:
            return 400, _error("Refund is greater than unrefunded amount", "amount_too_large")
        return 200, self.refund(account, charge["id"], amount, metadata=params.get("metadata"))

    def _route(self, method: str, path: str, account: str, params: dict) -> tuple[int, dict]:
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["v1", "checkout", "sessions"]:
            return self._create_session(account, params)
        if method == "POST" and parts == ["v1", "refunds"]:
            return self._create_refund(account, params)
        if method == "POST" and parts == ["v1", "customers"]:
            customer_id = _id("cus")
            obj = shaped(
                "customer",
                id=customer_id,
                object="customer",
                email=params.get("email"),
                name=params.get("name"),
                metadata=params.get("metadata", {}),
            )
            self.objects[(account, customer_id)] = obj
            return 200, obj
        if method == "POST" and parts == ["v1", "invoiceitems"]:
            if (account, params.get("customer", "")) not in self.objects:
                return 404, _error("No such customer", "resource_missing")
            item_id = _id("ii")
            obj = shaped(
                "invoiceitem",
                id=item_id,
                amount=int(params["amount"]),
                currency=params["currency"],
                customer=params["customer"],
                description=params.get("description"),
                metadata=params.get("metadata", {}),
                invoice=None,
                date=int(time.time()),
            )
            self.objects[(account, item_id)] = obj
            return 200, obj
        if method == "POST" and parts == ["v1", "invoices"]:
            customer = params.get("customer", "")
            if (account, customer) not in self.objects:
                return 404, _error("No such customer", "resource_missing")
            invoice_id = _id("in")
            pending = [
                obj
                for (owner, _key), obj in self.objects.items()
                if owner == account
                and obj["object"] == "invoiceitem"
                and obj["customer"] == customer
                and obj["invoice"] is None
            ]
            for item in pending:
                item["invoice"] = invoice_id
            total = sum(item["amount"] for item in pending)
            obj = shaped(
                "invoice",
                id=invoice_id,
                customer=customer,
                subscription=None,
                status="draft",
                amount_due=total,
                total=total,
                subtotal=total,
                currency=pending[0]["currency"] if pending else "eur",
                collection_method=params.get("collection_method", "charge_automatically"),
                auto_advance=params.get("auto_advance") == "true",
                metadata=params.get("metadata", {}),
            )
            self.objects[(account, invoice_id)] = obj
            return 200, obj
        if method == "POST" and parts == ["v1", "billing_portal", "sessions"]:
            if (account, params.get("customer", "")) not in self.objects:
                return 404, _error("No such customer", "resource_missing")
            portal_id = _id("bps")
            return 200, shaped(
                "billing_portal.session",
                id=portal_id,
                object="billing_portal.session",
                customer=params["customer"],
                return_url=params.get("return_url"),
                url=f"{self.url}/portal/{portal_id}",
            )
        if method == "POST" and parts == ["v1", "accounts"]:
            account_id = f"acct_{uuid.uuid4().hex[:16]}"
            obj = shaped(
                "account",
                id=account_id,
                object="account",
                type=params.get("type", "standard"),
                email=params.get("email"),
                metadata=params.get("metadata", {}),
                charges_enabled=False,
                details_submitted=False,
                payouts_enabled=False,
            )
            self.objects[("", account_id)] = obj
            return 200, obj
        if method == "POST" and parts == ["v1", "account_links"]:
            if ("", params.get("account", "")) not in self.objects:
                return 404, _error("No such account", "resource_missing")
            return 200, shaped(
                "account_link",
                object="account_link",
                created=int(time.time()),
                expires_at=int(time.time()) + 300,
                url=f"{self.url}/connect/{params['account']}/{uuid.uuid4().hex[:8]}",
            )
        if method == "GET" and parts[:2] == ["v1", "accounts"] and len(parts) == 3:
            obj = self.objects.get(("", parts[2]))
            if obj is None:
                return 404, _error("No such account", "resource_missing")
            return 200, obj
        if method == "DELETE" and parts[:2] == ["v1", "subscriptions"] and len(parts) == 3:
            subscription = self.objects.get((account, parts[2]))
            if subscription is None or subscription["object"] != "subscription":
                return 404, _error(f"No such subscription: '{parts[2]}'", "resource_missing")
            subscription.update(status="canceled", canceled_at=int(time.time()))
            return 200, subscription
        if method == "DELETE" and parts[:2] == ["v1", "customers"] and len(parts) == 3:
            customer = self.objects.get((account, parts[2]))
            if customer is None or customer["object"] != "customer":
                return 404, _error(f"No such customer: '{parts[2]}'", "resource_missing")
            del self.objects[(account, parts[2])]
            return 200, {"id": parts[2], "object": "customer", "deleted": True}
        if method == "GET" and parts == ["v1", "refunds"]:
            data = [
                obj
                for (owner, _key), obj in self.objects.items()
                if owner == account
                and obj["object"] == "refund"
                and all(
                    obj.get(name) == params[name]
                    for name in ("payment_intent", "charge")
                    if name in params
                )
            ]
            return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}
        if method == "GET" and len(parts) >= 3:
            obj = self.objects.get((account, parts[-1]))
            expected = {
                ("checkout", "sessions"): "checkout.session",
                ("v1", "payment_intents"): "payment_intent",
                ("v1", "charges"): "charge",
                ("v1", "refunds"): "refund",
                ("v1", "customers"): "customer",
                ("v1", "subscriptions"): "subscription",
                ("v1", "invoices"): "invoice",
            }.get((parts[-3], parts[-2]))
            if obj is not None and obj["object"] == expected:
                return 200, obj
            return 404, _error(f"No such object: '{parts[-1]}'", "resource_missing")
        return 404, _error(f"Unrecognized request URL ({method}: {path})", None)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method):
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                params = decode_form(parse_qsl(body or split.query, keep_blank_values=True))
                account = self.headers.get("Stripe-Account", "")
                key = self.headers.get("Idempotency-Key")
                with fake.lock:
                    fake.requests.append(
                        {
                            "method": method,
                            "path": split.path,
                            "account": account,
                            "params": params,
                            "idempotency_key": key,
                        }
                    )
                    if key and (account, key) in fake.idempotent:
                        path, first_params, status, response = fake.idempotent[(account, key)]
                        if (path, first_params) != (split.path, params):
                            status, response = (
                                400,
                                _error(
                                    "Keys for idempotent requests can only be used with the same "
                                    "parameters they were first used with.",
                                    None,
                                    kind="idempotency_error",
                                ),
                            )
                    else:
                        status, response = fake._route(method, split.path, account, params)
                        if key and method == "POST":
                            fake.idempotent[(account, key)] = (split.path, params, status, response)
                    data = json.dumps(
                        {k: v for k, v in response.items() if not k.startswith("_")}
                    ).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", _id("req"))
                self.end_headers()
                self.wfile.write(data)

            def _checkout_page(self, method) -> bool:
                """Checkout's hosted page, stood in for by a "Pay" button: paying marks the
                session paid and sends the browser to its ``success_url``. The webhook is
                not sent from here; the test delivers it, as Stripe would, later."""
                parts = urlsplit(self.path).path.strip("/").split("/")
                if len(parts) != 2 or parts[0] != "pay":
                    return False
                account, session = fake.find_session(parts[1])
                if session is None:
                    self.send_error(404)
                    return True
                if method == "POST":
                    if session["status"] == "open":
                        if session["mode"] == "subscription":
                            fake.subscribe(session["id"])
                        else:
                            fake.pay(account, session["id"])
                    self.send_response(303)
                    self.send_header("Location", session["success_url"])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return True
                amount = session.get("amount_total")
                total = (
                    f"{int(amount) / 100:.2f} {str(session.get('currency', '')).upper()}"
                    if amount is not None
                    else ""
                )
                data = CHECKOUT_PAGE.format(total=html.escape(total)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return True

            def do_GET(self):
                if not self._checkout_page("GET"):
                    self._serve("GET")

            def do_POST(self):
                if not self._checkout_page("POST"):
                    self._serve("POST")

            def do_DELETE(self):
                self._serve("DELETE")

            def log_message(self, *args):
                pass

        return Handler

    # ------------------------------------------------------------------ what people do

    def find_session(self, session_id: str) -> tuple[str, dict | None]:
        """The Checkout Session ``session_id`` and its account, from any account."""
        with self.lock:
            for (account, key), obj in self.objects.items():
                if key == session_id and obj.get("object") == "checkout.session":
                    return account, obj
        return "", None

    def session(self, account: str, session_id: str) -> dict:
        return self.objects[(account, session_id)]

    def pay(self, account: str, session_id: str) -> dict:
        """The parent pays on Stripe's page: a succeeded payment intent with its charge."""
        with self.lock:
            session = self.objects[(account, session_id)]
            intent_params = session["_params"].get("payment_intent_data", {})
            intent_id, charge_id = _id("pi"), _id("ch")
            fee = intent_params.get("application_fee_amount")
            self.objects[(account, charge_id)] = shaped(
                "charge",
                id=charge_id,
                object="charge",
                amount=session["amount_total"],
                amount_captured=session["amount_total"],
                amount_refunded=0,
                refunded=False,
                captured=True,
                paid=True,
                status="succeeded",
                currency=session["currency"],
                payment_intent=intent_id,
                application_fee_amount=int(fee) if fee else None,
                metadata=intent_params.get("metadata", {}),
            )
            self.objects[(account, intent_id)] = shaped(
                "payment_intent",
                id=intent_id,
                object="payment_intent",
                amount=session["amount_total"],
                amount_received=session["amount_total"],
                currency=session["currency"],
                status="succeeded",
                latest_charge=charge_id,
                metadata=intent_params.get("metadata", {}),
                application_fee_amount=int(fee) if fee else None,
                last_payment_error=None,
                canceled_at=None,
            )
            session.update(status="complete", payment_status="paid", payment_intent=intent_id)
            return session

    def refund(self, account: str, charge_id: str, amount: int, *, metadata=None) -> dict:
        """A refund of ``amount`` (e.g. from the studio's Stripe dashboard)."""
        charge = self.objects[(account, charge_id)]
        refund_id = _id("re")
        refund = shaped(
            "refund",
            id=refund_id,
            object="refund",
            amount=amount,
            charge=charge_id,
            currency=charge["currency"],
            payment_intent=charge["payment_intent"],
            status="succeeded",
            reason=None,
            metadata=metadata or {},
            created=int(time.time()),
        )
        self.objects[(account, refund_id)] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        return refund

    def finish_onboarding(self, account_id: str) -> dict:
        """The studio's owner completes Stripe's onboarding: the account can take charges."""
        account = self.objects[("", account_id)]
        account.update(charges_enabled=True, details_submitted=True, payouts_enabled=True)
        return account

    # -- the platform's subscriptions (Stripe Billing, no connected account) --

    def subscribe(self, session_id: str, *, days: int = 30) -> dict:
        """The studio's owner completes a subscription Checkout: an active subscription whose
        first invoice is paid. Returns the subscription."""
        with self.lock:
            session = self.objects[("", session_id)]
            now = int(time.time())
            sub_id = _id("sub")
            subscription = shaped(
                "subscription",
                id=sub_id,
                object="subscription",
                customer=session["customer"],
                status="active",
                metadata=session["_params"].get("subscription_data", {}).get("metadata", {}),
                cancel_at_period_end=False,
                items={
                    "object": "list",
                    "data": [
                        {
                            "id": _id("si"),
                            "object": "subscription_item",
                            "price": {"id": session["_price"], "object": "price"},
                            "quantity": 1,
                            "current_period_start": now,
                            "current_period_end": now + days * 86400,
                        }
                    ],
                },
            )
            subscription.pop("current_period_end", None)  # on the items since 2025
            subscription.pop("current_period_start", None)
            self.objects[("", sub_id)] = subscription
            session.update(status="complete", payment_status="paid", subscription=sub_id)
            return subscription

    def period_end(self, sub_id: str) -> int:
        return self.objects[("", sub_id)]["items"]["data"][0]["current_period_end"]

    def invoice(self, sub_id: str, *, paid: bool, days: int = 30) -> dict:
        """A renewal invoice: paid moves the period on and makes the subscription active;
        failed makes it past_due. Returns the invoice (the event's object)."""
        with self.lock:
            subscription = self.objects[("", sub_id)]
            item = subscription["items"]["data"][0]
            if paid:
                item["current_period_start"] = item["current_period_end"]
                item["current_period_end"] += days * 86400
                subscription["status"] = "active"
            else:
                subscription["status"] = "past_due"
            invoice_id = _id("in")
            invoice = shaped(
                "invoice",
                id=invoice_id,
                object="invoice",
                customer=subscription["customer"],
                parent={
                    "type": "subscription_details",
                    "quote_details": None,
                    "subscription_details": {"metadata": {}, "subscription": sub_id},
                },
                status="paid" if paid else "open",
                paid=paid,
                period_end=item["current_period_end"],
            )
            invoice.pop("subscription", None)  # under ``parent`` since 2025
            self.objects[("", invoice_id)] = invoice
            return invoice

    def set_subscription_status(self, sub_id: str, status: str) -> dict:
        with self.lock:
            subscription = self.objects[("", sub_id)]
            subscription["status"] = status
            return subscription

    def charge_of(self, account: str, session_id: str) -> dict:
        intent = self.objects[(account, self.session(account, session_id)["payment_intent"])]
        return self.objects[(account, intent["latest_charge"])]

    def posts(self, path: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"] == path]


CHECKOUT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fake Stripe Checkout</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}
button{{width:100%;padding:.8rem;font-size:1.1rem;border:0;border-radius:.4rem;
background:#635bff;color:#fff}}</style></head>
<body><h1>Fake Stripe Checkout</h1><p class="total">{total}</p>
<form method="post"><button type="submit">Pay</button></form></body></html>
"""


def _error(message: str, code, *, kind: str = "invalid_request_error") -> dict:
    return {"error": {"type": kind, "message": message, "code": code}}


def event(kind: str, obj: dict, *, account: str | None, event_id: str | None = None) -> bytes:
    """A webhook payload shaped like Stripe's: a connected account's event, or with
    ``account=None`` one of the platform's own account (Stripe then sends no ``account``)."""
    payload = shaped(
        "event",
        id=event_id or _id("evt"),
        object="event",
        type=kind,
        account=account,
        api_version="2025-01-27.acacia",
        created=int(time.time()),
        livemode=False,
        data={"object": {k: v for k, v in obj.items() if not k.startswith("_")}},
        pending_webhooks=1,
        request={"id": None, "idempotency_key": None},
    )
    if account is None:
        payload.pop("account", None)
    return json.dumps(payload).encode()


def sign(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header: ``t=<ts>,v1=<HMAC-SHA256 of "<ts>.<payload>">``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
