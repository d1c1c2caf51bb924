"""The unread-alerts count for the navigation badge, on every page of a user who has alerts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.access import is_allowed

from .models import Alert


def unread_alerts(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not is_allowed("cases:alerts", user):
        return {}
    return {
        "nav_unread_alerts": Alert.objects.filter(
            watchlist__user=user, read_at__isnull=True
        ).count()
    }
