"""Emails, handles, URLs, ages, prices, names, emoji and ethnicity, on synthetic ad text."""

from __future__ import annotations

from ads.extraction import Extraction, Span, extract
from ads.extraction.emoji_lexicon import LEXICON


def spans_of(result: Extraction, kind: str) -> list[Span]:
    return [s for s in result.spans if s.kind == kind]


# --- emails ----------------------------------------------------------------------------------


def test_plain_email_is_found_lowercased() -> None:
    assert extract("write Kandi.X@GMail.com today").emails == ["kandi.x@gmail.com"]


def test_email_spelled_with_at_and_dot_words_is_found() -> None:
    text = "email me: kandi at gmail dot com"
    result = extract(text)
    assert result.emails == ["kandi@gmail.com"]
    (span,) = spans_of(result, "email")
    assert text[span.start : span.end] == "kandi at gmail dot com"


def test_email_with_bracketed_at_and_dot_is_found() -> None:
    assert extract("kandi[at]gmail[dot]com").emails == ["kandi@gmail.com"]
    assert extract("kandi(at)yahoo(.)com").emails == ["kandi@yahoo.com"]
    assert extract("kandi@outlook(.)co(.)uk").emails == ["kandi@outlook.co.uk"]


def test_prose_with_at_is_not_an_email() -> None:
    assert extract("meet me at the hotel, available at noon").emails == []


# --- handles ---------------------------------------------------------------------------------


def test_platform_handles_are_normalised_to_platform_and_name() -> None:
    result = extract("IG: Kandi_X | snapchat @kandi.snaps | kik me kandi99 | Wechat ID kandi_w")
    assert result.handles == [
        "instagram:kandi_x",
        "snapchat:kandi.snaps",
        "kik:kandi99",
        "wechat:kandi_w",
    ]


def test_short_platform_names_need_a_colon_or_at() -> None:
    assert extract("one of my favourite things").handles == []
    assert extract("sc: kandi_sc").handles == ["snapchat:kandi_sc"]


def test_bare_at_handle_is_kept_with_unknown_platform() -> None:
    assert extract("follow @kandi_x for pics").handles == ["unknown:kandi_x"]


def test_whatsapp_followed_by_a_word_is_not_a_handle() -> None:
    assert extract("whatsapp only").handles == []


# --- urls ------------------------------------------------------------------------------------


def test_urls_with_and_without_scheme_are_found() -> None:
    text = "see https://Example.com/Path?a=1, www.kandi.example.net and kandi-pics.com."
    result = extract(text)
    assert result.urls == [
        "https://example.com/Path?a=1",
        "http://www.kandi.example.net",
        "http://kandi-pics.com",
    ]
    assert [text[s.start : s.end] for s in spans_of(result, "url")][-1] == "kandi-pics.com"


def test_a_web_address_broken_by_a_space_gives_no_site_less_url() -> None:
    # "www.name" alone names no site: every ad that breaks an address alike would share it.
    assert extract("apply at http://www.jobsite. com/jad/123 today").urls == []
    assert extract("apply at www.jobsite today").urls == []
    assert extract("apply at http://www.jobsite.com/jad/123").urls == [
        "http://www.jobsite.com/jad/123"
    ]


def test_email_domain_is_not_reported_as_a_url() -> None:
    assert extract("kandi@gmail.com").urls == []


# --- ages ------------------------------------------------------------------------------------


def test_stated_ages_in_common_forms_are_found() -> None:
    text = "19yo here. age: 20. twenty one years old. 22 years young. I'm 23, really."
    assert extract(text).ages == [19, 20, 21, 22, 23]


def test_age_spelled_in_words_points_at_the_words() -> None:
    text = "I am twenty one years old"
    (span,) = spans_of(extract(text), "age")
    assert span.value == "21"
    assert text[span.start : span.end] == "twenty one years old"


def test_years_of_experience_are_not_ages() -> None:
    assert extract("10 years experience, 5 years in business").ages == []


def test_other_peoples_ages_are_not_ages() -> None:
    text = "men over 30 only, gents 40+ welcome, boys 21 and up, my daughter is 12"
    assert extract(text).ages == []


def test_ranges_and_past_periods_are_not_ages() -> None:
    assert extract("Job duration: 1-10 years, over the last 14 years").ages == []


def test_height_written_without_a_foot_mark_is_not_an_age() -> None:
    assert extract("im 56 very petite, 110 lbs").ages == []
    assert extract("Poster's age: 56").ages == [56]


def test_prices_and_times_after_im_are_not_ages() -> None:
    assert extract("I'm 30 min away, I'm 20 roses").ages == []


# --- prices ----------------------------------------------------------------------------------


def test_prices_with_currency_and_duration_are_found() -> None:
    result = extract("$200 hh, 300/hr, 80 qv, hh 120, 2 hrs $500, 250euro for 1h")
    assert [(p["amount"], p["currency"], p["duration"]) for p in result.prices] == [
        (200, "USD", "hh"),
        (300, "USD", "hr"),
        (80, "USD", "qv"),
        (120, "USD", "hh"),
        (500, "USD", "2hr"),
        (250, "EUR", "hr"),
    ]


def test_price_raw_is_the_original_text() -> None:
    (price,) = extract("only $200 hh").prices
    assert price["raw"] == "$200 hh"


def test_roses_are_a_price() -> None:
    (price,) = extract("150 roses for an hour").prices
    assert price["amount"] == 150
    (price,) = extract("special 200🌹 hh").prices
    assert (price["amount"], price["duration"]) == (200, "hh")


def test_region_gives_the_currency_of_a_bare_amount() -> None:
    (price,) = extract("300/hr", region="GB").prices
    assert price["currency"] == "GBP"


def test_thousands_with_k_are_expanded() -> None:
    (price,) = extract("$1.5k overnight").prices
    assert (price["amount"], price["duration"]) == (1500, "overnight")


def test_a_duration_before_the_amount_belongs_to_it() -> None:
    result = extract("30min:$40 60min:$60 90min:$90")
    assert [(p["amount"], p["duration"]) for p in result.prices] == [
        (40, "30min"),
        (60, "hr"),
        (90, "90min"),
    ]


def test_minutes_glued_to_digits_are_a_duration_not_an_amount() -> None:
    assert [p["amount"] for p in extract("15mins-50$").prices] == [50]


def test_thousands_separators_are_read() -> None:
    result = extract("$1,000 overnight, 1,500 roses")
    assert [p["amount"] for p in result.prices] == [1000, 1500]


def test_lengths_of_time_are_not_prices() -> None:
    assert extract("sessions of 30 min or 60 min, open 24 hours").prices == []


def test_digits_of_a_phone_are_not_a_price() -> None:
    result = extract("rates hh 212 555 0147")
    assert result.phones == ["+12125550147"]
    assert result.prices == []


# --- names -----------------------------------------------------------------------------------


def test_names_and_aliases_are_found() -> None:
    text = "Hi, my name is Rosa. Ask for KANDI. I'm CeeCee and this is Bambi"
    assert extract(text).names == ["Rosa", "Kandi", "CeeCee", "Bambi"]


def test_common_words_after_im_are_not_names() -> None:
    assert extract("I'm New in town, I'm Available now, I'm Real").names == []


def test_lowercase_words_are_not_names() -> None:
    assert extract("ask for details, i'm ready").names == []


# --- ethnicity -------------------------------------------------------------------------------


def test_ethnicity_and_nationality_of_the_person_are_found() -> None:
    text = "Sweet Latina, half Brazilian and Cuban, ebony goddess"
    assert extract(text).ethnicities == ["latina", "brazilian", "cuban", "black"]


def test_client_restrictions_are_not_the_persons_ethnicity() -> None:
    assert extract("no black men, sorry I don't date african american guys").ethnicities == []


def test_ambiguous_colour_words_need_context() -> None:
    assert extract("black lingerie and white sheets, french kiss").ethnicities == []
    assert extract("White girl next door").ethnicities == ["white"]


# --- emoji -----------------------------------------------------------------------------------


def test_lexicon_emoji_are_found_with_their_meaning() -> None:
    text = "new in town 🌹🌹 ✈️ sweet 🍒"
    result = extract(text)
    assert [e["emoji"] for e in result.emojis] == ["🌹", "✈", "🍒"]
    assert all(e["meaning"] for e in result.emojis)
    assert [text[s.start : s.end] for s in spans_of(result, "emoji")] == ["🌹", "🌹", "✈️", "🍒"]


def test_every_lexicon_entry_names_a_source() -> None:
    assert LEXICON
    for entry in LEXICON:
        assert entry["sources"], entry["emoji"]
        assert entry["meaning"], entry["emoji"]


def test_emoji_outside_the_lexicon_are_ignored() -> None:
    assert extract("🙂🐢").emojis == []


# --- the whole result ------------------------------------------------------------------------


def test_to_json_has_the_cli_line_format() -> None:
    payload = extract("call 212-555-0147, $200 hh 🌹").to_json("ad-1")
    assert set(payload) >= {
        "id",
        "phones",
        "emails",
        "ages",
        "prices",
        "handles",
        "urls",
        "names",
        "emojis",
        "spans",
    }
    assert payload["id"] == "ad-1"
    assert payload["phones"] == ["+12125550147"]
    assert {"kind", "value", "start", "end"} == set(payload["spans"][0])


def test_every_span_points_at_its_text_in_the_original() -> None:
    text = (
        "\u200bHi I'm Rosa 🌹 age: 22, Latina. $200 hh. call ２one２ 555 O147 or "
        "rosa at gmail dot com, IG: rosa_x, www.rosa.example.com"
    )
    result = extract(text)
    kinds = {s.kind for s in result.spans}
    assert kinds >= {"name", "emoji", "age", "ethnicity", "price", "phone", "email", "handle"}
    for span in result.spans:
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end].strip() == text[span.start : span.end]
    (phone,) = spans_of(result, "phone")
    assert text[phone.start : phone.end] == "２one２ 555 O147"
