"""The region named by the ad's own places, and phones read in it (issue 16, second pass).

Texts are written for the test; numbers are fictional (555-01xx in North America, the
commonly printed UK example number).
"""

from __future__ import annotations

from ads.extraction import extract, resolve_region


def test_big_cities_of_one_other_country_named_twice_choose_it_over_the_source() -> None:
    text = "Outcalls to hotels in Bangalore only. Originally from Chennai."
    choice = resolve_region(text=text, source="US")
    assert (choice.region, choice.rule, choice.fallback) == ("IN", "text_place", "US")


def test_one_mention_or_the_source_countrys_own_city_keeps_the_source() -> None:
    assert resolve_region(text="new in Houston, from Bangalore", source="US").rule == "source"
    text = "Bangalore girl in Houston, Bangalore born"
    assert resolve_region(text=text, source="US").rule == "source"
    assert resolve_region(text="visiting Bangalore", source="US").rule == "source"


def test_a_url_still_wins_over_the_text() -> None:
    choice = resolve_region(
        url="https://melbourne.example.com/ad/1", text="Glasgow ... Glasgow", source="US"
    )
    assert choice.rule == "url_place"


def test_a_national_number_is_read_in_the_country_the_places_name() -> None:
    text = "Glasgow escorts. Call 07911 123456. Glasgow city centre"
    choice = resolve_region(text=text, source="US")
    result = extract(text, region=choice.region, fallback_region=choice.fallback)
    assert result.phones == ["+447911123456"]


def test_a_north_american_grouped_number_stays_in_the_source_country() -> None:
    text = "Beijing style massage, Beijing trained. Call 818-555-0147 today"
    choice = resolve_region(text=text, source="US")
    assert choice.region == "CN"
    result = extract(text, region=choice.region, fallback_region=choice.fallback)
    assert result.phones == ["+18185550147"]


def test_a_day_and_a_year_are_not_a_phone_and_nor_is_an_amount_in_dirhams() -> None:
    assert extract("Posted Friday, June 24, 2016 12:12 PM", region="CN").phones == []
    assert extract("2 Hours: 3500 AED", region="AE").phones == []


def test_a_host_town_that_the_sources_country_also_has_is_read_there():
    # A small foreign town of the same name does not outweigh the source's own.
    choice = resolve_region(url="https://york.example-ads.com/ad/1", source="US")
    assert (choice.region, choice.rule, choice.fallback) == ("US", "url_place", None)
    # Without a source the biggest place of the name still decides.
    assert resolve_region(url="https://york.example-ads.com/ad/1").region == "GB"


def test_a_much_bigger_foreign_place_wins_but_the_sources_numbers_are_still_read():
    choice = resolve_region(url="https://santacruz.example-ads.com/ad/1", source="US")
    assert (choice.region, choice.fallback) == ("BO", "US")
    found = extract("call me 831 555 0147", region=choice.region, fallback_region=choice.fallback)
    assert found.phones == ["+18315550147"]
    assert resolve_region(url="https://melbourne.example-ads.com/", source="US").region == "AU"
