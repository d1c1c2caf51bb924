"""1,000 ads through the API while the worker is killed with SIGKILL and restarted: nothing lost,
nothing done twice."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db.models import Count
from django.test import Client

from ads import pipeline
from ads.models import PIPELINE_DONE, Ad, StageRun
from tests.integration.conftest import wait_for

pytestmark = [
    pytest.mark.integration,
    pytest.mark.full_pipeline,
    pytest.mark.django_db(transaction=True),
]

N_ADS = 1000


def _post_ads(token: str) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    for start in range(0, N_ADS, 100):
        batch = [
            {
                "external_id": f"k{i}",
                "title": f"Ad {i}",
                "body": f"New girl {i % 7 + 18}yo, call SIX0TWO 555 {i:04d} or {i}@example.org",
            }
            for i in range(start, start + 100)
        ]
        response = client.post("/api/v1/ingest/", {"ads": batch}, content_type="application/json")
        assert response.status_code == 200, response.content
        assert response.json()["new"] == 100


def _drain(timeout: float) -> bool:
    """Wait for every ad to finish, sweeping every few seconds as beat does in production.

    A task whose ads were locked by a killed worker's transaction skips them (skip locked) and
    its message is gone; the periodic sweep is what brings such ads back, so the test runs it.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if wait_for(
            lambda: Ad.objects.filter(pipeline_stage=PIPELINE_DONE).count() == N_ADS, timeout=10
        ):
            return True
        pipeline.pipeline_sweep(older_than=timedelta(seconds=10))
    return False


def _progress() -> str:
    """Where the ads are, for a failure message (a slow drain is not a lost ad)."""
    stages = dict(
        Ad.objects.values_list("pipeline_stage")
        .annotate(n=Count("id"))
        .values_list("pipeline_stage", "n")
    )
    return f"ads by stage: {stages}; failed: {Ad.objects.failed().count()}"


def test_sigkill_mid_run_loses_and_duplicates_nothing(
    actors, risk_model, worker_factory, settings, tmp_path
):
    settings.PIPELINE_BATCH_SIZE = 5  # many small tasks, so the kill lands mid-run
    stages = pipeline.stage_names()
    worker = worker_factory()
    _post_ads(actors.token_x)  # queued in Redis; no worker yet
    assert Ad.objects.count() == N_ADS
    worker.start()
    assert wait_for(lambda: StageRun.objects.count() >= 50, timeout=120), (
        tmp_path / "worker.log"
    ).read_text()
    worker.kill()
    done_at_kill = Ad.objects.filter(pipeline_stage=PIPELINE_DONE).count()
    assert done_at_kill < N_ADS, "the kill came too late to test anything"

    worker.start()
    pipeline.pipeline_sweep(older_than=timedelta(0))  # what beat does every minute
    assert _drain(timeout=900), _progress()

    assert Ad.objects.count() == N_ADS
    assert not Ad.objects.failed().exists()
    per_stage = StageRun.objects.values("ad", "revision", "stage").annotate(n=Count("id"))
    assert per_stage.filter(n__gt=1).count() == 0, "a stage ran twice for the same ad"
    assert per_stage.count() == N_ADS * len(stages)
    print(
        f"\nworker SIGKILL test: {N_ADS} ads, {done_at_kill} done at kill, {len(stages)} stages, "
        f"0 duplicates, 0 lost"
    )


def test_killing_a_pool_child_requeues_its_task(
    actors, risk_model, worker_factory, settings, tmp_path
):
    settings.PIPELINE_BATCH_SIZE = 16
    worker = worker_factory()
    worker.start()
    _post_ads(actors.token_x)
    assert wait_for(lambda: StageRun.objects.count() >= 20, timeout=120), (
        tmp_path / "worker.log"
    ).read_text()
    assert worker.kill_a_child()
    pipeline.pipeline_sweep(older_than=timedelta(0))
    assert _drain(timeout=900), _progress()
    per_stage = StageRun.objects.values("ad", "revision", "stage").annotate(n=Count("id"))
    assert per_stage.filter(n__gt=1).count() == 0
    assert per_stage.count() == N_ADS * len(pipeline.stage_names())
