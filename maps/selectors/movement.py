"""Movement: where one entity's ads were posted, in time order, with their travel cues."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import F

from ads.models import Ad, Entity
from maps.models import AdLocation
from maps.selectors.filters import ad_urls
from maps.selectors.grid import UNCERTAINTY_KM

if TYPE_CHECKING:
    from accounts.models import User


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
    ad_url = ad_urls()
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
                "url": ad_url(loc.ad_id),
            }
        )
    unplaced += ads.exclude(pk__in=[loc.ad_id for loc in locations]).count()
    return Movement(entity=entity, stops=stops, travel_cues=cues, unplaced=unplaced)
