"""Reads over the audit trail: who saw a record, and who looks unusually much."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Action, AuditEvent, AuditSeen
from .services import record_id

VIEW_ACTIONS = (Action.VIEW, Action.IMAGE_REVEAL, Action.EXPORT, Action.API_CALL, Action.LOOKUP)

# The records "who has seen" answers for, and where each one lives.
SEEN_RECORDS = {
    "ad": "ads.Ad",
    "ad_image": "ads.AdImage",
    "entity": "ads.Entity",
    "network": "analytics.Network",
    "queue_item": "cases.QueueItem",
    "case": "cases.Case",
}


def audit_viewers_of(*, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """Every event that showed one record, newest first ("who has seen this ad"): reads of the
    record itself, and every page, list, search, export or API call that showed it (AuditSeen).
    For an ad, the views and reveals of its images count too."""
    object_id = record_id(object_id)
    types_ids = [(object_type, [object_id])]
    if object_type == "ad":
        image_ids = [
            str(pk)
            for pk in apps.get_model("ads.AdImage")
            .objects.filter(ad_id=int(object_id))
            .values_list("pk", flat=True)
        ]
        if image_ids:
            types_ids.append(("ad_image", image_ids))
    match = Q(pk__in=[])
    for kind, ids in types_ids:
        shown = AuditSeen.objects.filter(object_type=kind, object_id__in=ids).values("event_id")
        match |= Q(object_type=kind, object_id__in=ids, action__in=VIEW_ACTIONS) | Q(pk__in=shown)
    return AuditEvent.objects.filter(match).order_by("-at", "-pk")


def audit_record_exists(*, object_type: str, object_id: str) -> bool:
    """Whether the record exists now, or did once (the trail mentions it: a purged ad)."""
    model = apps.get_model(SEEN_RECORDS[object_type])
    object_id = record_id(object_id)
    return (
        model.objects.filter(pk=int(object_id)).exists()
        or AuditEvent.objects.filter(object_type=object_type, object_id=object_id).exists()
        or AuditSeen.objects.filter(object_type=object_type, object_id=object_id).exists()
    )


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
