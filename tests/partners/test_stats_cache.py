"""Regional statistics are shared through the cache for a short time, and every call is still
audited; a cache that is down never refuses the figures."""

from __future__ import annotations

import pytest

from ads.models import Ad
from audit.models import AuditEvent
from tests.partners.world import token_client

STATS = "/api/v1/partner/stats/"

pytestmark = pytest.mark.django_db


def _nv_counts(body: dict) -> list[int | None]:
    return [row["ads"] for row in body["results"] if row["region"] == "US-NV"]


def test_statistics_are_shared_for_the_cache_time_and_every_call_is_audited(
    actors, world, settings
):
    settings.PARTNER_STATS_CACHE_SECONDS = 60
    first = token_client(actors.token_x).get(STATS, {"weeks": 12}).json()
    Ad.objects.filter(pk__in=[a.pk for a in world.bulk_nv]).delete()
    # Another partner asking the same question within the minute gets the same figures.
    second = token_client(actors.token_y).get(STATS, {"weeks": 12}).json()
    assert second == first
    calls = AuditEvent.objects.filter(object_type="region_stats").order_by("pk")
    assert [e.actor_username for e in calls] == ["partner-x", "partner-y"]
    assert [e.detail["returned"] for e in calls] == [
        [f"{r['region']}/{r['week']}" for r in first["results"]]
    ] * 2


def test_with_no_cache_time_the_statistics_are_computed_on_every_call(actors, world, settings):
    settings.PARTNER_STATS_CACHE_SECONDS = 0
    client = token_client(actors.token_x)
    before = client.get(STATS, {"weeks": 12}).json()
    Ad.objects.filter(pk__in=[a.pk for a in world.bulk_nv]).delete()
    after = client.get(STATS, {"weeks": 12}).json()
    assert _nv_counts(before) != _nv_counts(after)


def test_a_cache_that_is_down_does_not_refuse_the_statistics(actors, world, settings, monkeypatch):
    from django.core.cache.backends.redis import RedisCache

    settings.PARTNER_STATS_CACHE_SECONDS = 60
    # A real Redis client for an address where nothing listens: every cache call fails.
    monkeypatch.setattr("partners.selectors.cache", RedisCache("redis://127.0.0.1:1/0", {}))
    response = token_client(actors.token_x).get(STATS, {"weeks": 12})
    assert response.status_code == 200
    assert _nv_counts(response.json())
