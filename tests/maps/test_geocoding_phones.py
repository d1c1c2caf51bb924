"""Area codes give a second, weaker location; a far one is a travel cue, never a fact."""

from __future__ import annotations

import pytest

from maps.geocoding import (
    GazetteerGeocoder,
    Location,
    area_code_location,
    build_geocoder,
    geocode_ad,
    travel_cue,
)
from maps.geocoding.phones import default_gazetteer

# Synthetic numbers in the 555-01xx range reserved for fiction, plus valid-format foreign ones.
NEVADA_PHONE = "+17025550142"
MANHATTAN_PHONE = "+12125550199"
TEXAS_PHONE = "+17135550111"
FRANCE_MOBILE = "+33612345678"
TOLL_FREE = "+18005550100"


@pytest.fixture(scope="module")
def gazetteer() -> GazetteerGeocoder:
    return default_gazetteer()


def test_state_wide_area_code_resolves_to_its_state(gazetteer: GazetteerGeocoder) -> None:
    loc = area_code_location(NEVADA_PHONE, gazetteer=gazetteer)
    assert loc.precision == "area_code"
    assert loc.source == "area_code"
    assert loc.name == "Nevada"
    assert loc.admin1 == "NV" and loc.country == "US"
    assert loc.has_coordinates
    assert "move" in loc.note


def test_city_area_code_resolves_to_its_city(gazetteer: GazetteerGeocoder) -> None:
    loc = area_code_location(MANHATTAN_PHONE, gazetteer=gazetteer)
    assert loc.precision == "area_code"
    assert loc.admin1 == "NY"
    assert loc.lat == pytest.approx(40.71, abs=0.1)


def test_foreign_mobile_is_known_only_to_its_country(gazetteer: GazetteerGeocoder) -> None:
    loc = area_code_location(FRANCE_MOBILE, gazetteer=gazetteer)
    assert loc.precision == "country"
    assert loc.country == "FR"


@pytest.mark.parametrize("phone", [TOLL_FREE, "not a phone", "+1", "", "+999999999999999"])
def test_numbers_without_a_place_are_unknown(gazetteer: GazetteerGeocoder, phone: str) -> None:
    loc = area_code_location(phone, gazetteer=gazetteer)
    assert loc.precision == "unknown"
    assert not loc.has_coordinates


def test_far_area_code_gives_a_travel_cue_with_distance(gazetteer: GazetteerGeocoder) -> None:
    posting = gazetteer.geocode("Houston, TX")
    phone = area_code_location(NEVADA_PHONE, gazetteer=gazetteer)
    cue = travel_cue(posting, phone, gazetteer=gazetteer)
    assert cue is not None
    # Houston to the nearest Nevada city (Las Vegas area) is about 1,970 km.
    assert 1700 < cue["distance_km"] < 2300
    assert cue["posting"] == "Houston, TX, US"
    assert cue["area_code_place"] == "Nevada"
    assert "not evidence" in cue["message"]


def test_area_code_of_the_posting_state_gives_no_cue(gazetteer: GazetteerGeocoder) -> None:
    # Las Vegas is about 340 km from Nevada's centre; being in the state must be enough.
    posting = gazetteer.geocode("Las Vegas, NV")
    phone = area_code_location(NEVADA_PHONE, gazetteer=gazetteer)
    assert travel_cue(posting, phone, gazetteer=gazetteer) is None


def test_nearby_state_area_code_is_measured_to_its_nearest_city(
    gazetteer: GazetteerGeocoder,
) -> None:
    # St. George, UT is close to Nevada's cities even though Nevada's centre is far.
    posting = gazetteer.geocode("St. George, UT")
    phone = area_code_location(NEVADA_PHONE, gazetteer=gazetteer)
    assert travel_cue(posting, phone, gazetteer=gazetteer) is None


def test_threshold_is_a_parameter(gazetteer: GazetteerGeocoder) -> None:
    posting = gazetteer.geocode("Philadelphia, PA")
    phone = area_code_location(MANHATTAN_PHONE, gazetteer=gazetteer)
    assert travel_cue(posting, phone, gazetteer=gazetteer) is None  # about 130 km
    cue = travel_cue(posting, phone, threshold_km=50, gazetteer=gazetteer)
    assert cue is not None and 100 < cue["distance_km"] < 160


def test_no_cue_without_coordinates_or_from_a_coarse_posting(
    gazetteer: GazetteerGeocoder,
) -> None:
    phone = area_code_location(NEVADA_PHONE, gazetteer=gazetteer)
    assert travel_cue(Location.unknown(), phone, gazetteer=gazetteer) is None
    assert travel_cue(gazetteer.geocode("Texas"), phone, gazetteer=gazetteer) is None


def test_geocode_ad_returns_posting_phones_and_cues(gazetteer: GazetteerGeocoder) -> None:
    geocoder = build_geocoder(gazetteer=gazetteer)
    result = geocode_ad(
        location_text="H-Town, Galleria",
        url="https://houston.example-classifieds.com/ad/1",
        phones=[NEVADA_PHONE, TEXAS_PHONE, NEVADA_PHONE, TOLL_FREE],
        country="US",
        geocoder=geocoder,
        gazetteer=gazetteer,
    )
    assert result.posting.precision == "neighbourhood"
    assert result.posting.name.startswith("Galleria, Houston")
    assert [p.phone for p in result.phones] == [NEVADA_PHONE, TEXAS_PHONE, TOLL_FREE]
    assert [c["phone"] for c in result.travel_cues] == [NEVADA_PHONE]
    assert result.geocoder_version == gazetteer.version
    payload = result.to_json()
    assert payload["posting"]["precision"] == "neighbourhood"
    assert payload["phones"][2]["location"]["precision"] == "unknown"


def test_source_default_city_is_used_and_labelled_when_the_ad_names_none(
    gazetteer: GazetteerGeocoder,
) -> None:
    result = geocode_ad(
        location_text="incall, text me",
        country="US",
        geocoder=gazetteer,
        source_hint="Houston, TX",
        gazetteer=gazetteer,
    )
    assert result.posting.source == "source_default"
    assert result.posting.name == "Houston, TX, US"
    assert result.posting.confidence <= 0.5


def test_source_default_does_not_override_a_named_city(gazetteer: GazetteerGeocoder) -> None:
    result = geocode_ad(
        location_text="Philly",
        country="US",
        geocoder=gazetteer,
        source_hint="Houston, TX",
        gazetteer=gazetteer,
    )
    assert result.posting.source == "gazetteer"
    assert result.posting.admin1 == "PA"
