"""What one scored ad looks like, whether text can be scored, and the plain-language reason."""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analytics.scoring.indicators import Indicator

# Common English function words; a Latin-script text with almost none is probably another
# language, which the English-trained encoder and seed corpus represent less well.
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "you",
        "your",
        "me",
        "my",
        "i",
        "is",
        "are",
        "am",
        "be",
        "at",
        "this",
        "that",
        "it",
        "we",
        "our",
        "call",
        "now",
        "new",
        "can",
        "will",
        "not",
        "no",
        "all",
    ]
)


@dataclass(frozen=True)
class TextCheck:
    """Whether a text can be scored, and notes that lower confidence in its score."""

    scorable: bool
    reason: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def low_confidence(self) -> bool:
        """True when a note says the model is on less familiar ground."""
        return any(n.startswith("lower confidence") for n in self.notes)


def _script(char: str) -> str:
    try:
        return unicodedata.name(char).split()[0]
    except ValueError:
        return "UNKNOWN"


def check_text(text: str) -> TextCheck:
    """Decide scorability: empty, emoji/symbols only and binary-looking input are not scored."""
    if not isinstance(text, str):
        return TextCheck(False, "unsupported: text is not a string")
    stripped = text.strip()
    if not stripped:
        return TextCheck(False, "empty text")
    # Work on distinct characters (in order of first appearance) with their counts: the same
    # answers as looking at every character, for a fraction of the time on long ads.
    chars = Counter(stripped)
    controls = sum(n for c, n in chars.items() if unicodedata.category(c) in ("Cc", "Cs", "Co"))
    controls += chars["\ufffd"]
    if controls > 0.1 * len(stripped):
        return TextCheck(False, "unsupported: looks like binary or badly decoded data")
    letters = {c: n for c, n in chars.items() if c.isalpha()}
    letter_total = sum(letters.values())
    if not letters and not any(c.isdigit() for c in chars):
        return TextCheck(False, "no words: only emoji or symbols")
    notes: list[str] = []
    scripts: Counter[str] = Counter()
    for char, n in letters.items():
        scripts[_script(char)] += n
    if letters:
        main, main_count = scripts.most_common(1)[0]
        significant = [s for s, n in scripts.items() if n >= 0.1 * letter_total]
        if len(significant) > 1:
            notes.append(f"lower confidence: mixed scripts ({', '.join(sorted(significant))})")
        elif main != "LATIN" and main_count >= 0.5 * letter_total:
            notes.append(f"lower confidence: mostly {main.title()} script")
        else:
            words = [w.strip(".,!?;:()\"'").lower() for w in stripped.split()]
            words = [w for w in words if w]
            if len(words) >= 8 and sum(w in _ENGLISH_WORDS for w in words) < 0.05 * len(words):
                notes.append("lower confidence: probably not English")
    return TextCheck(True, None, tuple(notes))


@dataclass
class ScoreResult:
    """The score of one ad with everything a reviewer needs to judge it."""

    scorable: bool
    model_version: str
    reason: str
    not_scorable_reason: str | None = None
    risk: float | None = None
    minor: float | None = None
    flagged: bool = False
    possible_minor: bool = False
    category: str | None = None
    category_probabilities: dict[str, float] = field(default_factory=dict)
    indicators: list[Indicator] = field(default_factory=list)
    counter_indicators: list[Indicator] = field(default_factory=list)
    truncated: bool = False
    tokens: int = 0
    notes: list[str] = field(default_factory=list)
    low_confidence: bool = False
    embedding: np.ndarray | None = None

    def as_dict(self, *, include_embedding: bool = False) -> dict[str, Any]:
        """JSON-ready form (the embedding only on request: it is 384 floats)."""
        data: dict[str, Any] = {
            "scorable": self.scorable,
            "not_scorable_reason": self.not_scorable_reason,
            "risk": self.risk,
            "minor": self.minor,
            "flagged": self.flagged,
            "possible_minor": self.possible_minor,
            "category": self.category,
            "category_probabilities": self.category_probabilities,
            "indicators": [i.as_dict() for i in self.indicators],
            "counter_indicators": [i.as_dict() for i in self.counter_indicators],
            "reason": self.reason,
            "model_version": self.model_version,
            "truncated": self.truncated,
            "tokens": self.tokens,
            "notes": self.notes,
            "low_confidence": self.low_confidence,
        }
        if include_embedding and self.embedding is not None:
            data["embedding"] = self.embedding.astype(float).tolist()
        return data


def _describe(group: list[Indicator]) -> str:
    label = group[0].label if group[0].code.startswith("paraphrase_") else group[0].label
    quotes = []
    for hit in group:
        if hit.matched and hit.span and f"'{hit.matched}'" not in quotes:
            quotes.append(f"'{hit.matched.strip()[:40]}'")
    return f"{label} ({', '.join(quotes[:3])})" if quotes else label


def _grouped(hits: list[Indicator]) -> list[str]:
    groups: dict[str, list[Indicator]] = {}
    for hit in sorted(hits, key=lambda h: -abs(h.weight)):
        groups.setdefault(hit.label, []).append(hit)
    return [_describe(g) for g in groups.values()]


# The note an ad gets when it is unlike every training example (the reason says it in plain words).
NOVEL_NOTE = "lower confidence: unlike the training examples"


def reason_sentence(
    *,
    risk: float,
    flagged: bool,
    minor: float | None,
    possible_minor: bool,
    indicators: list[Indicator],
    counter: list[Indicator],
    notes: list[str],
    calibrated_on: int | None = None,
) -> str:
    """One plain sentence: the verdict, the evidence by weight, and what limits confidence.

    The score is a lead score (evidence weights and a prior), not yet calibrated against
    investigators' decisions, and the sentence says so; once a head learnt from decisions is
    promoted (decisions.py), it is that head's probability and the sentence names how many
    decisions back it. Movement wording is reported as movement,
    never as a reason to trust an ad.
    """
    evidence = [h for h in indicators if h.family not in {"movement", "young_adult"}]
    parts = _grouped(evidence)[:4]
    what = "lead score" if calibrated_on is None else "risk"
    if flagged:
        head = f"Flagged for review ({what} {risk:.2f}): "
        body = ", ".join(parts)
    else:
        head = f"Not flagged ({what} {risk:.2f}): "
        body = f"not enough evidence: {', '.join(parts)}" if parts else "no risk indicator found"
    extras: list[str] = []
    if possible_minor and minor is not None:
        minors = [h for h in indicators if h.family == "underage"]
        named = ", ".join(_grouped(minors)[:2]) or "wording about age"
        extras.append(f"possible minor: {named}")
    moves = [h for h in (*indicators, *counter) if h.family == "movement"]
    counter = [h for h in counter if h.family != "movement"]
    if moves:
        extras.append(
            "movement wording (" + ", ".join(_grouped(moves)[:2]) + "): studies disagree on what "
            "it means, so it is shown, not weighed"
        )
    if counter:
        extras.append(f"counter-indicator {', '.join(_grouped(counter)[:2])}")
    extras.extend(n for n in notes if not n.startswith(NOVEL_NOTE))
    if any(n.startswith(NOVEL_NOTE) for n in notes):
        extras.append("unlike any example the model has seen so far")
    if calibrated_on is None:
        extras.append("lead score, not yet calibrated against investigators' decisions")
    else:
        extras.append(f"calibrated against {calibrated_on} investigators' decisions")
    tail = f" ({'; '.join(extras)})"
    return f"{head}{body}{tail}."
