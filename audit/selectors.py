"""Reads over the audit trail: who saw a record, and who looks unusually much."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from .models import Action, AuditEvent

VIEW_ACTIONS = (Action.VIEW, Action.IMAGE_REVEAL, Action.EXPORT, Action.API_CALL, Action.LOOKUP)


def audit_viewers_of(*, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """Every access to one record, newest first ("who has seen this ad")."""
    return AuditEvent.objects.filter(
        object_type=object_type, object_id=str(object_id), action__in=VIEW_ACTIONS
    ).order_by("-at")


def audit_anomalies(
    *, days: int = 1, baseline_days: int = 30, factor: float = 3.0, minimum: int = 50
) -> list[dict[str, Any]]:
    """Users (and partners) whose views or lookups in the last `days` far exceed their own daily
    average over the baseline, or exceed `minimum` with no history."""
    now = timezone.now()
    recent_since = now - timedelta(days=days)
    base_since = recent_since - timedelta(days=baseline_days)
    recent = {
        (r["actor_id"], r["actor_username"], r["actor_role"], r["action"]): r["n"]
        for r in AuditEvent.objects.filter(
            at__gte=recent_since, action__in=VIEW_ACTIONS + (Action.SEARCH,)
        )
        .exclude(actor_id=None)
        .values("actor_id", "actor_username", "actor_role", "action")
        .annotate(n=Count("id"))
    }
    baseline = {
        (r["actor_id"], r["action"]): r["n"]
        for r in AuditEvent.objects.filter(
            at__gte=base_since, at__lt=recent_since, action__in=VIEW_ACTIONS + (Action.SEARCH,)
        )
        .exclude(actor_id=None)
        .values("actor_id", "action")
        .annotate(n=Count("id"))
    }
    rows = []
    for (actor_id, username, role, action), count in recent.items():
        per_day = count / days
        usual = baseline.get((actor_id, action), 0) / baseline_days
        if (usual and per_day > factor * usual and count >= 10) or (not usual and count >= minimum):
            rows.append(
                {
                    "actor_id": actor_id,
                    "username": username,
                    "role": role,
                    "action": action,
                    "count": count,
                    "usual_per_day": round(usual, 1),
                    "ratio": round(per_day / usual, 1) if usual else None,
                }
            )
    return sorted(rows, key=lambda r: -r["count"])


def audit_permission_changes(*, days: int = 7) -> list[AuditEvent]:
    """Changes to who sees what (roles, units, source ownership, case members, tokens) in the last
    `days`, newest first: every one is shown to the auditor, not only unusual volumes."""
    since = timezone.now() - timedelta(days=days)
    return list(
        AuditEvent.objects.filter(
            at__gte=since, action__in=(Action.PERMISSION_CHANGE, Action.TOKEN)
        ).order_by("-pk")[:500]
    )
