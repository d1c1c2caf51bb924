"""Geocoding one ad: where it was posted, where its phones' area codes are, and travel cues."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace

from maps.geocoding.context import HINT_SOURCE, Hint
from maps.geocoding.gazetteer import GazetteerGeocoder
from maps.geocoding.phones import (
    DEFAULT_TRAVEL_THRESHOLD_KM,
    area_code_location,
    default_gazetteer,
    travel_cue,
)
from maps.geocoding.text import fold, labelled_locations
from maps.geocoding.types import (
    PRECISION_CITY,
    PRECISION_NEIGHBOURHOOD,
    PRECISION_POINT,
    PRECISION_UNKNOWN,
    SOURCE_DEFAULT,
    SOURCE_URL,
    AdLocation,
    Geocoder,
    Location,
    PhoneLocation,
)
from maps.geocoding.urlhints import sites_in_text

logger = logging.getLogger(__name__)

_MAX_PHONES = 20
_FINE = (PRECISION_POINT, PRECISION_NEIGHBOURHOOD, PRECISION_CITY)


def context_hints(
    *,
    phones: Iterable[str],
    gazetteer: GazetteerGeocoder,
    country: str | None = None,
    source_region: str = "",
) -> tuple[Hint, ...]:
    """The hints an ad carries besides its URL: its phones' area codes and its source's region."""
    hints: list[Hint] = []
    seen: set[str] = set()
    for phone in phones:
        if not isinstance(phone, str) or phone in seen or len(seen) >= _MAX_PHONES:
            continue
        seen.add(phone)
        hint = gazetteer.phone_hint(phone)
        if hint is not None and hint not in hints:
            hints.append(hint)
    region = source_region.strip().upper()
    if region:
        hints.append(
            Hint(
                kind=HINT_SOURCE,
                label=f"the source's region {region}",
                country=(country or "US").upper(),
                admin1=region,
            )
        )
    return tuple(hints)


def _from_body(
    body: str,
    *,
    country: str | None,
    url: str,
    hints: tuple[Hint, ...],
    gazetteer: GazetteerGeocoder,
) -> Location | None:
    """A city from the ad's own words when its location field names none.

    First what the ad labels as its place ("Location: ..."), read like a location field; then
    the whole text, where only places the context points to (URL, area codes, source region)
    or that the text qualifies with their state may count.
    """
    for segment in labelled_locations(body):
        loc = gazetteer.geocode(segment, country=country, url=url, hints=hints)
        if loc.precision in _FINE:
            return replace(
                loc, rule=f"From the place the ad's text labels as its location: {loc.rule}"
            )
    loc = gazetteer.geocode_context_only(body, country=country, url=url, hints=hints)
    if loc.precision in _FINE:
        return replace(
            loc,
            rule=f"From the ad's text, where only places its context points to count: {loc.rule}",
        )
    return None


def _same_name(a: Location, b: Location) -> bool:
    """Whether two placements are cities of one name ("Santa Fe, NM, US", "Santa Fe, AR")."""
    return fold(a.name.split(",", 1)[0]).strip() == fold(b.name.split(",", 1)[0]).strip()


def geocode_ad(
    *,
    location_text: str,
    url: str = "",
    phones: Iterable[str] = (),
    country: str | None,
    geocoder: Geocoder,
    source_hint: str = "",
    source_region: str = "",
    body: str = "",
    gazetteer: GazetteerGeocoder | None = None,
    travel_threshold_km: float = DEFAULT_TRAVEL_THRESHOLD_KM,
) -> AdLocation:
    """Resolve an ad's posting location, its phones' area codes and any travel cues.

    Ambiguous names are settled by the ad's context: its URL, its phones' area codes and the
    source's region (`source_region`, a state code such as "CA"). When the location field names
    no city, the ad's own text (`body`: title and body) is read, strictly. `source_hint` is the
    source's own city ("Houston"), used only when nothing else names a city, and labelled
    "source_default" so nobody mistakes it for the ad's words. Area codes always go through the
    offline gazetteer (never a remote service).
    """
    gazetteer = gazetteer or default_gazetteer()
    phones = [p for p in phones if isinstance(p, str)]
    hints = context_hints(
        phones=phones, gazetteer=gazetteer, country=country, source_region=source_region
    )
    posting = geocoder.geocode(location_text, country=country, url=url, hints=hints)
    if posting.precision not in _FINE and body:
        # Also when only the URL named a state or country: the text may name the city.
        from_body = _from_body(body, country=country, url=url, hints=hints, gazetteer=gazetteer)
        if from_body is not None:
            posting = from_body
    elif posting.source == SOURCE_URL and posting.precision in _FINE and body:
        # Only the URL's slug placed it ("santafe."), and a slug cannot say which Santa Fe:
        # the text can ("Santa Fe, New Mexico").
        from_body = _from_body(body, country=country, url=url, hints=hints, gazetteer=gazetteer)
        if (
            from_body is not None
            and _same_name(from_body, posting)
            and from_body.name != posting.name
        ):
            posting = replace(
                from_body,
                rule=f"Several places share the URL's city name; the text says which. "
                f"{from_body.rule}",
            )
    if posting.precision not in _FINE and not url and body:
        # A page saved without its address often names its site ("victoria.example.com",
        # "escortsistanbul.com"): read like the ad's URL, after everything the text says.
        for site in sites_in_text(body):
            loc = gazetteer.geocode("", country=country, url=site, hints=hints)
            if loc.precision in _FINE:
                posting = replace(
                    loc,
                    rule="The ad names no city; its text names a site whose address names one: "
                    + loc.rule.replace("The location text names no city; ", ""),
                )
                break
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
                rule=f"The ad names no city: the source's default city, {default.name}.",
            )
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
