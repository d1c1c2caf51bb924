"""The map rollup (PostgreSQL): the same answers as the live rows, for every role, after writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection

from ads.models import Ad
from analytics.models import AdScore
from maps import rollup
from maps.filters import MapFilter
from maps.models import AdLocation, MapRollup
from maps.selectors import grid
from maps.selectors.filters import BBox, visible_locations
from maps.services import locations_refresh_scores
from tests.conftest import ALL_ACTORS
from tests.maps.test_views_map import place

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the rollup and its triggers exist on PostgreSQL"
)
US = {"south": 20, "west": -130, "north": 55, "east": -60}
VEGAS = {"lat": 36.17, "lng": -115.14, "name": "Las Vegas, NV, US"}
RENO = {"lat": 39.53, "lng": -119.81, "name": "Reno, NV, US"}
NYC = {"lat": 40.71, "lng": -74.01, "name": "New York, NY, US"}
TEXAS = {"lat": 31.0, "lng": -99.0, "name": "TX, US", "precision": "region"}
FILTERS = [
    {},
    {"min_risk": "0.7"},
    {"min_risk": "0.5", "source": "SOURCE"},
    {"possible_minor": "1"},
    {"category": "massage"},
    {"indicator": "third_party"},
    {"source": "SOURCE"},
]


def _user(actors: Any, actor: str) -> Any:
    return getattr(actors, actor, None) or AnonymousUser()


def _load(actors: Any) -> list[Ad]:
    """Ads over three sources, fine and coarse places, every band, unscored, two codes."""
    ads = []
    risks = [None, 0.05, 0.3, 0.45, 0.5, 0.69, 0.7, 0.9, 0.99]
    for i, source in enumerate([actors.source_a, actors.source_b, actors.source_shared] * 4):
        for j, where in enumerate([VEGAS, RENO, NYC, TEXAS]):
            risk = risks[(i + j) % len(risks)]
            ads.append(
                place(
                    source,
                    risk=risk,
                    minor=0.8 if (i + j) % 4 == 0 else 0.1,
                    category=["escort", "massage"][(i * j) % 2],
                    indicators=[["third_party"], ["new_in_town", "third_party"], []][(i + j) % 3],
                    **where,
                )
            )
    return ads


def _answer(user: Any, zoom: int, params: dict[str, str]) -> dict[str, Any]:
    data = grid.map_data(
        user=user,
        bbox=BBox.from_query(US),
        zoom=zoom,
        filters=MapFilter(params),
    )
    out = data.as_json()
    out["clusters"] = sorted(
        (c["bounds"], c["n"], c["minors"], c["max_risk"], round(c["lat"], 9), round(c["lng"], 9))
        for c in out["clusters"]
    )
    out["areas"] = sorted(
        (a["precision"], a["name"], a["n"], a["max_risk"], a["lat"], a["lng"]) for a in out["areas"]
    )
    out["points"] = sorted(p["id"] for p in out["points"])
    return out


def _assert_same_as_live(actors: Any, settings: Any) -> None:
    settings.MAP_MAX_POINTS = 2  # clusters, so the rollup's sums are used
    for actor in ALL_ACTORS:
        user = _user(actors, actor)
        for params in FILTERS:
            params = {
                k: (str(actors.source_shared.pk) if v == "SOURCE" else v) for k, v in params.items()
            }
            settings.MAP_ROLLUP = True
            assert grid.rollup_slice(MapFilter(params)) is not None
            for zoom in (3, 6):
                settings.MAP_ROLLUP = True
                summed = _answer(user, zoom, params)
                settings.MAP_ROLLUP = False
                live = _answer(user, zoom, params)
                assert summed == live, (actor, params, zoom)


def _rollup_rows() -> list[tuple[Any, ...]]:
    fields = [f.name for f in MapRollup._meta.fields if f.name != "id"]
    return sorted(MapRollup.objects.values_list(*fields))


@postgres_only
def test_the_rollup_answers_as_the_live_rows_for_every_role_and_filter(actors, settings):
    _load(actors)
    assert MapRollup.objects.exists()
    _assert_same_as_live(actors, settings)


@postgres_only
def test_partners_and_strangers_get_nothing_from_the_rollup(actors, settings):
    _load(actors)
    settings.MAP_ROLLUP = True
    assert MapRollup.objects.exists()
    for actor in ("partner_x", "anonymous", "auditor"):
        assert not visible_locations(_user(actors, actor)).exists()
        data = grid.map_data(
            user=_user(actors, actor),
            bbox=BBox.from_query(US),
            zoom=4,
            filters=MapFilter(),
        )
        assert data.total == 0 and not data.clusters and not data.areas and not data.points


@postgres_only
def test_the_triggers_follow_rescores_deletes_and_moves(actors, settings):
    ads = _load(actors)
    # A re-score through the service lowers the riskiest ads: the maxima must come down too.
    top = list(AdScore.objects.filter(risk__gte=0.9).values_list("ad_id", flat=True))
    assert top
    AdScore.objects.filter(ad_id__in=top).update(risk=0.1, indicator_codes=["cash_only"])
    locations_refresh_scores(ad_ids=top)
    # Retention deletes ads: the map rows go by cascade, not through a maps service.
    Ad.objects.filter(pk__in=[a.pk for a in ads[:5]]).delete()
    # A geocode correction moves an ad to another place.
    AdLocation.objects.filter(ad_id=ads[6].pk).update(lat=NYC["lat"], lng=NYC["lng"], name="x")
    # An update that changes nothing the rollup keeps must not disturb it.
    AdLocation.objects.update(geocoder_version="v2")
    _assert_same_as_live(actors, settings)
    maintained = _rollup_rows()
    assert rollup.rollup_rebuild() == len(maintained)
    assert _rollup_rows() == maintained
    assert not MapRollup.objects.filter(n__lte=0).exists()


@postgres_only
def test_the_rebuild_command_recovers_a_damaged_rollup(actors, settings):
    _load(actors)
    expected = _rollup_rows()
    MapRollup.objects.filter(slicing=0).update(n=999)
    MapRollup.objects.filter(slicing=2).delete()
    call_command("rebuild_map_rollup", verbosity=0)
    assert _rollup_rows() == expected


@postgres_only
def test_filters_the_rollup_cannot_answer_go_to_the_live_rows():
    for params in (
        {"start": "2024-01-01"},
        {"end": "2024-01-01"},
        {"min_risk": "0.65"},
        {"category": "massage", "min_risk": "0.7"},
        {"possible_minor": "1", "indicator": "third_party"},
    ):
        assert grid.rollup_slice(MapFilter(params)) is None, params
    assert grid.rollup_slice(MapFilter({"min_risk": "0.9"}))[0] == 2


def test_without_postgresql_or_when_switched_off_the_map_reads_the_live_rows(actors, settings):
    settings.MAP_ROLLUP = False
    assert grid.rollup_slice(MapFilter()) is None
    settings.MAP_ROLLUP = True
    expected = connection.vendor == "postgresql"
    assert (grid.rollup_slice(MapFilter()) is not None) is expected
    vegas = place(actors.source_a, risk=0.8, indicators=["third_party"], **VEGAS)
    place(actors.source_a, risk=0.8, indicators=["new_in_town"], **VEGAS)
    data = grid.map_data(
        user=actors.admin,
        bbox=BBox.from_query(US),
        zoom=4,
        filters=MapFilter({"indicator": "third_party"}),
    )
    assert [p["id"] for p in data.points] == [vegas.pk]


def test_a_rescore_copies_the_indicator_codes_onto_the_map_row(actors):
    ad = place(actors.source_a, risk=0.8, indicators=["third_party"], **VEGAS)
    AdScore.objects.filter(ad=ad).update(indicator_codes=["new_in_town"], risk=0.2)
    locations_refresh_scores(ad_ids=[ad.pk])
    location = AdLocation.objects.get(ad=ad)
    assert location.indicator_codes == ["new_in_town"] and location.risk == 0.2
