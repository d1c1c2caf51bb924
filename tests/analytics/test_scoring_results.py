"""Which texts can be scored, and the plain-language reason a reviewer reads."""

from __future__ import annotations

from analytics.scoring.indicators import detect
from analytics.scoring.results import check_text, reason_sentence


def test_empty_and_whitespace_text_is_not_scorable() -> None:
    for text in ("", "   \n\t"):
        check = check_text(text)
        assert not check.scorable
        assert check.reason == "empty text"


def test_emoji_only_text_is_not_scorable_with_a_clear_reason() -> None:
    check = check_text("🍭🌹💋 !!!")
    assert not check.scorable
    assert "emoji" in (check.reason or "")


def test_binary_looking_text_is_unsupported() -> None:
    check = check_text("\x00\x01\x02\x03abc\x04\x05")
    assert not check.scorable
    assert (check.reason or "").startswith("unsupported")


def test_other_scripts_and_mixed_scripts_score_with_lower_confidence() -> None:
    cyrillic = check_text("Привет, меня зовут Маша, звоните мне")
    mixed = check_text("Hello sweet girl 你好漂亮的女孩 call now")
    spanish = check_text("Se busca camarera con buen sueldo y horario flexible en la ciudad")
    for check in (cyrillic, mixed, spanish):
        assert check.scorable
        assert check.low_confidence
    assert "Cyrillic" in cyrillic.notes[0]
    assert "mixed scripts" in mixed.notes[0]
    assert not check_text("Hiring a line cook for the new restaurant, call now").low_confidence


def test_reason_names_the_evidence_and_shows_movement_as_movement() -> None:
    text = "new girl, my daddy handles bookings, new in town"
    hits = detect(text)
    reason = reason_sentence(
        risk=0.57,
        flagged=True,
        minor=0.35,
        possible_minor=False,
        indicators=[h for h in hits if not h.counter],
        counter=[h for h in hits if h.counter],
        notes=["lower confidence: probably not English"],
    )
    assert reason.startswith(
        "Flagged for review (lead score 0.57): third-party control ('my daddy'), youthful language"
    )
    assert "possible minor" not in reason
    assert "movement" in reason and "shown, not weighed" in reason
    assert "probably not English" in reason
    assert reason.endswith("not yet calibrated against investigators' decisions).")


def test_reason_for_a_low_score_without_indicators_says_so() -> None:
    reason = reason_sentence(
        risk=0.02,
        flagged=False,
        minor=0.01,
        possible_minor=False,
        indicators=[],
        counter=[],
        notes=[],
    )
    assert reason == (
        "Not flagged (lead score 0.02): no risk indicator found "
        "(lead score, not yet calibrated against investigators' decisions)."
    )


def test_checks_on_distinct_characters_agree_with_the_per_character_rules() -> None:
    # check_text counts distinct characters; a text whose controls sit right at the 10% limit
    # and one just over it, and script shares counted with repeats, behave as per character.
    assert check_text("abcdefghi\x00").scorable  # 1 control in 10 characters: not over 10%
    assert not check_text("abcdefgh\x00\x00").scorable
    half = check_text("Привет мир " * 3 + "hello there " * 3)
    assert half.scorable and any("mixed scripts (CYRILLIC, LATIN)" in n for n in half.notes)
    mostly = check_text("Привет мир как дела " * 5 + "ok")
    assert any("mostly Cyrillic" in n for n in mostly.notes)
