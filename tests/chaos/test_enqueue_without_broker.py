"""Default suite: an enqueue whose broker refuses connections logs, leaves the ads waiting.

The Celery app is pointed at a closed loopback port for the test (no Redis needed), so the real
publish path runs and fails the way it does when Redis is down.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from celery import current_app

from ads import pipeline
from ads.models import Ad, PipelineStatus
from ads.readers import records_from_payload
from ads.services import ads_ingest

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED_PORT_BROKER = "redis://127.0.0.1:9/0"  # the discard port: nothing listens on loopback


@pytest.fixture
def dead_broker():
    conf = current_app.conf
    saved = {key: conf[key] for key in ("task_always_eager", "broker_url")}
    conf.task_always_eager = False
    conf.broker_url = CLOSED_PORT_BROKER
    _forget_connections()
    try:
        yield
    finally:
        conf.update(saved)
        _forget_connections()


def _forget_connections() -> None:
    """Celery caches its connection and producer pools; new ones read the broker URL again."""
    current_app._pool = None
    current_app.amqp._producer_pool = None


def test_ingest_commits_and_logs_when_the_broker_refuses(actors, dead_broker, caplog, settings):
    settings.PIPELINE_BATCH_SIZE = 5
    rows = [{"external_id": f"d{i}", "body": f"synthetic listing {i}"} for i in range(12)]
    with caplog.at_level(logging.ERROR, logger="ads.pipeline"):
        summary = ads_ingest(source=actors.source_a, rows=records_from_payload(rows))
    assert summary.new == 12
    waiting = Ad.objects.filter(
        pipeline_stage=pipeline.first_stage(), pipeline_status=PipelineStatus.PENDING
    )
    assert waiting.count() == 12
    broker_errors = [r for r in caplog.records if "broker unavailable" in r.getMessage()]
    # One error for the first batch that failed, not one per batch: the rest is left to the sweep.
    assert len(broker_errors) == 1
    assert "12 ad(s) left to the sweep" in broker_errors[0].getMessage()


def test_the_sweep_survives_the_broker_being_down(actors, dead_broker):
    rows = [{"external_id": f"s{i}", "body": f"synthetic listing {i}"} for i in range(3)]
    ads_ingest(source=actors.source_a, rows=records_from_payload(rows))

    assert pipeline.pipeline_sweep(older_than=timedelta(0)) == {pipeline.first_stage(): 3}
    assert Ad.objects.filter(pipeline_status=PipelineStatus.PENDING).count() == 3
