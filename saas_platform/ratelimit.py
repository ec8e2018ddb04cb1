"""Fixed-window attempt counters in the Django cache (Redis), and the limits of the parents'
code entry and "find my code".

``hit(key=…, limit=…, window_seconds=…)`` counts one attempt against ``key`` in the current
window and answers ``Allowed`` or, past the limit, ``Blocked(retry_after)``. Windows are
aligned to the clock (``window = now // window_seconds``), so every counter expires on its
own and ``retry_after`` is exact; the price of fixed windows is a burst of up to twice the
limit around a window boundary (the daily totals below are unaffected). Counting uses the
cache's atomic ``add`` + ``incr`` (Redis ``INCR``), so concurrent requests never both pass the
last free slot. Cache keys are prefixed with the studio's schema (django-tenants' key
function), so every counter here is per studio.

Password log-ins (``login_attempt``) work the same way: the counters hold failed log-ins, and
a full one refuses even the right password (429 with ``Retry-After``) until its window ends.
Staff counters are per studio like every other here, so one studio's lockout never touches
another's.

Code entry counts an attempt *before* looking the code up and gives it back when the code
opens a gallery (``attempt`` / ``Attempt.refund``): the counters hold failures (plus attempts in
flight), and while a counter is full even a correct code is refused until its window ends.

Why guessing a code is impractical
----------------------------------
A code has 60 random bits: 32¹² = 2⁶⁰ ≈ 1.15 × 10¹⁸ possibilities. A studio with 10,000 live
codes is hit by a random guess with p = 10⁴ / 2⁶⁰ ≈ 8.7 × 10⁻¹⁵.

* One address (``CODE_PER_IP``: 10 failures per 15 minutes) tries at most 960 codes a day:
  2⁶⁰ / 10⁴ / 960 ≈ 1.2 × 10¹¹ days to an expected first hit.
* However many addresses are used, the studio's ceiling (``CODE_PER_STUDIO``: 300 failures per
  15 minutes) lets through at most 28,800 guesses a day: 2⁶⁰ / 10⁴ / 28,800 ≈ 4 × 10⁹ days,
  about eleven million years — and codes expire with the gallery after a few months.
* ``CODE_PER_CODE`` (5 failures per code per hour) stops hammering one code from many
  addresses (an old card, a revoked code).

The studio ceiling is also a lever for a denial of service: whoever burns it pauses code
entry for everybody in that studio for at most 15 minutes (parents who already opened a
gallery keep it in their session). We accept that over an unbounded guessing rate.
"""

import contextlib
import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import ngettext

# Tests replace these: the clock, and the namespace (a fresh one per test).
clock = time.time
NAMESPACE = "access:rl"


class Limit(NamedTuple):
    limit: int
    window_seconds: int


CODE_PER_IP = Limit(10, 15 * 60)
CODE_PER_CODE = Limit(5, 60 * 60)
CODE_PER_STUDIO = Limit(300, 15 * 60)
FIND_PER_IP = Limit(5, 60 * 60)
FIND_PER_STUDIO = Limit(100, 15 * 60)
# "Find my code" e-mails about one child: more are silently not sent (the page never says).
FIND_MAILS_PER_STUDENT = Limit(3, 24 * 60 * 60)
# Failed password log-ins (staff on a studio's hosts, operators on the console): per address,
# and per e-mail however many addresses try it. A success gives its attempt back.
LOGIN_PER_IP = Limit(10, 15 * 60)
LOGIN_PER_EMAIL = Limit(5, 15 * 60)
# Password-reset e-mails: each request sends mail, so every request counts (nothing is
# given back); enough for a person who mistyped, too few to flood an inbox or the SMTP quota.
RESET_PER_IP = Limit(5, 60 * 60)
RESET_PER_EMAIL = Limit(3, 60 * 60)


@dataclass(frozen=True)
class Allowed:
    count: int
    remaining: int
    cache_key: str = field(repr=False)


@dataclass(frozen=True)
class Blocked:
    retry_after: int  # seconds until the window ends

    @property
    def retry_after_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def hit(*, key: str, limit: int, window_seconds: int, now: float | None = None):
    """Counts one attempt against ``key``: ``Allowed`` while at most ``limit`` attempts fell
    into the current window, ``Blocked(retry_after)`` afterwards."""
    now = clock() if now is None else now
    window = int(now // window_seconds)
    ends = (window + 1) * window_seconds
    seconds_left = max(1, math.ceil(ends - now))
    cache_key = f"{NAMESPACE}:{key}:{window_seconds}:{window}"
    timeout = seconds_left + 5
    cache.add(cache_key, 0, timeout=timeout)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: this attempt opens the window again
        count = 1 if cache.add(cache_key, 1, timeout=timeout) else cache.incr(cache_key)
    if count > limit:
        return Blocked(retry_after=seconds_left)
    return Allowed(count=count, remaining=limit - count, cache_key=cache_key)


def refund(allowed: Allowed) -> None:
    """Gives an attempt back (it succeeded); a window that has ended is left alone."""
    with contextlib.suppress(ValueError):
        cache.decr(allowed.cache_key)


@dataclass(frozen=True)
class Attempt:
    allowed: tuple[Allowed, ...]

    def refund(self) -> None:
        for allowed in self.allowed:
            refund(allowed)


def attempt(checks: list[tuple[str, Limit]], *, now: float | None = None):
    """One attempt against several counters: ``Attempt`` (to refund on success) when every
    counter has room, otherwise ``Blocked`` with the longest wait; a blocked attempt is not
    counted against the counters that still had room."""
    results = [
        hit(key=key, limit=lim.limit, window_seconds=lim.window_seconds, now=now)
        for key, lim in checks
    ]
    blocked = [result for result in results if isinstance(result, Blocked)]
    allowed = tuple(result for result in results if isinstance(result, Allowed))
    if blocked:
        Attempt(allowed).refund()
        return Blocked(retry_after=max(result.retry_after for result in blocked))
    return Attempt(allowed)


def client_ip(request) -> str:
    """The visitor's address as a counter key: ``REMOTE_ADDR``, or behind
    ``settings.TRUSTED_PROXY_COUNT`` reverse proxies the address the outermost one saw (taken
    from the right of ``X-Forwarded-For``, so a client cannot choose it). IPv6 addresses count
    per /64, the block one subscriber usually holds."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def code_key(normalised_code: str) -> str:
    """The counter key of one attempted code (hashed: live codes are not kept in Redis)."""
    return "code:" + hashlib.sha256(normalised_code.encode()).hexdigest()[:32]


def blocked_message(blocked: Blocked) -> str:
    minutes = blocked.retry_after_minutes
    return ngettext(
        "Too many attempts. To protect children’s photos, code entry is paused: please try "
        "again in %(minutes)d minute.",
        "Too many attempts. To protect children’s photos, code entry is paused: please try "
        "again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def blocked_response(
    request, template: str, context: dict, blocked: Blocked, message: str | None = None
):
    """The form again with a 429, the reason and ``Retry-After``."""
    context = {**context, "blocked": message or blocked_message(blocked)}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(blocked.retry_after)
    return response


def _address_and_email(request, *, scope: str, email: str, per_ip: Limit, per_email: Limit):
    """One attempt against the visitor's address and the typed e-mail (``scope`` names the
    form): ``Attempt`` to refund on success, or ``Blocked``."""
    email = (email or "").strip().lower()
    return attempt(
        [
            (f"{scope}:ip:{client_ip(request)}", per_ip),
            (f"{scope}:email:{email}", per_email),
        ]
    )


def login_attempt(request, *, scope: str, email: str):
    """One password log-in (``scope`` names the log-in page)."""
    return _address_and_email(
        request, scope=scope, email=email, per_ip=LOGIN_PER_IP, per_email=LOGIN_PER_EMAIL
    )


def password_reset_attempt(request, *, email: str):
    """One request for a password-reset e-mail."""
    return _address_and_email(
        request, scope="password-reset", email=email, per_ip=RESET_PER_IP, per_email=RESET_PER_EMAIL
    )


def login_blocked_response(
    request, template: str, context: dict, blocked: Blocked, *, reset: bool = False
):
    """The log-in (or password-reset) form again, refused: 429, the wait and
    ``Retry-After``."""
    minutes = blocked.retry_after_minutes
    if reset:
        message = ngettext(
            "Too many password reset requests. Please try again in %(minutes)d minute.",
            "Too many password reset requests. Please try again in %(minutes)d minutes.",
            minutes,
        )
    else:
        message = ngettext(
            "Too many failed log-ins. Please try again in %(minutes)d minute.",
            "Too many failed log-ins. Please try again in %(minutes)d minutes.",
            minutes,
        )
    return blocked_response(request, template, context, blocked, message % {"minutes": minutes})
