"""The admin pipeline status page: admins only; backlog, failures, oldest unfinished, throughput."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ads import pipeline
from ads.models import PIPELINE_DONE, Ad, PipelineStatus, StageRun
from ads.readers import records_from_payload
from ads.services import ads_ingest
from tests.conftest import ALL_ACTORS

pytestmark = pytest.mark.django_db

URL = "/admin/ads/ad/pipeline-status/"
EXPECTED = {
    "anonymous": 302,
    "investigator_a": 403,
    "investigator_b": 403,
    "supervisor_a": 403,
    "partner_x": 403,
    "partner_y": 403,
    "auditor": 403,
    "admin": 200,
}


def _ingest(source, count: int, prefix: str) -> list[int]:
    rows = [
        {"external_id": f"{prefix}{i}", "title": f"Listing {i}", "body": f"synthetic body {i}"}
        for i in range(count)
    ]
    return ads_ingest(source=source, rows=records_from_payload(rows)).ad_ids


def test_the_page_is_named_under_the_admin_site():
    assert reverse("admin:ads_pipeline_status") == URL


@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_only_platform_admins_see_the_pipeline_status(actors, actor):
    response = actors.client_for(actor).get(URL)
    assert response.status_code == EXPECTED[actor]


def test_backlog_failures_oldest_and_throughput_are_shown(actors):
    # Without a commit the enqueue never fires: the ads wait at the first stage (as if the broker
    # were down).
    waiting = _ingest(actors.source_a, 7, "w")
    failed = _ingest(actors.source_b, 2, "f")
    first = pipeline.stage_names()[0]
    Ad.objects.filter(pk__in=failed).update(
        pipeline_status=PipelineStatus.FAILED, pipeline_error="ValueError: synthetic failure"
    )
    oldest = waiting[3]
    Ad.objects.filter(pk=oldest).update(pipeline_updated_at=timezone.now() - timedelta(hours=2))
    done = _ingest(actors.source_shared, 4, "d")
    Ad.objects.filter(pk__in=done).update(pipeline_stage=PIPELINE_DONE)
    StageRun.objects.bulk_create([StageRun(ad_id=pk, revision=1, stage=first) for pk in done])
    # A run from yesterday is outside the hour.
    StageRun.objects.create(
        ad_id=done[0], revision=0, stage=first, finished_at=timezone.now() - timedelta(days=1)
    )

    response = actors.client_for("admin").get(URL)

    assert response.status_code == 200
    rows = {row.name: row for row in response.context["rows"]}
    assert list(rows) == pipeline.stage_names()
    assert rows[first].backlog == 7
    assert rows[first].failed == 2
    assert rows[first].completed_last_hour == 4
    assert response.context["oldest_ad"] == oldest
    assert response.context["queues"] == {"embedded": True}
    html = response.content.decode()
    assert "2 ad(s) failed" in html
    assert "?pipeline=failed" in html
    assert f"/admin/ads/ad/{oldest}/change/" in html
    assert "13 ads, 4 through every stage" in html


def test_the_failed_link_lists_exactly_the_failed_ads(actors):
    ids = _ingest(actors.source_a, 3, "x")
    Ad.objects.filter(pk=ids[1]).update(
        pipeline_status=PipelineStatus.FAILED, pipeline_error="RuntimeError: parked for the test"
    )
    page = actors.client_for("admin").get(URL)
    changelist = actors.client_for("admin").get(page.context["failed_url"])
    assert changelist.status_code == 200
    assert [ad.pk for ad in changelist.context["cl"].result_list] == [ids[1]]


def test_an_empty_system_says_nothing_is_waiting(actors):
    response = actors.client_for("admin").get(URL)
    assert response.status_code == 200
    assert "Nothing is waiting." in response.content.decode()
    assert "No failed ads." in response.content.decode()


def test_the_status_command_still_prints_every_stage(actors):
    from io import StringIO

    from django.core.management import call_command

    _ingest(actors.source_a, 2, "c")
    out = StringIO()
    call_command("pipeline_status", stdout=out)
    text = out.getvalue()
    assert "ads: 2, done: 0" in text
    for name in pipeline.stage_names():
        assert name in text


def test_the_ad_list_links_to_the_pipeline_status(actors):
    response = actors.client_for("admin").get("/admin/ads/ad/")
    assert response.status_code == 200
    assert f'href="{URL}"' in response.content.decode()


def test_each_stage_shows_its_rate_and_cpu_per_ad_over_the_last_hour(actors):
    first, second = pipeline.stage_names()[:2]
    ids = _ingest(actors.source_a, 4, "r")
    now = timezone.now()
    StageRun.objects.bulk_create(
        [
            StageRun(
                ad_id=pk,
                revision=1,
                stage=first,
                cpu_seconds=0.002 * (i + 1),
                finished_at=now - timedelta(seconds=10 * i),
            )
            for i, pk in enumerate(ids)
        ]
    )
    # Outside the hour: neither counted nor averaged.
    StageRun.objects.create(
        ad_id=ids[0], revision=0, stage=first, cpu_seconds=9.0, finished_at=now - timedelta(days=1)
    )

    response = actors.client_for("admin").get(URL)

    rows = {row.name: row for row in response.context["rows"]}
    assert rows[first].completed_last_hour == 4
    assert rows[first].cpu_ms_per_ad == 5.0  # (2 + 4 + 6 + 8) / 4 ms
    assert rows[first].busy_ads_per_second == round(4 / 30, 1)
    assert rows[second].cpu_ms_per_ad is None and rows[second].busy_ads_per_second is None
    # Embedded mode has no broker to read, so stragglers are not counted there.
    assert rows[first].stragglers is None
    assert "CPU ms per ad" in response.content.decode()
