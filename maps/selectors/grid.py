"""The map itself: grid clusters in a viewport (or the ads themselves when few), coarse areas, the
ads of a cell and the time span of the slider.

The aggregation runs in SQL (GROUP BY grid cell) on the one denormalised table, or on the rollup
when it can answer the filters, so the browser never receives more than a few thousand points and a
million ads stay fast; see docs/bench-map.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum

from ads.models import Ad, Source
from maps import rollup
from maps.models import AdLocation, MapRollup, Precision
from maps.selectors.filters import BBox, ad_urls, visible_locations

if TYPE_CHECKING:
    from accounts.models import User
    from maps.filters import MapFilter

# Locations known to a city or finer are clustered on the grid and may be drawn as points. The
# coarse ones share a centroid (every "somewhere in Texas" ad sits on Texas's centre), so they are
# grouped by place and drawn as an area of uncertainty, never as a pin.
FINE_PRECISIONS = (Precision.POINT, Precision.NEIGHBOURHOOD, Precision.CITY)
COARSE_PRECISIONS = (Precision.REGION, Precision.AREA_CODE, Precision.COUNTRY)
# A rough radius of what each coarse precision can mean, only for drawing the uncertainty.
UNCERTAINTY_KM = {
    Precision.POINT: 0.1,
    Precision.NEIGHBOURHOOD: 3.0,
    Precision.CITY: 15.0,
    Precision.REGION: 250.0,
    Precision.AREA_CODE: 120.0,
    Precision.COUNTRY: 800.0,
}
MAX_AREAS = 2_000
MAX_LIST = 100
# Grid cells per 256-pixel tile: 4 gives cells of 64 px, a few hundred on a screen.
CELLS_PER_TILE = 4
MAX_ZOOM = 18


def cell_size(zoom: int) -> float:
    """Grid cell in degrees at a zoom level (Web Mercator tiles are 360 / 2**zoom wide)."""
    return 360.0 / (2 ** max(0, min(zoom, MAX_ZOOM))) / CELLS_PER_TILE


def _in_bbox(locations: QuerySet[Any], bbox: BBox) -> QuerySet[Any]:
    return locations.filter(
        lat__gte=bbox.south, lat__lte=bbox.north, lng__gte=bbox.west, lng__lte=bbox.east
    )


@dataclass
class MapData:
    """What one map request returns: clusters or points, coarse areas, counts."""

    zoom: int
    cell: float
    mode: str
    total: int
    clusters: list[dict[str, Any]] = field(default_factory=list)
    points: list[dict[str, Any]] = field(default_factory=list)
    areas: list[dict[str, Any]] = field(default_factory=list)

    def ids(self) -> list[int]:
        return [p["id"] for p in self.points]

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def rollup_slice(filters: MapFilter) -> tuple[int, Q] | None:
    """The rollup slicing and condition that answer these filters, or None for the live table.

    The rollup has no time and no case status; besides a source it slices by one more filter.
    """
    if not settings.MAP_ROLLUP or not rollup.rollup_supported():
        return None
    chosen = filters.cleaned
    if chosen["start"] is not None or chosen["end"] is not None or chosen["case_status"]:
        return None
    # Every slicing states all four slice columns, so the index maps_rollup_slice is used whole.
    fixed = {"category": "*", "risk_band": -2, "minor_flag": False, "indicator": "*"}
    slices: list[tuple[int, Q]] = []
    if chosen["category"]:
        slices.append((1, Q(**{**fixed, "category": chosen["category"]})))
    if chosen["min_risk"] is not None:
        if chosen["min_risk"] not in rollup.RISK_BAND_EDGES:
            return None
        band = rollup.RISK_BAND_EDGES.index(chosen["min_risk"])
        slices.append((2, Q(category="*", minor_flag=False, indicator="*", risk_band__gte=band)))
    if chosen["possible_minor"]:
        slices.append((3, Q(**{**fixed, "minor_flag": True})))
    if chosen["indicator"]:
        slices.append((4, Q(**{**fixed, "indicator": chosen["indicator"]})))
    if len(slices) > 1:
        return None
    slicing, condition = slices[0] if slices else (0, Q(**fixed))
    if chosen["source"] is not None:
        condition &= Q(source_id_copy=chosen["source"])
    return slicing, condition


def visible_rollup(user: User, slicing: int, condition: Q) -> QuerySet[MapRollup]:
    """Rollup rows of the sources the user may see: the same source ids as `visible_locations`."""
    source_ids = list(Source.objects.visible_to(user).values_list("pk", flat=True))
    if not source_ids:
        return MapRollup.objects.none()
    return MapRollup.objects.filter(condition, slicing=slicing, source_id_copy__in=source_ids)


def map_data(*, user: User, bbox: BBox, zoom: int, filters: MapFilter) -> MapData:
    """Clusters (or, when few, the ads themselves) in the viewport, plus coarse-precision areas.

    Counts come from the rollup when it can answer the filters (PostgreSQL, no time window), else
    from the live map rows; the points themselves always come from the live rows.
    """
    zoom = max(0, min(int(zoom), MAX_ZOOM))
    cell = cell_size(zoom)
    base = filters.filter_queryset(visible_locations(user))
    fine = _in_bbox(base.filter(precision__in=FINE_PRECISIONS), bbox)
    sliced = rollup_slice(filters)
    summed = None if sliced is None else visible_rollup(user, *sliced)
    if summed is not None:
        rows = _grid_rows(
            _in_bbox(summed.filter(precision__in=FINE_PRECISIONS), bbox)
            .values("lat", "lng")
            .annotate(n=Sum("n"), max_risk=Max("max_risk"), minors=Sum("minors"))
            .order_by(),
            cell,
        )
    else:
        rows = _grid(fine, cell)
    total = sum(r["n"] for r in rows)
    data = MapData(zoom=zoom, cell=cell, mode="clusters", total=total)
    if total <= settings.MAP_MAX_POINTS:
        data.mode = "points"
        data.points = _points(fine)
    else:
        data.clusters = [
            {
                "lat": r["lat"],
                "lng": r["lng"],
                "n": r["n"],
                "max_risk": r["max_risk"],
                "minors": r["minors"],
                "bounds": [
                    r["gy"] * cell,
                    r["gx"] * cell,
                    (r["gy"] + 1) * cell,
                    (r["gx"] + 1) * cell,
                ],
            }
            for r in rows
        ]
    data.areas = _areas(base, bbox) if summed is None else _rollup_areas(summed, bbox)
    return data


_OUTER_GRID = (
    "SELECT FLOOR(p.lat / %s) AS gy, FLOOR(p.lng / %s) AS gx, SUM(p.n) AS n,"
    " SUM(p.lat * p.n) / SUM(p.n) AS lat, SUM(p.lng * p.n) / SUM(p.n) AS lng,"
    " MAX(p.max_risk) AS max_risk, SUM(p.minors) AS minors"
    " FROM ({inner}) p GROUP BY 1, 2"
)


def _grid(fine: QuerySet[AdLocation], cell: float) -> list[dict[str, Any]]:
    """Counts per grid cell, in two steps: per distinct place, then per cell.

    Ads share few distinct coordinates (every city-level ad sits on its city's centre), so the
    inner GROUP BY lat, lng is small, estimated well by the planner and answered from the
    covering index; grouping a million rows straight into cells made PostgreSQL overestimate the
    groups and sort on disk (docs/bench-map.md).
    """
    # Counting `lat` (never null inside a viewport) rather than the key keeps every column the
    # query reads inside the covering indexes of maps/0002, so PostgreSQL can answer a time window
    # by an index-only scan; counting the key made it visit the table (330 -> 35 ms for a 30-day
    # window at country zoom, docs/bench-map.md).
    inner = (
        fine.values("lat", "lng")
        .annotate(
            n=Count("lat"),
            max_risk=Max("risk"),
            minors=Count("lat", filter=Q(possible_minor=True)),
        )
        .order_by()
    )
    return _grid_rows(inner, cell)


def _grid_rows(inner: QuerySet[Any], cell: float) -> list[dict[str, Any]]:
    """Group per-place rows (lat, lng, n, max_risk, minors) into grid cells."""
    try:
        inner_sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # nothing visible (`none()`): no SQL to run
        return []
    # The ORM's own SQL with its values bound as parameters; nothing from the request is inlined.
    sql = _OUTER_GRID.replace("{inner}", inner_sql)
    with connections[inner.db].cursor() as cursor:
        cursor.execute(sql, [cell, cell, *params])
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["n"] = int(row["n"])
        row["minors"] = int(row["minors"] or 0)
        row["gy"] = int(row["gy"])
        row["gx"] = int(row["gx"])
    return rows


def _points(fine: QuerySet[AdLocation]) -> list[dict[str, Any]]:
    rows = fine.values(
        "ad_id",
        "lat",
        "lng",
        "precision",
        "name",
        "risk",
        "minor",
        "possible_minor",
        "category",
        "posted_at",
        "ad__title",
    ).order_by("-posted_at", "ad_id")[: settings.MAP_MAX_POINTS]
    ad_url = ad_urls()
    return [
        {
            "id": r["ad_id"],
            "lat": r["lat"],
            "lng": r["lng"],
            "precision": r["precision"],
            "radius_km": UNCERTAINTY_KM.get(r["precision"], 0.0),
            "name": r["name"],
            "risk": r["risk"],
            "minor": r["minor"],
            "possible_minor": r["possible_minor"],
            "category": r["category"],
            "posted_at": r["posted_at"].isoformat() if r["posted_at"] else None,
            "title": (r["ad__title"] or "")[:140],
            "url": ad_url(r["ad_id"]),
        }
        for r in rows
    ]


def _areas(base: QuerySet[AdLocation], bbox: BBox) -> list[dict[str, Any]]:
    coarse = _in_bbox(base.filter(precision__in=COARSE_PRECISIONS), bbox)
    rows = (
        coarse.values("precision", "name", "lat", "lng")
        .annotate(n=Count("lat"), max_risk=Max("risk"))
        .order_by("-n")[:MAX_AREAS]
    )
    return [
        {
            "lat": r["lat"],
            "lng": r["lng"],
            "precision": r["precision"],
            "name": r["name"],
            "n": r["n"],
            "max_risk": r["max_risk"],
            "radius_km": UNCERTAINTY_KM[r["precision"]],
        }
        for r in rows
    ]


def _rollup_areas(summed: QuerySet[MapRollup], bbox: BBox) -> list[dict[str, Any]]:
    rows = (
        _in_bbox(summed.filter(precision__in=COARSE_PRECISIONS), bbox)
        .values("precision", "name", "lat", "lng")
        .annotate(n=Sum("n"), max_risk=Max("max_risk"))
        .order_by("-n")[:MAX_AREAS]
    )
    return [
        {
            "lat": r["lat"],
            "lng": r["lng"],
            "precision": r["precision"],
            "name": r["name"],
            "n": int(r["n"]),
            "max_risk": r["max_risk"],
            "radius_km": UNCERTAINTY_KM[r["precision"]],
        }
        for r in rows
    ]


def ads_in_bbox(
    *,
    user: User,
    bbox: BBox,
    filters: MapFilter,
    precision: str = "",
    name: str = "",
    page: int = 1,
) -> tuple[list[dict[str, Any]], bool]:
    """The ads behind a cluster (its cell) or an area (its place name), riskiest first."""
    locations = _in_bbox(filters.filter_queryset(visible_locations(user)), bbox)
    if precision in COARSE_PRECISIONS:
        locations = locations.filter(precision=precision, name=name[:200])
    else:
        locations = locations.filter(precision__in=FINE_PRECISIONS)
    # Belt and braces: the ads themselves come through the one door to ads as well.
    locations = locations.filter(ad__in=Ad.objects.visible_to(user))
    start = (max(page, 1) - 1) * MAX_LIST
    rows = list(
        locations.select_related("ad", "ad__source").order_by(
            F("risk").desc(nulls_last=True), "-posted_at", "ad_id"
        )[start : start + MAX_LIST + 1]
    )
    ad_url = ad_urls()
    ads = [
        {
            "id": loc.ad_id,
            "title": (loc.ad.title or loc.ad.body[:80])[:200],
            "source": loc.ad.source.name,
            "posted_at": loc.posted_at.isoformat() if loc.posted_at else None,
            "name": loc.name,
            "precision": loc.precision,
            "precision_label": loc.get_precision_display(),
            "risk": loc.risk,
            "minor": loc.minor,
            "possible_minor": loc.possible_minor,
            "category": loc.category,
            "url": ad_url(loc.ad_id),
        }
        for loc in rows[:MAX_LIST]
    ]
    return ads, len(rows) > MAX_LIST


def time_range(*, user: User) -> tuple[datetime | None, datetime | None]:
    """First and last posting time among the visible located ads (for the time slider)."""
    span = visible_locations(user).aggregate(first=Min("posted_at"), last=Max("posted_at"))
    return span["first"], span["last"]
