"""Network-level features that feed the risk score.

Movement and rotation are what set an operator apart from an independent advertiser: many
cities in a short time, several names behind one phone, several phones behind one text. Each
ad is a dict with `posted_at` (aware datetime), `city` (canonical "City, ST"), `phones` and
`names` (lists) and, optionally, `template` (cluster or template id).

A rate is only a rate when it is measured: `cities_per_week` is None (not measured) unless at
least two ads are dated and they span at least MIN_RATE_SPAN_DAYS; `dated` says how many ads
had a date. Undated ads (files with no dates) and one-day bursts give no movement figure rather
than a made-up one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from typing import TypedDict

__all__ = ["MIN_RATE_SPAN_DAYS", "NetworkFeatures", "network_features"]

# Below this span of dated activity a per-week rate is noise (a one-day burst is not a week).
MIN_RATE_SPAN_DAYS = 1.0


class NetworkFeatures(TypedDict):
    """Size, spread in space and time, and identity rotation of one network."""

    size: int
    cities: int
    city_list: list[str]
    span_days: float
    dated: int
    cities_per_week: float | None
    phones: int
    names: int
    distinct_names_per_phone: float
    max_names_per_phone: int
    phones_per_template: float
    max_phones_per_template: int


def network_features(ads: list[dict]) -> NetworkFeatures:
    """Features of the network formed by `ads` (any order)."""
    times = [ad["posted_at"] for ad in ads if ad.get("posted_at") is not None]
    cities = sorted({ad["city"] for ad in ads if ad.get("city")})
    span = (max(times) - min(times)).total_seconds() / 86400 if len(times) >= 2 else 0.0
    measured = len(times) >= 2 and span >= MIN_RATE_SPAN_DAYS
    # A span under a week still counts as a week: five cities in two days is five per week.
    weeks = max(span / 7, 1.0)
    names_by_phone: dict[str, set[str]] = defaultdict(set)
    phones_by_template: dict[Hashable, set[str]] = defaultdict(set)
    all_names: set[str] = set()
    for ad in ads:
        names = {n.strip().lower() for n in ad.get("names") or () if n and n.strip()}
        all_names |= names
        for phone in ad.get("phones") or ():
            names_by_phone[phone] |= names
            if ad.get("template") is not None:
                phones_by_template[ad["template"]].add(phone)
    per_phone = [len(v) for v in names_by_phone.values()]
    per_template = [len(v) for v in phones_by_template.values()]
    return NetworkFeatures(
        size=len(ads),
        cities=len(cities),
        city_list=cities,
        span_days=round(span, 2),
        dated=len(times),
        cities_per_week=round(len(cities) / weeks, 3) if measured else None,
        phones=len(names_by_phone),
        names=len(all_names),
        distinct_names_per_phone=round(sum(per_phone) / len(per_phone), 3) if per_phone else 0.0,
        max_names_per_phone=max(per_phone, default=0),
        phones_per_template=round(sum(per_template) / len(per_template), 3)
        if per_template
        else 0.0,
        max_phones_per_template=max(per_template, default=0),
    )
