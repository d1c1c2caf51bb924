"""Where a phone number's area code is registered, and when that is far from the posting city.

An area code says where a number was issued, not where its owner is: people keep numbers when
they move. A far-away area code is therefore a travel *cue* shown to an investigator, never a
finding, and the wording of every cue says so.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import phonenumbers
from phonenumbers import geocoder as pn_geocoder

from maps.geocoding.gazetteer import GazetteerGeocoder, haversine_km
from maps.geocoding.types import (
    PRECISION_AREA_CODE,
    PRECISION_COUNTRY,
    PRECISION_REGION,
    PRECISION_UNKNOWN,
    SOURCE_AREA_CODE,
    Location,
)

logger = logging.getLogger(__name__)

DEFAULT_TRAVEL_THRESHOLD_KM = 300.0


@functools.cache
def default_gazetteer() -> GazetteerGeocoder:
    """One shared gazetteer per process; loading it takes about a second."""
    return GazetteerGeocoder()


def area_code_location(phone: str, *, gazetteer: GazetteerGeocoder | None = None) -> Location:
    """Locate the area code of an E.164 number ("+17025550123") through the offline gazetteer.

    The precision is "area_code" when the description names a city or state, "country" when
    it only names a country (mobile ranges often do), "unknown" for unparseable numbers.
    """
    gazetteer = gazetteer or default_gazetteer()
    try:
        number = phonenumbers.parse(str(phone)[:64], None)
    except phonenumbers.NumberParseException:
        return Location.unknown(source=SOURCE_AREA_CODE, note="Not a parseable E.164 number.")
    if not phonenumbers.is_valid_number(number):
        return Location.unknown(source=SOURCE_AREA_CODE, note="Not a valid phone number.")
    region = phonenumbers.region_code_for_number(number) or ""
    description = pn_geocoder.description_for_number(number, "en")
    if not description:
        return Location.unknown(
            source=SOURCE_AREA_CODE,
            note="The number's prefix has no registered place (toll-free or non-geographic).",
        )
    place = gazetteer.geocode_strict(description, country=region) if region else None
    if place is None or place.precision == PRECISION_UNKNOWN:
        return Location.unknown(
            source=SOURCE_AREA_CODE, note=f"Area code registered to '{description}', not found."
        )
    precision = PRECISION_COUNTRY if place.precision == PRECISION_COUNTRY else PRECISION_AREA_CODE
    return Location(
        lat=place.lat,
        lng=place.lng,
        precision=precision,
        name=description,
        source=SOURCE_AREA_CODE,
        country=place.country,
        admin1=place.admin1,
        confidence=0.3,
        note=(
            f"Area code registered to {description} ({place.precision}: {place.name}). "
            "Numbers move with people; this is where the number was issued."
        ),
    )


def travel_cue(
    posting: Location,
    phone_loc: Location,
    *,
    threshold_km: float = DEFAULT_TRAVEL_THRESHOLD_KM,
    gazetteer: GazetteerGeocoder | None = None,
) -> dict[str, Any] | None:
    """Report when a phone's area code is more than `threshold_km` from the posting place.

    Returns None when either place lacks coordinates, when the distance is within the
    threshold, or when the area code covers a whole state that contains the posting city.
    For a state-wide area code the distance is to the nearest gazetteer city in that state,
    a lower bound, so a big state never produces a cue from its centroid alone.
    """
    if not (posting.has_coordinates and phone_loc.has_coordinates):
        return None
    # A state or country marker is too coarse to measure a distance from honestly.
    if posting.precision in (PRECISION_UNKNOWN, PRECISION_COUNTRY, PRECISION_REGION):
        return None
    assert posting.lat is not None and posting.lng is not None  # for the type checker
    assert phone_loc.lat is not None and phone_loc.lng is not None
    gazetteer = gazetteer or default_gazetteer()
    state = gazetteer.state(phone_loc.admin1) if phone_loc.country == "US" else None
    # The area code resolved to its state's centre, not to a city.
    state_wide = (
        phone_loc.precision == PRECISION_AREA_CODE
        and state is not None
        and (state.lat, state.lng) == (phone_loc.lat, phone_loc.lng)
    )
    if phone_loc.precision == PRECISION_COUNTRY:
        if not posting.country or posting.country == phone_loc.country:
            return None
        distance = haversine_km(posting.lat, posting.lng, phone_loc.lat, phone_loc.lng)
        basis = "the capital of the number's country"
    elif state_wide:
        if posting.country == phone_loc.country and posting.admin1 == phone_loc.admin1:
            return None
        cities = gazetteer.cities_in_state(phone_loc.admin1)
        nearest = gazetteer.nearest_city_km(posting.lat, posting.lng, candidates=cities)
        distance = (
            nearest
            if nearest is not None
            else haversine_km(posting.lat, posting.lng, phone_loc.lat, phone_loc.lng)
        )
        basis = "the nearest city in the area code's state"
    else:
        distance = haversine_km(posting.lat, posting.lng, phone_loc.lat, phone_loc.lng)
        basis = "the area code's city"
    if distance <= threshold_km:
        return None
    km = round(distance)
    return {
        "kind": "area_code_far_from_posting",
        "distance_km": km,
        "threshold_km": threshold_km,
        "posting": posting.name,
        "area_code_place": phone_loc.name,
        "distance_basis": basis,
        "message": (
            f"The phone's area code ({phone_loc.name}) is at least {km:,} km from where the ad "
            f"was posted ({posting.name}). People keep their numbers when they move: this is a "
            "cue to look at, not evidence of travel."
        ),
    }
