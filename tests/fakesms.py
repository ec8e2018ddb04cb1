"""A fake of the two SMS providers' HTTP APIs for the tests: a threaded HTTP server on a
free port, pointed at by ``SMS_TWILIO_API_BASE`` and ``SMS_TURBOSMS_API_BASE``.

Twilio: ``POST /2010-04-01/Accounts/{sid}/Messages.json`` with HTTP Basic auth (the account's
SID and auth token, registered with ``twilio_account``), answered with a Message resource as
Twilio's API documents it (201), or Twilio's error JSON. ``twilio_callback`` then plays
Twilio calling the message's ``StatusCallback`` URL, signed with ``X-Twilio-Signature`` as
Twilio signs (HMAC-SHA1 of the URL and the sorted POST parameters, base64).

TurboSMS: ``POST /message/send.json`` and ``/message/status.json`` with ``Authorization:
Bearer <token>`` (registered with ``turbosms_token``) and a JSON body; answers carry
``response_code``, ``response_status`` and ``response_result`` as TurboSMS's API v2 does.

Every request is recorded (``requests``); ``texts_to(phone)`` gives the texts a number got.
``fail_next(status, body)`` makes the next send answer with an error.
"""

import base64
import http.client
import json
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

from twilio.request_validator import RequestValidator

# The tests' provider accounts (``sms_api`` in tests/conftest.py registers them).
TWILIO_SID = "AC" + "a1" * 16
TWILIO_TOKEN = "twilio-auth-token-alpha-7f3e"
BETA_SID = "AC" + "b2" * 16
BETA_TOKEN = "twilio-auth-token-beta-91cd"
TURBOSMS_TOKEN = "turbosms-token-5d2a"
SENDER = "+15005550006"


@dataclass
class Recorded:
    provider: str
    path: str
    headers: dict
    body: dict
    answer: dict = field(default_factory=dict)


class FakeSms:
    def __init__(self):
        self.requests: list[Recorded] = []
        self.twilio_tokens: dict[str, str] = {}
        self.turbosms_tokens: set[str] = set()
        self.turbosms_statuses: dict[str, str] = {}
        self.messages: dict[str, dict] = {}  # Twilio SID → the message and its callback
        self._failures: list[tuple[int, dict]] = []
        self._lock = threading.Lock()
        self.server = None

    # ------------------------------------------------------------------ set-up
    def start(self) -> "FakeSms":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                status, answer = fake._handle(self.path, dict(self.headers), raw)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def twilio_account(self, sid: str, token: str) -> None:
        self.twilio_tokens[sid] = token

    def turbosms_token(self, token: str) -> None:
        self.turbosms_tokens.add(token)

    def accounts_register(self) -> "FakeSms":
        self.twilio_account(TWILIO_SID, TWILIO_TOKEN)
        self.twilio_account(BETA_SID, BETA_TOKEN)
        self.turbosms_token(TURBOSMS_TOKEN)
        return self

    def fail_next(self, status: int, body: dict) -> None:
        with self._lock:
            self._failures.append((status, body))

    # ------------------------------------------------------------------ reading
    def texts_to(self, phone: str) -> list[str]:
        """The texts accepted for ``phone`` (E.164, or TurboSMS's digits), oldest first."""
        digits = phone.lstrip("+")
        found = []
        for request in list(self.requests):
            if not request.answer:
                continue
            if request.provider == "twilio" and request.body.get("To") == phone:
                found.append(request.body.get("Body", ""))
            if request.provider == "turbosms" and digits in request.body.get("recipients", []):
                found.append(request.body["sms"]["text"])
        return found

    # ------------------------------------------------------------------ answering
    def _handle(self, path: str, headers: dict, raw: str) -> tuple[int, dict]:
        path = urlsplit(path).path
        if path.startswith("/2010-04-01/Accounts/") and path.endswith("/Messages.json"):
            return self._twilio_send(path, headers, dict(parse_qsl(raw)))
        if path == "/message/send.json":
            return self._turbosms(path, headers, json.loads(raw or "{}"), self._turbosms_send)
        if path == "/message/status.json":
            return self._turbosms(path, headers, json.loads(raw or "{}"), self._turbosms_status)
        return 404, {"message": "not found"}

    def _failure(self):
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def _twilio_send(self, path, headers, form) -> tuple[int, dict]:
        record = Recorded("twilio", path, headers, form)
        self.requests.append(record)
        sid = path.split("/")[3]
        auth = headers.get("Authorization", "")
        expected = (
            "Basic "
            + base64.b64encode(f"{sid}:{self.twilio_tokens.get(sid, '')}".encode()).decode()
        )
        if sid not in self.twilio_tokens or auth != expected:
            return 401, {
                "code": 20003,
                "message": "Authenticate",
                "more_info": "https://www.twilio.com/docs/errors/20003",
                "status": 401,
            }
        failure = self._failure()
        if failure:
            return failure
        message_sid = "SM" + uuid.uuid4().hex
        answer = {
            "account_sid": sid,
            "api_version": "2010-04-01",
            "body": form.get("Body", ""),
            "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",
            "date_sent": None,
            "date_updated": "Thu, 24 Aug 2023 05:01:45 +0000",
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": None,
            "sid": message_sid,
            "status": "queued",
            "subresource_uris": {},
            "to": form.get("To"),
            "uri": f"/2010-04-01/Accounts/{sid}/Messages/{message_sid}.json",
        }
        record.answer = answer
        self.messages[message_sid] = {**form, "AccountSid": sid}
        return 201, answer

    def _turbosms(self, path, headers, body, then) -> tuple[int, dict]:
        record = Recorded("turbosms", path, headers, body)
        self.requests.append(record)
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.turbosms_tokens:
            return 200, {
                "response_code": 103,
                "response_status": "REQUIRED_TOKEN",
                "response_result": None,
            }
        failure = self._failure() if path.endswith("send.json") else None
        if failure:
            return failure
        status, answer = then(body)
        record.answer = answer if answer.get("response_code") in (0, 800) else {}
        return status, answer

    def _turbosms_send(self, body) -> tuple[int, dict]:
        results = []
        for phone in body.get("recipients", []):
            message_id = str(uuid.uuid4())
            self.turbosms_statuses[message_id] = "Sent"
            results.append(
                {
                    "phone": phone,
                    "response_code": 0,
                    "message_id": message_id,
                    "response_status": "OK",
                }
            )
        return 200, {
            "response_code": 800,
            "response_status": "SUCCESS_MESSAGE_ACCEPTED",
            "response_result": results,
        }

    def _turbosms_status(self, body) -> tuple[int, dict]:
        results = [
            {
                "message_id": message_id,
                "response_code": 0,
                "response_status": "OK",
                "status": self.turbosms_statuses.get(message_id, "Unknown"),
            }
            for message_id in body.get("messages", [])
        ]
        return 200, {"response_code": 0, "response_status": "OK", "response_result": results}

    # ------------------------------------------------------------------ calling back
    def twilio_signed(self, url: str, params: dict, token: str) -> str:
        return RequestValidator(token).compute_signature(url, params)

    def twilio_status_params(self, message_sid: str, status: str, error_code: str = "") -> dict:
        sent = self.messages[message_sid]
        params = {
            "AccountSid": sent["AccountSid"],
            "ApiVersion": "2010-04-01",
            "From": sent.get("From", ""),
            "MessageSid": message_sid,
            "MessageStatus": status,
            "SmsSid": message_sid,
            "SmsStatus": status,
            "To": sent["To"],
        }
        if error_code:
            params["ErrorCode"] = error_code
        return params

    def twilio_callback(self, message_sid: str, status: str, error_code: str = "") -> int:
        """POSTs the signed StatusCallback to the URL given when the message was sent, over
        HTTP to 127.0.0.1 with the URL's host in ``Host``; returns the HTTP status."""
        sent = self.messages[message_sid]
        url = sent["StatusCallback"]
        params = self.twilio_status_params(message_sid, status, error_code)
        signature = self.twilio_signed(url, params, self.twilio_tokens[sent["AccountSid"]])
        parts = urlsplit(url)
        connection = http.client.HTTPConnection("127.0.0.1", parts.port or 80, timeout=10)
        try:
            connection.request(
                "POST",
                parts.path + (f"?{parts.query}" if parts.query else ""),
                body=urlencode(params),
                headers={
                    "Host": parts.netloc,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": signature,
                },
            )
            return connection.getresponse().status
        finally:
            connection.close()
