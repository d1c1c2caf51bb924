"""Offline place labels (maps:places) and the tile server's place in the Content-Security-Policy."""

from __future__ import annotations

import pytest

from core.middleware import CSP, site_csp, tiles_origin
from maps.places import MIN_GAP_X, _pixel, place_labels
from maps.selectors.filters import BBox

US = BBox(south=24.0, west=-125.0, north=50.0, east=-66.0)
LAS_VEGAS = BBox(south=35.9, west=-115.4, north=36.4, east=-114.9)


def names(bbox: BBox, zoom: int) -> list[str]:
    return [p.name for p in place_labels(bbox=bbox, zoom=zoom)]


def test_the_national_view_names_big_cities_and_states_but_not_small_towns():
    shown = names(US, 4)
    assert {"Los Angeles", "Chicago", "California", "Nevada"} <= set(shown)
    assert "Henderson" not in shown  # about 300,000 people: not at the national zoom
    assert shown.index("Los Angeles") < shown.index("California")  # big cities first


def test_a_city_zoom_names_its_suburbs_and_from_zoom_11_its_neighbourhoods():
    at_10 = names(LAS_VEGAS, 10)
    assert at_10[0] == "Las Vegas"
    assert "Henderson" in at_10
    assert "Las Vegas Strip" not in at_10
    at_12 = place_labels(bbox=LAS_VEGAS, zoom=12)
    kinds = {p.name: p.kind for p in at_12}
    assert kinds.get("Las Vegas Strip") == "neighbourhood"
    assert kinds["Las Vegas"] == "city"
    assert "Nevada" not in kinds  # state names only from zoom 4 to 7


def test_labels_are_inside_the_view_and_never_overlap_at_their_zoom():
    for bbox, zoom in ((US, 5), (LAS_VEGAS, 12)):
        labels = place_labels(bbox=bbox, zoom=zoom)
        assert labels
        assert all(bbox.south <= p.lat <= bbox.north for p in labels)
        assert all(bbox.west <= p.lng <= bbox.east for p in labels)
        points = [_pixel(p.lat, p.lng, zoom) for p in labels]
        for i, (x, y) in enumerate(points):
            for x2, y2 in points[:i]:
                assert abs(x - x2) >= MIN_GAP_X or abs(y - y2) >= 22


def test_the_world_view_and_an_empty_ocean_have_no_labels():
    assert names(BBox(south=-90, west=-180, north=90, east=180), 2) == []
    assert names(BBox(south=-40, west=-140, north=-30, east=-130), 8) == []


def test_the_view_answers_the_desk_roles_only(actors):
    url = "/maps/places.json?south=35.9&west=-115.4&north=36.4&east=-114.9&zoom=10"
    response = actors.client_for("investigator_a").get(url)
    assert response.status_code == 200
    body = response.json()
    assert body["places"][0] == {
        "name": "Las Vegas",
        "lat": pytest.approx(36.17, abs=0.05),
        "lng": pytest.approx(-115.14, abs=0.05),
        "kind": "city",
    }
    assert "private" in response["Cache-Control"]
    for name in ("partner_x", "auditor"):
        assert actors.client_for(name).get(url).status_code == 403
    assert actors.client_for("anonymous").get(url).status_code in (302, 403)


def test_a_malformed_viewport_falls_back_to_the_whole_world(actors):
    client = actors.client_for("investigator_a")
    response = client.get("/maps/places.json?south=x&west=nan&zoom=abc")
    assert response.status_code == 200
    assert len(response.json()["places"]) >= 1  # zoom 4 over the world: the biggest cities


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://127.0.0.1:8081/{z}/{x}/{y}.png", "http://127.0.0.1:8081"),
        (
            "https://user:secret@tiles.example.org:8443/{z}/{x}/{y}.png",
            "https://tiles.example.org:8443",
        ),
        ("/tiles/{z}/{x}/{y}.png", ""),
        ("javascript:alert(1)", ""),
        ("", ""),
    ],
)
def test_the_tile_servers_origin_is_what_the_policy_allows(url, origin):
    assert tiles_origin(url) == origin
    policy = site_csp(url)
    if origin:
        assert f"img-src 'self' data: blob: {origin};" in policy
        assert "secret" not in policy
    else:
        assert policy == CSP


def test_pages_allow_images_from_the_configured_tile_server_only(actors, settings):
    client = actors.client_for("investigator_a")
    assert client.get("/maps/")["Content-Security-Policy"] == CSP
    settings.MAP_TILES_URL = "http://127.0.0.1:8081/{z}/{x}/{y}.png"
    response = client.get("/maps/")
    assert (
        "img-src 'self' data: blob: http://127.0.0.1:8081;" in response["Content-Security-Policy"]
    )
    assert "http://127.0.0.1:8081/{z}/{x}/{y}.png" in response.content.decode()
