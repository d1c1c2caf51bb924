"""A normalised copy of an ad's text that remembers where every character came from.

Advertisers hide contact details from keyword filters with look-alike characters (full-width,
mathematical, circled and keycap digits, zero-width joiners, RTL overrides) and with digits
spelled as words ("SIX2TWO", "fourfoureight", "oh"). Every extractor works on the normalised
copy; the offset map turns a match back into offsets of the ORIGINAL text, so an investigator
sees highlighted exactly what the ad wrote.

Two stages, each a piecewise map (pieces are either identity copies or replacements):
- stage A, per character: drop invisible controls, fold Unicode digits and compatibility
  forms (NFKC) to ASCII, fold a few Cyrillic/Greek look-alikes of o/O/i/l;
- stage B, per word: number words and look-alike letters inside digit runs become digits,
  "[dot]"/"(at)" style spellings become "." and "@".
Every regular expression here runs in linear time: bounded or possessive quantifiers only.
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

# Invisible characters used to split numbers so a filter does not see them: zero-width
# space/joiners, word joiner, BOM, soft hyphen, bidi marks and overrides, variation selectors,
# the keycap and enclosing-circle combining marks, and the Unicode tag block.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u20dd-\u20e4\ufe00-\ufe0f\ufeff\U000e0000-\U000e007f]"
)
# Characters that need more than an identity copy: anything outside printable ASCII.
_SPECIAL = re.compile(r"[^\t\n\r\x20-\x7e]")
# HTML character references left in scraped text ("I&#39;m Eva", "&amp;", "&nbsp;") are read
# as the characters they stand for.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_SPECIAL_OR_ENTITY = re.compile(_ENTITY.pattern + r"|[^\t\n\r\x20-\x7e]")

# Look-alikes NFKC leaves alone but advertisers use inside digit runs.
_CONFUSABLES = {
    "\u043e": "o",  # Cyrillic o
    "\u041e": "O",
    "\u03bf": "o",  # Greek omicron
    "\u039f": "O",
    "\u0456": "i",  # Cyrillic i
    "\u0406": "I",
    "\u04cf": "l",  # Cyrillic palochka
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2022": "*",
    "\u00b7": ".",
    "\u2019": "'",
    "\u2018": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00a0": " ",
}
# Dingbat digits with a numeric value but no decomposition (❿, ➉, ➓, ⓾ ...).
for _first, _count in ((0x2776, 10), (0x2780, 10), (0x278A, 10), (0x24F5, 10)):
    for _i in range(_count):
        _CONFUSABLES[chr(_first + _i)] = str(_i + 1)
_CONFUSABLES["\u24ff"] = "0"  # negative circled zero
_CONFUSABLES["\U0001f10b"] = "0"  # dingbat circled sans-serif zero
_CONFUSABLES["\U0001f10c"] = "0"


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """Return the ASCII-leaning replacement of one non-ASCII character (may be '' or several)."""
    if _INVISIBLE.match(ch):
        return ""
    if ch in _CONFUSABLES:
        return _CONFUSABLES[ch]
    category = unicodedata.category(ch)
    if category == "Cc":
        # NUL and other control characters separate words; keep them as a plain space.
        return " "
    decimal = unicodedata.decimal(ch, None)
    if decimal is not None:
        return str(decimal)
    folded = unicodedata.normalize("NFKC", ch)
    if folded != ch:
        # NFKC of a single character can itself be non-ASCII (e.g. a ligature's parts);
        # fold digits inside it so "①" and "⑽" both become ASCII.
        return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in folded)
    digit = unicodedata.digit(ch, None)
    if digit is not None:
        return str(digit)
    return ch


@dataclass
class OffsetMap:
    """Piecewise map from positions of a derived text to positions of its source text.

    Piece k covers derived positions [norm_starts[k], norm_starts[k+1]). An identity piece maps
    character by character; a replacement piece maps all its characters to the whole source
    range it replaced (a digit "3" made from "three" highlights the whole word).
    """

    norm_starts: list[int] = field(default_factory=list)
    src_starts: list[int] = field(default_factory=list)
    src_ends: list[int] = field(default_factory=list)
    identity: list[bool] = field(default_factory=list)

    def _piece(self, pos: int) -> int:
        return max(bisect_right(self.norm_starts, pos) - 1, 0)

    def start(self, pos: int) -> int:
        """Source offset where derived character `pos` begins."""
        if not self.norm_starts:
            return pos
        k = self._piece(pos)
        if self.identity[k]:
            return self.src_starts[k] + (pos - self.norm_starts[k])
        return self.src_starts[k]

    def end(self, pos: int) -> int:
        """Source offset just after derived character `pos`."""
        if not self.norm_starts:
            return pos + 1
        k = self._piece(pos)
        if self.identity[k]:
            return min(self.src_starts[k] + (pos - self.norm_starts[k]) + 1, self.src_ends[k])
        return self.src_ends[k]


class _Builder:
    """Accumulates pieces of a derived text together with its OffsetMap."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.map = OffsetMap()

    def copy(self, source: str, start: int, end: int) -> None:
        if end <= start:
            return
        self._add(source[start:end], start, end, identity=True)

    def replace(self, start: int, end: int, new: str) -> None:
        if not new:
            return  # a deletion: nothing in the derived text points at it
        self._add(new, start, end, identity=False)

    def _add(self, text: str, start: int, end: int, *, identity: bool) -> None:
        m = self.map
        if identity and m.identity and m.identity[-1] and m.src_ends[-1] == start:
            m.src_ends[-1] = end  # merge adjacent identity pieces
        else:
            m.norm_starts.append(self.length)
            m.src_starts.append(start)
            m.src_ends.append(end)
            m.identity.append(identity)
        self.parts.append(text)
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)


# --- stage B: number words -------------------------------------------------------------------

_O = "[o0]"
_I = "[i1l]"
# Strong words become digits on their own; order matters only for readability, the
# alternation below is sorted longest first so segmentation is greedy and unambiguous.
_STRONG_WORDS: dict[str, str] = {
    f"zer{_O}": "0",
    f"{_O}ne": "1",
    f"tw{_O}": "2",
    "three": "3",
    f"f{_O}ur": "4",
    f"f{_I}ve": "5",
    f"s{_I}x": "6",
    "seven": "7",
    f"e{_I}ght": "8",
    f"n{_I}ne": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    f"f{_O}urteen": "14",
    f"f{_I}fteen": "15",
    f"s{_I}xteen": "16",
    "seventeen": "17",
    f"e{_I}ghteen": "18",
    f"n{_I}neteen": "19",
}
_TENS_WORDS: dict[str, str] = {
    "twenty": "2",
    "thirty": "3",
    f"f{_O}rty": "4",
    f"f{_I}fty": "5",
    f"s{_I}xty": "6",
    "seventy": "7",
    f"e{_I}ghty": "8",
    f"n{_I}nety": "9",
}
_MULTIPLIER_WORDS: dict[str, str] = {"hundred": "00", f"th{_O}usand": "000"}
# Weak words are only digits next to other digits: "to" -> 2, "for" -> 4, "oh"/"o" -> 0,
# "l"/"I" -> 1. Alone they are ordinary English.
_WEAK_WORDS: dict[str, str] = {
    "to": "2",
    "for": "4",
    "oh": "0",
    "o": "0",
    "l": "1",
    "i": "1",
}

_ALL_WORDS: list[tuple[str, str, str]] = (
    [(p, v, "strong") for p, v in _STRONG_WORDS.items()]
    + [(p, v, "tens") for p, v in _TENS_WORDS.items()]
    + [(p, v, "mult") for p, v in _MULTIPLIER_WORDS.items()]
    + [(p, v, "weak") for p, v in _WEAK_WORDS.items()]
)


def _pattern_len(pattern: str) -> int:
    return len(re.sub(r"\[[^\]]*\]", "x", pattern))


_ALL_WORDS.sort(key=lambda item: -_pattern_len(item[0]))
_UNIT_WORDS = "|".join(
    sorted(
        (p for p, v in _STRONG_WORDS.items() if len(v) == 1 and v != "0"),
        key=lambda p: -_pattern_len(p),
    )
)
_TENS_ALT = "|".join(_TENS_WORDS)
# "twenty six" / "forty-seven" is one segment, tried before the single words.
_TENS_UNIT_SEGMENT = rf"(?:{_TENS_ALT})[ \-](?:{_UNIT_WORDS})"
_SEGMENT_SOURCE = "|".join(f"(?P<w{i}>{p})" for i, (p, _, _) in enumerate(_ALL_WORDS))
_SEGMENT = re.compile(rf"(?P<tu>{_TENS_UNIT_SEGMENT})|{_SEGMENT_SOURCE}|(?P<d>[0-9]+)")
_SEGMENT_NOCAP = _TENS_UNIT_SEGMENT + "|" + "|".join(p for p, _, _ in _ALL_WORDS)

# Bracketed spellings of punctuation: "[dot]", "(at)", "{dash}".
_BRACKETED = re.compile(
    r"[\[\({]\s{0,2}(?:(?P<dot>dot|period)|(?P<at>at)|(?P<dash>dash|hyphen))\s{0,2}[\]\)}]"
)
# Whole alphanumeric tokens made only of number words, look-alikes and digits. An atomic group
# inside a possessive repeat: no backtracking at all. The lookahead skips most words early.
_TOKEN = re.compile(rf"(?<![^\W_])(?=[zotfsenhli0-9])(?>{_SEGMENT_NOCAP}|[0-9]+)++(?![^\W_])")
_TOKEN_BODY = re.compile(rf"(?>{_SEGMENT_NOCAP}|[0-9]+)++")
_TOKEN_FIRST = frozenset("zotfsenhli0123456789")
_DIGIT = re.compile(r"[0-9]")
# Last letters of number words (zero/two/one/three/four/six/seven/eight/nine/ten/twenty/...).
_NUMBER_WORD_END = frozenset("oerxntyd0123456789")
_STANDALONE_ZERO = {"o", "oh"}
# Weak words standing alone: ordinary English, skipped without segmenting.
_PLAIN_WORDS = frozenset({"to", "for", "i", "l"})
# A lowercase letter followed by a capital: the boundary of two glued words (same length).
_CAMEL = re.compile(r"(?<=[a-z])[A-Z]")
_SEP_CHARS = set(" \t-.*~/|\\_@!;:'\",()[]{}#=+")


# Tokens are found on a same-length copy of the lowercase text where every character is kept
# if it is an ASCII letter or digit, is "q" if it is another letter or digit (no number word
# has a "q", so such a run is never a token), and is a space otherwise: str.split then gives
# the alphanumeric runs at C speed, instead of a regex tried at every word.
def _alnum_or_space(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    part = error.object[error.start : error.end]
    return "".join("q" if c.isalnum() else " " for c in part), error.end


codecs.register_error("ads_extraction_alnum", _alnum_or_space)
_RUN_TABLE = bytes(c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256))
# Runs seen before that are not number-word tokens to convert (most words of most ads): a set
# difference skips them at C speed. Bounded, since digit runs are mostly unique.
_NOT_CONVERTING: set[str] = set()
_NOT_CONVERTING_MAX = 100_000


def _alnum_runs(lower: str) -> str:
    """`lower` (lowercase, see lower_same_length) with each non-alphanumeric character a space."""
    return lower.encode("ascii", "ads_extraction_alnum").translate(_RUN_TABLE).decode("ascii")


def _is_token(run: str) -> bool:
    """Is the alphanumeric run made only of number words, look-alikes and digits (_TOKEN)?"""
    return run[0] in _TOKEN_FIRST and _TOKEN_BODY.fullmatch(run) is not None


def _converting_tokens(runs: str) -> set[str]:
    """The distinct runs that are tokens other than plain digits or a plain weak word."""
    # set - set walks the left (small) set; difference_update would walk the right one.
    fresh = set(runs.split()) - _NOT_CONVERTING
    tokens = set()
    for run in fresh:
        if run.isdigit():
            continue  # digits are not converted; mostly unique, so not remembered
        if run in _PLAIN_WORDS or not _is_token(run):
            if len(_NOT_CONVERTING) >= _NOT_CONVERTING_MAX:
                _NOT_CONVERTING.clear()
            _NOT_CONVERTING.add(run)
        else:
            tokens.add(run)
    return tokens


def _run_starts(runs: str, token: str) -> list[int]:
    """Offsets where `token` stands as a whole run."""
    starts = []
    n = len(token)
    pos = runs.find(token)
    while pos >= 0:
        if (pos == 0 or runs[pos - 1] == " ") and (pos + n == len(runs) or runs[pos + n] == " "):
            starts.append(pos)
        pos = runs.find(token, pos + 1)
    return starts


def _run_is_token(runs: str, pos: int) -> bool:
    """Is the whole run around offset `pos` a token (digits and plain words included)?"""
    start = runs.rfind(" ", 0, pos) + 1
    end = runs.find(" ", pos)
    run = runs[start : end if end >= 0 else len(runs)]
    return bool(run) and (run.isdigit() or _is_token(run))


# Letter case of ASCII letters only (every other character a space), to find "aA" fast.
_CASE_TABLE = bytes(
    ord("a") if 97 <= c <= 122 else ord("A") if 65 <= c <= 90 else 32 for c in range(256)
)


def _camel_boundaries(text: str) -> list[int]:
    """Offsets of the capitals right after a lowercase ASCII letter (as _CAMEL finds them)."""
    cases = text.encode("ascii", "replace").translate(_CASE_TABLE)
    out = []
    pos = cases.find(b"aA")
    while pos >= 0:
        out.append(pos + 1)
        pos = cases.find(b"aA", pos + 1)
    return out


def _convert_token(token: str) -> tuple[str, str]:
    """Digits for a token made of number words; returns (digits, strength)."""
    out: list[str] = []
    strong = False
    weak_only: list[str] = []
    segments = list(_SEGMENT.finditer(token))
    i = 0
    while i < len(segments):
        seg = segments[i]
        if seg.lastgroup == "tu":
            tens, unit = re.split(r"[ \-]", seg.group(), maxsplit=1)
            out.append(_convert_token(tens)[0][0] + _convert_token(unit)[0])
            strong = True
            i += 1
            continue
        if seg.lastgroup == "d":
            out.append(seg.group())
            strong = True
            i += 1
            continue
        _, value, kind = _ALL_WORDS[int(seg.lastgroup[1:])]
        if kind == "tens":
            strong = True
            nxt = segments[i + 1] if i + 1 < len(segments) else None
            nxt_value = None
            if nxt is not None and nxt.lastgroup not in ("d", "tu"):
                n_value = _ALL_WORDS[int(nxt.lastgroup[1:])]
                if n_value[2] == "strong" and len(n_value[1]) == 1 and n_value[1] != "0":
                    nxt_value = n_value[1]
            if nxt_value is not None:
                out.append(value + nxt_value)
                i += 2
                continue
            out.append(value + "0")
        elif kind == "strong":
            strong = True
            out.append(value)
        elif kind == "mult":
            out.append(value)
            weak_only.append("mult")
        else:
            out.append(value)
            weak_only.append(seg.group().lower())
        i += 1
    if strong:
        # A lone multiplier ("thousand") is never a digit run; with a digit it is ("2th0usand").
        return "".join(out), "strong" if len(segments) > 1 or "mult" not in weak_only else "none"
    if len(segments) == 1 and weak_only and weak_only[0] in _STANDALONE_ZERO:
        return "".join(out), "weak"
    return "", "none"


def _digit_neighbour(text: str, pos: int, step: int, converted: dict[int, bool]) -> bool:
    """Is there a digit (or converted number word) within 3 separator characters of pos?"""
    n = len(text)
    for _ in range(4):
        if pos < 0 or pos >= n:
            return False
        ch = text[pos]
        if ch.isdigit() or converted.get(pos, False):
            return True
        if ch not in _SEP_CHARS:
            return False
        pos += step
    return False


# ASCII characters other than a-z, mapped to a space: str.translate + split is the fastest way
# to the set of words (non-ASCII letters stay inside their words, which only adds words).
_LETTERS_TABLE = bytes(c if 97 <= c <= 122 else 32 for c in range(256))
_NOT_LETTERS = str.maketrans({chr(i): " " for i in range(128) if not "a" <= chr(i) <= "z"})


def word_starts(lower: str, words: tuple[str, ...], glue: str = "_.") -> list[int]:
    """Sorted offsets in `lower` where one of `words` begins, not inside a word (the char before
    is neither alphanumeric nor one of `glue`). str.find per word is far faster than trying a long
    regex alternation at every position; callers then match their regex at these offsets only.
    """
    found: set[int] = set()
    for word in words:
        pos = lower.find(word)
        while pos >= 0:
            if pos == 0 or not (lower[pos - 1].isalnum() or lower[pos - 1] in glue):
                found.add(pos)
            pos = lower.find(word, pos + 1)
    return sorted(found)


def lower_same_length(text: str) -> str:
    """`text.lower()` with every offset kept (a few characters lowercase to two)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@dataclass
class Normalized:
    """The normalised text (and its lowercase twin, same offsets) and the map back."""

    original: str
    text: str
    stage_a: OffsetMap
    stage_b: OffsetMap
    lower: str = ""
    # The text after stage A only (look-alikes folded, number words NOT rewritten), lowercase:
    # emails and handles are taken from it, so "name.one@..." stays "name.one@...".
    folded_lower: str = ""

    def __post_init__(self) -> None:
        if not self.lower:
            self.lower = lower_same_length(self.text)

    @cached_property
    def words(self) -> frozenset[str]:
        """The lowercase letter runs of the text: finders test these before searching it."""
        if self.lower.isascii():  # bytes.translate is many times faster than str.translate
            letters = self.lower.encode("ascii").translate(_LETTERS_TABLE).decode("ascii")
            return frozenset(letters.split())
        return frozenset(self.lower.translate(_NOT_LETTERS).split())

    def folded(self, start: int, end: int) -> str:
        """The lowercase stage-A text behind normalised [start, end) (number words as written)."""
        if not self.folded_lower:
            return self.lower[start:end]
        if end <= start:
            return ""
        return self.folded_lower[self.stage_b.start(start) : self.stage_b.end(end - 1)]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of normalised [start, end)."""
        if end <= start:
            a = self.stage_a.start(self.stage_b.start(start)) if self.text else 0
            return a, a
        a_start = self.stage_b.start(start)
        a_end = self.stage_b.end(end - 1)
        return self.stage_a.start(a_start), self.stage_a.end(a_end - 1)


def _stage_a(text: str) -> tuple[str, OffsetMap]:
    entities = "&" in text and _ENTITY.search(text) is not None
    if not entities and not _SPECIAL.search(text):
        return text, OffsetMap()
    b = _Builder()
    last = 0
    for m in (_SPECIAL_OR_ENTITY if entities else _SPECIAL).finditer(text):
        b.copy(text, last, m.start())
        ch = m.group()
        if len(ch) > 1:  # a character reference
            chars = html.unescape(ch)
            folded = "".join(c if " " <= c <= "~" else _fold_char(c) for c in chars)
        else:
            folded = _fold_char(ch)
        if folded == ch:
            b.copy(text, m.start(), m.end())
        else:
            b.replace(m.start(), m.end(), folded)
        last = m.end()
    b.copy(text, last, len(text))
    return b.text(), b.map


def _stage_b(text: str) -> tuple[str, OffsetMap]:
    replacements: list[tuple[int, int, str]] = []
    weak: list[tuple[int, int, str]] = []
    converted_edges: dict[int, bool] = {}
    # Matching on a lowercase copy: case-insensitive regexes are several times slower.
    lower = lower_same_length(text)
    if "[" in lower or "(" in lower or "{" in lower:
        for m in _BRACKETED.finditer(lower):
            new = "." if m.group("dot") else "@" if m.group("at") else "-"
            replacements.append((m.start(), m.end(), new))
    runs = _alnum_runs(lower)
    tokens = _converting_tokens(runs)
    token_spans: list[tuple[int, int]] | None = None
    if any(token.endswith("ty") for token in tokens):
        # A tens word may take the unit after a space ("twenty six"): the exact, slower scan.
        token_spans = []
        found = []
        for m in _TOKEN.finditer(lower):
            token_spans.append(m.span())
            found.append((m.start(), m.end(), m.group()))
    else:
        found = [(a, a + len(t), t) for t in tokens for a in _run_starts(runs, t)]
    for start, end, token in found:
        if token.isdigit() or token in _PLAIN_WORDS:
            continue
        digits, strength = _convert_token(token)
        if strength == "strong":
            replacements.append((start, end, digits))
            converted_edges[start] = converted_edges[end - 1] = True
        elif strength == "weak":
            weak.append((start, end, digits))
    # A number word glued to the capitalised word after it ("...fourRose"): read the part
    # before the capital as its own token, but only where digits stand right before it.
    prev = -1
    edges = sorted(converted_edges)
    for end in _camel_boundaries(text):
        if lower[end - 1] not in _NUMBER_WORD_END:
            prev = end
            continue
        # A digit or a converted number word must stand within reach before the head.
        window = max(0, end - 45)
        if not _DIGIT.search(text, window, end) and not (
            edges and bisect_right(edges, end) > bisect_right(edges, window - 1)
        ):
            prev = end
            continue
        start = end
        while start > prev + 1 and end - start < 40 and lower[start - 1].isalnum():
            start -= 1
        # The head starts a word, or right after the previous capital; else it is too long.
        at_word_start = start == 0 or start == prev + 1 or not lower[start - 1].isalnum()
        prev = end
        if not at_word_start:
            continue
        head = lower[start:end]
        if not head or head.isdigit() or head[0] not in _TOKEN_FIRST:
            continue
        if not _TOKEN_BODY.fullmatch(head):
            continue
        if token_spans is None:
            if _run_is_token(runs, start):
                continue
        elif any(s <= start < e for s, e in token_spans):
            continue
        digits, strength = _convert_token(head)
        if strength == "strong" and _digit_neighbour(text, start - 1, -1, converted_edges):
            replacements.append((start, end, digits))
    for start, end, digits in weak:
        if _digit_neighbour(text, start - 1, -1, converted_edges) and _digit_neighbour(
            text, end, 1, converted_edges
        ):
            replacements.append((start, end, digits))
    if not replacements:
        return text, OffsetMap()
    replacements.sort()
    b = _Builder()
    last = 0
    for start, end, new in replacements:
        if start < last:
            continue  # overlapping rewrites: the first one wins
        b.copy(text, last, start)
        b.replace(start, end, new)
        last = end
    b.copy(text, last, len(text))
    return b.text(), b.map


def normalize(text: str) -> Normalized:
    """Normalise `text` for extraction; see the module docstring for what changes."""
    a_text, a_map = _stage_a(text)
    b_text, b_map = _stage_b(a_text)
    return Normalized(
        original=text,
        text=b_text,
        stage_a=a_map,
        stage_b=b_map,
        folded_lower=lower_same_length(a_text) if b_map.norm_starts else "",
    )
