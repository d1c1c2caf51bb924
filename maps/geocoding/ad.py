"""Geocoding one ad: where it was posted, where its phones' area codes are, and travel cues."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from maps.geocoding.gazetteer import GazetteerGeocoder
from maps.geocoding.phones import (
    DEFAULT_TRAVEL_THRESHOLD_KM,
    area_code_location,
    default_gazetteer,
    travel_cue,
)
from maps.geocoding.types import (
    PRECISION_CITY,
    PRECISION_NEIGHBOURHOOD,
    PRECISION_POINT,
    PRECISION_UNKNOWN,
    SOURCE_DEFAULT,
    AdLocation,
    Geocoder,
    Location,
    PhoneLocation,
)

logger = logging.getLogger(__name__)

_MAX_PHONES = 20
_FINE = (PRECISION_POINT, PRECISION_NEIGHBOURHOOD, PRECISION_CITY)


def geocode_ad(
    *,
    location_text: str,
    url: str = "",
    phones: Iterable[str] = (),
    country: str | None,
    geocoder: Geocoder,
    source_hint: str = "",
    gazetteer: GazetteerGeocoder | None = None,
    travel_threshold_km: float = DEFAULT_TRAVEL_THRESHOLD_KM,
) -> AdLocation:
    """Resolve an ad's posting location, its phones' area codes and any travel cues.

    `source_hint` is the source's own city ("Houston"), used only when neither the text nor the
    URL names a city, and labelled "source_default" so nobody mistakes it for the ad's words.
    Area codes always go through the offline gazetteer (never a remote service).
    """
    posting = geocoder.geocode(location_text, country=country, url=url)
    if posting.precision not in _FINE and source_hint:
        default = geocoder.geocode(source_hint, country=country)
        if default.precision in _FINE:
            posting = Location(
                lat=default.lat,
                lng=default.lng,
                precision=default.precision,
                name=default.name,
                source=SOURCE_DEFAULT,
                country=default.country,
                admin1=default.admin1,
                confidence=round(min(default.confidence, 0.5), 2),
                note=(
                    "The ad names no city; this is the source's default city"
                    + (f" (the text only gave {posting.name})." if posting.name else ".")
                ),
            )
    gazetteer = gazetteer or default_gazetteer()
    phone_locations: list[PhoneLocation] = []
    cues: list[dict] = []
    seen: set[str] = set()
    for phone in phones:
        if phone in seen or len(seen) >= _MAX_PHONES:
            continue
        seen.add(phone)
        loc = area_code_location(phone, gazetteer=gazetteer)
        phone_locations.append(PhoneLocation(phone=phone, location=loc))
        if loc.precision == PRECISION_UNKNOWN:
            continue
        cue = travel_cue(posting, loc, threshold_km=travel_threshold_km, gazetteer=gazetteer)
        if cue is not None:
            cues.append({**cue, "phone": phone})
    return AdLocation(
        posting=posting,
        phones=tuple(phone_locations),
        travel_cues=tuple(cues),
        geocoder_version=geocoder.version,
    )
