"""The fixed-window counters themselves."""

import pytest
from django.test import RequestFactory
from django_tenants.utils import schema_context

from saas_platform import ratelimit
from saas_platform.ratelimit import Allowed, Blocked, Limit, attempt, client_ip, hit

T0 = 1_800_000_000.0  # the start of a 15-minute window


def test_a_counter_allows_the_limit_then_blocks_until_its_window_ends(in_alpha):
    results = [hit(key="k", limit=3, window_seconds=900, now=T0 + i) for i in range(5)]

    assert [type(result) for result in results] == [Allowed, Allowed, Allowed, Blocked, Blocked]
    assert [result.remaining for result in results[:3]] == [2, 1, 0]
    assert results[3].retry_after == 900 - 3
    assert results[4].retry_after == 900 - 4
    assert results[4].retry_after_minutes == 15
    assert isinstance(hit(key="k", limit=3, window_seconds=900, now=T0 + 899), Blocked)
    assert isinstance(hit(key="k", limit=3, window_seconds=900, now=T0 + 900), Allowed)


def test_counters_are_separate_per_key_and_per_studio(alpha, beta):
    with schema_context(alpha.schema):
        for _ in range(2):
            hit(key="k", limit=2, window_seconds=60, now=T0)
        assert isinstance(hit(key="k", limit=2, window_seconds=60, now=T0), Blocked)
        assert isinstance(hit(key="other", limit=2, window_seconds=60, now=T0), Allowed)
    with schema_context(beta.schema):
        assert isinstance(hit(key="k", limit=2, window_seconds=60, now=T0), Allowed)


def test_a_refunded_attempt_does_not_count(in_alpha):
    for _ in range(5):
        counted = attempt([("k", Limit(2, 60))], now=T0)
        counted.refund()

    assert isinstance(attempt([("k", Limit(2, 60))], now=T0), ratelimit.Attempt)


def test_an_attempt_blocked_by_one_counter_is_not_counted_by_the_others(in_alpha):
    attempt([("tight", Limit(1, 60))], now=T0)

    blocked = attempt([("loose", Limit(1, 60)), ("tight", Limit(1, 60))], now=T0 + 10)

    assert blocked == Blocked(retry_after=50)
    assert isinstance(attempt([("loose", Limit(1, 60))], now=T0 + 10), ratelimit.Attempt)


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "key"),
    [
        ("203.0.113.7", "", 0, "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", 0, "203.0.113.7"),  # not trusted: ignored
        ("10.0.0.2", "198.51.100.1, 192.0.2.9", 1, "192.0.2.9"),  # the proxy saw 192.0.2.9
        ("10.0.0.2", "192.0.2.9", 2, "10.0.0.2"),  # fewer hops than proxies: not trusted
        ("2001:db8:1:2:3:4:5:6", "", 0, "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "", 0, "2001:db8:1:2::/64"),  # the same subscriber
        ("::ffff:203.0.113.7", "", 0, "203.0.113.7"),
        ("", "", 0, "unknown"),
    ],
)
def test_the_client_address_key(settings, remote, forwarded, proxies, key):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == key
