"""Reads for the maps: grid clusters in a viewport, the ads of a cell, movement, charts.

Everything starts from what the user may see. The aggregation runs in SQL (GROUP BY grid cell) on
the one denormalised table, so the browser never receives more than a few thousand points and a
million ads stay fast; see docs/bench-map.md.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Floor, TruncWeek
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ads.models import Ad, Entity, Source
from analytics.models import AdNetwork, AdScore, Category
from maps import rollup
from maps.models import AdLocation, MapRollup, Precision

if TYPE_CHECKING:
    from accounts.models import User

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
MAX_POINTS = 2_000
MAX_AREAS = 2_000
MAX_LIST = 100
# Grid cells per 256-pixel tile: 4 gives cells of 64 px, a few hundred on a screen.
CELLS_PER_TILE = 4
MAX_ZOOM = 18
# The default threshold of the model's minor head; the map only has the copied probability.
MINOR_THRESHOLD = 0.5
CASE_STATUSES = ("in_case", "new", "in_review", "escalated", "dismissed")
_INDICATOR_RE = re.compile(r"[^a-z0-9_.:-]")


def cases_installed() -> bool:
    return apps.is_installed("cases")


@dataclass(frozen=True)
class BBox:
    """A map viewport in degrees; longitudes clamped to one world."""

    south: float
    west: float
    north: float
    east: float

    @classmethod
    def from_query(cls, params: Any) -> BBox:
        def number(name: str, default: float, low: float, high: float) -> float:
            try:
                value = float(params.get(name, default))
            except (TypeError, ValueError):
                return default
            if not math.isfinite(value):
                return default
            return min(max(value, low), high)

        south = number("south", -90.0, -90.0, 90.0)
        north = number("north", 90.0, -90.0, 90.0)
        west = number("west", -180.0, -180.0, 180.0)
        east = number("east", 180.0, -180.0, 180.0)
        if south > north:
            south, north = north, south
        if west > east:  # a view across the antimeridian: take the whole width rather than guess
            west, east = -180.0, 180.0
        return cls(south=south, west=west, north=north, east=east)


@dataclass(frozen=True)
class MapFilters:
    """What the map, its lists and the charts accept; parsed from a query string, never trusted."""

    start: datetime | None = None
    end: datetime | None = None
    min_risk: float | None = None
    possible_minor: bool = False
    category: str = ""
    indicator: str = ""
    source: int | None = None
    case_status: str = ""

    @classmethod
    def from_query(cls, params: Any) -> MapFilters:
        try:
            min_risk: float | None = float(params.get("min_risk", ""))
        except (TypeError, ValueError):
            min_risk = None
        if min_risk is not None and not (0.0 <= min_risk <= 1.0):
            min_risk = None
        category = params.get("category", "")
        source = str(params.get("source", ""))
        case_status = params.get("case_status", "")
        return cls(
            start=_parse_when(params.get("start", "")),
            end=_parse_when(params.get("end", ""), end_of_day=True),
            min_risk=min_risk,
            possible_minor=params.get("possible_minor") in {"1", "on", "true"},
            category=category if category in Category.values else "",
            indicator=_INDICATOR_RE.sub("", str(params.get("indicator", "")).lower())[:60],
            source=int(source) if source.isdigit() and len(source) < 12 else None,
            case_status=case_status if case_status in CASE_STATUSES and cases_installed() else "",
        )

    def as_detail(self) -> dict[str, Any]:
        """For the audit trail: only the filters that are set."""
        data = asdict(self)
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in data.items() if v}


def _parse_when(value: Any, *, end_of_day: bool = False) -> datetime | None:
    """A date (a whole day: its end when `end_of_day`) or a datetime; None when unusable."""
    text = str(value or "").strip()[:40]
    if not text:
        return None
    try:
        day = parse_date(text) if len(text) == 10 else None
        if day is not None:
            moment = datetime(day.year, day.month, day.day, tzinfo=timezone.get_current_timezone())
            if end_of_day:
                moment += timedelta(days=1) - timedelta(microseconds=1)
            return moment
        parsed = parse_datetime(text)
    except ValueError:
        return None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed


def visible_locations(user: User) -> QuerySet[AdLocation]:
    """The map rows the user may see: `AdLocation.objects.visible_to(user)`, read from one table.

    `visible_to` goes through the ads and their sources (a join over every ad); this filters on
    the source id the geocode stage copies onto the row, with the visible sources computed first
    (a handful of ids). The rows are the same (tests check it for every role) because an ad never
    changes source; a row without the copy is hidden, so the shortcut can only fail closed.
    """
    source_ids = list(Source.objects.visible_to(user).values_list("pk", flat=True))
    if not source_ids:
        return AdLocation.objects.none()
    return AdLocation.objects.filter(source_id_copy__in=source_ids)


def apply_filters(locations: QuerySet[AdLocation], filters: MapFilters) -> QuerySet[AdLocation]:
    if filters.start is not None:
        locations = locations.filter(posted_at__gte=filters.start)
    if filters.end is not None:
        locations = locations.filter(posted_at__lte=filters.end)
    if filters.min_risk is not None:
        locations = locations.filter(risk__gte=filters.min_risk)
    if filters.possible_minor:
        locations = locations.filter(minor__gte=MINOR_THRESHOLD)
    if filters.category:
        locations = locations.filter(category=filters.category)
    if filters.source is not None:
        locations = locations.filter(source_id_copy=filters.source)
    if filters.indicator:
        # The score's codes are copied onto the map row: no semi-join of a million scores.
        if connections[locations.db].vendor == "postgresql":
            # jsonb containment, answered by the GIN index maps_loc_codes_gin.
            locations = locations.filter(indicator_codes__contains=[filters.indicator])
        else:
            # SQLite has no JSON containment; the quoted code in the list's text is the same test.
            locations = locations.filter(indicator_codes__icontains=f'"{filters.indicator}"')
    if filters.case_status:
        locations = locations.filter(ad_id__in=_ads_with_case_status(filters.case_status))
    return locations


def _ads_with_case_status(status: str) -> QuerySet[Any]:
    from cases.models import Case, CaseStatus, ItemKind, QueueItem

    if status == "in_case":
        return Case.ads.through.objects.filter(case__status=CaseStatus.OPEN).values("ad_id")
    items = QueueItem.objects.filter(status=status)
    networks = items.filter(kind=ItemKind.NETWORK).values("network_id")
    return Ad.objects.filter(
        Q(pk__in=items.filter(kind=ItemKind.AD).values("ad_id"))
        | Q(pk__in=AdNetwork.objects.filter(network_id__in=networks).values("ad_id"))
    ).values("pk")


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


def ad_link(ad_id: int) -> str:
    """Where an ad opens: the desk's ad page when the cases app provides one, else the admin."""
    return _link_pattern().replace("999999999", str(int(ad_id)))


def _link_pattern() -> str:
    for name in ("cases:ad_detail", "cases:ad", "admin:ads_ad_change"):
        try:
            return reverse(name, args=[999999999])
        except NoReverseMatch:
            continue
    return ""


def rollup_slice(filters: MapFilters) -> tuple[int, Q] | None:
    """The rollup slicing and condition that answer these filters, or None for the live table.

    The rollup has no time and no case status; besides a source it slices by one more filter.
    """
    if not getattr(settings, "MAP_ROLLUP", True) or not rollup.rollup_supported():
        return None
    if filters.start is not None or filters.end is not None or filters.case_status:
        return None
    # Every slicing states all four slice columns, so the index maps_rollup_slice is used whole.
    fixed = {"category": "*", "risk_band": -2, "minor_flag": False, "indicator": "*"}
    slices: list[tuple[int, Q]] = []
    if filters.category:
        slices.append((1, Q(**{**fixed, "category": filters.category})))
    if filters.min_risk is not None:
        if filters.min_risk not in rollup.RISK_BAND_EDGES:
            return None
        band = rollup.RISK_BAND_EDGES.index(filters.min_risk)
        slices.append((2, Q(category="*", minor_flag=False, indicator="*", risk_band__gte=band)))
    if filters.possible_minor:
        slices.append((3, Q(**{**fixed, "minor_flag": True})))
    if filters.indicator:
        slices.append((4, Q(**{**fixed, "indicator": filters.indicator})))
    if len(slices) > 1:
        return None
    slicing, condition = slices[0] if slices else (0, Q(**fixed))
    if filters.source is not None:
        condition &= Q(source_id_copy=filters.source)
    return slicing, condition


def visible_rollup(user: User, slicing: int, condition: Q) -> QuerySet[MapRollup]:
    """Rollup rows of the sources the user may see: the same source ids as `visible_locations`."""
    source_ids = list(Source.objects.visible_to(user).values_list("pk", flat=True))
    if not source_ids:
        return MapRollup.objects.none()
    return MapRollup.objects.filter(condition, slicing=slicing, source_id_copy__in=source_ids)


def map_data(*, user: User, bbox: BBox, zoom: int, filters: MapFilters) -> MapData:
    """Clusters (or, when few, the ads themselves) in the viewport, plus coarse-precision areas.

    Counts come from the rollup when it can answer the filters (PostgreSQL, no time window), else
    from the live map rows; the points themselves always come from the live rows.
    """
    zoom = max(0, min(int(zoom), MAX_ZOOM))
    cell = cell_size(zoom)
    base = apply_filters(visible_locations(user), filters)
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
    if total <= MAX_POINTS:
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
            minors=Count("lat", filter=Q(minor__gte=MINOR_THRESHOLD)),
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
        "category",
        "posted_at",
        "ad__title",
    ).order_by("-posted_at", "ad_id")[:MAX_POINTS]
    pattern = _link_pattern()
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
            "category": r["category"],
            "posted_at": r["posted_at"].isoformat() if r["posted_at"] else None,
            "title": (r["ad__title"] or "")[:140],
            "url": pattern.replace("999999999", str(r["ad_id"])),
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
    filters: MapFilters,
    precision: str = "",
    name: str = "",
    page: int = 1,
) -> tuple[list[dict[str, Any]], bool]:
    """The ads behind a cluster (its cell) or an area (its place name), riskiest first."""
    locations = _in_bbox(apply_filters(visible_locations(user), filters), bbox)
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
    pattern = _link_pattern()
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
            "category": loc.category,
            "url": pattern.replace("999999999", str(loc.ad_id)),
        }
        for loc in rows[:MAX_LIST]
    ]
    return ads, len(rows) > MAX_LIST


def time_range(*, user: User) -> tuple[datetime | None, datetime | None]:
    """First and last posting time among the visible located ads (for the time slider)."""
    span = visible_locations(user).aggregate(first=Min("posted_at"), last=Max("posted_at"))
    return span["first"], span["last"]


@dataclass
class Movement:
    """One entity's ads in time order, with their places and the travel cues they carry."""

    entity: Entity
    stops: list[dict[str, Any]]
    travel_cues: list[dict[str, Any]]
    unplaced: int

    def ids(self) -> list[int]:
        return [s["id"] for s in self.stops]


def entity_movement(*, user: User, entity: Entity, limit: int = 2_000) -> Movement:
    """Where an entity's ads were posted, oldest first; ads without a place are only counted."""
    ads = Ad.objects.visible_to(user).filter(occurrences__entity=entity).distinct()
    locations = list(
        AdLocation.objects.visible_to(user)
        .filter(ad__in=ads)
        .select_related("ad")
        .order_by(F("posted_at").asc(nulls_last=True), "ad_id")[:limit]
    )
    pattern = _link_pattern()
    stops: list[dict[str, Any]] = []
    cues: list[dict[str, Any]] = []
    unplaced = 0
    for loc in locations:
        for cue in loc.travel_cues or []:
            cues.append({**cue, "ad_id": loc.ad_id})
        if loc.lat is None or loc.lng is None:
            unplaced += 1
            continue
        stops.append(
            {
                "id": loc.ad_id,
                "lat": loc.lat,
                "lng": loc.lng,
                "name": loc.name,
                "precision": loc.precision,
                "precision_label": loc.get_precision_display(),
                "radius_km": UNCERTAINTY_KM.get(loc.precision, 0.0),
                "posted_at": loc.posted_at.isoformat() if loc.posted_at else None,
                "title": (loc.ad.title or "")[:140],
                "risk": loc.risk,
                "url": pattern.replace("999999999", str(loc.ad_id)),
            }
        )
    unplaced += ads.exclude(pk__in=[loc.ad_id for loc in locations]).count()
    return Movement(entity=entity, stops=stops, travel_cues=cues, unplaced=unplaced)


@dataclass
class Charts:
    """Series for the chart page, all from the ads the user may see."""

    weeks: list[str]
    cities: list[dict[str, Any]]
    risk_bins: list[int]
    indicators: list[dict[str, Any]]
    indicator_sample: int
    flagged_total: int


def charts(*, user: User, filters: MapFilters, top: int = 8, sample: int = 50_000) -> Charts:
    """Flagged ads per week for the top cities, the risk distribution, the commonest indicators.

    Indicators are counted over the `sample` most recently scored flagged ads (the page says so):
    they are a JSON list per ad, which SQLite cannot unnest.
    """
    threshold = settings.RISK_FLAG_THRESHOLD
    base = apply_filters(visible_locations(user), filters)
    flagged = base.filter(risk__gte=threshold)
    top_cities = list(
        flagged.exclude(name="").values("name").annotate(n=Count("pk")).order_by("-n", "name")[:top]
    )
    names = [c["name"] for c in top_cities]
    per_week = (
        flagged.filter(name__in=names, posted_at__isnull=False)
        .annotate(week=TruncWeek("posted_at"))
        .values("name", "week")
        .annotate(n=Count("pk"))
        .order_by("week")
    )
    week_keys: list[str] = []
    counts: dict[tuple[str, str], int] = {}
    for row in per_week:
        key = row["week"].date().isoformat()
        if key not in week_keys:
            week_keys.append(key)
        counts[(row["name"], key)] = row["n"]
    cities = [
        {"name": name, "total": c["n"], "series": [counts.get((name, w), 0) for w in week_keys]}
        for name, c in zip(names, top_cities, strict=True)
    ]
    bins = [0] * 10
    for row in (
        base.filter(risk__isnull=False)
        .annotate(b=Floor(F("risk") * Value(10.0)))
        .values("b")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        bins[min(max(int(row["b"]), 0), 9)] += row["n"]
    ad_ids = flagged.values("ad_id")
    codes: Counter[str] = Counter()
    seen = 0
    for row in (
        AdScore.objects.visible_to(user)
        .filter(ad_id__in=ad_ids)
        .order_by("-scored_at")
        .values_list("indicator_codes", flat=True)[:sample]
        .iterator(chunk_size=2_000)
    ):
        seen += 1
        codes.update(str(c) for c in (row or []))
    return Charts(
        weeks=week_keys,
        cities=cities,
        risk_bins=bins,
        indicators=[{"code": c, "n": n} for c, n in codes.most_common(15)],
        indicator_sample=seen,
        flagged_total=flagged.count(),
    )


def indicator_choices() -> list[tuple[str, str]]:
    """The lexicon's indicator codes and labels for the filter (empty if scoring is absent)."""
    try:
        from analytics.scoring.indicators import LEXICON
    except ImportError:
        return []
    return sorted({(e.code, e.label) for e in LEXICON})
