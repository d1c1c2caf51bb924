"""CSV cells that a spreadsheet will not execute (formula injection) and that display as stored."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

_FORMULA_START = frozenset("=+-@\t\r\n|%")
# Characters a spreadsheet skips or folds before it decides that a cell is a formula: white space,
# zero-width characters and the byte-order mark. Fullwidth forms (＝, ＋) fold to ASCII under NFKC.
_INVISIBLE_LEAD = re.compile(r"^[\s\u200b-\u200f\u2060\ufeff\u00ad]+")
# Bidirectional controls reorder what a reader sees (an RLO makes "txt.exe" read "exe.txt");
# they are written out as visible code points so the cell shows what was stored.
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# The embeddings, overrides and isolates alone: the ones that reorder the text around them. Pages
# neutralise these and keep the plain direction marks that right-to-left writing uses.
_BIDI_REORDERING = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def neutralise_bidi(text: str, *, marks: bool = True) -> str:
    """Replace bidirectional control characters with a visible `[U+XXXX]` (with `marks=False`,
    only those that reorder text: embeddings, overrides, isolates)."""
    pattern = _BIDI_CONTROLS if marks else _BIDI_REORDERING
    return pattern.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


# The same characters in UTF-8 (U+202A..U+202E = E2 80 AA..AE, U+2066..U+2069 = E2 81 A6..A9), so
# a page can be checked without decoding it.
_BIDI_REORDERING_UTF8 = re.compile(rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


def has_bidi_reordering(text: str) -> bool:
    return _BIDI_REORDERING.search(text) is not None


def utf8_has_bidi_reordering(data: bytes) -> bool:
    return _BIDI_REORDERING_UTF8.search(data) is not None


def _reads_as_formula(text: str) -> bool:
    if not text:
        return False
    if text[0] in _FORMULA_START:
        return True
    stripped = _INVISIBLE_LEAD.sub("", text)
    if stripped != text:
        # A spreadsheet may trim leading blanks or invisible characters: judge what follows.
        return bool(stripped) and unicodedata.normalize("NFKC", stripped[0])[:1] in _FORMULA_START
    return unicodedata.normalize("NFKC", text[0])[:1] in _FORMULA_START


def safe_cell(value: Any) -> Any:
    """Prefix text that a spreadsheet could read as a formula with a quote, as OWASP advises."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = neutralise_bidi(str(value))
    if _reads_as_formula(text):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]
