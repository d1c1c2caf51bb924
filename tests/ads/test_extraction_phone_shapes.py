"""Phone shapes from real ads that extraction missed or misread, written here in synthetic form
(fictional 555-01xx numbers, made-up names and sites)."""

from __future__ import annotations

import pytest

from ads.extraction import extract, resolve_region

NUMBER = "+12125550147"


def phones(text: str, region: str | None = "US") -> list[str]:
    choice = resolve_region(text=text, source=region) if region else None
    if choice is None:
        return extract(text, region=None).phones
    return extract(text, region=choice.region, fallback_region=choice.fallback).phones


@pytest.mark.parametrize(
    "text",
    [
        "Rosa 212((((((((((555)))))))))))0147 outcalls",
        "call 212~~~~~~~~555~~~~~~~~0147",
        "212........555........0147",
        "212 ******* 555 ******* 0147",
    ],
)
def test_a_long_run_of_one_repeated_separator_still_joins_the_groups(text: str) -> None:
    assert phones(text) == [NUMBER]


def test_different_separators_piled_up_still_split_two_numbers() -> None:
    assert phones("212 555 0147 -/*.~|=#_ 2 hrs") == [NUMBER]


@pytest.mark.parametrize(
    "text",
    [
        "Call 2125550147 yo hablo espanol",
        "2125550147 hr rates on request",
        "text 2125550147   am or pm",
    ],
)
def test_a_word_after_a_ten_digit_run_does_not_hide_it(text: str) -> None:
    assert phones(text) == [NUMBER]


def test_a_price_table_with_a_currency_after_wide_spaces_is_not_a_phone() -> None:
    text = "1 Hour:   2000   2000   AED\n2 Hours:   3500   3500   AED\n3 Hours:   4000   4000   AED"
    assert phones(text, "AE") == []


def test_an_amount_before_a_unit_after_several_spaces_is_still_an_amount() -> None:
    # "0147   roses" is a price: the number before it is read without it.
    assert phones("212 555 0147   roses") == [NUMBER]
    assert phones("Outcall 350    roses, incall 250   roses") == []


def test_numbers_of_the_country_the_texts_web_addresses_name_are_read_there() -> None:
    text = "HOLA SOY LUNA, MI TELEFONO ES EL 612 345 678. Fotos en www.lunaejemplo.es"
    choice = resolve_region(text=text, source="US")
    assert (choice.region, choice.rule, choice.fallback) == ("US", "source", "ES")
    assert phones(text) == ["+34612345678"]


def test_a_number_valid_in_the_source_country_stays_there_whatever_site_is_named() -> None:
    assert phones("Call 212-555-0147, more at http://www.ejemplo.es/luna") == [NUMBER]


def test_web_addresses_of_several_countries_name_no_country() -> None:
    text = "612 345 678 www.ejemplo.es www.example.com"
    assert resolve_region(text=text, source="US").fallback is None
    assert phones(text) == []


def test_a_pager_counting_up_is_not_a_phone() -> None:
    assert phones("Pages 1   2   3   4   5   6   7   8   9   10   11   12   13 next") == []


def test_a_ladder_of_round_prices_is_not_read_into_a_phone() -> None:
    assert phones("Rates 60/80/120/160 - 22 yo, call 212 555 0147") == [NUMBER]


def test_a_number_split_in_mixed_groups_is_still_a_phone() -> None:
    assert phones("212/555/01/47 text only") == [NUMBER]
    assert phones("TEL : 2 1 2 - 5 5 5 - 0 1 4 7") == [NUMBER]


def test_the_numbers_of_broken_html_references_are_not_a_phone() -> None:
    assert phones("Perform&#16 0;&#1 60; 21;#160;&#25 5;#160; 50147; ok") == []


@pytest.mark.parametrize(
    "text",
    [
        "call sara 212^555^0147 now",
        "212`555`0147 text only",
        "Kiss me 212%555%0147",
        "212?555?0147 no blocked calls",
        "call <212>555<0147> anytime",
    ],
)
def test_ascii_symbols_between_the_groups_still_join_them(text: str) -> None:
    assert phones(text) == [NUMBER]


def test_a_run_of_dollar_signs_between_the_groups_is_a_separator_not_a_price() -> None:
    assert phones("Call 212$$555$$0147 Candy! no specials") == [NUMBER]
    assert phones("Call 212$$$555$$$0147") == [NUMBER]


def test_a_dollar_sign_after_an_amount_does_not_make_the_next_number_a_price() -> None:
    assert phones("Special 200$ 212-555-0147 call now") == [NUMBER]
    assert phones("Special $ 200 tonight") == []


@pytest.mark.parametrize(
    "text",
    [
        "Specials 80/120/200 - 25 Hi, I'm Kandi",
        "80-120-200-25 call for info",
        "Incall 100/80~ 15 120/100~ 30 160/140~ 1 hr",
    ],
)
def test_three_round_amounts_in_a_row_are_a_rate_list_not_a_phone(text: str) -> None:
    assert phones(text) == []


def test_a_number_with_two_round_groups_is_still_a_phone() -> None:
    assert phones("call 310-420-5580 now") == ["+13104205580"]


@pytest.mark.parametrize(
    "text",
    ["Since 2016 212 555 0147 call", "1924 212 555 0147", "2016 212 555 0147 22"],
)
def test_a_group_before_a_number_written_3_3_4_is_not_read_into_it(text: str) -> None:
    assert phones(text) == [NUMBER]


def test_an_exclamation_mark_between_digits_can_stand_for_a_one() -> None:
    text = "NOW Mimi (2!2) 555-0147 un-rushed sessions"
    result = extract(text, region="US")
    assert result.phones == [NUMBER]
    assert result.phone_obfuscation == {NUMBER: ["letters"]}
    assert phones("2!2.555.0!47 text me") == [NUMBER]


def test_an_exclamation_mark_used_as_a_separator_still_separates() -> None:
    result = extract("call 212!555!0147 or (2!2) 555-0148", region="US")
    assert result.phones == [NUMBER, "+12125550148"]
    assert result.phone_obfuscation[NUMBER] == ["separators"]
    assert phones("Hot!!! 212-555-0147") == [NUMBER]
    assert phones("wow!1000 roses, 2!5 hours") == []


@pytest.mark.parametrize(
    "text",
    [
        "212-555-0147 posts #2125550148 Asian Queen",
        "Review #2125550148 by a member",
        "Requisition 2125550148 Company Information",
        "Tracking: 2125550148",
        "Case No. 2125550148",
        "Ticket 2125550148 closed",
    ],
)
def test_an_id_after_its_label_is_not_a_phone(text: str) -> None:
    assert "+12125550148" not in phones(text)


@pytest.mark.parametrize(
    "text", ["just in case 2125550148 is busy", "my posts 2125550148", "ads 2125550148 call me"]
)
def test_the_words_of_an_id_label_without_a_number_sign_do_not_hide_a_phone(text: str) -> None:
    assert phones(text) == ["+12125550148"]


def test_a_country_code_in_brackets_after_the_plus_is_international() -> None:
    assert phones("Whatsapp +(44) 7911 123456 only") == ["+447911123456"]


def test_a_national_number_in_pairs_with_round_pairs_is_not_a_rate_list():
    # Three round groups make a rate list, but not when the window starts with a trunk 0.
    assert extract("appelle-moi au 06 20 40 50 12", region="FR").phones == ["+33620405012"]
    assert extract("80/120/200 the hour", region="US").phones == []
