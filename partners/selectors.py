"""Reads for the partner API: what a partner may learn, aggregated and coarsened.

Partner-facing figures count ads from every source except tips (another partner's tip is not a
sighting to share). Places are never finer than a city; weeks are ISO weeks ("2026-W07").
Statistics below K_ANONYMITY are suppressed (null, with "suppressed": true).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypedDict

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from accounts.models import PartnerOrganisation
from ads.models import Ad, SourceKind
from maps.models import AdLocation, Precision

from .models import PartnerIdentifierToken, Tip

logger = logging.getLogger(__name__)

K_ANONYMITY = 5
MAX_STATS_WEEKS = 52
UNKNOWN_REGION = "unknown"
# Precisions at or finer than a city: a partner gets at most the city.
_CITY_OR_FINER = {Precision.POINT, Precision.NEIGHBOURHOOD, Precision.CITY}
_REGION_OR_CITY = _CITY_OR_FINER | {Precision.REGION}


def iso_week(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    year, week, _ = timezone.localtime(moment).isocalendar()
    return f"{year}-W{week:02d}"


def region_key(*, country: str, admin1: str) -> str:
    """ "US-NV" for a state, "US" for a country, "unknown" otherwise."""
    if country and admin1:
        return f"{country}-{admin1}"
    return country or UNKNOWN_REGION


def place_of(*, precision: str, name: str, country: str, admin1: str) -> dict[str, str | None]:
    """A neighbourhood's label is "Neighbourhood, City, ST, CC"; its city is the label without the
    first part. A point may carry a street-level label, so it is reduced to its region."""
    city: str | None = None
    if precision == Precision.CITY:
        city = name or None
    elif precision == Precision.NEIGHBOURHOOD:
        parts = [p.strip() for p in name.split(",")]
        city = ", ".join(parts[1:]) if len(parts) >= 3 else None
    return {"region": region_key(country=country, admin1=admin1), "city": city}


def shared_ads() -> QuerySet[Ad]:
    """The ads whose existence partners may learn about in aggregate (everything but tips)."""
    return Ad.objects.exclude(source__kind=SourceKind.TIP)


@dataclass
class LookupResult:
    """What a "seen it?" lookup reveals."""

    kind: str
    token: str
    seen: bool
    ads: int = 0
    first_seen_week: str | None = None
    last_seen_week: str | None = None
    regions: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)


def lookup_identifier(
    *, kind: str, value: str | None = None, token: str | None = None, partner: PartnerOrganisation
) -> dict[str, object] | None:
    """How to find the identifier's occurrences: by its normalised value, or by the partner's
    keyed token (None when the partner holds no such token). The value form joins the entity into
    the sightings query instead of reading it first (one statement fewer per lookup)."""
    if value is not None:
        return {"entity__kind": kind, "entity__value": value}
    entity_id = (
        PartnerIdentifierToken.objects.filter(partner=partner, token=token, entity__kind=kind)
        .values_list("entity_id", flat=True)
        .first()
    )
    return {"entity_id": entity_id} if entity_id else None


def lookup_sightings(
    *, identifier: dict[str, object] | None, kind: str, token: str
) -> LookupResult:
    """What a partner learns about one identifier (see `lookup_identifier`)."""
    if identifier is None:
        return LookupResult(kind=kind, token=token, seen=False)
    # One query, from the identifier's occurrences (an index range) to their ads and each ad's
    # (single) location, grouped by place: a busy number has hundreds of ads but a handful of
    # places. Every ad falls in exactly one group (its place, or none), so the groups' distinct
    # counts add up to the identifier's ads. The entity conditions are one filter() call, so they
    # apply to the same occurrence row.
    groups = (
        Ad.objects.filter(**{f"occurrences__{k}": v for k, v in identifier.items()})
        .exclude(source__kind=SourceKind.TIP)
        .values("location__precision", "location__name", "location__country", "location__admin1")
        .annotate(
            n=Count("pk", distinct=True),
            first=Min(Coalesce("posted_at", "captured_at")),
            last=Max(Coalesce("posted_at", "captured_at")),
        )
        .order_by()
    )
    ads, first, last = 0, None, None
    regions: set[str] = set()
    cities: set[str] = set()
    for group in groups:
        ads += group["n"]
        first = group["first"] if first is None else min(first, group["first"])
        last = group["last"] if last is None else max(last, group["last"])
        if group["location__precision"] not in _REGION_OR_CITY:
            continue  # no place, or coarser than a region: counted, not placed
        place = place_of(
            precision=group["location__precision"],
            name=group["location__name"],
            country=group["location__country"],
            admin1=group["location__admin1"],
        )
        regions.add(place["region"] or UNKNOWN_REGION)
        if place["city"]:
            cities.add(place["city"])
    if not ads:
        return LookupResult(kind=kind, token=token, seen=False)
    return LookupResult(
        kind=kind,
        token=token,
        seen=True,
        ads=ads,
        first_seen_week=iso_week(first),
        last_seen_week=iso_week(last),
        regions=sorted(regions - {UNKNOWN_REGION}),
        cities=sorted(cities),
    )


class StatsRow(TypedDict):
    region: str
    week: str
    ads: int | None
    flagged: int | None
    suppressed: bool


def _suppress(count: int) -> int | None:
    return count if count >= K_ANONYMITY else None


def region_week_stats(
    *, weeks: int, region: str | None = None, now: datetime | None = None
) -> list[StatsRow]:
    """Ads and flagged ads per region and ISO week over the last `weeks` weeks, small counts
    suppressed. A row whose every count is suppressed still appears, so absence means zero."""
    now = now or timezone.now()
    weeks = max(1, min(weeks, MAX_STATS_WEEKS))
    since = now - timedelta(weeks=weeks)
    rows = (
        AdLocation.objects.filter(ad__in=shared_ads().values("pk"))
        .exclude(precision__in=[Precision.UNKNOWN, Precision.AREA_CODE])
        .exclude(country="")
        .annotate(at=Coalesce("ad__posted_at", "ad__captured_at"))
        .filter(at__gte=since, at__lte=now)
    )
    if region:
        country, _, admin1 = region.partition("-")
        rows = rows.filter(country=country, admin1=admin1)
    grouped = (
        rows.annotate(week=TruncWeek("at"))
        .values("country", "admin1", "week")
        .annotate(ads=Count("pk"), flagged=Count("pk", filter=Q(ad__score__flagged=True)))
        .order_by("-week", "country", "admin1")
    )
    result: list[StatsRow] = []
    for row in grouped:
        ads, flagged = _suppress(row["ads"]), _suppress(row["flagged"])
        result.append(
            StatsRow(
                region=region_key(country=row["country"], admin1=row["admin1"]),
                week=iso_week(row["week"]) or "",
                ads=ads,
                # A flagged count next to a suppressed total would give the total away.
                flagged=flagged if ads is not None else None,
                suppressed=ads is None or flagged is None,
            )
        )
    return result


def region_week_stats_cached(*, weeks: int, region: str | None = None) -> list[StatsRow]:
    """`region_week_stats`, shared by every partner through the cache for
    PARTNER_STATS_CACHE_SECONDS (weekly figures; the aggregate is the costly part of the call).
    A cache that is down is skipped: the figures are computed, never refused."""
    ttl = settings.PARTNER_STATS_CACHE_SECONDS
    if not ttl:
        return region_week_stats(weeks=weeks, region=region)
    key = f"partners:region-week-stats:v1:{weeks}:{region or ''}"
    try:
        rows = cache.get(key)
    except Exception:  # noqa: BLE001 - any cache failure
        logger.warning("stats cache unavailable; computing %s", key)
        return region_week_stats(weeks=weeks, region=region)
    if rows is None:
        rows = region_week_stats(weeks=weeks, region=region)
        try:
            cache.set(key, rows, ttl)
        except Exception:  # noqa: BLE001 - any cache failure
            logger.warning("stats cache unavailable; not storing %s", key)
    return rows


def tips_of(*, partner: PartnerOrganisation) -> QuerySet[Tip]:
    """A partner's own tips; never another partner's."""
    return Tip.objects.filter(partner=partner).select_related("ad")
