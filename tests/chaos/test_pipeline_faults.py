"""2,000 ads through the API while every piece of infrastructure fails once.

One run, faults in sequence while ads keep arriving: SIGKILL of a worker's pool child, SIGKILL of
the whole worker (restarted later), Redis shut down without saving (every queued message lost)
with ads posted while it is down, and the workers' PostgreSQL connections terminated twice. The
sweep (what beat runs every minute) is called after each recovery and whenever progress stalls.

Afterwards every accepted ad has run every registered stage exactly once, or is parked as failed
with its error; the audit chain and the evidence hashes verify.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client

from ads import pipeline
from ads.models import PIPELINE_DONE, Ad, PipelineStatus, StageRun
from audit.services import audit_verify_chain
from tests.chaos.conftest import cut_database_connections
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.chaos, pytest.mark.full_pipeline, pytest.mark.django_db(transaction=True)]

N_ADS = 2000
BATCH = 100
STALL_SECONDS = 10.0
DRAIN_TIMEOUT = 480.0


def synthetic_batch(start: int, size: int = BATCH) -> list[dict[str, str]]:
    """Invented ads, varied enough that the stages have something to find in each."""
    return [
        {
            "external_id": f"chaos-{i}",
            "title": f"Listing {i}",
            "body": (
                f"New in town {i % 9 + 19}yo, call SIX0TWO 555 {i:04d} or write {i}@example.org"
                if i % 3
                else f"Room {i} for rent near the station, ask for unit {i % 40}"
            ),
        }
        for i in range(start, start + size)
    ]


@dataclass
class Run:
    """What the test did and saw, printed at the end and copied into docs/bench-chaos.md."""

    client: Client
    accepted: int = 0
    posted_while_redis_down: int = 0
    sweeps: int = 0
    faults: list[str] = field(default_factory=list)

    def post(self, start: int) -> None:
        response = self.client.post(
            "/api/v1/ingest/", {"ads": synthetic_batch(start)}, content_type="application/json"
        )
        assert response.status_code == 200, response.content[:500]
        assert response.json()["new"] == BATCH
        self.accepted += BATCH

    def sweep(self) -> None:
        pipeline.pipeline_sweep(older_than=timedelta(0))
        self.sweeps += 1


def _progress() -> tuple[int, int]:
    return StageRun.objects.count(), Ad.objects.failed().count()


def _settled() -> bool:
    return not Ad.objects.unfinished().filter(pipeline_status=PipelineStatus.PENDING).exists()


def _wait_for_more_runs(extra: int, timeout: float = 120) -> bool:
    target = StageRun.objects.count() + extra
    return wait_for(lambda: StageRun.objects.count() >= target, timeout=timeout, interval=0.5)


def test_no_ad_is_lost_or_processed_twice_through_every_fault(
    actors, risk_model, worker_factory, redis_control, settings
):
    settings.PIPELINE_BATCH_SIZE = 10  # many small tasks, so every fault lands mid-run
    stages = pipeline.stage_names()
    run = Run(client=Client(HTTP_AUTHORIZATION=f"Token {actors.token_x}"))
    worker = worker_factory(PIPELINE_BATCH_SIZE="10")
    worker.start()
    started = time.monotonic()

    # 1. A pool child dies by SIGKILL mid-task: its message must come back.
    for start in range(0, 500, BATCH):
        run.post(start)
    assert _wait_for_more_runs(50), worker.log_tail()
    assert worker.kill_a_child(), "the worker has no pool child to kill"
    run.faults.append("SIGKILL one pool child")

    # 2. The whole worker dies; ads keep arriving with no worker at all; a new worker starts.
    for start in range(500, 800, BATCH):
        run.post(start)
    assert _wait_for_more_runs(50), worker.log_tail()
    worker.kill()
    run.faults.append("SIGKILL the whole worker")
    for start in range(800, 1000, BATCH):
        run.post(start)
    worker.start()
    run.sweep()

    # 3. Redis goes down (queued and reserved messages are lost); the API keeps accepting ads.
    assert _wait_for_more_runs(50), worker.log_tail()
    redis_control.stop()
    run.faults.append("Redis shutdown nosave")
    try:
        for start in range(1000, 1400, BATCH):
            run.post(start)
            run.posted_while_redis_down += BATCH
    finally:
        redis_control.start()
    fresh = Ad.objects.filter(external_id__in=[f"chaos-{i}" for i in range(1000, 1400)])
    assert fresh.count() == run.posted_while_redis_down
    run.sweep()

    # 4. PostgreSQL drops every worker connection, twice, while ads arrive.
    for start in range(1400, N_ADS, BATCH):
        if start in (1400, 1700):
            assert _wait_for_more_runs(30), worker.log_tail()
            killed = cut_database_connections()
            run.faults.append(f"pg_terminate_backend ({killed} sessions)")
        run.post(start)
    posted_at = time.monotonic()

    # Drain: sweep like beat would, but only when nothing moves (so a slow stage is not resent).
    last, last_change = _progress(), time.monotonic()
    while not _settled() and time.monotonic() - posted_at < DRAIN_TIMEOUT:
        time.sleep(1)
        now = _progress()
        if now != last:
            last, last_change = now, time.monotonic()
        elif time.monotonic() - last_change > STALL_SECONDS:
            run.sweep()
            last_change = time.monotonic()
    drained = time.monotonic()
    unfinished = Ad.objects.unfinished().filter(pipeline_status=PipelineStatus.PENDING).count()
    assert unfinished == 0, f"{unfinished} ads never finished\n{worker.log_tail()}"

    # Every accepted ad is stored; each either ran every stage exactly once or is visibly failed.
    assert Ad.objects.count() == run.accepted == N_ADS
    per_run = StageRun.objects.values("ad", "revision", "stage").annotate(n=Count("id"))
    duplicates = per_run.filter(n__gt=1).count()
    done = Ad.objects.filter(pipeline_stage=PIPELINE_DONE)
    failed = Ad.objects.failed()
    assert done.count() + failed.count() == N_ADS
    assert not failed.filter(pipeline_error="").exists(), "a failed ad carries no error"
    complete = (
        StageRun.objects.filter(ad__in=done)
        .values("ad")
        .annotate(n=Count("stage", distinct=True))
        .filter(n=len(stages))
        .count()
    )
    assert complete == done.count(), "an ad marked done skipped a stage"
    assert duplicates == 0, "a stage ran twice for the same ad revision"

    checked, problems = audit_verify_chain()
    assert problems == [], problems[:5]
    call_command("verify_evidence", "--no-progress")  # raises CommandError on any bad capture

    print(  # noqa: T201 - the figures for docs/bench-chaos.md
        f"\nchaos run: stages {'+'.join(stages)}; faults: {'; '.join(run.faults)}"
        f"\n  ads in {run.accepted} (of which {run.posted_while_redis_down} while Redis was down), "
        f"done {done.count()}, failed {failed.count()}, duplicates {duplicates}, "
        f"lost {N_ADS - done.count() - failed.count()}"
        f"\n  stage runs {StageRun.objects.count()}, sweeps {run.sweeps}, "
        f"audit events verified {checked}, evidence verified {N_ADS} captures"
        f"\n  time to drain after the last post {drained - posted_at:.0f} s, "
        f"whole run {drained - started:.0f} s"
    )
