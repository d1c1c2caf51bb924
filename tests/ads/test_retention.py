"""Retention: old ads not in a case go with their evidence; cased ads stay; purges audited."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from ads.models import Ad, Evidence
from ads.readers import records_from_payload
from ads.retention import ads_purge_expired
from ads.services import ads_ingest
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _ads(source, n):
    ads_ingest(
        source=source,
        rows=records_from_payload(
            [{"external_id": str(i), "body": f"ad number {i}"} for i in range(n)]
        ),
    )


def _age(ids, days):
    Ad.objects.filter(pk__in=ids).update(last_seen_at=timezone.now() - timedelta(days=days))


def test_a_dry_run_reports_and_deletes_nothing(actors, settings):
    settings.RETENTION_DAYS = 180
    _ads(actors.source_a, 4)
    ids = list(Ad.objects.order_by("pk").values_list("pk", flat=True))
    _age(ids[:3], 200)
    report = ads_purge_expired(dry_run=True)
    assert report.ads == 3 and report.evidence == 3
    assert Ad.objects.count() == 4


def test_expired_ads_and_their_captures_are_purged_and_kept_captures_still_verify(actors, settings):
    _ads(actors.source_a, 4)  # one segment file holds all four captures
    ids = list(Ad.objects.order_by("pk").values_list("pk", flat=True))
    _age(ids[:3], 200)
    report = ads_purge_expired()
    assert report.ads == 3 and report.segments_rewritten == 1
    assert list(Ad.objects.values_list("pk", flat=True)) == ids[3:]
    kept = Evidence.objects.get()
    assert kept.read().startswith(b"{") and kept.offset == 0
    call_command("verify_evidence", "--no-progress", stdout=StringIO(), stderr=StringIO())
    assert AuditEvent.objects.filter(action="retention.purge").exists()


def test_ads_in_a_case_are_held(actors, settings):
    pytest.importorskip("cases.models")
    from cases.models import Case

    _ads(actors.source_a, 2)
    ids = list(Ad.objects.order_by("pk").values_list("pk", flat=True))
    _age(ids, 400)
    case = Case.objects.create(title="Op", unit=actors.unit_a, created_by=actors.investigator_a)
    case.ads.add(ids[0])
    report = ads_purge_expired()
    assert report.ads == 1 and report.held == 1
    assert Ad.objects.filter(pk=ids[0]).exists()


def test_the_command_prints_what_would_go(actors):
    out = StringIO()
    call_command("purge_expired", "--dry-run", stdout=out)
    assert "would purge" in out.getvalue()
