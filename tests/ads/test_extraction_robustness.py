"""Hostile input never crashes extraction and every span stays inside the original text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ads.extraction import extract
from ads.extraction.normalize import normalize

# Text built from the pieces advertisers and attackers use: digits in every script, number
# words, separators, invisible and bidi controls, emoji, keycaps, NUL, surrogates excluded.
_PIECES = st.sampled_from(
    [
        "2",
        "0",
        "7",
        "one",
        "Six",
        "oh",
        "o",
        "l",
        "I",
        "to",
        "for",
        "twenty",
        "thousand",
        "-",
        ".",
        "*",
        "~",
        "/",
        "|",
        "[dot]",
        "(at)",
        " at ",
        " dot ",
        "@",
        "+",
        "$",
        "hh",
        "/hr",
        "yo",
        "I'm ",
        "ask for ",
        "Kandi",
        "\u200b",
        "\u202e",
        "\u202c",
        "\ufe0f\u20e3",
        "\x00",
        "🌹",
        "🍒",
        "２",
        "𝟕",
        "⑤",
        "❼",
        "\n",
        "<br>",
        "http://",
        "www.",
        ".com",
        "36-24-36",
        "5'6",
        "11/28/2015",
        "CA 91786",
        "post id: ",
        "İ",
        "ß",
        "ﬁ",
    ]
)
_HOSTILE = st.one_of(
    st.text(max_size=400),
    st.lists(_PIECES, max_size=80).map("".join),
    st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=60).map("".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_HOSTILE, region=st.sampled_from(["US", "GB", "AU", "IN", None, "ZZ", "us"]))
def test_extraction_never_crashes_and_spans_are_in_bounds(text: str, region: str | None) -> None:
    result = extract(text, region=region)
    for span in result.spans:
        assert 0 <= span.start <= span.end <= len(text)
        assert span.start < span.end, span
    for phone in result.phones:
        assert phone.startswith("+") and phone[1:].isdigit()
    assert len(result.phones) == len(set(result.phones))
    assert len(result.emails) == len(set(result.emails))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_normalised_offsets_map_inside_the_original(text: str) -> None:
    norm = normalize(text)
    for i in range(len(norm.text)):
        start, end = norm.span(i, i + 1)
        assert 0 <= start < end <= len(text)


def test_one_megabyte_of_text_does_not_crash() -> None:
    chunk = "Sweet 🌹 girl call 212-555-0147 $200 hh I'm 22 yo kandi at gmail dot com. "
    text = chunk * (1_000_000 // len(chunk))
    result = extract(text)
    assert result.phones == ["+12125550147"]
    assert result.ages == [22]


@pytest.mark.parametrize(
    "text",
    [
        "a" * 100_000,
        "7" * 100_000,
        "1 " * 50_000,
        "[" * 20_000 + "5" + "]" * 20_000,
        "a." * 50_000 + "@",
        "tototooforfor" * 5_000,
        "\x00" * 10_000 + "212 555 0147" + "\x00" * 10_000,
        "\u202e2\u202d1\u202c" * 10_000,
    ],
    ids=["letters", "digits", "digit-spaces", "brackets", "dots", "weak-words", "nul", "rtl"],
)
def test_pathological_strings_do_not_crash(text: str) -> None:
    result = extract(text)
    for span in result.spans:
        assert 0 <= span.start < span.end <= len(text)


def test_tens_word_followed_by_a_tens_unit_pair_does_not_crash() -> None:
    assert extract("twentytwenty-one").phones == []
    assert extract("twentytwenty-one 555 0147").spans is not None


def test_nul_bytes_separate_but_do_not_hide_a_number() -> None:
    assert extract("\x00212\x00555\x000147\x00").phones == ["+12125550147"]


def test_non_string_input_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        extract(b"212 555 0147")  # type: ignore[arg-type]
