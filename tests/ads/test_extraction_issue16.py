"""Issue 16 (extraction half): the shapes real ads use that extraction missed or misread.

Every text here is written for the test (fictional 555-01xx numbers, made-up names); the
bitcoin and ethereum addresses are the public examples of their specifications.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from ads.extraction import extract, normalise_email, normalise_phone, resolve_region
from ads.extraction.cli import run
from ads.extraction.payments import keccak256

NUMBER = "+12125550147"


def phones(text: str, region: str | None = "US") -> list[str]:
    return extract(text, region=region).phones


# --- phones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "212🍸555🍸0147",
        "212➵➵555➵➵0147",
        "(212)555➖0147",
        "212&555&0147",
        "212+555+0147",
        "212💋-💋555💋.💋0147",
    ],
)
def test_digits_split_by_emoji_or_symbols_are_one_number(text: str) -> None:
    assert phones(f"call {text} now") == [NUMBER]


def test_a_number_word_glued_to_the_name_after_it_is_read() -> None:
    assert phones("two one two five five five zero one four sevenRose") == [NUMBER]
    assert phones("212 555 014sevenRose") == [NUMBER]


def test_a_word_after_the_number_does_not_hide_it() -> None:
    assert phones("212-555-0147 Rose") == [NUMBER]
    assert phones("212-555-0147 yo hablo español") == [NUMBER]


def test_a_price_in_roses_after_a_number_stays_a_price() -> None:
    result = extract("call 212-555-0147, 150 roses hh")
    assert result.phones == [NUMBER]
    assert [p["amount"] for p in result.prices] == [150]


def test_a_list_of_zip_codes_is_not_a_phone() -> None:
    assert phones("we serve 90001 90002 90003 and 91786") == []


def test_a_date_written_with_spaces_is_not_a_phone() -> None:
    assert phones("posted 2015 11 17 - 14 hours") == []


def test_digits_inside_a_handle_are_not_a_phone() -> None:
    result = extract("wechat: ab2125550147")
    assert result.phones == []
    assert result.handles == ["wechat:ab2125550147"]
    result = extract("WECHAT:  ab2125550147   for bookings")
    assert (result.phones, result.handles) == ([], ["wechat:ab2125550147"])


def test_each_number_records_how_it_was_hidden() -> None:
    result = extract("plain 646-555-0199, hidden 2one2 555 O147 and 718🍸555🍸0123")
    ways = result.phone_obfuscation
    assert ways["+16465550199"] == []
    assert set(ways[NUMBER]) >= {"number_words", "letters"}
    assert ways["+17185550123"] == ["separators"]
    assert result.obfuscated is True
    assert extract("call 646-555-0199").obfuscated is False


# --- region ------------------------------------------------------------------------------------


def test_region_comes_from_the_url_then_the_source_then_the_text() -> None:
    assert resolve_region(url="https://melbourne.example.com/x", source="US").rule == "url_place"
    assert resolve_region(url="https://melbourne.example.com/x", source="US").region == "AU"
    choice = resolve_region(url="https://ads.example.co.uk/1", source="US")
    assert (choice.region, choice.rule) == ("GB", "url_tld")
    assert resolve_region(url="https://ads.example.io/1", source="US").rule == "source"
    assert resolve_region(text="new in Australia", source=None).region == "AU"
    assert resolve_region(text="call +44 20 7946 0958", source=None).rule == (
        "international_prefix"
    )
    assert resolve_region(text="hello", source=None) == resolve_region()
    assert resolve_region().rule == "none"


def test_the_cli_says_which_region_and_rule_it_used() -> None:
    lines = [
        {"id": 1, "text": "0491 570 156", "url": "https://sydney.example.com/a"},
        {"id": 2, "text": "212-555-0147"},
        {"id": 3, "text": "020 7946 0958", "region": "GB"},
    ]
    out = io.StringIO()
    run(io.StringIO("\n".join(json.dumps(x) for x in lines)), out, io.StringIO(), "US")
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [(r["region"], r["region_rule"]) for r in rows] == [
        ("AU", "url_place"),
        ("US", "source"),
        ("GB", "line"),
    ]
    assert rows[0]["phones"] == ["+61491570156"]


# --- emails, names, handles --------------------------------------------------------------------


def test_number_words_in_an_email_address_are_kept_as_written() -> None:
    assert extract("mail kandy.one@example.com").emails == ["kandy.one@example.com"]
    assert extract("mail sweetfour@example.com").emails == ["sweetfour@example.com"]


@pytest.mark.parametrize(
    "text",
    ["Call me Give it a try", "I am Never late", "I'm Super friendly", "I'm Fetish friendly"],
)
def test_common_words_are_not_names(text: str) -> None:
    assert extract(text).names == []


def test_names_are_still_found() -> None:
    assert extract("Hi I'm Kandi, ask for Zuleyka").names == ["Kandi", "Zuleyka"]
    assert extract("my name is Rosa").names == ["Rosa"]


def test_contacts_greetings_and_spanish_introductions_give_names() -> None:
    assert extract("Call Zorba at Acme Tools").names == ["Zorba"]
    assert extract("call ZORBA 212-555-0147").names == ["Zorba"]
    assert extract("Hey Zuleyka here boys").names == ["Zuleyka"]
    assert extract("Soy ZULEYKA, me llamo Rosa").names == ["Zuleyka", "Rosa"]


@pytest.mark.parametrize(
    "text",
    [
        "Click here",
        "Company Name: Acme Tools",
        "ask for WhatsApp first",
        "soy UNA CHICA",
        "Call NOW 212",
    ],
)
def test_form_fields_apps_and_phrases_are_not_names(text: str) -> None:
    assert extract(text).names == []


@pytest.mark.parametrize(
    "text",
    [
        "follow through my Twitter feed",
        "on Instagram as well",
        "of course",
        "SC Myrtle",
        "find me on kik later",
        "my insta feed",
        "see you @gain soon",
        "a h*@ppy day",
        "an @mAZING day",
    ],
)
def test_handles_are_not_taken_from_prose(text: str) -> None:
    assert extract(text).handles == []


def test_profile_links_are_handles() -> None:
    result = extract("pics at https://instagram.com/kandix323/ and kandix.tumblr.com")
    assert result.handles == ["instagram:kandix323", "tumblr:kandix"]
    assert extract("share https://twitter.com/intent/tweet").handles == []


def test_an_address_broken_by_a_wrapped_line_is_read_whole() -> None:
    assert extract("mail kandi@gm ail.com now").emails == ["kandi@gmail.com"]
    assert extract("kandi @mail.com").emails == ["kandi@mail.com"]
    assert extract("write kandi@yahoo.co m.").emails == ["kandi@yahoo.com"]
    assert extract("kandi@mail. com").emails == ["kandi@mail.com"]
    assert extract("kandi@gmail.com now").emails == ["kandi@gmail.com"]
    assert extract("email me @ gmail").emails == []
    assert extract("Copyright @ 2016 Example.com").emails == []


def test_abbreviated_platforms_with_a_handle_are_found() -> None:
    assert extract("Sc kandi_x").handles == ["snapchat:kandi_x"]
    assert extract("IG: kandix").handles == ["instagram:kandix"]
    assert extract("kik me kandix").handles == ["kik:kandix"]


# --- payments ----------------------------------------------------------------------------------


def test_cashtags_and_venmo_are_payments_and_prices_are_not() -> None:
    result = extract("$200 hh, cashapp $kandix99 or venmo @kandi-x, tip $50")
    assert result.payments == ["cashapp:$kandix99", "venmo:kandi-x"]
    assert [p["amount"] for p in result.prices][:1] == [200]
    assert {s.kind for s in result.spans} >= {"payment"}


def test_a_dollar_sign_for_an_s_is_not_a_cashtag() -> None:
    assert extract("cash only, $ome $till on the $ide").payments == []
    assert extract("tips on cash app: $Kandix99").payments == ["cashapp:$kandix99"]
    assert extract("bring $kandix99").payments == []


def test_bitcoin_addresses_need_a_valid_checksum() -> None:
    good_b58 = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
    good_bech = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    result = extract(f"btc {good_b58} or {good_bech}")
    assert result.payments == [f"btc:{good_b58}", f"btc:{good_bech}"]
    assert extract(f"btc {good_b58[:-1]}3 or {good_bech[:-1]}p").payments == []


def test_ethereum_addresses_with_mixed_case_need_the_eip55_checksum() -> None:
    good = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert extract(f"eth {good}").payments == [f"eth:{good.lower()}"]
    assert extract(f"eth {good[:-1]}D").payments == []
    assert extract(f"eth {good.lower()}").payments == [f"eth:{good.lower()}"]


def test_keccak256_is_ethereums_hash_not_sha3() -> None:
    assert keccak256(b"").hex() == (
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    )


# --- ages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Sweet girl visiting - 23\nbody text here", 23),
        ("flattened page: Sweet girl visiting  - 23 Posted: Monday", 23),
        ("Sweet girl ~ $80 Special ~  - 43    Springfield, downtown", 43),
        ("Sweet girl 212 - 555 - 0147 - 24    Posting", 24),
        ("Sweet girl hiring - 25 | example.com", 25),
        ("Edad de la persona que publicó el anuncio: 20", 20),
        ("applicants at-least 30 years old", None),
        ("Age          : 22", 22),
        ("22yo", 22),
        ("22 y/o", 22),
        ("22yrs", 22),
        ("tengo 22 años", 22),
        ("twenty two years old", 22),
        ("just turned 21", 21),
        ("a 21-year-old student", 21),
    ],
)
def test_stated_ages_in_the_forms_ads_use_are_found(text: str, age: int | None) -> None:
    assert extract(text).ages == ([age] if age else [])


@pytest.mark.parametrize(
    "text",
    [
        "I'm 34D",
        "36DD natural",
        "clients 35yrs to 70yrs",
        "clients 40+",
        "girls 19-25 years",
        "only persons who are 18 years of age or older",
        "Sweet girl - 12\nbody",
        "posted 2015 11 17 - 14\nbody",
        "Incall - 24 Hours",
        "Rates 60 - 80 Roses",
    ],
)
def test_sizes_ranges_and_disclaimers_are_not_ages(text: str) -> None:
    assert extract(text).ages == []


# --- one normaliser ----------------------------------------------------------------------------


def test_normalise_phone_is_the_rule_extraction_stores_with() -> None:
    assert normalise_phone("(212) 555-0147") == NUMBER
    assert normalise_phone("212.555.0147", "us") == NUMBER
    assert normalise_phone("+44 20 7946 0958", None) == "+442079460958"
    assert normalise_phone("0491 570 156", "AU") == "+61491570156"
    assert normalise_phone("12") is None
    assert normalise_phone("") is None
    assert normalise_phone("call 212-555-0147") == extract("call 212-555-0147").phones[0]


def test_normalise_email_lowercases_and_refuses_non_addresses() -> None:
    assert normalise_email(" Kandi@Example.COM ") == "kandi@example.com"
    assert normalise_email("no at all") is None
    assert normalise_email("a@b@example.com") is None
    assert normalise_email("kandi@example") is None


def test_the_management_command_prints_the_region_and_its_rule(tmp_path: Path) -> None:
    from django.core.management import call_command

    path = tmp_path / "ads.jsonl"
    path.write_text(
        json.dumps({"id": 1, "text": "call 0491 570 156", "url": "https://ads.example.com.au/1"})
        + "\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("extract_entities", str(path), "--region", "US", stdout=out, stderr=io.StringIO())
    (line,) = [json.loads(x) for x in out.getvalue().splitlines()]
    assert (line["region"], line["region_rule"]) == ("AU", "url_tld")
    assert line["phones"] == ["+61491570156"]


def test_a_bare_duration_under_18_years_is_no_age_but_a_written_age_is() -> None:
    from ads.extraction import extract

    assert extract("10 years Adult Body Rub Industry Leader. Real money.").ages == []
    assert extract("I am 16 years old").ages == [16]
    assert extract("Sweet 23 years, incall").ages == [23]
