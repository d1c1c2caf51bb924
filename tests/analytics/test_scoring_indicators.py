"""Indicators fire on the right words, point at the right characters and carry their evidence."""

from __future__ import annotations

import numpy as np

from analytics.scoring.indicators import (
    FAMILIES,
    Prototypes,
    detect,
    feature_names,
    features,
)


def _codes(text: str, extraction: dict | None = None) -> set[str]:
    return {hit.code for hit in detect(text, extraction)}


def test_every_span_points_at_the_matched_substring() -> None:
    text = "Sweet NEW GIRL 🍭 here, my daddy handles bookings. 100% real pics, Latina, incall."
    hits = detect(text)
    assert hits
    for hit in hits:
        assert hit.span is not None
        assert text[hit.span[0] : hit.span[1]] == hit.matched
    by_code = {h.code: text[h.span[0] : h.span[1]] for h in hits if h.span}
    assert by_code["youthful_language"] == "NEW GIRL"
    assert by_code["third_party_control"] == "my daddy"
    assert by_code["emoji_lollipop"] == "🍭"
    assert by_code["trustworthy_language"] == "100% real"
    assert "stated_ethnicity" not in by_code  # who a person is is never an indicator


def test_movement_language_is_a_counter_indicator() -> None:
    hits = detect("Classy escort, new in town until Sunday.")
    movement = [h for h in hits if h.code == "movement_language"]
    assert movement and movement[0].counter and movement[0].weight < 0
    assert "NIJ" in movement[0].provenance


def test_words_inside_other_words_do_not_fire() -> None:
    assert "youthful_language" not in _codes("Steenbergen canteen menu")
    assert "risky_services" not in _codes("Greekstyle yoghurt")


def test_obscured_phone_written_with_words_is_found_but_a_plain_number_is_not() -> None:
    text = "call 2ONE6-SIX2TWO-5NINE5FOUR tonight"
    hits = [h for h in detect(text) if h.family == "obscured_phone"]
    assert len(hits) == 1
    assert text[hits[0].span[0] : hits[0].span[1]] == "2ONE6-SIX2TWO-5NINE5FOUR"
    assert not [h for h in detect("call 555-123-4567") if h.family == "obscured_phone"]


def test_extraction_results_become_indicators_with_spans() -> None:
    text = "Hi, I am 16 and Korean"
    hits = detect(text, {"ages": [16], "ethnicities": ["Korean"], "obfuscated_phone": True})
    minor = next(h for h in hits if h.code == "stated_age_minor")
    assert text[minor.span[0] : minor.span[1]] == "16"
    assert any(h.code == "obscured_phone" and h.span is None for h in hits)
    assert not [h for h in hits if h.family == "ethnicity"]  # never an indicator (issue #15)


def test_ilo_indicators_count_only_when_several_occur_together() -> None:
    names = feature_names()
    one = features(detect("Hiring cooks, no experience needed."), "x")
    several = features(
        detect("No experience needed, agency keeps your passport, paid at the end of the contract"),
        "x",
    )
    assert one[names.index("ilo_distinct")] == 1
    assert one[names.index("ilo_several")] == 0
    assert several[names.index("ilo_distinct")] == 3
    assert several[names.index("ilo_several")] == 2


def test_feature_vector_matches_its_names() -> None:
    vector = features(detect("new girl"), "new girl", {"youthful": 0.4})
    assert vector.shape == (len(feature_names()),)
    assert vector[feature_names().index("weight_youthful")] == 0.6
    assert vector[feature_names().index("prototype_youthful")] == np.float32(0.4)
    assert len(FAMILIES) == len({n for n in feature_names() if n.startswith("weight_")})


def test_paraphrase_fires_only_when_the_lexicon_missed_the_family() -> None:
    def encode(texts: list[str]) -> np.ndarray:
        return np.eye(len(texts), 16, dtype=np.float32)

    prototypes = Prototypes.build(encode)
    third_party_row = prototypes.families.index("third_party")
    embedding = prototypes.embeddings[third_party_row]
    hits = detect("her friend arranges everything", embedding=embedding, prototypes=prototypes)
    assert [h.code for h in hits] == ["paraphrase_third_party"]
    hits = detect("talk to my manager", embedding=embedding, prototypes=prototypes)
    assert [h.code for h in hits] == ["third_party_control"]


def test_entry_prefilter_finds_a_match_whenever_one_of_its_patterns_does() -> None:
    # `_lexicon_hits` skips an entry when its one-alternation pattern finds nothing; that must
    # never hide a hit one of the entry's own patterns would have found.
    from analytics.scoring.indicators import LEXICON
    from analytics.scoring.training import load_seed_corpus

    texts = [e.text for e in load_seed_corpus()]
    texts += ["barely legal", "Age: 16", "my manager keeps my passport", "new in town!"]
    fired = 0
    for entry in LEXICON:
        assert entry.any_pattern is not None
        for text in texts:
            own = any(p.search(text) for p in entry.compiled)
            assert (entry.any_pattern.search(text) is not None) == own, (entry.code, text)
            fired += own
    assert fired > 50


def test_false_firings_found_on_real_ads_are_gone() -> None:
    assert "coercion" not in _codes("Available 24/7, 24 hrs, call anytime")
    assert "youthful_language" not in _codes("Hi, I am Nina, 27, classy and discreet")
    phone_words = detect("my phone is on, text my phone, phone me, phone one")
    assert not [h for h in phone_words if h.family == "obscured_phone"]
    cherries = [h for h in detect("sweet " + "\U0001f352" * 46) if h.code == "emoji_cherry"]
    assert len(cherries) == 1


def test_recruitment_into_commercial_sex_is_its_own_indicator() -> None:
    assert "recruitment" in _codes("Now hiring girls, make money fast, no experience needed")
