"""The offline basemap: world countries and US state outlines as one small GeoJSON file.

Decoded from the TopoJSON that the npm packages world-atlas (Natural Earth, public domain) and
us-atlas (US Census Bureau cartographic boundaries, public domain) ship, both under ISC. Used when
no tile server is configured (MAP_TILES_URL empty), so maps work on a closed network.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

# About 100 m: far finer than anything the map draws from these outlines.
DECIMALS = 3


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute [lng, lat] points of every arc (quantized, delta-encoded when transformed)."""
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        points: list[tuple[float, float]] = []
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                points.append((round(x * sx + tx, DECIMALS), round(y * sy + ty, DECIMALS)))
        else:
            points = [(round(p[0], DECIMALS), round(p[1], DECIMALS)) for p in arc]
        arcs.append(points)
    return arcs


def _arc(arcs: list[list[tuple[float, float]]], index: int) -> list[tuple[float, float]]:
    return list(reversed(arcs[~index])) if index < 0 else arcs[index]


def _ring(arcs: list[list[tuple[float, float]]], indices: list[int]) -> list[list[float]]:
    points: list[tuple[float, float]] = []
    for k, index in enumerate(indices):
        part = _arc(arcs, index)
        points.extend(part[1:] if k else part)
    deduped = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    return [list(p) for p in deduped]


def polygons(topology: dict[str, Any], name: str, layer: str) -> list[dict[str, Any]]:
    """Features of a named object's (Multi)Polygons, with only a layer name as property."""
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"][name]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            coordinates: Any = [_ring(arcs, ring) for ring in geometry["arcs"]]
        elif kind == "MultiPolygon":
            coordinates = [[_ring(arcs, ring) for ring in poly] for poly in geometry["arcs"]]
        else:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"layer": layer},
                "geometry": {"type": kind, "coordinates": coordinates},
            }
        )
    return features


def mesh(topology: dict[str, Any], name: str, layer: str) -> dict[str, Any]:
    """Every arc of a named object once, as lines: shared borders are drawn a single time."""
    arcs = decode_arcs(topology)
    used: set[int] = set()

    def walk(node: Any) -> None:
        if isinstance(node, int):
            used.add(node if node >= 0 else ~node)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    for geometry in topology["objects"][name]["geometries"]:
        walk(geometry.get("arcs", []))
    lines = [[list(p) for p in arcs[i]] for i in sorted(used) if len(arcs[i]) > 1]
    return {
        "type": "Feature",
        "properties": {"layer": layer},
        "geometry": {"type": "MultiLineString", "coordinates": lines},
    }


def build_basemap(*, world: dict[str, Any], us: dict[str, Any]) -> dict[str, Any]:
    """World countries (filled) and US state borders (lines) as one FeatureCollection."""
    return {
        "type": "FeatureCollection",
        "features": [
            *polygons(world, "countries", "countries"),
            mesh(us, "states", "states"),
        ],
    }


def basemap_config() -> dict[str, Any]:
    """What every Leaflet page needs for its base layer (read by static/maps/common.js): the tile
    server when one is configured, else the offline outlines and place labels."""
    return {
        "tilesUrl": settings.MAP_TILES_URL,
        "tilesAttribution": settings.MAP_TILES_ATTRIBUTION,
        "basemapUrl": static("maps/basemap.geojson"),
        "placesUrl": reverse("maps:places"),
        "center": list(settings.LEAFLET_CONFIG["DEFAULT_CENTER"]),
        "zoom": settings.LEAFLET_CONFIG["DEFAULT_ZOOM"],
    }
