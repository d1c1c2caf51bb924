"""A watched area drawn on a map: the form prefilled from the map's "Watch this view", and the box
drawn by dragging in Chromium (browser tests run with `pytest -m browser`)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.forms import WatchlistForm
from cases.models import WatchKind, Watchlist
from tests.maps.test_browser_map import SCREENSHOTS, _sign_in, _wait_total, browser_page  # noqa: F401
from tests.maps.test_views_map import place


def test_a_link_prefills_the_areas_edges_and_nothing_else():
    initial = WatchlistForm.initial_from_query(
        {
            "min_lat": "36.0123",
            "min_lng": "-115.5",
            "max_lat": "36.4",
            "max_lng": "-114.9",
            "value": "+17025550123",
            "label": "<b>x</b>",
        }
    )
    assert initial == {
        "min_lat": 36.012,
        "min_lng": -115.5,
        "max_lat": 36.4,
        "max_lng": -114.9,
        "kind": "area",
    }
    clamped = WatchlistForm.initial_from_query(
        {"min_lat": "-95", "min_lng": "nan", "max_lat": "1e9", "max_lng": "x"}
    )
    assert clamped == {"min_lat": -90, "max_lat": 90}  # no kind: the box is not complete


@pytest.mark.django_db
def test_the_watchlist_page_shows_a_prefilled_area_and_its_map(actors):
    client = actors.client_for("investigator_a")
    url = reverse("cases:watchlists")
    page = client.get(f"{url}?min_lat=36&min_lng=-115.5&max_lat=36.4&max_lng=-114.9").content
    html = page.decode()
    assert 'id="area-map"' in html and 'id="area-config"' in html
    assert 'name="min_lat" value="36.0"' in html
    assert '<option value="area" selected>' in html
    assert not Watchlist.objects.exists()  # a GET never creates one


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_area_is_drawn_on_the_map_and_watched(actors, live_server, browser_page):  # noqa: F811
    page, errors = browser_page
    place(actors.source_a, lat=36.17, lng=-115.14, name="Las Vegas, NV, US", risk=0.5)
    _sign_in(page, live_server.url)
    _wait_total(page, 1)
    # From the map: "Watch this view" opens the form with the view's box, drawn on its map.
    page.goto(f"{live_server.url}/maps/?at=36.1500,-115.1500,10")
    page.wait_for_function("() => document.getElementById('watch-view').href.includes('min_lat=')")
    page.click("#watch-view")
    page.wait_for_selector("#area-map[data-box='1']")
    assert page.input_value("#id_kind") == "area"
    south, north = float(page.input_value("#id_min_lat")), float(page.input_value("#id_max_lat"))
    assert south < 36.15 < north

    # Drawing: press the button, drag across the map; the edges follow the box.
    page.click("#area-draw")
    box = page.locator("#area-map").bounding_box()
    x0, y0 = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 80, y0 + 40, steps=5)
    page.mouse.move(x0 + 160, y0 + 90, steps=5)
    page.mouse.up()
    assert "Box set" in page.inner_text("#area-status")
    drawn = [
        float(page.input_value(f"#id_{n}")) for n in ("min_lat", "min_lng", "max_lat", "max_lng")
    ]
    assert drawn[0] < drawn[2] and drawn[1] < drawn[3]
    assert drawn[0] > south and drawn[2] < north  # a part of the view, not the view
    assert page.get_attribute("#area-draw", "aria-pressed") == "false"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "watch-area.png"), full_page=True)

    page.fill("#id_label", "Strip area")
    page.click("#watch-form button[type=submit]")
    page.wait_for_selector("text=Watching.")
    watch = Watchlist.objects.get(user=actors.investigator_a)
    assert watch.kind == WatchKind.AREA
    assert [watch.min_lat, watch.min_lng, watch.max_lat, watch.max_lng] == pytest.approx(drawn)
    assert not errors, errors
