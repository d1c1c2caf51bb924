"""API token authentication (hashed at rest) and per-token throttling."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from django.conf import settings
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken
from .selectors import api_token_active

logger = logging.getLogger(__name__)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <prefix>.<secret>`; the token object is `request.auth`."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed token header.")
        try:
            token_text = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("Malformed token.") from exc
        prefix, _, _secret = token_text.partition(".")
        token = api_token_active(prefix)
        if token is None or not hmac.compare_digest(token.digest, ApiToken.hash_secret(token_text)):
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        if token.second_factor_at is None and token.user.role in settings.OTP_REQUIRED_ROLES:
            raise exceptions.AuthenticationFailed(
                "This token was issued without a second factor, which its user's role requires."
            )
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            # At most one write a minute per token: a write per call costs every API request.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class TokenRateThrottle(SimpleRateThrottle):
    """Throttle per API token (or per user for session calls): at most N calls in a window that
    opens with the first call and lasts the rate's period.

    One counter per caller, incremented atomically in the cache (Redis INCR in services mode), in
    place of DRF's default, which reads and rewrites the list of every call's time in the period
    on each request: that list grows with the rate (600 entries at 600/min) and two processes
    that read it at once can both write back a list missing the other's call. A window opens at
    the caller's first call, not on the clock's minute, so a burst is never split by a boundary;
    like any fixed window it allows up to 2N calls across the end of one window and the start of
    the next.

    If the cache (Redis in services mode) is down, the request is let through and logged: a cache
    outage must not take the API down with it (calls are still audited).
    """

    scope = "token"
    # The windows the last call found full (set by `allow_request`, read by `wait`).
    _over: list[tuple[str, int, int]] = []

    @staticmethod
    def opened_key(key: str) -> str:
        """Where a window's opening time is kept, beside its counter."""
        return f"{key}:opened"

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return self._allow(request, view)
        except Exception:  # noqa: BLE001 - any cache failure
            logger.exception("throttle cache unavailable; allowing %s", request.path)
            return True

    def windows(self, request: Request, view: Any) -> list[tuple[str, int, int]]:
        """(cache key, allowed calls, period in seconds) of each window this call counts in."""
        key = self.get_cache_key(request, view)
        if self.rate is None or key is None:
            return []
        return [(key, self.num_requests, self.duration)]

    def _allow(self, request: Request, view: Any) -> bool:
        windows = self.windows(request, view)
        counts = self._count_calls(windows)
        self._over = [w for w, count in zip(windows, counts, strict=True) if count > w[1]]
        return not self._over

    def _count_calls(self, windows: list[tuple[str, int, int]]) -> list[int]:
        """Add this call to each window (opening those not open); their new counts."""
        if not windows:
            return []
        if isinstance(self.cache, RedisCache):
            return self._count_calls_redis(windows)
        counts = []
        for key, _, duration in windows:
            try:
                counts.append(self.cache.incr(key))
                continue
            except ValueError:  # no open window
                pass
            if self.cache.add(key, 0, duration):
                self.cache.set(self.opened_key(key), int(self.timer()), duration)
            counts.append(self.cache.incr(key))
        return counts

    def _count_calls_redis(self, windows: list[tuple[str, int, int]]) -> list[int]:
        """The same in one round trip for all windows: create each counter and its opening time
        if absent (with the window's expiry), then INCR, which keeps the expiry. Django's own incr
        would first ask whether the key exists; the keys are Django's, so `wait` and
        `cache.clear` see them."""
        cache = self.cache
        keys = [cache.make_and_validate_key(key) for key, _, _ in windows]
        client = cache._cache.get_client(keys[0], write=True)
        pipe = client.pipeline(transaction=False)
        now = int(self.timer())
        for counter, (key, _, duration) in zip(keys, windows, strict=True):
            pipe.set(counter, 0, ex=duration, nx=True)
            pipe.set(cache.make_and_validate_key(self.opened_key(key)), now, ex=duration, nx=True)
            pipe.incr(counter)
            pipe.ttl(counter)
        results = pipe.execute()
        counts = []
        for i, (counter, (_, _, duration)) in enumerate(zip(keys, windows, strict=True)):
            count, ttl = results[4 * i + 2], results[4 * i + 3]
            if ttl == -1:
                # The window expired between the SET and the INCR (the pipeline is not a
                # transaction) and INCR made a counter that would never expire.
                client.expire(counter, duration)
            counts.append(int(count))
        return counts

    def wait(self) -> float | None:
        """Seconds until the last full window closes (the Retry-After header)."""
        waits = []
        for key, _, duration in self._over:
            opened = self.cache.get(self.opened_key(key))
            if opened is not None:
                waits.append(max(0.0, opened + duration - self.timer()))
        return max(waits, default=None)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"t{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LookupRateThrottle(TokenRateThrottle):
    """A tighter limit for "seen it?" lookups, which could be used to probe. A lookup also counts
    against the token's own limit, in the same round trip: use this class instead of
    `TokenRateThrottle`, not beside it."""

    scope = "lookup"

    def windows(self, request: Request, view: Any) -> list[tuple[str, int, int]]:
        return TokenRateThrottle().windows(request, view) + super().windows(request, view)
