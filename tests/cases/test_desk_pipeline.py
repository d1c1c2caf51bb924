"""The queue stage inside the real pipeline: ingest -> extract -> score -> queue -> watchlists."""

from __future__ import annotations

import pytest
from django.core import mail

from ads.models import PIPELINE_DONE, Ad, StageRun
from ads.readers import records_from_payload
from ads.services import ads_ingest
from cases.models import Alert, QueueItem
from cases.services.watchlists import watchlist_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pipeline(settings, monkeypatch):
    monkeypatch.setattr(
        "ads.pipeline.STAGES",
        [
            ("extract", "ads.stages.ads_extract_entities"),
            ("score", "tests.cases.stages.rule_score"),
            ("queue", "cases.stages.ads_queue_for_review"),
        ],
    )
    settings.PIPELINE_ENQUEUE = True


def test_ingested_ads_flow_to_the_queue_and_alert_watchers_once(actors, pipeline):
    actors.investigator_a.email = "inv-a@example.test"
    actors.investigator_a.save()
    watchlist_create(
        user=actors.investigator_a, kind="phone", value="702-555-0134", frequency="immediate"
    )
    rows = [
        {"external_id": "1", "title": "New in town", "body": "text 702 555 0134"},
        {"external_id": "2", "title": "Bike for sale", "body": "call 702-555-0134 after 5"},
        {"external_id": "3", "title": "Sofa", "body": "call 775-555-0101"},
    ]
    ads_ingest(source=actors.source_a, rows=records_from_payload(rows))
    assert set(Ad.objects.values_list("pipeline_stage", flat=True)) == {PIPELINE_DONE}
    assert StageRun.objects.filter(stage="queue").count() == 3
    assert list(QueueItem.objects.values_list("ad__external_id", flat=True)) == ["1"]
    # The watched phone alerts for both ads that carry it, flagged or not, in one e-mail.
    assert set(Alert.objects.values_list("ad__external_id", flat=True)) == {"1", "2"}
    assert len(mail.outbox) == 1
    ads_ingest(source=actors.source_a, rows=records_from_payload(rows))  # seen again, unchanged
    assert QueueItem.objects.count() == 1 and Alert.objects.count() == 2 and len(mail.outbox) == 1
