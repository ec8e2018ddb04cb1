"""The SMS providers behind one small interface, each against its public HTTP API.

- Twilio, through its official library (``twilio``): ``POST /2010-04-01/Accounts/{sid}/
  Messages.json`` with HTTP Basic auth (account SID, auth token); delivery reports come to
  the ``StatusCallback`` URL signed with ``X-Twilio-Signature``.
- TurboSMS (Ukraine), HTTP API v2: ``POST https://api.turbosms.ua/message/send.json`` with
  ``Authorization: Bearer <token>`` and ``{"recipients": [...], "sms": {"sender", "text"}}``;
  it has no delivery callback, so the status is asked with ``POST message/status.json``
  (``{"messages": [ids]}``).

``settings.SMS_TWILIO_API_BASE`` / ``SMS_TURBOSMS_API_BASE`` point both at another host (the
tests' fake server); a studio cannot, so its settings never aim our requests elsewhere.
"""

from dataclasses import dataclass

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from .models import Provider, SmsStatus

TIMEOUT = 10  # seconds
TWILIO_API = "https://api.twilio.com"
TURBOSMS_API = "https://api.turbosms.ua"


class SmsProviderError(Exception):
    """The provider refused or could not be reached. ``retry``: nothing was sent, so the
    task may try again (the network, or the provider's 5xx / 429); otherwise it is final."""

    def __init__(self, reason: str, *, retry: bool = False):
        super().__init__(reason)
        self.reason = reason[:300]
        self.retry = retry


@dataclass(frozen=True)
class Accepted:
    provider_message_id: str
    status: str  # an SmsStatus


@dataclass(frozen=True)
class Report:
    status: str  # an SmsStatus
    reason: str = ""


class SmsProvider:
    name = ""

    def send(self, *, to: str, text: str, status_callback: str = "") -> Accepted:
        raise NotImplementedError

    def status(self, *, provider_message_id: str) -> Report | None:
        """The delivery status when the provider is asked for it (None: it reports by
        callback instead)."""
        return None


# --------------------------------------------------------------------------- Twilio

TWILIO_STATUSES = {
    "accepted": SmsStatus.QUEUED,
    "scheduled": SmsStatus.QUEUED,
    "queued": SmsStatus.QUEUED,
    "sending": SmsStatus.SENT,
    "sent": SmsStatus.SENT,
    "delivered": SmsStatus.DELIVERED,
    "read": SmsStatus.DELIVERED,
    "undelivered": SmsStatus.FAILED,
    "failed": SmsStatus.FAILED,
    "canceled": SmsStatus.FAILED,
}


class _TwilioApiClient(TwilioHttpClient):
    """Twilio's own HTTP client with the API host swapped for ``api_base``."""

    def __init__(self, api_base: str, **kwargs):
        super().__init__(**kwargs)
        self.api_base = api_base.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_API):
            url = self.api_base + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


class TwilioProvider(SmsProvider):
    name = Provider.TWILIO

    def __init__(self, *, account_sid: str, auth_token: str, sender: str):
        self.sender = sender
        api_base = getattr(settings, "SMS_TWILIO_API_BASE", "") or TWILIO_API
        self.client = Client(
            account_sid,
            auth_token,
            http_client=_TwilioApiClient(api_base, timeout=TIMEOUT, pool_connections=False),
        )

    def send(self, *, to: str, text: str, status_callback: str = "") -> Accepted:
        # A Messaging Service SID (MG…) sends from the service's pool of numbers.
        origin = (
            {"messaging_service_sid": self.sender}
            if self.sender.startswith("MG")
            else {"from_": self.sender}
        )
        extra = {"status_callback": status_callback} if status_callback else {}
        try:
            message = self.client.messages.create(to=to, body=text, **origin, **extra)
        except TwilioRestException as error:
            retry = error.status >= 500 or error.status == 429
            reason = f"Twilio {error.code or error.status}: {error.msg}"
            raise SmsProviderError(reason, retry=retry) from error
        except requests.ConnectionError as error:
            # Refused or not connected: nothing reached Twilio. (A read timeout is not this:
            # Twilio may have taken the message, so it is not sent again.)
            raise SmsProviderError(f"Twilio unreachable: {error}", retry=True) from error
        except requests.Timeout as error:
            raise SmsProviderError("Twilio did not answer in time") from error
        return Accepted(message.sid, TWILIO_STATUSES.get(message.status or "", SmsStatus.QUEUED))


def twilio_report(status: str, error_code: str = "") -> Report | None:
    """A StatusCallback's ``MessageStatus`` (and ``ErrorCode``) as ours; None if unknown."""
    mapped = TWILIO_STATUSES.get((status or "").lower())
    if mapped is None:
        return None
    reason = f"Twilio error {error_code}" if error_code and mapped == SmsStatus.FAILED else ""
    if mapped == SmsStatus.FAILED and not reason:
        reason = f"Twilio: {status.lower()}"
    return Report(mapped, reason)


# --------------------------------------------------------------------------- TurboSMS

# Codes of a request TurboSMS accepted (800: accepted, 801-803: accepted with remarks, such
# as some recipients dropped); 0 is "OK" for the status and balance methods.
TURBOSMS_ACCEPTED = {0, 800, 801, 802, 803}
TURBOSMS_STATUSES = {
    "queued": SmsStatus.QUEUED,
    "accepted": SmsStatus.QUEUED,
    "enroute": SmsStatus.SENT,
    "sent": SmsStatus.SENT,
    "delivered": SmsStatus.DELIVERED,
    "read": SmsStatus.DELIVERED,
}
TURBOSMS_FAILED = {"expired", "rejected", "undeliverable", "not delivered", "failed", "deleted"}


class TurboSmsProvider(SmsProvider):
    name = Provider.TURBOSMS

    def __init__(self, *, token: str, sender: str):
        self.token = token
        self.sender = sender
        self.api_base = (getattr(settings, "SMS_TURBOSMS_API_BASE", "") or TURBOSMS_API).rstrip("/")

    def _post(self, method: str, payload: dict) -> dict:
        try:
            response = requests.post(
                f"{self.api_base}/{method}",
                json=payload,
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=TIMEOUT,
            )
        except requests.ReadTimeout as error:
            raise SmsProviderError("TurboSMS did not answer in time") from error
        except requests.ConnectionError as error:
            raise SmsProviderError(f"TurboSMS unreachable: {error}", retry=True) from error
        if response.status_code >= 500 or response.status_code == 429:
            raise SmsProviderError(f"TurboSMS HTTP {response.status_code}", retry=True)
        try:
            body = response.json()
        except ValueError as error:
            raise SmsProviderError(f"TurboSMS HTTP {response.status_code}: not JSON") from error
        if body.get("response_code") not in TURBOSMS_ACCEPTED:
            raise SmsProviderError(
                f"TurboSMS {body.get('response_code')}: {body.get('response_status')}"
            )
        return body

    def send(self, *, to: str, text: str, status_callback: str = "") -> Accepted:
        body = self._post(
            "message/send.json",
            {"recipients": [to.lstrip("+")], "sms": {"sender": self.sender, "text": text}},
        )
        result = (body.get("response_result") or [{}])[0] or {}
        if not result.get("message_id"):
            raise SmsProviderError(
                f"TurboSMS {result.get('response_code')}: {result.get('response_status')}"
            )
        return Accepted(str(result["message_id"]), SmsStatus.QUEUED)

    def status(self, *, provider_message_id: str) -> Report | None:
        body = self._post("message/status.json", {"messages": [provider_message_id]})
        for result in body.get("response_result") or []:
            if str(result.get("message_id")) != provider_message_id:
                continue
            status = str(result.get("status") or "").strip().lower()
            if status in TURBOSMS_FAILED:
                return Report(SmsStatus.FAILED, f"TurboSMS: {result.get('status')}")
            if status in TURBOSMS_STATUSES:
                return Report(TURBOSMS_STATUSES[status])
        return None
