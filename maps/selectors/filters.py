"""What every map read starts from: the rows the user may see and the viewport (the filters are
the FilterSet in maps/filters.py)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.urls import reverse

from ads.models import Source
from maps.models import AdLocation

if TYPE_CHECKING:
    from accounts.models import User

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
