"""The chart page: flagged ads per week for the top cities, risk distribution, indicators."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Value
from django.db.models.functions import Floor, TruncWeek

from analytics.models import AdScore
from maps.selectors.filters import visible_locations

if TYPE_CHECKING:
    from accounts.models import User
    from maps.filters import MapFilter


@dataclass
class Charts:
    """Series for the chart page, all from the ads the user may see."""

    weeks: list[str]
    cities: list[dict[str, Any]]
    risk_bins: list[int]
    indicators: list[dict[str, Any]]
    indicator_sample: int
    flagged_total: int


def charts(*, user: User, filters: MapFilter, top: int = 8, sample: int = 50_000) -> Charts:
    """Flagged ads per week for the top cities, the risk distribution, the commonest indicators.

    Indicators are counted over the `sample` most recently scored flagged ads (the page says so):
    they are a JSON list per ad, which SQLite cannot unnest.
    """
    base = filters.filter_queryset(visible_locations(user))
    # The score stage's own flag, copied onto the map row: one definition of "flagged".
    flagged = base.filter(flagged=True)
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
