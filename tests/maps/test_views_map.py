"""Map pages and JSON: who may see them, what they return, filters, precision, the audit."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.urls import reverse

from ads.models import Ad, Entity, EntityOccurrence, Source
from analytics.models import AdScore
from audit.models import Action, AuditEvent
from maps.filters import MapFilter
from maps.models import AdLocation
from maps.selectors.charts import charts
from maps.selectors.filters import visible_locations
from tests.conftest import ALL_ACTORS

pytestmark = pytest.mark.django_db

DESK = {"investigator_a", "investigator_b", "supervisor_a", "admin"}
HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
_ids = iter(range(1, 1_000_000))


def place(
    source: Source,
    *,
    lat: float | None,
    lng: float | None,
    precision: str = "city",
    name: str = "Las Vegas, NV, US",
    risk: float | None = 0.8,
    minor: float | None = 0.1,
    category: str = "escort",
    posted: datetime | None = None,
    title: str = "ad",
    indicators: list[str] | None = None,
    cues: list[dict[str, Any]] | None = None,
) -> Ad:
    """A synthetic ad with its map row (and a score when risk is given)."""
    posted = posted or datetime(2024, 3, 1, 12, tzinfo=UTC)
    ad = Ad.objects.create(
        source=source,
        external_id=f"e{next(_ids)}",
        title=title,
        body="body",
        content_hash="h",
        posted_at=posted,
    )
    if risk is not None:
        AdScore.objects.create(
            ad=ad,
            risk=risk,
            minor=minor,
            category=category,
            model_version="m",
            revision=1,
            flagged=risk >= 0.5,
            possible_minor=minor is not None and minor >= 0.5,
            indicator_codes=indicators or [],
        )
    AdLocation.objects.create(
        ad=ad,
        lat=lat,
        lng=lng,
        precision=precision,
        name=name if lat is not None else "",
        geocoder_version="test",
        posted_at=posted,
        source_id_copy=source.pk,
        risk=risk,
        minor=minor,
        # The score's flags, copied as the geocode stage copies them.
        flagged=risk is not None and risk >= 0.5,
        possible_minor=risk is not None and minor is not None and minor >= 0.5,
        category=category,
        indicator_codes=indicators or [],
        travel_cues=cues or [],
    )
    return ad


def get_json(client, url_name: str, **params: Any) -> dict[str, Any]:
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200, response.content[:300]
    return response.json()


US = {"south": 20, "west": -130, "north": 55, "east": -60}


@pytest.mark.parametrize("actor", ALL_ACTORS)
@pytest.mark.parametrize("name", ["maps:map", "maps:data", "maps:ads", "maps:charts"])
def test_only_the_desk_reaches_the_map_pages_and_data(actors, actor, name):
    response = actors.client_for(actor).get(reverse(name))
    if actor in DESK:
        assert response.status_code == 200
    elif actor == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("actor", ALL_ACTORS)
def test_the_fast_visibility_filter_gives_the_same_rows_as_visible_to(actors, actor):
    for source in (actors.source_a, actors.source_b, actors.source_shared):
        place(source, lat=36.2, lng=-115.1)
    user = getattr(actors, actor, None)
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    fast = set(visible_locations(user).values_list("ad_id", flat=True))
    assert fast == set(AdLocation.objects.visible_to(user).values_list("ad_id", flat=True))


def test_a_row_without_its_source_copy_is_hidden_not_shown(actors):
    ad = place(actors.source_a, lat=36.2, lng=-115.1)
    AdLocation.objects.filter(ad=ad).update(source_id_copy=None)
    assert not visible_locations(actors.admin).exists()


def test_an_investigator_sees_her_units_and_shared_ads_but_not_another_units(actors):
    mine = place(actors.source_a, lat=36.2, lng=-115.1)
    shared = place(actors.source_shared, lat=29.8, lng=-95.4, name="Houston, TX, US")
    theirs = place(actors.source_b, lat=40.7, lng=-74.0, name="New York, NY, US")
    data = get_json(actors.client_for("investigator_a"), "maps:data", zoom=4, **US)
    assert data["mode"] == "points"
    assert {p["id"] for p in data["points"]} == {mine.pk, shared.pk}
    data_b = get_json(actors.client_for("investigator_b"), "maps:data", zoom=4, **US)
    assert theirs.pk in {p["id"] for p in data_b["points"]}
    assert mine.pk not in {p["id"] for p in data_b["points"]}


def test_many_ads_come_back_as_grid_clusters_whose_counts_add_up(actors, settings):
    settings.MAP_MAX_POINTS = 3
    for i in range(4):
        place(actors.source_a, lat=36.10 + i * 0.01, lng=-115.10)
    for _ in range(2):
        place(actors.source_a, lat=40.7, lng=-74.0, name="New York, NY, US")
    data = get_json(actors.client_for("admin"), "maps:data", zoom=4, **US)
    assert data["mode"] == "clusters" and data["points"] == []
    counts = sorted(c["n"] for c in data["clusters"])
    assert counts == [2, 4] and data["total"] == 6
    for cluster in data["clusters"]:
        south, west, north, east = cluster["bounds"]
        assert south <= cluster["lat"] <= north and west <= cluster["lng"] <= east


def test_zooming_in_splits_a_cluster_into_finer_cells(actors, settings):
    settings.MAP_MAX_POINTS = 1
    place(actors.source_a, lat=36.10, lng=-115.10)
    place(actors.source_a, lat=36.30, lng=-115.30)
    box = {"south": 35, "west": -116, "north": 37, "east": -114}
    assert len(get_json(actors.client_for("admin"), "maps:data", zoom=4, **box)["clusters"]) == 1
    assert len(get_json(actors.client_for("admin"), "maps:data", zoom=10, **box)["clusters"]) == 2


def test_the_bounding_box_limits_what_is_returned(actors):
    vegas = place(actors.source_a, lat=36.2, lng=-115.1)
    place(actors.source_a, lat=40.7, lng=-74.0, name="New York, NY, US")
    box = {"south": 35, "west": -116, "north": 37, "east": -114}
    data = get_json(actors.client_for("admin"), "maps:data", zoom=8, **box)
    assert [p["id"] for p in data["points"]] == [vegas.pk]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"min_risk": "0.7"}, {"high"}),
        ({"possible_minor": "1"}, {"minor"}),
        ({"category": "massage"}, {"massage"}),
        ({"start": "2024-05-01", "end": "2024-05-31"}, {"may"}),
        ({"indicator": "youthful_language"}, {"youthful"}),
    ],
)
def test_each_filter_changes_what_the_map_shows(actors, params, expected):
    ads = {
        "high": place(actors.source_a, lat=36.2, lng=-115.1, risk=0.9),
        "minor": place(actors.source_a, lat=36.2, lng=-115.1, risk=0.5, minor=0.8),
        "massage": place(actors.source_a, lat=36.2, lng=-115.1, risk=0.5, category="massage"),
        "may": place(
            actors.source_a,
            lat=36.2,
            lng=-115.1,
            risk=0.5,
            posted=datetime(2024, 5, 10, tzinfo=UTC),
        ),
        "youthful": place(
            actors.source_a,
            lat=36.2,
            lng=-115.1,
            risk=0.5,
            indicators=["youthful_language", "trust_x"],
        ),
    }
    data = get_json(actors.client_for("admin"), "maps:data", zoom=5, **US, **params)
    got = {name for name, ad in ads.items() if ad.pk in {p["id"] for p in data["points"]}}
    assert got == expected


def test_the_source_filter_cannot_reach_an_invisible_source(actors):
    place(actors.source_b, lat=36.2, lng=-115.1)
    data = get_json(
        actors.client_for("investigator_a"), "maps:data", zoom=5, source=actors.source_b.pk, **US
    )
    assert data["total"] == 0 and data["points"] == [] and data["areas"] == []


def test_the_case_status_filter_follows_the_queue_and_open_cases(actors):
    from cases.models import Case, ItemKind, QueueItem

    escalated = place(actors.source_a, lat=36.2, lng=-115.1)
    in_case = place(actors.source_a, lat=36.2, lng=-115.1)
    place(actors.source_a, lat=36.2, lng=-115.1)
    QueueItem.objects.create(kind=ItemKind.AD, ad=escalated, status="escalated")
    case = Case.objects.create(
        number="2024-0001", title="t", unit=actors.unit_a, created_by=actors.investigator_a
    )
    case.ads.add(in_case)
    client = actors.client_for("admin")
    data = get_json(client, "maps:data", zoom=5, case_status="escalated", **US)
    assert [p["id"] for p in data["points"]] == [escalated.pk]
    data = get_json(client, "maps:data", zoom=5, case_status="in_case", **US)
    assert [p["id"] for p in data["points"]] == [in_case.pk]


def test_state_and_area_code_locations_are_areas_of_uncertainty_not_pins(actors):
    city = place(actors.source_a, lat=36.2, lng=-115.1)
    for _ in range(3):
        place(actors.source_a, lat=31.0, lng=-99.0, precision="region", name="Texas, US")
    place(actors.source_a, lat=None, lng=None, precision="unknown")
    data = get_json(actors.client_for("admin"), "maps:data", zoom=4, **US)
    assert [p["id"] for p in data["points"]] == [city.pk]
    assert data["points"][0]["radius_km"] > 0
    (area,) = data["areas"]
    assert (area["precision"], area["name"], area["n"]) == ("region", "Texas, US", 3)
    assert area["radius_km"] >= 100


def test_the_ads_of_an_area_are_listed_by_its_place_and_precision(actors):
    texas = [
        place(actors.source_a, lat=31.0, lng=-99.0, precision="region", name="Texas, US", risk=r)
        for r in (0.2, 0.9)
    ]
    place(actors.source_a, lat=31.0, lng=-99.0, precision="city", name="Somewhere, TX, US")
    data = get_json(
        actors.client_for("admin"),
        "maps:ads",
        south=30.9,
        west=-99.1,
        north=31.1,
        east=-98.9,
        precision="region",
        name="Texas, US",
    )
    assert [a["id"] for a in data["ads"]] == [texas[1].pk, texas[0].pk]
    assert data["ads"][0]["url"] == reverse("cases:ad", args=[texas[1].pk])


def test_the_ads_behind_a_cluster_are_listed_riskiest_first_and_only_visible_ones(actors):
    low = place(actors.source_a, lat=36.2, lng=-115.1, risk=0.3)
    high = place(actors.source_shared, lat=36.21, lng=-115.1, risk=0.95, title=HOSTILE)
    place(actors.source_b, lat=36.2, lng=-115.1, risk=0.99)
    data = get_json(
        actors.client_for("investigator_a"), "maps:ads", south=36, west=-116, north=37, east=-115
    )
    assert [a["id"] for a in data["ads"]] == [high.pk, low.pk]
    assert data["ads"][0]["title"] == HOSTILE  # data, to be set with textContent by the page


def test_every_map_data_request_is_audited_with_its_filters_and_ids(actors):
    ad = place(actors.source_a, lat=36.2, lng=-115.1)
    client = actors.client_for("investigator_a")
    get_json(client, "maps:data", zoom=6, min_risk="0.5", category="escort", **US)
    event = AuditEvent.objects.filter(action=Action.SEARCH).latest("pk")
    assert event.actor_id == actors.investigator_a.pk
    assert event.detail["filters"] == {"min_risk": 0.5, "category": "escort"}
    assert event.detail["ids"] == [ad.pk]
    get_json(client, "maps:ads", south=36, west=-116, north=37, east=-115)
    listed = AuditEvent.objects.filter(action=Action.LIST, object_type="ad").latest("pk")
    assert listed.detail["ids"] == [ad.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"south": "nan", "north": "inf", "west": "1e999", "east": "x", "zoom": "99999999"},
        {"south": "10", "north": "-10", "west": "170", "east": "-170", "zoom": "-3"},
        {"min_risk": "7", "start": "not a date", "source": "1" * 40, "indicator": "<b>"},
    ],
)
def test_hostile_or_odd_parameters_are_clamped_not_errors(actors, params):
    place(actors.source_a, lat=36.2, lng=-115.1)
    data = get_json(actors.client_for("admin"), "maps:data", **params)
    assert data["total"] >= 0


def test_the_map_page_hands_its_data_over_with_json_script_and_no_inline_script(actors):
    place(actors.source_a, lat=36.2, lng=-115.1, title=HOSTILE)
    html = actors.client_for("investigator_a").get(reverse("maps:map")).content.decode()
    assert '<script id="map-config" type="application/json">' in html
    assert "<script>" not in html and "onerror" not in html
    assert "static/maps/map.js" in html and "vendor/leaflet/leaflet.js" in html
    assert 'name="case_status"' in html  # the cases app is installed


def _entity_with_ads(actors) -> tuple[Entity, list[Ad]]:
    entity = Entity.objects.create(kind="phone", value="+17025550143")
    ads = [
        place(
            actors.source_a,
            lat=29.8,
            lng=-95.4,
            name="Houston, TX, US",
            posted=datetime(2024, 3, 3, tzinfo=UTC),
            title="second",
        ),
        place(
            actors.source_a,
            lat=36.2,
            lng=-115.1,
            posted=datetime(2024, 3, 1, tzinfo=UTC),
            title="first",
            cues=[
                {
                    "kind": "area_code_far_from_posting",
                    "phone": "+17025550143",
                    "message": "area code far away",
                    "area_code_place": "x",
                }
            ],
        ),
        place(actors.source_a, lat=None, lng=None, precision="unknown"),
    ]
    for ad in ads:
        EntityOccurrence.objects.create(entity=entity, ad=ad, revision=1, start=0, end=1)
    return entity, ads


def test_the_movement_view_puts_an_entitys_ads_in_time_order_with_its_travel_cues(actors):
    entity, ads = _entity_with_ads(actors)
    response = actors.client_for("investigator_a").get(reverse("maps:movement", args=[entity.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    config = json.loads(
        html.split('<script id="map-config" type="application/json">')[1].split("</script>")[0]
    )
    assert [s["id"] for s in config["stops"]] == [ads[1].pk, ads[0].pk]
    assert "area code far away" in html
    assert "1 without a usable location" in html
    event = AuditEvent.objects.filter(action=Action.VIEW, object_type="entity").latest("pk")
    assert event.detail["ads"] == [ads[1].pk, ads[0].pk]


def test_another_unit_cannot_see_an_entitys_movement(actors):
    entity, _ = _entity_with_ads(actors)
    response = actors.client_for("investigator_b").get(reverse("maps:movement", args=[entity.pk]))
    assert response.status_code == 404


def test_the_charts_count_flagged_ads_per_city_and_week_from_visible_ads_only(actors):
    for day in (4, 5, 12):
        place(
            actors.source_a,
            lat=36.2,
            lng=-115.1,
            risk=0.9,
            posted=datetime(2024, 3, day, tzinfo=UTC),
            indicators=["youthful_language"],
        )
    place(actors.source_a, lat=29.8, lng=-95.4, name="Houston, TX, US", risk=0.2)
    place(actors.source_b, lat=40.7, lng=-74.0, name="New York, NY, US", risk=0.95)
    data = charts(user=actors.investigator_a, filters=MapFilter())
    assert data.weeks == ["2024-03-04", "2024-03-11"]
    assert data.cities == [{"name": "Las Vegas, NV, US", "total": 3, "series": [2, 1]}]
    assert data.risk_bins[9] == 3 and data.risk_bins[2] == 1 and sum(data.risk_bins) == 4
    assert data.indicators == [{"code": "youthful_language", "n": 3}]
    assert data.flagged_total == 3
    response = actors.client_for("investigator_a").get(reverse("maps:charts"))
    assert response.status_code == 200
    assert "New York" not in response.content.decode()


def test_an_end_date_includes_the_whole_day(actors):
    evening = place(
        actors.source_a, lat=36.2, lng=-115.1, posted=datetime(2024, 5, 15, 22, tzinfo=UTC)
    )
    data = get_json(
        actors.client_for("admin"), "maps:data", zoom=5, start="2024-05-15", end="2024-05-15", **US
    )
    assert [p["id"] for p in data["points"]] == [evening.pk]
