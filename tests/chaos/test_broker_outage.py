"""Redis down: the API still accepts and stores ads, the status page says so, the sweep recovers.

Also checks that the status report's queue lengths are the real LLEN of the stage queues.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.db.models import Count
from django.test import Client

from ads import pipeline
from ads.models import PIPELINE_DONE, Ad, PipelineStatus, StageRun
from ads.readers import records_from_payload
from ads.services import ads_ingest
from tests.chaos.test_pipeline_faults import synthetic_batch
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.chaos, pytest.mark.django_db(transaction=True)]

STATUS_URL = "/admin/ads/ad/pipeline-status/"


@pytest.mark.full_pipeline
def test_ads_posted_while_redis_is_down_are_stored_then_processed_once(
    actors, risk_model, worker_factory, redis_control, caplog
):
    client = Client(HTTP_AUTHORIZATION=f"Token {actors.token_x}")
    redis_control.stop()
    try:
        with caplog.at_level(logging.ERROR, logger="ads.pipeline"):
            response = client.post(
                "/api/v1/ingest/", {"ads": synthetic_batch(0, 40)}, content_type="application/json"
            )
        assert response.status_code == 200, response.content[:500]
        assert response.json()["new"] == 40
        assert "broker unavailable" in caplog.text
        waiting = Ad.objects.filter(
            pipeline_stage=pipeline.first_stage(), pipeline_status=PipelineStatus.PENDING
        )
        assert waiting.count() == 40
        report = pipeline.pipeline_status_report()
        assert "error" in report["queues"]
        page = actors.client_for("admin").get(STATUS_URL)
        assert page.status_code == 200
        assert "The broker does not answer" in page.content.decode()
    finally:
        redis_control.start()

    worker = worker_factory()
    worker.start()
    assert pipeline.pipeline_sweep(older_than=timedelta(0)) == {pipeline.first_stage(): 40}
    finished = wait_for(
        lambda: Ad.objects.filter(pipeline_stage=PIPELINE_DONE).count() == 40,
        timeout=240,
        interval=0.5,
    )
    assert finished, worker.log_tail()
    runs = StageRun.objects.values("ad", "revision", "stage").annotate(n=Count("id"))
    assert runs.filter(n__gt=1).count() == 0
    assert runs.count() == 40 * len(pipeline.stage_names())


def test_the_status_report_counts_messages_waiting_in_each_stage_queue(actors, services, settings):
    settings.PIPELINE_BATCH_SIZE = 10
    rows = [{"external_id": f"q{i}", "body": f"synthetic listing {i}"} for i in range(35)]
    ads_ingest(source=actors.source_a, rows=records_from_payload(rows))  # commits: enqueues

    queues = pipeline.broker_queue_lengths()

    first = pipeline.first_stage()
    assert queues["queued"][first] == 4  # 35 ads in batches of 10, no worker to take them
    assert all(n == 0 for name, n in queues["queued"].items() if name != first)
    assert queues["unacked"] == 0
    page = actors.client_for("admin").get(STATUS_URL)
    rows_by_stage = {row.name: row for row in page.context["rows"]}
    assert rows_by_stage[first].queued == 4
    assert rows_by_stage[first].backlog == 35
