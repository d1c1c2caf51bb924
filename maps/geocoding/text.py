"""Cleaning and tokenising the way ads write places, safe against hostile input."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Location fields are short; anything longer is pasted ad text. Bounding the work keeps a 1 MB
# field (or a deliberate flood) from costing more than a normal one.
MAX_RAW_CHARS = 4000
MAX_CLEAN_CHARS = 1000
# An ad's whole text is read only when its location field names no city. Scraped pages put
# their disclaimers first and the ad's "Seattle, WA" or "Bronx" after them, so the body gets a
# longer bound (tokens that start no place name cost one set look-up each).
MAX_BODY_RAW_CHARS = 12000
MAX_BODY_CHARS = 6000

# Characters that separate place parts: "San Diego - Gaslamp", "Dallas / Fort Worth", "LV, NV".
SEPARATORS = frozenset(',/|;:()[]{}-\u2013\u2014&+<>*~#!?"\n')

_WORD_RE = re.compile(r"\w+|[^\w\s]")
# Periods and apostrophes sit inside names ("St. Louis", "D.C.", "O'Hare"); dropping them keeps
# the name one token instead of splitting it.
_JOINERS_RE = re.compile(r"[.'\u2019`]")
# A period between letters of an abbreviation ("L.A.") must join; "St.Louis" must split.
_ABBREV_DOTS_RE = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_SPACES_RE = re.compile(r"\s+")
_PLAIN_NAME_RE = re.compile(r"[A-Za-z ]+")
# A hyphen inside a word joins ("Winston-Salem", "H-Town"); with spaces around it, it separates.
_INNER_HYPHEN_RE = re.compile(r"(?<=\w)-(?=\w)")

# What an ad labels as its place: "Location: Fife, Tacoma", "Located in: ...", "City: ...",
# "Address: 12 Main St Fife WA",
# and in Spanish and Portuguese ("Ciudad:", "Cidade:", "Ubicación:").
# A run of spaces or a line break ends the value (page layouts put the next field there).
# "City" and "Area" end place names too ("from Kansas City - Male Escorts", "Bay Area - ..."):
# right after a word and one space they are that name's last word; page layouts put a label
# after a run of spaces, a line break or punctuation.
_LABELLED_RE = re.compile(
    r"(?i)\b(?:location|located(?: in)?|(?<!\w )(?:city|area)|based in|address|cidade|ciudad"
    # "Ubicación", also as scraped pages lose its accented letter ("Ubicacin").
    r"|ubicaci[oó]?n)"
    r"\s*[:\-]\s*"
    r"(?P<value>[^\n]{2,160}?)(?=\s{3,}|\n|$)"
)
_MAX_LABELLED = 3

# Written-out forms that ads and GeoNames spell both ways.
PREFIX_EXPANSIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount", "pt": "port"}


def clean_text(
    text: object, *, raw_limit: int = MAX_RAW_CHARS, limit: int = MAX_CLEAN_CHARS
) -> str:
    """Return a bounded, printable, NFKC form of `text` (at most `limit` characters).

    Control characters become spaces (a NUL is used as a separator by some scrapers); invisible
    format characters (zero-width spaces, bidi overrides) are dropped because they are used to
    split words and evade filters ("Hou\u200bston"); symbols and emoji become spaces.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    raw = text[:raw_limit]
    normalised = unicodedata.normalize("NFKC", raw)
    out: list[str] = []
    for ch in normalised:
        cat = unicodedata.category(ch)
        if cat == "Cf":
            continue
        # Math symbols that separate place parts ("Houston | Dallas", "A + B") stay separators.
        if cat == "Sm" and ch in SEPARATORS:
            out.append(ch)
        elif cat in ("Cc", "Cs", "Co", "Cn", "So", "Sk", "Sm", "Zl", "Zp") and ch != "\n":
            out.append(" ")
        else:
            out.append(ch)
    cleaned = _SPACES_RE.sub(" ", "".join(out)).strip()
    return cleaned[:limit]


def fold(text: str) -> str:
    """Lower-case and strip accents: "Montréal" and "MONTREAL" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def normalise_phrase(words: list[str] | tuple[str, ...]) -> str:
    """Join folded words into a lookup key, expanding "st"/"ft"/"mt" before a following word.

    Only multi-word phrases expand, so a bare "MT" stays Montana and "ST" stays itself.
    """
    if len(words) > 1 and words[0] in PREFIX_EXPANSIONS:
        words = [PREFIX_EXPANSIONS[words[0]], *words[1:]]
    return " ".join(words)


def name_key(name: str) -> str:
    """The lookup key of a gazetteer name, built exactly like a phrase from ad text."""
    if _PLAIN_NAME_RE.fullmatch(name):
        # Most GeoNames names are plain letters; the full tokenizer is ten times slower.
        return normalise_phrase(name.lower().split())
    return normalise_phrase([t.word for t in tokenize(name) if not t.is_separator])


@dataclass(frozen=True, slots=True)
class Token:
    """One word of an ad's location text, remembering what came before it."""

    word: str  # folded
    original: str
    sep_before: bool  # a separator (comma, slash, dash...) stands between it and the last word
    is_separator: bool = False

    @property
    def is_upper(self) -> bool:
        return self.original.isupper()


def tokenize(text: str) -> list[Token]:
    """Split cleaned text into word tokens; separators are folded into the next word's flag."""
    text = _INNER_HYPHEN_RE.sub(" ", text)
    text = _ABBREV_DOTS_RE.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _JOINERS_RE.sub(lambda m: "" if m.group(0) != "." else " ", text)
    tokens: list[Token] = []
    pending_sep = False
    for match in _WORD_RE.finditer(text):
        piece = match.group(0)
        if not (piece[0].isalnum() or piece[0] == "_"):
            if piece in SEPARATORS:
                pending_sep = True
            continue
        word = piece.lower() if piece.isascii() else fold(piece)
        word = word.replace("_", " ").strip()
        if not word:
            pending_sep = True
            continue
        tokens.append(Token(word=word, original=piece, sep_before=pending_sep))
        pending_sep = False
    return tokens


def labelled_locations(text: str) -> list[str]:
    """The values an ad's text labels as its place ("Location: Fife, Tacoma"), at most three."""
    if not isinstance(text, str) or not text:
        return []
    found: list[str] = []
    for match in _LABELLED_RE.finditer(text[: MAX_RAW_CHARS * 5]):
        value = match.group("value").strip()
        if value and value not in found:
            found.append(value)
        if len(found) >= _MAX_LABELLED:
            break
    return found
