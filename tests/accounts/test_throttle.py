"""The per-token throttle: a counter per caller and window, atomic in the shared cache."""

from __future__ import annotations

import threading
import time
import uuid
from types import SimpleNamespace

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from accounts.authentication import LookupRateThrottle, TokenRateThrottle
from accounts.models import ApiToken

REDIS_URL = "redis://127.0.0.1:6379/11"


def _call(token_pk: int) -> SimpleNamespace:
    return SimpleNamespace(auth=ApiToken(pk=token_pk), user=None, path="/api/v1/partner/lookup/")


def _throttle(cache, rate: str, cls=TokenRateThrottle):
    throttle = cls()
    throttle.cache = cache
    throttle.rate = rate
    throttle.num_requests, throttle.duration = throttle.parse_rate(rate)
    return throttle


@pytest.fixture
def locmem():
    return LocMemCache(f"throttle-{uuid.uuid4()}", {})  # its own store (names share one)


@pytest.fixture
def redis_cache():
    cache = RedisCache(REDIS_URL, {})
    try:
        cache.clear()
    except Exception as exc:  # noqa: BLE001 - any connection failure
        pytest.skip(f"needs Redis at {REDIS_URL} (services mode): {exc}")
    yield cache
    cache.clear()


def test_the_call_after_the_limit_is_refused_with_the_time_left(locmem):
    throttle = _throttle(locmem, "3/min")
    answers = [throttle.allow_request(_call(1), None) for _ in range(4)]
    assert answers == [True, True, True, False]
    assert 55 < throttle.wait() <= 60
    other = _throttle(locmem, "3/min")
    assert other.allow_request(_call(2), None) is True  # another token, its own budget


def test_a_lookup_counts_against_the_lookup_limit_and_the_token_limit(locmem, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "rate", "3/min", raising=False)
    monkeypatch.setattr(LookupRateThrottle, "rate", "2/min", raising=False)
    token, lookup = TokenRateThrottle(), LookupRateThrottle()
    token.cache = lookup.cache = locmem
    assert [lookup.allow_request(_call(1), None) for _ in range(3)] == [True, True, False]
    assert lookup.wait() > 55
    # Three lookups used the token's three calls: its next call of any kind waits too.
    assert token.allow_request(_call(1), None) is False
    # Another token has both budgets whole.
    assert [lookup.allow_request(_call(2), None) for _ in range(2)] == [True, True]


def test_a_window_reopens_when_its_period_is_over(locmem):
    throttle = _throttle(locmem, "2/s")
    assert [throttle.allow_request(_call(1), None) for _ in range(3)] == [True, True, False]
    time.sleep(1.1)
    assert throttle.allow_request(_call(1), None) is True


def test_concurrent_calls_in_several_processes_never_pass_the_limit(redis_cache):
    """Eight threads stand for eight server processes sharing Redis: exactly the limit passes.
    (Reading and rewriting a list of call times, as DRF's default throttle does, lets
    concurrent calls overwrite each other's entries and pass more.)"""
    allowed: list[bool] = []
    lock, start = threading.Lock(), threading.Barrier(8)

    def worker() -> None:
        throttle = _throttle(redis_cache, "25/min")
        start.wait()
        for _ in range(10):
            ok = throttle.allow_request(_call(7), None)
            with lock:
                allowed.append(ok)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 80
    assert allowed.count(True) == 25
    late = _throttle(redis_cache, "25/min")
    assert late.allow_request(_call(7), None) is False
    assert 0 < late.wait() <= 60


def test_a_counter_left_without_expiry_gets_one_back(redis_cache):
    """INCR on a key that expired a moment before creates it without an expiry; the next call
    gives it the window's expiry again, so a caller is never throttled for good."""
    throttle = _throttle(redis_cache, "5/min")
    assert throttle.allow_request(_call(9), None) is True
    counter = redis_cache.make_and_validate_key(throttle.get_cache_key(_call(9), None))
    client = redis_cache._cache.get_client(counter, write=True)
    client.persist(counter)
    assert client.ttl(counter) == -1
    assert throttle.allow_request(_call(9), None) is True
    assert 0 < client.ttl(counter) <= 60
    assert int(client.get(counter)) == 2
