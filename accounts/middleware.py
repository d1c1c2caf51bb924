"""Idle and absolute session timeouts, the second factor for roles that require it, and each
user's own time zone."""

from __future__ import annotations

import time
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

_OTP_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/health")
SESSION_TOUCH_SECONDS = 60


def session_touch_seconds(idle_seconds: int) -> int:
    """How often the idle clock is written: a tenth of the idle limit, at most once a minute."""
    return max(1, min(SESSION_TOUCH_SECONDS, idle_seconds // 10))


class SessionTimeoutMiddleware:
    """Logs a user out after SESSION_IDLE_SECONDS without a request (absolute age: the cookie)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            session = request.session
            if "started_at" not in session:
                session["started_at"] = now
            started = session["started_at"]
            seen = session.get("last_seen_at")
            last = now if seen is None else seen
            if (
                now - last > settings.SESSION_IDLE_SECONDS
                or now - started > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
                return redirect(reverse("accounts:login") + "?expired=1")
            # Writing the session costs an UPDATE and a commit per page; refreshing the idle clock
            # every tenth of the idle limit (at most once a minute) keeps it exact to that tenth,
            # so an active user is never logged out, for a write per interval of activity.
            if seen is None or now - seen >= session_touch_seconds(settings.SESSION_IDLE_SECONDS):
                session["last_seen_at"] = now
            if (
                user.role in settings.OTP_REQUIRED_ROLES
                and not request.user.is_verified()
                and not request.path.startswith(_OTP_EXEMPT_PREFIXES)
            ):
                return redirect("accounts:otp")
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Pages show times in the signed-in user's chosen zone (the site's TIME_ZONE otherwise)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        name = getattr(user, "time_zone", "") if user is not None else ""
        try:
            zone = zoneinfo.ZoneInfo(name) if name else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            # The zone belongs to this request only, not to the next one on this thread.
            timezone.deactivate()
