"""Phone extraction: one test per obfuscation family and per false-positive family.

Every number here is synthetic (fictional 555-01xx lines or made-up subscriber numbers).
"""

from __future__ import annotations

import pytest

from ads.extraction import extract

NUMBER = "+12125550147"


def phones(text: str, region: str | None = "US") -> list[str]:
    return extract(text, region=region).phones


# --- obfuscation families ----------------------------------------------------------------------


def test_plain_dashed_number_is_found_in_e164() -> None:
    assert phones("call me 212-555-0147 anytime") == [NUMBER]


def test_phone_spelled_in_words_is_found() -> None:
    assert phones("two one two five five five zero one four seven") == [NUMBER]


def test_words_in_any_case_glued_to_digits_are_found() -> None:
    assert phones("2ONE2-fIvE5FIVE-0oneFOUR7") == [NUMBER]


def test_number_words_glued_together_are_found() -> None:
    assert phones("twoonetwo fivefivefive zeroonefourseven") == [NUMBER]


def test_oh_and_o_for_zero_are_found() -> None:
    assert phones("212 555 oh147") == [NUMBER]
    assert phones("212 555 o147") == [NUMBER]
    assert phones("212 555 o 1 4 7") == [NUMBER]


def test_look_alike_letters_inside_digit_runs_are_digits() -> None:
    assert phones("2l2-555-O147") == [NUMBER]
    assert phones("2I2 555 0l47") == [NUMBER]


def test_to_and_for_glued_to_digits_stand_for_two_and_four() -> None:
    assert phones("2one2 555 01for7") == [NUMBER]
    assert phones("to12 555 0147") == [NUMBER]


def test_tens_and_teens_words_are_read_as_numbers() -> None:
    assert phones("twenty-one2 555 01forty-seven") == [NUMBER]
    assert phones("212 555 0one4seven") == [NUMBER]
    assert phones("2twelve 555 01fortyseven") == [NUMBER]


def test_thousand_and_hundred_multiply() -> None:
    assert phones("212 555 2th0usand") == ["+12125552000"]


@pytest.mark.parametrize(
    "text",
    [
        "2*1*2*5*5*5*0*1*4*7",
        "212~555~0147",
        "212.555.0147",
        "212/555/0147",
        "212|555|0147",
        "212 \\_ 555 ** 0147",
        "212@555@0147",
        "212!555!0147",
        "212;555;0147",
        "212[dot]555[dot]0147",
        "212   555     0147",
        "((212)) {{555}} [[0147]]",
        "[2][1][2]  [5][5][5]  [0][1][4][7]",
        "212\n555\n0147",
        "212<br>555<br>0147",
    ],
)
def test_any_separator_between_digits_is_allowed(text: str) -> None:
    assert phones(text) == [NUMBER]


def test_dollar_sign_glued_between_digits_is_a_separator() -> None:
    assert phones("212$555$0147") == [NUMBER]


def test_keycap_emoji_digits_are_found() -> None:
    keycaps = "".join(f"{d}\ufe0f\u20e3" for d in "2125550147")
    assert phones(keycaps) == [NUMBER]


def test_full_width_mathematical_and_circled_digits_are_found() -> None:
    assert phones("２１２５５５０１４７") == [NUMBER]
    assert phones("𝟐𝟏𝟐 𝟓𝟓𝟓 𝟎𝟏𝟒𝟕") == [NUMBER]
    assert phones("②①② ⑤⑤⑤ ⓪①④⑦") == [NUMBER]
    assert phones("❷❶❷ ❺❺❺ ⓿❶❹❼") == [NUMBER]


def test_zero_width_and_bidi_characters_are_ignored() -> None:
    assert phones("2\u200b1\u200c2\u200d555\u2060014\ufeff7") == [NUMBER]
    assert phones("\u202e212\u202c 555 \u200f0147") == [NUMBER]


def test_cyrillic_o_inside_digits_is_zero() -> None:
    assert phones("212 555 \u043e147") == [NUMBER]


def test_number_inside_a_url_is_found() -> None:
    assert phones("http://212-555-0147.example.com/ad") == [NUMBER]
    assert phones("https://example.com/escorts/212-555-0147/?x=1") == [NUMBER]


def test_leading_country_code_one_is_accepted() -> None:
    assert phones("1 (212) 555-0147") == [NUMBER]
    assert phones("+1 212 555 0147") == [NUMBER]


def test_international_formats_work_whatever_the_region() -> None:
    assert phones("ring +44 20 7946 0958", region="US") == ["+442079460958"]
    assert phones("ring 0044 20 7946 0958", region="US") == ["+442079460958"]
    assert phones("ring +44 20 7946 0958", region=None) == ["+442079460958"]


def test_national_format_depends_on_the_region() -> None:
    assert phones("call 020 7946 0958", region="GB") == ["+442079460958"]
    assert phones("call 020 7946 0958", region="US") == []
    assert phones("mobile 0412 345 678", region="AU") == ["+61412345678"]


def test_region_none_only_finds_international_numbers() -> None:
    assert phones("call 212-555-0147", region=None) == []


def test_several_numbers_are_found_in_order_without_duplicates() -> None:
    text = "212 555 0147 or 213.555.0162, again 212-555-0147"
    assert phones(text) == [NUMBER, "+12135550162"]


def test_numbers_side_by_side_split_on_group_boundaries() -> None:
    assert phones("212 5550147 213 5550162") == [NUMBER, "+12135550162"]


def test_phone_span_points_at_what_the_ad_wrote() -> None:
    text = "hi! call 2ONE2-fIvE5FIVE-0oneFOUR7 now"
    (span,) = [s for s in extract(text).spans if s.kind == "phone"]
    assert text[span.start : span.end] == "2ONE2-fIvE5FIVE-0oneFOUR7"
    assert span.value == NUMBER


def test_phone_span_includes_the_plus_sign() -> None:
    text = "call +44 20 7946 0958."
    (span,) = [s for s in extract(text).spans if s.kind == "phone"]
    assert text[span.start : span.end] == "+44 20 7946 0958"


# --- false-positive families -------------------------------------------------------------------


def test_prices_are_not_phones() -> None:
    assert phones("$200 555 0147") == []
    assert phones("200$ hh 300/hr 150hh 2125550147hr") == []


def test_price_before_a_real_number_does_not_swallow_it() -> None:
    assert phones("$276 2125550147") == [NUMBER]


def test_price_units_after_digits_block_them() -> None:
    assert phones("212 555 0147 90hour") == [NUMBER]


def test_measurements_are_not_phones() -> None:
    assert phones("36-24-36 and 34D-24-36 and 36C 29 39") == []


def test_heights_before_a_number_are_not_part_of_it() -> None:
    assert phones("5'6\" 212 555 0147") == [NUMBER]
    assert phones("I am 5'10 and 130 lbs") == []


def test_dates_are_not_phones() -> None:
    assert phones("available 11-17-2015 to 11/28/2015") == []
    assert phones("posted 2015-11-17") == []


def test_zip_codes_are_not_phones() -> None:
    assert phones("1710 w Foothill blvd Upland CA 91786 212 555 0147") == [NUMBER]


def test_ad_ids_are_not_phones() -> None:
    assert phones("post id: 2125550147") == []
    assert phones("Ad ID# 2125550147") == []


def test_ids_in_url_paths_are_not_phones() -> None:
    assert phones("http://example.com/escorts/some-title/2125550147") == []
    assert phones("http://example.com/view?pid=2125550147") == []


def test_ordered_lists_of_numbers_are_not_phones() -> None:
    assert phones("sizes 25 30 35 40 45 50 55 60 65 70") == []
    assert phones("13 15 17 19 21 23 25 27 29 31") == []


def test_pairs_in_no_particular_order_can_still_be_a_phone() -> None:
    assert phones("+44 20 79 46 09 58") == ["+442079460958"]
    assert phones("989/555/47/01") == ["+19895554701"]  # decreasing, but mixed sizes


def test_long_digit_runs_are_not_cut_into_phones() -> None:
    assert phones("*8212555014771234") == []


def test_invalid_numbers_are_rejected_by_validation() -> None:
    assert phones("call 555-555-1234") == []  # area code 555 does not exist
    assert phones("call 123-456-7890") == []


def test_ordinary_words_that_contain_number_words_stay_words() -> None:
    assert phones("someone often weighted phone tone 212 555") == []


def test_standalone_for_and_to_are_english() -> None:
    assert phones("212 for 555 to 0147") == []


def test_unknown_region_falls_back_to_international_only() -> None:
    assert phones("call 212 555 0147 or +44 20 7946 0958", region="ZZ") == ["+442079460958"]
