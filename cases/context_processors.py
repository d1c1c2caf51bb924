"""The unread-alerts count for the navigation badge, on every page of a user who has alerts."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest

from core.access import is_allowed

from .models import Alert


def unread_alerts(request: HttpRequest) -> dict[str, Any]:
    """`nav_unread_alerts`, counted only when a template reads it (templates call callables), so
    a partial that shows no navigation (the queue's htmx rows) costs no query."""
    user = getattr(request, "user", None)
    if user is None or not is_allowed("cases:alerts", user):
        return {}
    # Counted once per request however many templates read it (the bar and the queue's notice).
    return {"nav_unread_alerts": functools.cache(lambda: unread_alert_count(user))}


def unread_alert_count(user: Any) -> int:
    return Alert.objects.filter(watchlist__user=user, read_at__isnull=True).count()
