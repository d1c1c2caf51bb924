"""The pipeline mechanism: exactly once, isolated failures, dead letter, sweep (embedded mode)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from ads import pipeline
from ads.models import PIPELINE_DONE, Ad, PipelineStatus, StageRun
from ads.readers import records_from_payload
from ads.services import ads_ingest

pytestmark = pytest.mark.django_db(transaction=True)

STAGES = [("first", "tests.ads.stages.mark_seen"), ("second", "tests.ads.stages.fail_on_poison")]


@pytest.fixture
def two_stages(settings, monkeypatch):
    monkeypatch.setattr(pipeline, "STAGES", STAGES)
    settings.PIPELINE_BATCH_SIZE = 4
    settings.PIPELINE_MAX_ATTEMPTS = 2
    return settings


def _ingest(source, bodies: list[str]) -> list[int]:
    rows = [{"external_id": str(i), "body": body} for i, body in enumerate(bodies)]
    return ads_ingest(source=source, rows=records_from_payload(rows)).ad_ids


def test_every_ad_runs_every_stage_exactly_once(actors, two_stages):
    _ingest(actors.source_a, [f"ad {i}" for i in range(10)])
    assert set(Ad.objects.values_list("pipeline_stage", flat=True)) == {PIPELINE_DONE}
    assert StageRun.objects.count() == 20
    assert set(Ad.objects.values_list("language", flat=True)) == {"s"}
    # Running a stage again for the same ads does nothing: they no longer wait for it.
    assert (
        pipeline.stage_run_batch(
            stage_name="first", ad_ids=list(Ad.objects.values_list("pk", flat=True))
        )
        == []
    )
    assert StageRun.objects.count() == 20


def test_a_poisonous_ad_fails_alone_and_is_parked_with_its_error(actors, two_stages):
    _ingest(actors.source_a, ["fine", "POISON pill", "also fine"])
    poison = Ad.objects.get(body__startswith="POISON")
    assert poison.pipeline_stage == "second"
    assert poison.pipeline_attempts == 1 and poison.pipeline_status == PipelineStatus.PENDING
    pipeline.stage_run_batch(stage_name="second", ad_ids=[poison.pk])
    poison.refresh_from_db()
    assert poison.pipeline_status == PipelineStatus.FAILED
    assert "ValueError: cannot process ad" in poison.pipeline_error
    assert Ad.objects.filter(pipeline_stage=PIPELINE_DONE).count() == 2
    report = pipeline.pipeline_status_report()
    assert report["failed"]["second"] == 1


def test_failed_ads_can_be_retried_after_a_fix(actors, two_stages, monkeypatch):
    _ingest(actors.source_a, ["POISON"])
    ad = Ad.objects.get()
    pipeline.stage_run_batch(stage_name="second", ad_ids=[ad.pk])
    monkeypatch.setattr(pipeline, "STAGES", (STAGES[0], ("second", "tests.ads.stages.mark_seen")))
    assert pipeline.ads_retry_failed() == 1
    ad.refresh_from_db()
    assert ad.pipeline_stage == PIPELINE_DONE


def test_the_sweep_re_enqueues_work_that_was_committed_but_never_run(actors, two_stages, settings):
    settings.PIPELINE_ENQUEUE = False  # as if the broker lost every message
    _ingest(actors.source_a, ["a", "b", "c"])
    assert set(Ad.objects.values_list("pipeline_stage", flat=True)) == {"first"}
    settings.PIPELINE_ENQUEUE = True
    assert pipeline.pipeline_sweep(older_than=timedelta(hours=1)) == {}
    counts = pipeline.pipeline_sweep(older_than=timedelta(0))
    assert counts == {"first": 3}
    assert set(Ad.objects.values_list("pipeline_stage", flat=True)) == {PIPELINE_DONE}
    assert StageRun.objects.filter(stage="first").count() == 3


def test_a_new_revision_goes_through_the_pipeline_again(actors, two_stages):
    _ingest(actors.source_a, ["v1"])
    _ingest(actors.source_a, ["v2"])
    runs = list(StageRun.objects.order_by("revision", "stage").values_list("revision", "stage"))
    assert runs == [(1, "first"), (1, "second"), (2, "first"), (2, "second")]


def test_pipeline_status_command_reports_backlog(actors, two_stages, settings):
    settings.PIPELINE_ENQUEUE = False
    _ingest(actors.source_a, ["a", "b"])
    out = StringIO()
    call_command("pipeline_status", stdout=out)
    assert "first" in out.getvalue() and "       2" in out.getvalue()
    out = StringIO()
    settings.PIPELINE_ENQUEUE = True
    call_command("pipeline_status", "--sweep", "--older-than", "0", stdout=out)
    assert "re-enqueued: {'first': 2}" in out.getvalue()
