"""MinHash signatures and LSH band keys: templates match across names, prices and phones."""

from __future__ import annotations

import numpy as np

from analytics.linking import (
    BANDS,
    NUM_PERM,
    band_keys,
    estimate_similarity,
    normalise_tokens,
    text_signature,
    text_signatures,
)

TEMPLATE = (
    "Hey gentlemen {e} I'm {name}, a sweet {eth} companion {age}. just arrived in {city} for a "
    "few days only. incall and outcall, open late. {price}. serious gentlemen only, no rush. "
    "classy, playful and discreet. text me {phone}. you won't be disappointed"
)
OTHER = (
    "Selling my oak dining table with six chairs, some wear on the legs. pick up in {city} after "
    "work. cash or app payment, serious buyers only, no holds. text {phone} for more photos"
)


def _ad(template: str, **kw: str) -> str:
    slots = {
        "e": "💋",
        "name": "Lola",
        "eth": "Latina",
        "age": "22yo",
        "city": "Vegas",
        "price": "$200 hh",
        "phone": "702-555-0123",
    }
    return template.format(**{**slots, **kw})


def test_digits_phone_runs_number_words_and_emoji_are_dropped():
    tokens = normalise_tokens("Call ７０２-555 sevenohtwo 7O2 twenty one 💋 Lola, 24/7 $200hh!")
    assert tokens == ["call", "lola"]


def test_zero_width_characters_do_not_split_words():
    assert normalise_tokens("gent\u200blemen only") == ["gentlemen", "only"]


def test_signatures_are_uint32_and_stable_across_calls():
    sig = text_signature(_ad(TEMPLATE))
    assert sig.dtype == np.uint32 and sig.shape == (NUM_PERM,)
    assert np.array_equal(sig, text_signature(_ad(TEMPLATE)))
    batch = text_signatures([_ad(TEMPLATE), _ad(OTHER)])
    assert np.array_equal(batch[0], sig)


def test_same_template_with_other_phone_price_and_age_is_identical_after_normalising():
    a = text_signature(_ad(TEMPLATE))
    b = text_signature(
        _ad(TEMPLATE, phone="(213) 555-0188", price="300/hr", age="twenty two", e="🔥")
    )
    assert estimate_similarity(a, b) == 1.0


def test_same_template_with_other_name_and_city_stays_similar():
    a = text_signature(_ad(TEMPLATE))
    b = text_signature(_ad(TEMPLATE, name="Candy", city="Philly"))
    assert estimate_similarity(a, b) > 0.6


def test_different_templates_are_not_similar():
    a = text_signature(_ad(TEMPLATE))
    b = text_signature(_ad(OTHER))
    assert estimate_similarity(a, b) < 0.1


def test_estimate_tracks_exact_jaccard():
    def shingles(text: str) -> set[tuple[str, ...]]:
        t = normalise_tokens(text)
        return {tuple(t[i : i + 3]) for i in range(len(t) - 2)}

    a, b = _ad(TEMPLATE), _ad(TEMPLATE, name="Candy", city="Philly", eth="Asian")
    sa, sb = shingles(a), shingles(b)
    exact = len(sa & sb) / len(sa | sb)
    assert abs(estimate_similarity(text_signature(a), text_signature(b)) - exact) < 0.15


def test_band_keys_are_compact_strings_one_per_band():
    keys = band_keys(text_signature(_ad(TEMPLATE)))
    assert len(keys) == BANDS
    assert all(len(k) == 20 and k[0] == "b" and k[3] == ":" for k in keys)
    assert keys[0].startswith("b00:") and keys[-1].startswith(f"b{BANDS - 1:02d}:")


def test_near_duplicates_share_band_keys_and_different_templates_do_not():
    a = set(band_keys(text_signature(_ad(TEMPLATE))))
    b = set(band_keys(text_signature(_ad(TEMPLATE, name="Candy"))))
    c = set(band_keys(text_signature(_ad(OTHER))))
    assert a & b
    assert not a & c


def test_text_too_short_to_judge_links_to_nothing():
    sig = text_signature("call me 💋")
    assert band_keys(sig) == []
    assert estimate_similarity(sig, sig) == 0.0
