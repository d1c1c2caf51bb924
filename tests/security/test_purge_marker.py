"""A purge is total: after retention removes an ad, no table (and no evidence file) holds any of
its text, identifiers or derived rows (issue #19 L5)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import timezone

from ads.models import Ad
from ads.readers import records_from_payload
from ads.retention import ads_purge_expired
from ads.services import ads_ingest

pytestmark = [pytest.mark.django_db, pytest.mark.full_pipeline]

MARKERS = ("Zqxpurgemark", "7024813377", "purgemark77@example.org", "purgemark77")
BODY = (
    "Zqxpurgemark new girl, barely legal, my daddy handles bookings, call 702-481-3377 or email "
    "purgemark77@example.org, ask for Zqxpurgemark. Available now."
)


def _rows_holding_markers() -> list[str]:
    found = []
    for model in apps.get_models():
        if model._meta.app_label in {"contenttypes", "auth", "sessions", "admin", "audit"}:
            continue
        for row in model._base_manager.all().values():
            text = str(row)
            hits = [m for m in MARKERS if m in text]
            if hits:
                found.append(f"{model._meta.label}: {hits}")
    return found


def _ingest(source) -> None:
    ads_ingest(
        source=source,
        rows=records_from_payload(
            [
                {"external_id": "old-1", "title": "Zqxpurgemark", "body": BODY},
                {"external_id": "old-2", "title": "again", "body": BODY + " Repost."},
                {"external_id": "keep", "body": "An unrelated ad, call 415-555-0142 tonight."},
            ]
        ),
    )


def test_a_purged_ad_leaves_nothing_behind(
    actors, settings, risk_model, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _ingest(actors.source_a)
    for model in ("ads.Entity", "analytics.Network", "cases.QueueItem", "analytics.AdScore"):
        assert apps.get_model(model).objects.exists(), f"the pipeline must have made {model}"
    old = Ad.objects.filter(external_id__startswith="old")
    assert old.count() == 2
    assert _rows_holding_markers(), "the markers must be somewhere before the purge"
    old.update(last_seen_at=timezone.now() - timedelta(days=settings.RETENTION_DAYS + 1))
    report = ads_purge_expired()
    assert report.ads == 2
    assert _rows_holding_markers() == []
    evidence_root = Path(settings.STORAGES["evidence"]["OPTIONS"]["location"])
    for path in evidence_root.rglob("*"):
        if path.is_file():
            assert b"Zqxpurgemark" not in path.read_bytes(), path
    assert Ad.objects.filter(external_id="keep").exists()
