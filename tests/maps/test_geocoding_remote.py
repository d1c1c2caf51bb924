"""The geopy backend against a Nominatim- and Photon-shaped server on loopback (real HTTP)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from maps.geocoding import (
    CachedGeocoder,
    GeocoderUnavailableError,
    GeopyGeocoder,
    build_geocoder,
    geocode_command,
)
from maps.geocoding.phones import default_gazetteer
from maps.geocoding.remote import ad_text_to_query

# What the test server knows, keyed by the exact query string it receives.
NOMINATIM_PLACES: dict[str, dict[str, Any]] = {
    "Philadelphia, PA, US": {
        "lat": "39.9527237",
        "lon": "-75.1635262",
        "display_name": "Philadelphia, Philadelphia County, Pennsylvania, United States",
        "addresstype": "city",
        "type": "administrative",
        "importance": 0.82,
        "address": {"city": "Philadelphia", "ISO3166-2-lvl4": "US-PA", "country_code": "us"},
    },
    "Gaslamp Quarter, San Diego": {
        "lat": "32.7115",
        "lon": "-117.1597",
        "display_name": "Gaslamp Quarter, San Diego, California, United States",
        "addresstype": "suburb",
        "importance": 0.45,
        "address": {"suburb": "Gaslamp Quarter", "ISO3166-2-lvl4": "US-CA", "country_code": "us"},
    },
    "Texas": {
        "lat": "31.2638905",
        "lon": "-98.5456116",
        "display_name": "Texas, United States",
        "addresstype": "state",
        "importance": 0.9,
        "address": {"state": "Texas", "ISO3166-2-lvl4": "US-TX", "country_code": "us"},
    },
}
PHOTON_PLACES: dict[str, dict[str, Any]] = {
    "Las Vegas, NV, US": {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-115.1485, 36.1672]},
        "properties": {
            "name": "Las Vegas",
            "state": "Nevada",
            "country": "United States",
            "countrycode": "US",
            "type": "city",
            "osm_key": "place",
            "osm_value": "city",
        },
    },
}


@dataclass
class FakeGeoServer:
    """A real HTTP server on 127.0.0.1 that answers like Nominatim (/search) and Photon (/api)."""

    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    mode: str = "ok"  # "ok", "slow", "error"


def _handler_for(state: FakeGeoServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            state.requests.append(
                {"path": parts.path, "query": query, "ua": self.headers.get("User-Agent")}
            )
            if state.mode == "slow":
                time.sleep(1.5)
            if state.mode == "error":
                self._send(500, {"error": "boom"})
                return
            q = query.get("q", "")
            if parts.path.endswith("/search"):
                place = NOMINATIM_PLACES.get(q)
                wanted = query.get("countrycodes")
                if place and wanted and place["address"]["country_code"] != wanted:
                    place = None
                self._send(200, [place] if place else [])
            elif parts.path.endswith("/api"):
                feature = PHOTON_PLACES.get(q)
                self._send(
                    200, {"type": "FeatureCollection", "features": [feature] if feature else []}
                )
            else:
                self._send(404, {"error": "not found"})

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up (the timeout test), as intended

    return Handler


@pytest.fixture
def server() -> Iterator[FakeGeoServer]:
    state = FakeGeoServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(state))
    httpd.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_nominatim_city_round_trip(server: FakeGeoServer) -> None:
    geocoder = GeopyGeocoder(backend="nominatim", base_url=server.base_url, timeout=2)
    loc = geocoder.geocode("Philly", country="US")
    assert loc.precision == "city"
    assert loc.source == "nominatim"
    assert loc.lat == pytest.approx(39.9527, abs=1e-3)
    assert loc.country == "US" and loc.admin1 == "PA"
    assert 0.5 < loc.confidence <= 0.9
    sent = server.requests[-1]
    assert sent["path"] == "/search"
    assert sent["query"]["q"] == "Philadelphia, PA, US"  # the nickname was expanded
    assert sent["query"]["countrycodes"] == "us"
    assert sent["ua"] == "anti-trafficking-geocoder"


def test_nominatim_types_map_to_precision(server: FakeGeoServer) -> None:
    geocoder = GeopyGeocoder(backend="nominatim", base_url=server.base_url, timeout=2)
    assert geocoder.geocode("Gaslamp Quarter, San Diego").precision == "neighbourhood"
    assert geocoder.geocode("Texas").precision == "region"


def test_nominatim_no_match_is_unknown(server: FakeGeoServer) -> None:
    geocoder = GeopyGeocoder(backend="nominatim", base_url=server.base_url, timeout=2)
    loc = geocoder.geocode("zzqx blorptown")
    assert loc.precision == "unknown"
    assert loc.source == "nominatim"
    assert loc.lat is None


def test_empty_text_is_not_sent(server: FakeGeoServer) -> None:
    geocoder = GeopyGeocoder(backend="nominatim", base_url=server.base_url, timeout=2)
    assert geocoder.geocode("\x00 🔥 ,,").precision == "unknown"
    assert server.requests == []


def test_remote_uses_the_gazetteer_for_the_url_hint(server: FakeGeoServer) -> None:
    geocoder = GeopyGeocoder(
        backend="nominatim",
        base_url=server.base_url,
        timeout=2,
        url_gazetteer=default_gazetteer(),
    )
    loc = geocoder.geocode("incall", url="https://houston.example-classifieds.com/a/1")
    assert loc.source == "url"
    assert loc.name == "Houston, TX, US"


def test_photon_round_trip(server: FakeGeoServer) -> None:
    geocoder = GeopyGeocoder(backend="photon", base_url=server.base_url + "/", timeout=2)
    loc = geocoder.geocode("Vegas")
    assert loc.source == "photon"
    assert loc.precision == "city"
    assert loc.lng == pytest.approx(-115.1485)
    assert loc.country == "US"
    assert server.requests[-1]["path"] == "/api"
    assert server.requests[-1]["query"]["q"] == "Las Vegas, NV, US"


def test_photon_answer_outside_the_country_hint_is_dropped(server: FakeGeoServer) -> None:
    geocoder = GeopyGeocoder(backend="photon", base_url=server.base_url, timeout=2)
    assert geocoder.geocode("Vegas", country="MX").precision == "unknown"


def test_server_error_raises_unavailable(server: FakeGeoServer) -> None:
    server.mode = "error"
    geocoder = GeopyGeocoder(backend="nominatim", base_url=server.base_url, timeout=2)
    with pytest.raises(GeocoderUnavailableError):
        geocoder.geocode("Philly")


def test_slow_server_hits_the_timeout(server: FakeGeoServer) -> None:
    server.mode = "slow"
    geocoder = GeopyGeocoder(backend="nominatim", base_url=server.base_url, timeout=0.3)
    with pytest.raises(GeocoderUnavailableError):
        geocoder.geocode("Philly")


def test_closed_port_raises_unavailable() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    geocoder = GeopyGeocoder(backend="nominatim", base_url=f"http://127.0.0.1:{port}", timeout=1)
    with pytest.raises(GeocoderUnavailableError):
        geocoder.geocode("Philly")


def test_failures_are_not_cached(server: FakeGeoServer) -> None:
    geocoder = CachedGeocoder(
        GeopyGeocoder(backend="nominatim", base_url=server.base_url, timeout=2)
    )
    server.mode = "error"
    with pytest.raises(GeocoderUnavailableError):
        geocoder.geocode("Philly")
    server.mode = "ok"
    assert geocoder.geocode("Philly").precision == "city"


def test_cache_answers_repeat_questions_without_http(server: FakeGeoServer) -> None:
    geocoder = build_geocoder(backend="nominatim", base_url=server.base_url, timeout=2)
    first = geocoder.geocode("Philly", country="US")
    second = geocoder.geocode("Philly", country="US")
    assert first == second
    assert len(server.requests) == 1


@pytest.mark.parametrize("base_url", ["", "nominatim.local", "ftp://host/", "http://"])
def test_a_base_url_is_required_and_checked(base_url: str) -> None:
    with pytest.raises(ValueError):
        GeopyGeocoder(backend="nominatim", base_url=base_url)


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError):
        GeopyGeocoder(backend="google", base_url="http://127.0.0.1:1")


def test_cli_function_uses_the_remote_backend(server: FakeGeoServer) -> None:
    out = geocode_command("Philly", backend="nominatim", base_url=server.base_url, timeout=2)
    assert out["source"] == "nominatim"
    assert out["precision"] == "city"
    assert out["geocoder_version"].startswith("nominatim:127.0.0.1:")


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("NOLA", "New Orleans, LA, US"),
        ("San Diego - Gaslamp", "San Diego, Gaslamp"),
        ("Dallas / Fort Worth", "Dallas, Fort Worth"),
        ("SoCal", "Southern California"),
        ("\u202eHouston\u202c 💋", "Houston"),
    ],
)
def test_ad_shorthand_is_rewritten_for_a_general_geocoder(text: str, query: str) -> None:
    assert ad_text_to_query(text) == query
