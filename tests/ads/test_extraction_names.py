"""Names: words in a name's place that are not names (issue 16, second pass).

Every text is written for the test, with made-up names.
"""

from __future__ import annotations

import pytest

from ads.extraction import extract
from ads.extraction.words import is_demonym, is_first_name


@pytest.mark.parametrize(
    "text",
    [
        "Hi, I'm Cambodian, 5'3, 120 lbs",
        "I'm Japanese and new here",
        "Agency Name: Acmetrans Description: drivers",
        "our advisors, known as Outside Advisors, visit clients",
        "Residual Income - Text Marketing (Springfield) sales",
        "I am Cool guy looking for models",
        "I am EXTREMLY open minded",
        "I HAVE BEEN TOLD I AM SUPER SKILLFUL",
        "I am Hong Kong Girl, sweet",
        "you will ask for Tantra Massage again",
        "OMG! IS this is SCAM? Read first",
    ],
)
def test_nationalities_titles_adjectives_places_and_services_are_not_names(text: str) -> None:
    assert extract(text).names == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi I'm Kandi and I love to travel", "Kandi"),
        ("I'm Zuleyka here for you", "Zuleyka"),
        ("Hey guys I'm Sasha sweet and fun", "Sasha"),
        ("I AM ZORBINA. A true beauty", "Zorbina"),
        ("call Zorba (212) 555-0147", "Zorba"),
        ("Name: Kandi   Age: 23", "Kandi"),
        ("My name is Vivian and I am new", "Vivian"),
    ],
)
def test_names_after_their_triggers_are_still_found(text: str, name: str) -> None:
    assert extract(text).names == [name]


def test_demonyms_come_from_country_names_and_given_names_are_not_demonyms() -> None:
    assert all(is_demonym(w) for w in ("Cambodian", "Japanese", "Mexican", "Korean"))
    assert not any(is_demonym(w) for w in ("Vivian", "Julian", "Adrian", "Jordan"))
    assert is_first_name("Sasha") and not is_first_name("Extremly")


# --- third pass (issue 16): classes read on tune-split and unlabelled real ads, made-up text ---


def test_a_title_before_a_given_name_gives_the_name() -> None:
    assert extract("Hi Im Sophomore Sally, college coed").names == ["Sally"]
    assert extract("this is Miss Kandi here").names == ["Kandi"]


@pytest.mark.parametrize(
    "text",
    [
        "Im Eager To Please",
        "VERY CLEAN Im HONEST , DISCREET ,100% SAFE",
        "Hello, This is ZORBINA, founder of EXAMPLE SPA",
        "This is Kandi the owner of Example Rubs",
    ],
)
def test_adjectives_and_a_business_voice_are_not_names(text: str) -> None:
    assert extract(text).names == []


def test_an_account_name_on_a_review_site_is_a_handle_not_a_name() -> None:
    result = extract("TNA Verified: name: KandiXoxo  Number 1 recommended")
    assert result.handles == ["tna:kandixoxo"]
    assert result.names == []
    assert extract("nice TNA: 34D natural").handles == []
