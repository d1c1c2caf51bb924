"""The map in headless Chromium: clusters render, filters and the time window change what is shown,
clusters list their ads, and popups show hostile ad text as text.

Run with `pytest -m browser tests/maps/test_browser_map.py`. Needs Debian's chromium at
/usr/bin/chromium; without it the tests skip (and fail under CI=true, where they must run).
A screenshot of the map is written to docs/screenshots/map.png.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.maps.test_views_map import place

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
HOSTILE = '<img src=x onerror="window.__xss=1">Hot & <b>new</b>'

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(monkeypatch):
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing: apt-get install -y chromium")
        pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        # Console errors (CSP refusals among them) and failed requests, except the favicon,
        # which the app does not have.
        page.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on(
            "response",
            lambda r: (
                errors.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        yield page, errors
        browser.close()


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/?next=/maps/")
    page.fill("#id_username", "inv-a")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/maps/")


def _wait_total(page, total: int) -> None:
    try:
        page.wait_for_function(
            "n => document.getElementById('map').dataset.total === String(n)", arg=total
        )
    except Exception as error:
        shown = page.locator("#map").get_attribute("data-total")
        status = page.locator("#map-status").inner_text()
        raise AssertionError(
            f"map shows {shown} ads ({status}), expected {total}; {page.url}"
        ) from error


def _seed(actors) -> None:
    march = datetime(2024, 3, 5, 12, tzinfo=UTC)
    for _ in range(15):
        place(actors.source_a, lat=36.17, lng=-115.14, risk=0.9, posted=march)
    for _ in range(10):
        place(
            actors.source_a, lat=29.76, lng=-95.37, name="Houston, TX, US", risk=0.3, posted=march
        )
    for _ in range(10):
        place(
            actors.source_shared,
            lat=40.71,
            lng=-74.01,
            name="New York, NY, US",
            risk=0.6,
            posted=datetime(2024, 5, 15, 12, tzinfo=UTC),
        )
    for _ in range(5):
        place(
            actors.source_a,
            lat=31.0,
            lng=-99.0,
            precision="region",
            name="Texas, US",
            risk=0.5,
            posted=march,
        )
    # Another unit's ads never reach this investigator's map.
    for _ in range(7):
        place(
            actors.source_b, lat=41.88, lng=-87.63, name="Chicago, IL, US", risk=0.9, posted=march
        )


def test_clusters_render_and_the_filters_and_time_window_change_them(
    actors, live_server, browser_page, settings
):
    settings.MAP_MAX_POINTS = 20
    page, errors = browser_page
    _seed(actors)
    _sign_in(page, live_server.url)

    _wait_total(page, 35)
    assert page.locator("#map").get_attribute("data-mode") == "clusters"
    assert page.locator(".marker-cluster").count() == 3
    assert page.locator(".area-count").count() == 1
    assert "known only to a state" in page.locator("#map-status").inner_text()
    page.wait_for_function("() => document.querySelectorAll('path.basemap-countries').length > 100")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "map.png"), full_page=True)

    page.select_option("#f-risk", "0.7")
    _wait_total(page, 15)
    assert "min_risk=0.7" in page.url
    page.select_option("#f-risk", "")
    _wait_total(page, 35)

    # The time window: the 30 days ending on the last day (15 May) hold only the New York ads;
    # the 30 days ending on 20 March only the others.
    page.select_option("#f-window", "30")
    move = (
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input'));"
        " el.dispatchEvent(new Event('change')); }"
    )
    page.eval_on_selector("#f-slider", move, 71)
    _wait_total(page, 10)
    assert page.input_value("#f-end") == "2024-05-15"
    page.eval_on_selector("#f-slider", move, 15)
    _wait_total(page, 25)
    assert page.input_value("#f-start") == "2024-02-20"
    page.eval_on_selector("#f-slider", move, 71)
    _wait_total(page, 10)

    # A cluster lists its ads, each linking to the desk's ad page.
    page.goto(f"{live_server.url}/maps/")
    _wait_total(page, 35)
    page.locator(".marker-cluster").first.click()
    page.wait_for_selector("#map-list li a")
    links = page.locator("#map-list li a")
    assert links.count() in {10, 15}  # New York or Houston (10) or Las Vegas (15)
    assert links.first.get_attribute("href").startswith("/cases/ads/")

    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    assert not errors, errors


def test_popups_and_lists_show_hostile_ad_text_as_text(actors, live_server, browser_page):
    page, errors = browser_page
    place(actors.source_a, lat=39.53, lng=-119.81, name="Reno, NV, US", risk=0.95, title=HOSTILE)
    _sign_in(page, live_server.url)
    _wait_total(page, 1)
    assert page.locator("#map").get_attribute("data-mode") == "points"
    page.locator(".ad-pin").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert HOSTILE in popup.inner_text()
    assert popup.locator("img, b").count() == 0
    page.wait_for_selector("#map-list li a")
    assert page.locator("#map-list li a").first.inner_text() == HOSTILE
    assert page.locator("#map-list img, #map-list b").count() == 0
    assert page.evaluate("window.__xss") is None
    assert not errors, errors


def test_the_map_keeps_refreshing_after_the_heat_layer_is_toggled(
    actors, live_server, browser_page
):
    page, errors = browser_page
    _seed(actors)
    _sign_in(page, live_server.url)
    _wait_total(page, 35)
    page.check("#f-heat")
    page.wait_for_selector("canvas.leaflet-heatmap-layer")
    page.uncheck("#f-heat")
    page.select_option("#f-risk", "0.7")
    _wait_total(page, 15)
    page.select_option("#f-risk", "")
    _wait_total(page, 35)
    assert not errors, errors


def test_a_city_zoom_has_offline_place_labels_and_the_view_stays_in_the_address(
    actors, live_server, browser_page
):
    page, errors = browser_page
    place(actors.source_a, lat=36.17, lng=-115.14, name="Las Vegas, NV, US", risk=0.5)
    _sign_in(page, live_server.url)
    _wait_total(page, 1)
    page.goto(f"{live_server.url}/maps/?at=36.1500,-115.1500,11")
    page.wait_for_function("() => Number(document.getElementById('map').dataset.placeLabels) > 3")
    labels = page.locator(".place-label").all_inner_texts()
    assert "Las Vegas" in labels and "Henderson" in labels, labels
    assert page.locator(".place-neighbourhood").count() >= 1
    assert page.locator(".place-label img, .place-label b").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "map-city-labels.png"), full_page=True)
    # Zooming out redraws the labels for the new view, and the address follows the view.
    page.click(".leaflet-control-zoom-out")
    page.wait_for_function("() => new URLSearchParams(location.search).get('at').endsWith(',10')")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.place-neighbourhood')].length === 0"
    )
    assert not errors, errors


@pytest.fixture
def tile_server():
    """A tile server on loopback that answers every /z/x/y.png with a small PNG and counts them."""
    import struct
    import threading
    import zlib
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xdd\xe8\xd0" * 256 for _ in range(256))
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    requested: list[str] = []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            requested.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requested
    server.shutdown()
    server.server_close()


def test_the_map_draws_tiles_from_a_self_hosted_tile_server(
    actors, live_server, browser_page, settings, tile_server
):
    origin, requested = tile_server
    settings.MAP_TILES_URL = f"{origin}/{{z}}/{{x}}/{{y}}.png"
    settings.MAP_TILES_ATTRIBUTION = "Test tiles"
    page, errors = browser_page
    place(actors.source_a, lat=36.17, lng=-115.14, name="Las Vegas, NV, US", risk=0.5)
    _sign_in(page, live_server.url)
    _wait_total(page, 1)
    page.wait_for_function("() => document.querySelectorAll('img.leaflet-tile-loaded').length > 0")
    assert requested and all(p.endswith(".png") and p.count("/") == 3 for p in requested)
    assert "Test tiles" in page.locator(".leaflet-control-attribution").inner_text()
    # With tiles there is no offline basemap or labels layer.
    assert page.locator("path.basemap-countries, .place-label").count() == 0
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    assert not errors, errors


def test_the_movement_maps_time_slider_shows_the_stops_posted_so_far(
    actors, live_server, browser_page
):
    from ads.models import Entity, EntityOccurrence

    page, errors = browser_page
    entity = Entity.objects.create(kind="phone", value="+17025550143")
    for day, (lat, lng, name) in enumerate(
        [
            (36.17, -115.14, "Las Vegas, NV, US"),
            (34.05, -118.24, "Los Angeles, CA, US"),
            (32.72, -117.16, "San Diego, CA, US"),
        ],
        start=1,
    ):
        ad = place(
            actors.source_a, lat=lat, lng=lng, name=name, posted=datetime(2024, 3, day, tzinfo=UTC)
        )
        EntityOccurrence.objects.create(ad=ad, entity=entity, revision=1, start=0, end=0)
    _sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/maps/entities/{entity.pk}/")
    page.wait_for_function("() => document.getElementById('map').dataset.shown === '3'")
    assert page.locator(".stop").count() == 3
    assert page.inner_text("#m-label") == "all 3 stops"

    move = "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input')); }"
    page.eval_on_selector("#m-slider", move, 1)
    page.wait_for_function("() => document.getElementById('map').dataset.shown === '1'")
    assert page.locator(".stop").count() == 1
    assert "2024-03-01" in page.inner_text("#m-label")
    assert "Las Vegas" in page.inner_text("#m-label")
    assert page.locator("tr.stop-later").count() == 2
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "movement.png"), full_page=True)

    page.click("#m-play")  # plays on from the first stop to the last
    page.wait_for_function(
        "() => document.getElementById('map').dataset.shown === '3'", timeout=15000
    )
    page.wait_for_function("() => document.getElementById('m-play').textContent === 'Play'")
    assert page.locator(".stop").count() == 3
    assert page.locator("tr.stop-later").count() == 0
    assert not errors, errors
