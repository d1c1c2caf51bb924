"""No stragglers: every ad waiting for a stage is carried by a queued or running task, also when
another transaction holds its row at the claim, and pipeline_status counts those that are not."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from ads import pipeline
from ads.models import PIPELINE_DONE, Ad, StageRun
from ads.readers import records_from_payload
from ads.services import ads_ingest
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _ingest(source, count: int, prefix: str) -> list[int]:
    rows = [
        {
            "external_id": f"{prefix}{i}",
            "title": f"Ad {prefix}{i}",
            "body": f"New in town {i}, call 702 555 {i:04d} or {prefix}{i}@example.org",
        }
        for i in range(count)
    ]
    return ads_ingest(source=source, rows=records_from_payload(rows)).ad_ids


def _other_connection() -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        dbname=db["NAME"],
    )


@pytest.mark.full_pipeline
def test_ads_locked_at_the_claim_are_sent_again_and_finish_without_the_sweep(
    actors, risk_model, worker_factory, settings, tmp_path
):
    settings.PIPELINE_BATCH_SIZE = 8
    ids = _ingest(actors.source_a, 24, "l")  # queued in Redis; no worker yet
    locked, pointed_at = ids[3:6], ids[10:13]
    other = _other_connection()
    try:
        # What an ingest of unchanged ads does (an UPDATE: FOR NO KEY UPDATE on the rows), and
        # what an insert referencing an ad does (FOR KEY SHARE), held by another transaction.
        other.execute("UPDATE ads_ad SET last_seen_at = last_seen_at WHERE id = ANY(%s)", [locked])
        other.execute("SELECT 1 FROM ads_ad WHERE id = ANY(%s) FOR KEY SHARE", [pointed_at])
        # The beat sweep is not running: only the tasks can bring these ads through.
        worker = worker_factory(PIPELINE_SWEEP_AFTER_SECONDS="3600")
        worker.start()
        free = [pk for pk in ids if pk not in locked]
        assert wait_for(
            lambda: (
                Ad.objects.filter(pk__in=free, pipeline_stage=PIPELINE_DONE).count() == len(free)
            ),
            timeout=300,
        ), worker.log_tail()
        # A key-share lock does not stop a stage; the locked ads still wait at the first stage,
        # each carried by a delayed re-send.
        assert set(Ad.objects.filter(pk__in=locked).values_list("pipeline_stage", flat=True)) == {
            pipeline.first_stage()
        }
        carried = pipeline.broker_ad_ids()
        assert carried is not None
        assert set(locked) <= carried[pipeline.first_stage()], worker.log_tail()
        other.rollback()
        assert wait_for(
            lambda: Ad.objects.filter(pipeline_stage=PIPELINE_DONE).count() == len(ids),
            timeout=120,
        ), worker.log_tail()
    finally:
        other.close()
    per_stage = StageRun.objects.values("ad", "revision", "stage").annotate(n=Count("id"))
    assert per_stage.filter(n__gt=1).count() == 0, "a stage ran twice for the same ad"
    assert per_stage.count() == len(ids) * len(pipeline.stage_names())
    assert "locked at the claim" in worker.log_tail(400)
    assert "deadlock detected" not in (tmp_path / "worker.log").read_text()


def test_pipeline_status_counts_waiting_ads_that_no_task_carries(actors, services, settings):
    first = pipeline.first_stage()
    carried = _ingest(actors.source_a, 5, "c")  # their task messages are queued in Redis
    stranded = _ingest(actors.source_b, 3, "s")
    fresh = _ingest(actors.source_shared, 2, "f")
    import redis

    client = redis.Redis.from_url(services)
    client.flushdb()  # the messages of every ad are gone ...
    pipeline.enqueue(stage=first, ad_ids=carried)  # ... and those of `carried` sent again
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Ad.objects.filter(pk__in=[*carried, *stranded]).update(pipeline_updated_at=an_hour_ago)

    report = pipeline.pipeline_status_report()

    # Fresh ads are within the grace period (their task may be on its way after commit).
    assert report["stragglers"][first] == len(stranded)
    assert sum(report["stragglers"].values()) == len(stranded)
    assert report["backlog"][first] == len(carried) + len(stranded) + len(fresh)
    # The sweep sends the stranded ads again, not those a queued message still carries; however
    # old, an ad its message carries is no straggler.
    assert pipeline.pipeline_sweep(older_than=timedelta(minutes=30)) == {first: len(stranded)}
    Ad.objects.filter(pk__in=[*carried, *stranded]).update(pipeline_updated_at=an_hour_ago)
    assert pipeline.pipeline_status_report()["stragglers"][first] == 0
    client.flushdb()


@pytest.mark.full_pipeline
def test_a_backfill_waits_behind_fresh_ads_on_every_stage(
    actors, risk_model, worker_factory, settings
):
    settings.PIPELINE_BATCH_SIZE = 8
    with pipeline.as_backfill():
        backfill = _ingest(actors.source_a, 160, "b")  # 20 batches, queued before the fresh ones
    fresh = _ingest(actors.source_b, 8, "n")
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    first = pipeline.first_stage()
    assert client.llen(first) == 1  # the fresh batch, on the list Redis serves first
    assert client.llen(f"{first}\x06\x16{pipeline.BACKFILL_PRIORITY}") == 20
    worker = worker_factory()
    worker.start(concurrency=1)
    assert wait_for(
        lambda: Ad.objects.filter(pk__in=fresh, pipeline_stage=PIPELINE_DONE).count() == len(fresh),
        timeout=300,
    ), worker.log_tail()
    backfill_done = Ad.objects.filter(pk__in=backfill, pipeline_stage=PIPELINE_DONE).count()
    # The fresh ads went through all the stages while the backfill had barely started.
    assert backfill_done <= len(backfill) // 4, backfill_done
    assert wait_for(
        lambda: Ad.objects.filter(pipeline_stage=PIPELINE_DONE).count() == len(backfill) + 8,
        timeout=600,
    ), worker.log_tail()
