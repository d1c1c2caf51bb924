"""API token authentication (hashed at rest) and per-token throttling."""

from __future__ import annotations

import hmac
import logging
from typing import Any

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
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            # At most one write a minute per token: a write per call costs every API request.
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class TokenRateThrottle(SimpleRateThrottle):
    """Throttle per API token (or per user for session calls).

    If the cache behind the counters (Redis in services mode) is down, the request is let through
    and logged: a cache outage must not take the API down with it (calls are still audited).
    """

    scope = "token"

    def allow_request(self, request: Request, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - any cache failure
            logger.exception("throttle cache unavailable; allowing %s", request.path)
            return True

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"t{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LookupRateThrottle(TokenRateThrottle):
    """A tighter limit for "seen it?" lookups, which could be used to probe."""

    scope = "lookup"
