"""One FilterSet per kind of row, shared by the API and the pages: same query, same rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from cases.filters import AdFilter, QueueItemFilter
from cases.stages import ads_queue_for_review
from maps.filters import MapFilter
from tests.cases.factories import make_ad, score
from tests.maps.test_views_map import place

pytestmark = pytest.mark.django_db

ADS_API = "/api/v1/investigator/ads/"
QUEUE_API = "/api/v1/investigator/queue/"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api_ids(client: Client, url: str, params: dict) -> set[int]:
    response = client.get(url, {**params, "page_size": 200})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None
    return {row["id"] for row in body["results"]}


def _linked_ids(html: str, pattern: str) -> set[int]:
    return {int(n) for n in re.findall(pattern, html)}


@pytest.mark.parametrize(
    ("value", "on"),
    [("1", True), ("on", True), ("true", True), ("yes", False), ("0", False), ("", False)],
)
def test_a_checkbox_is_on_only_for_the_true_spellings(value, on):
    assert QueueItemFilter({"possible_minor": value}).cleaned["possible_minor"] is on
    assert MapFilter({"possible_minor": value}).cleaned["possible_minor"] is on


def test_an_indicator_code_keeps_only_the_characters_of_a_code():
    code = AdFilter({"indicator": "Youth_Cue<script>%20x:1-" + "z" * 80}).cleaned["indicator"]
    assert code.startswith("youth_cuescript20x:1-")
    assert len(code) == 60


def test_the_queue_the_search_and_the_map_read_the_same_query_the_same_way(actors):
    params = QueryDict(f"indicator=Cash_Only!&possible_minor=on&source={actors.source_a.pk}")
    read = [
        f(params, user=actors.investigator_a).cleaned
        for f in (QueueItemFilter, AdFilter, MapFilter)
    ]
    assert {r["indicator"] for r in read} == {"cash_only"}
    assert {r["possible_minor"] for r in read} == {True}
    assert {r["source"] for r in read} == {actors.source_a.pk}


def test_a_source_is_read_by_id_or_by_name_and_an_unknown_name_matches_nothing(actors):
    by_id = AdFilter({"source": str(actors.source_a.pk)}).cleaned["source"]
    by_name = AdFilter({"source": "site-a"}).cleaned["source"]
    assert by_id == by_name == actors.source_a.pk
    unknown = AdFilter({"source": "no-such-site"}, user=actors.investigator_a)
    make_ad(actors.source_a, extract=False)
    assert not unknown.qs.exists()


def test_a_filterset_without_rows_starts_from_what_its_user_may_see(actors):
    own = make_ad(actors.source_a, extract=False)
    make_ad(actors.source_b, extract=False)
    assert list(AdFilter(user=actors.investigator_a).qs) == [own]
    assert not AdFilter().qs.exists()


def _search_world(actors):
    # Each its own text: the search page folds reposts of one text into one row.
    reno = make_ad(actors.source_a, body="one", location_text="Reno, NV", extract=False)
    vegas = make_ad(actors.source_a, body="two", location_text="Las Vegas, NV", extract=False)
    shared = make_ad(actors.source_shared, body="three", location_text="Reno, NV", extract=False)
    make_ad(actors.source_b, body="four", location_text="Reno, NV", extract=False)
    score(reno, risk=0.9, codes=("new_in_town",), possible_minor=True)
    score(vegas, risk=0.6, codes=("cash_only",))
    score(shared, risk=0.4, codes=("new_in_town",), flagged=False)
    return reno, vegas, shared


@pytest.mark.parametrize(
    "params",
    [
        {"location": "reno"},
        {"indicator": "new_in_town"},
        {"possible_minor": "1"},
        {"source": "site-a"},
        {"source": "SOURCE_A"},
        {"location": "reno", "indicator": "new_in_town", "window": "90d"},
        {"flagged": "true", "min_risk": "0.5"},
    ],
)
def test_the_search_page_and_the_api_list_the_same_ads_for_the_same_filter(actors, params):
    _search_world(actors)
    params = {k: (str(actors.source_a.pk) if v == "SOURCE_A" else v) for k, v in params.items()}
    client = _client(actors.investigator_a)
    page = client.get(reverse("cases:search"), params)
    assert page.status_code == 200
    shown = _linked_ids(page.content.decode(), r'href="/cases/ads/(\d+)/"')
    listed = _api_ids(client, ADS_API, params)
    assert shown == listed
    assert shown, "the filter should choose some ads"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"location": "reno"},
        {"indicator": "cash_only"},
        {"possible_minor": "on"},
        {"status": "all", "order": "recent"},
        {"status": "dismissed"},
    ],
)
def test_the_queue_page_and_the_api_list_the_same_items_for_the_same_filter(actors, params):
    ads = _search_world(actors)
    ads_queue_for_review(list(ads))
    client = _client(actors.investigator_a)
    page = client.get(reverse("cases:queue"), params)
    assert page.status_code == 200
    shown = _linked_ids(page.content.decode(), r'id="item-(\d+)"')
    assert shown == _api_ids(client, QUEUE_API, params)


@pytest.mark.parametrize(
    "params",
    [
        {"min_risk": "0.7"},
        {"category": "massage"},
        {"possible_minor": "1"},
        {"source": "SOURCE_A"},
        {"indicator": "cash_only", "start": "2024-03-01", "end": "2024-03-31"},
    ],
)
def test_the_map_and_the_api_list_the_same_ads_for_the_same_filter(actors, params):
    when = datetime(2024, 3, 10, tzinfo=UTC)
    place(actors.source_a, lat=36.1, lng=-115.1, risk=0.9, minor=0.8, posted=when)
    place(actors.source_a, lat=36.2, lng=-115.2, risk=0.6, category="massage", posted=when)
    place(actors.source_a, lat=36.3, lng=-115.3, risk=0.8, indicators=["cash_only"], posted=when)
    place(actors.source_shared, lat=39.5, lng=-119.8, risk=0.75, category="massage")
    place(actors.source_b, lat=39.5, lng=-119.8, risk=0.95)
    params = {k: (str(actors.source_a.pk) if v == "SOURCE_A" else v) for k, v in params.items()}
    client = _client(actors.investigator_a)
    response = client.get(reverse("maps:ads"), params)
    assert response.status_code == 200
    on_map = {row["id"] for row in response.json()["ads"]}
    api = {k: v for k, v in params.items() if k not in {"start", "end"}}
    if "start" in params:
        api |= {"posted_after": f"{params['start']}T00:00:00Z"}
        api |= {"posted_before": "2024-04-01T00:00:00Z"}
    assert on_map == _api_ids(client, ADS_API, api)
    assert on_map


def test_the_api_refuses_a_bad_value_and_the_page_drops_it_and_says_what_to_fix(actors):
    _search_world(actors)
    client = _client(actors.investigator_a)
    assert client.get(QUEUE_API, {"window": "week"}).status_code == 400
    assert client.get(ADS_API, {"min_risk": "2"}).status_code == 400
    page = client.get(reverse("cases:queue"), {"window": "week", "location": "reno"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="f-window-error"' in html and "week is not one of the available" in html
    assert 'value="reno"' in html


def test_the_queue_page_says_how_many_items_match(actors):
    ads_queue_for_review(list(_search_world(actors)))
    client = _client(actors.investigator_a)
    html = client.get(reverse("cases:queue")).content.decode()
    assert re.search(r'id="queue-total"><strong>2</strong> items match these', html)
    html = client.get(reverse("cases:queue"), {"indicator": "cash_only"}).content.decode()
    assert re.search(r'id="queue-total"><strong>1</strong> item matches these', html)
