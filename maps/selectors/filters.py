"""What every map read starts from: the rows the user may see, the viewport and the filters."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ads.models import Ad, Source
from analytics.models import AdNetwork, Category
from analytics.scoring.indicators import indicator_labels
from core.query import query_flag, query_indicator_code
from maps.models import AdLocation

if TYPE_CHECKING:
    from accounts.models import User

CASE_STATUSES = ("in_case", "new", "in_review", "escalated", "dismissed")

_AD_PK = 999999999


def ad_urls() -> Callable[[int], str]:
    """An ad id's page on the desk, reversing the URL once per request rather than once per row."""
    pattern = reverse("cases:ad", args=[_AD_PK])
    return lambda ad_id: pattern.replace(str(_AD_PK), str(int(ad_id)))


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
            possible_minor=query_flag(params, "possible_minor"),
            category=category if category in Category.values else "",
            indicator=query_indicator_code(params),
            source=int(source) if source.isdigit() and len(source) < 12 else None,
            case_status=case_status if case_status in CASE_STATUSES else "",
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
        locations = locations.filter(possible_minor=True)
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


def indicator_choices() -> list[tuple[str, str]]:
    """Every indicator code and its label, for the filter (the same list as the queue's)."""
    return list(indicator_labels().items())
