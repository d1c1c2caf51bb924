"""Idle and absolute session timeouts, and the second factor for roles that require it."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

_OTP_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/health")


class SessionTimeoutMiddleware:
    """Logs a user out after SESSION_IDLE_SECONDS without a request (absolute age: the cookie)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            started = request.session.setdefault("started_at", now)
            last = request.session.get("last_seen_at", now)
            if (
                now - last > settings.SESSION_IDLE_SECONDS
                or now - started > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
                return redirect(reverse("accounts:login") + "?expired=1")
            request.session["last_seen_at"] = now
            if (
                user.role in settings.OTP_REQUIRED_ROLES
                and not request.user.is_verified()
                and not request.path.startswith(_OTP_EXEMPT_PREFIXES)
            ):
                return redirect("accounts:otp")
        return self.get_response(request)
