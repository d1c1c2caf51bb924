"""Phone numbers: candidate digit runs in the normalised text, validated with `phonenumbers`.

A candidate is a window of consecutive digit groups joined only by separators (any of
`- . * ~ / | \\ _ @ ! ; : ' " , ( ) [ ] { } # = + & $ ^ ` % ? < >`, any Unicode symbol or
punctuation such as emoji and dingbats, spaces, line breaks, `<br>`). Windows start
and end on group boundaries, so a 16-digit run is never cut into a "number". Groups that
context marks as something else (prices, measurements, heights, dates, ZIP codes, ids, units)
cannot take part in a window. A window is a phone only if `phonenumbers.is_valid_number`
accepts it for the ad's region or, with a leading + / 00, internationally. A window holding
three round amounts ("80/120/200") is a rate list; a "!" between two digits is also read as a 1
where the plain reading finds no number.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from ads.extraction.normalize import Normalized

logger = logging.getLogger(__name__)

_GROUP = re.compile(r"[0-9]+")
_BR = re.compile(r"<\s{0,2}br\s{0,2}/?\s{0,2}>")
_SPACES = re.compile(r"\s+")
_ASCII_LETTER = re.compile(r"[a-z]")
# A run of one separator repeated ("((((((", "~~~~", "....") reads as that separator once.
_REPEATED = re.compile(r"([^\s0-9A-Za-z])\1+")
# "^", "`", "%", "?", "<" and ">" between groups hide a number as emoji do ("212^555^0147").
_SEP = frozenset(" -.*~/|\\_@!;:'\",()[]{}#=+$&^`%?<>")
_MAX_GAP_CHARS = 40  # raw gap length considered at all (long runs of spaces collapse)
_MAX_GAP_SEPARATORS = 6  # separators left after collapsing whitespace
_MAX_DIGITS = 17  # 15 for E.164 plus an international prefix
# The shortest "+CC number" there is has 7 digits (a 3-digit code and 4 digits); one fewer
# for safety.
_MIN_INTERNATIONAL_DIGITS = 6
# A pathological text (a megabyte of "1 2 3 ...") could ask phonenumbers to parse millions of
# windows; past this budget the rest of the text is not searched and a warning is logged.
# A real ad needs a few dozen parses; the budget grows with the text so that a long document
# of many real ads is still searched to the end.
PARSE_BUDGET_BASE = 2_000
PARSE_BUDGET_PER_CHAR = 1 / 50

_CUP_AFTER = re.compile(r"[a-hA-H]{1,3}\b")
_PLUS_BEFORE = re.compile(r"\+\s?\(?$")  # "+44", "+ 44", "+(44)"
_ID_HINT = re.compile(r"id|ref|post|ad|listing|order|invoice|req|ticket|track|case|item|review")
_CURRENCY = "$£€¥₹"
_UNIT_AFTER = re.compile(
    rf"\s?[ \t]{{0,3}}(?:[{_CURRENCY}%](?![$]*[0-9])|x\s?[0-9]|(?:/|per\s|x)?\s?"
    r"(?:hh|hhr|hr|hrs|hour|hours|h|min|mins|minute|minutes|qv|qk|fh|hf|roses?|dollars?|bucks|"
    r"usd|eur|euros?|gbp|aud|cad|k|am|pm|a\.m|p\.m|lbs?|kgs?|cm|mm|ft|feet|yo|y/o|yrs?|years?|"
    r"aed|inr|rs|thb|baht|myr|rm|sgd|hkd|php|zar|nzd|mxn|brl|pesos?|rand|"
    r"st|nd|rd|th|cup|inches|inch)\b)"
)
# An id after its label: "Post ID: ...", "Ref# ...", "Requisition ...", "Tracking: ..."; words
# that also name other things count only with a number sign after them ("posts #...",
# "Review #...", "Case No. ...": an aggregator's post ids, a review site's, a court's).
_ID_BEFORE = re.compile(
    r"\b(?:(?:id|ref|reference|listing|post|ad|order|invoice|requisition|req|ticket|tracking)"
    r"\s?(?:#|no\.?|number|num)?|(?:posts|postings|ads|reviews?|case|item)\s?(?:#|no\.?|number|num))"
    r"\s?[:#=.]?\s?$"
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|"
    "NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
).lower()
# Shapes that are something other than a phone, whatever digits they hold. Each is matched at
# the start of a digit group; lookarounds keep them from biting into a longer run
# ("4-1-9-3-4-0..." is not a date).
_NOT_PHONE_AT_GROUP = re.compile(
    # bust-waist-hip measurements: 36-24-36, 34D-24-36, 36C 29 39
    r"(?<![0-9][-/. ])[2-5][0-9][a-hA-H]{0,3}\s?[-/ ]\s?[1-5][0-9]\s?[-/ ]\s?[2-5][0-9]"
    r"(?![0-9])(?!\s?[-/.]\s?[0-9])"
    # heights: 5'6, 5' 10", 5ft6
    r"|[4-7]\s?(?:'|ft|feet)\s?(?:[0-9]|1[01])(?![0-9])"
    # dates: 11-17-2015, 17.11.15, 2015-11-17, 2015 11 17
    r"|(?<![0-9][-/. ])(?:19|20)[0-9]{2}[-/. ]{1,3}(?:0[1-9]|1[0-2])[-/. ]{1,3}"
    r"(?:0[1-9]|[12][0-9]|3[01])(?![0-9])"
    r"|(?<![0-9][-/.])[0-3]?[0-9][-/.][0-3]?[0-9][-/.](?:19|20)?[0-9]{2}(?![0-9])(?![-/.][0-9])"
    r"|(?<![0-9][-/.])(?:19|20)[0-9]{2}[-/.][01]?[0-9][-/.][0-3]?[0-9](?![0-9])(?![-/.][0-9])"
    # a day and a year: "June 24, 2016 12:12 PM"
    r"|(?<![0-9][-/. ])[0-3]?[0-9],\s?(?:19|20)[0-9]{2}(?![0-9])"
)
# A US ZIP code right after a state: "Upland CA 91786", "ca, 91786-1234".
_NOT_UNIT_START = frozenset("0123456789-.()")
_STATE_BEFORE = re.compile(rf"\b(?:{_US_STATES}),?\s?$")
# Inside a URL, "/", "?", "&", "=" and "#" end a number, and a group that fills a whole path
# segment or query value on its own ("/31798050", "?pid=6875896") is an id.
_URL_RANGE = re.compile(r"(?:https?|hxxps?)://[^\s<>\"']{1,4096}|www\.[^\s<>\"']{1,4096}")
_URL_BREAK = frozenset("/?&=#")


OBFUSCATION_KINDS = ("number_words", "letters", "separators", "spacing")


@dataclass(frozen=True)
class PhoneMatch:
    """A validated phone number and where the ad wrote it (normalised offsets).

    `obfuscation` says how the ad hid it, from the written form (see `obfuscation_of`).
    """

    e164: str
    start: int
    end: int
    obfuscation: tuple[str, ...] = field(default=())

    @property
    def obfuscated(self) -> bool:
        return bool(self.obfuscation)


_PLAIN_SEP = frozenset(" -.()+/")
# Written plainly: digits in the usual groups with ordinary separators.
_PLAIN_WRITTEN = re.compile(
    r"\+?(?:1[ .\-]?)?\(?[0-9]{3}\)?[ .\-/]?[0-9]{3}[ .\-/]?[0-9]{4}|\+?[0-9]{6,15}"
)
# A "!" with a digit on each side stands for a 1 ("(2!3) 555-0147"); "2!!3" is a separator.
_BANG_FOR_ONE = re.compile(r"(?<=[0-9])!(?=[0-9])")
_LETTER_DIGIT = re.compile(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])")
_WORD = re.compile(r"[^\W\d_]{2,}")


def obfuscation_of(written: str) -> tuple[str, ...]:
    """How a phone written as `written` (the ad's own characters) was hidden, if at all.

    number_words: digits spelled as words ("six", "TWO"); letters: a letter or a look-alike
    character standing for a digit ("O" for 0, "l" for 1, full-width or circled digits);
    separators: anything but digits, spaces and - . ( ) + / between the digits (emoji, "*",
    "~", brackets); spacing: groups cut other than a number is usually grouped (one or two
    digits apart, runs of spaces, line breaks).
    """
    if _PLAIN_WRITTEN.fullmatch(written):
        return ()  # "(212) 555-0147", "212.555.0147", "+44 20 7946 0958"
    kinds: list[str] = []
    if _WORD.search(written):
        kinds.append("number_words")
    if (
        _LETTER_DIGIT.search(written)
        or any(c.isdigit() and not c.isascii() for c in written)
        or any(not c.isascii() and unicodedata.category(c) == "No" for c in written)
    ):
        kinds.append("letters")
    if any(not (c.isdigit() or c.isalpha() or c in _PLAIN_SEP) for c in written):
        kinds.append("separators")
    groups = re.findall(r"[0-9A-Za-z]+", written)
    if re.search(r"[0-9]\s{2,}[0-9]|[0-9]\s*\n\s*[0-9]", written) or (
        len(groups) > 2 and any(len(g) <= 2 for g in groups[1:])
    ):
        kinds.append("spacing")
    return tuple(k for k in OBFUSCATION_KINDS if k in kinds)


@dataclass(slots=True)
class _Group:
    start: int
    end: int
    digits: str
    plus: bool  # a "+" stands right before it
    blocked: bool  # context says it is a price, date, measurement, id ...
    # Only a word after it says it is an amount or an age ("1234 Rose", "1234 yo hablo"): a
    # group of up to four digits may still end a whole number, never start one.
    soft: bool = False


@lru_cache(maxsize=65_536)
def _parse(candidate: str, region: str | None) -> str | None:
    """E.164 of `candidate` if phonenumbers finds it valid, else None (cached: ads repeat)."""
    try:
        number = phonenumbers.parse(candidate, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


@lru_cache(maxsize=512)
def _national_lengths(region: str | None) -> frozenset[int]:
    """Digit counts a national-format number of `region` can have (with trunk prefix)."""
    if region is None:
        return frozenset()
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if meta is None or meta.general_desc is None:
        return frozenset()
    lengths = set(meta.general_desc.possible_length or ())
    prefix = meta.national_prefix or ""
    lengths |= {n + len(prefix) for n in lengths} if prefix else set()
    if region in _NANP:
        lengths |= {n + 1 for n in lengths}
    # Numbers written with the country code but no "+" (common in URLs).
    cc = str(meta.country_code or "")
    lengths |= {n + len(cc) for n in list(lengths)}
    return frozenset(lengths)


_NANP = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(1, ()))


def _price_sign_before(text: str, start: int) -> bool:
    """A currency sign right before the group ("$200", "$ 200"), unless glued between digits.

    A run of "$" glued to digits on both sides ("212$$555") separates the groups of a number,
    and a sign glued after an earlier amount ("200$ 212 ...") is that amount's, not this one's.
    """
    if start == 0:
        return False
    c = text[start - 1]
    if c in _CURRENCY:
        k = start - 1
        if c == "$":
            while k > 0 and text[k - 1] == "$":
                k -= 1
        return not (c == "$" and k >= 1 and text[k - 1].isdigit())
    return (
        c == " "
        and start >= 2
        and text[start - 2] in _CURRENCY
        and not text[start - 3 : start - 2].isdigit()
    )


@lru_cache(maxsize=4096)
def _is_sep(c: str) -> bool:
    """ASCII separators, and any Unicode symbol or punctuation (emoji, dingbats, "➖")."""
    if c in _SEP:
        return True
    return not c.isascii() and unicodedata.category(c)[0] in "SP"


def _gap_joins(gap: str, in_url: bool) -> bool:
    """May two digit groups separated by `gap` belong to the same number?"""
    if len(gap) == 1 and gap in _SEP:
        return not (in_url and gap in _URL_BREAK)
    if len(gap) > _MAX_GAP_CHARS:
        return False
    if "<" not in gap and _ASCII_LETTER.search(gap):
        return False  # a word between them (the text is lowercase; "<br>" is read below)
    if in_url and any(c in _URL_BREAK for c in gap):
        return False
    gap = _BR.sub(" ", gap) if "<" in gap else gap
    collapsed = _SPACES.sub(" ", gap)
    if len(collapsed) > _MAX_GAP_SEPARATORS:
        collapsed = _REPEATED.sub(r"\1", collapsed)
    if len(collapsed) > _MAX_GAP_SEPARATORS:
        return False
    if "\n\n" in gap or ("+" in collapsed and collapsed.strip() != "+"):
        return False  # a blank line or a "+" after other separators starts something new
    return all(_is_sep(c) for c in collapsed)


# The longest text a shape of _NOT_PHONE_AT_GROUP can cover ("36DDD - 24 - 36" is 15
# characters): a shape starting further before a chain cannot reach into it.
_SHAPE_REACH = 32


def _group(text: str, start: int, end: int, in_url: bool, blocked_until: int) -> tuple[_Group, int]:
    """One digit group with its context tests, and the end of any shape it starts."""
    n_text = len(text)
    is_blocked = start < blocked_until
    size = end - start
    if size <= 4:
        shape = _NOT_PHONE_AT_GROUP.match(text, start)
        if shape is not None:
            blocked_until = max(blocked_until, shape.end())
            is_blocked = True
    # A run of ten digits or more is not an amount or an age because of a word after a
    # space ("2125550147 yo hablo"); glued to it ("2125550147hr"), it still is.
    # A unit starts with a letter or a sign, never with a digit or "-.()" (the next group of a
    # phone): checked first, the long alternation only when it could match.
    after = text[end : end + 8].lstrip(" \t\n\r")
    unit = (
        bool(after)
        and after[0] not in _NOT_UNIT_START
        and (size < 10 or end == n_text or not text[end].isspace())
        and _UNIT_AFTER.match(text, end) is not None
    )
    price = start > 0 and _price_sign_before(text, start)
    soft = False
    if not is_blocked and size <= 4 and unit and not price:
        soft = True
    elif price or unit or (size == 2 and _CUP_AFTER.match(text, end)):
        # Two-digit groups glued to a cup size (36C, 34DD) are bra sizes.
        is_blocked = True
    else:
        before = text[max(0, start - 20) : start]
        if (_ID_HINT.search(before) and _ID_BEFORE.search(before)) or (
            size == 5 and _STATE_BEFORE.search(before)
        ):
            is_blocked = True
    if text[max(0, start - 2) : start] == "&#" or (
        start > 0 and text[start - 1] == "#" and text[end : end + 1] == ";"
    ):
        is_blocked = True  # the number of a broken HTML reference ("&#16 0;", "#160;")
    if (
        in_url
        and (start == 0 or text[start - 1] in _URL_BREAK)
        and (end == n_text or text[end] in _URL_BREAK or text[end].isspace())
    ):
        is_blocked = True
    plus = "+" in text[max(0, start - 3) : start] and bool(
        _PLUS_BEFORE.search(text, max(0, start - 3), start)
    )
    group = _Group(start, end, text[start:end], plus, is_blocked, soft and not is_blocked)
    return group, blocked_until


def _groups(
    norm: Normalized, min_digits: int = 0, min_international: int = 0
) -> list[list[_Group]]:
    """Digit groups of the normalised text, split into chains joined by separators.

    Only chains of at least `min_digits` digits are returned, or of `min_international` when a
    group could start an international number (a "+" before it, or a leading 0 as in "00" and
    "011"); the context of a group is tested only inside those (most groups of an ad are a lone
    price, age or time, or a short list of them).
    """
    text = norm.lower
    urls = [(m.start(), m.end()) for m in _URL_RANGE.finditer(text)] if "/" in text else []
    n_urls = len(urls)
    ui = 0
    # Chains of (start, end, in_url) spans first: cheap, no context tests.
    spans: list[list[tuple[int, int, bool]]] = []
    chain: list[tuple[int, int, bool]] = []
    prev_end = -1
    prev_in_url = False
    in_url = False
    for m in _GROUP.finditer(text):
        start, end = m.span()
        if n_urls:
            while ui < n_urls and urls[ui][1] <= start:
                ui += 1
            in_url = ui < n_urls and urls[ui][0] <= start
        if chain and not (
            # the common gap, one ASCII separator outside a URL, without a call
            (start - prev_end == 1 and not in_url and not prev_in_url and text[prev_end] in _SEP)
            or _gap_joins(text[prev_end:start], in_url or prev_in_url)
        ):
            spans.append(chain)
            chain = []
        chain.append((start, end, in_url))
        prev_end = end
        prev_in_url = in_url
    if chain:
        spans.append(chain)
    chains: list[list[_Group]] = []
    for k, span_chain in enumerate(spans):
        total = sum(e - s for s, e, _ in span_chain)
        if total < min_digits and (
            total < min_international
            or not any(text[s] == "0" or "+" in text[max(0, s - 3) : s] for s, _, _ in span_chain)
        ):
            continue
        # Shapes that start in the chains just before this one may block its first groups.
        first = span_chain[0][0]
        blocked_until = -1
        j = k - 1
        earlier: list[tuple[int, int, bool]] = []
        while j >= 0 and spans[j][-1][0] >= first - _SHAPE_REACH:
            earlier[:0] = [g for g in spans[j] if g[0] >= first - _SHAPE_REACH]
            j -= 1
        for start, end, _ in earlier:
            if end - start <= 4:
                shape = _NOT_PHONE_AT_GROUP.match(text, start)
                if shape is not None:
                    blocked_until = max(blocked_until, shape.end())
        groups: list[_Group] = []
        for start, end, in_url in span_chain:
            group, blocked_until = _group(text, start, end, in_url, blocked_until)
            groups.append(group)
        chains.append(groups)
    return chains


def _looks_like_a_list(groups: list[_Group]) -> bool:
    """Four or more groups of the same size in order ("25 30 35 40 45", "13 15 17 19 21") are
    a list of sizes, ages or prices, not a phone split into pairs."""
    size = len(groups[0].digits)
    if len(groups) < 4 or size < 2 or any(len(g.digits) != size for g in groups):
        return False  # mixed sizes ("909/342/58/50") are how numbers are split, not lists
    values = [int(g.digits) for g in groups]
    steps = [b - a for a, b in zip(values, values[1:], strict=False)]
    return all(d >= 0 for d in steps) or all(d <= 0 for d in steps)


# Counting ("1 2 3 ... 12", a pager) or a ladder of round amounts ("60/80/120/160") this long is
# a list, whatever sizes its groups have.
_COUNTING_RUN = 6
_LADDER_RUN = 4


def _block_ladders(chain: list[_Group]) -> None:
    """Mark as blocked the groups of a chain that count up by one, or climb in round amounts."""
    values = [int(g.digits) for g in chain]
    for step_ok, least in (
        (lambda a, b: b == a + 1, _COUNTING_RUN),
        (lambda a, b: a >= 10 and b > a and a % 10 == 0 and b % 10 == 0, _LADDER_RUN),
    ):
        run = 1
        for k in range(1, len(chain) + 1):
            if k < len(chain) and step_ok(values[k - 1], values[k]):
                run += 1
                continue
            if run >= least:
                for g in chain[k - run : k]:
                    g.blocked = True
            run = 1


# Three round amounts of two or three digits ("80/120/200", "100/80~ 15 120/100~ 30") in one
# window are a rate list; a number has at most two groups that short (3-3-4).
_ROUND_AMOUNTS = 3


def _holds_round_amounts(groups: list[_Group]) -> bool:
    """Does a window hold `_ROUND_AMOUNTS` groups of 2-3 digits that are multiples of ten?"""
    round_ = 0
    for g in groups:
        d = g.digits
        if 2 <= len(d) <= 3 and d[0] != "0" and d[-1] == "0":
            round_ += 1
            if round_ >= _ROUND_AMOUNTS:
                return True
    return False


def _nanp_grouped(groups: list[_Group]) -> bool:
    """Digit groups of 3, 3 and 4 (after an optional leading 1): how NANP numbers are written."""
    sizes = [len(g.digits) for g in groups]
    if sizes[:1] == [1] and groups[0].digits == "1":
        sizes = sizes[1:]
    return sizes == [3, 3, 4]


def _later_nanp_number(
    chain: list[_Group], i: int, j: int, region: str | None, fallback: str | None
) -> int | None:
    """Where a valid 3-3-4 number starts inside the match chain[i..j] and runs past its end.

    A group before a North American number ("2016 212 555 0147", a year or a house number)
    can make a valid number with the first groups of it; the groups written as such a number
    are the phone. None when the match is itself grouped so, or no such number follows.
    """
    nanp = region if region in _NANP else fallback if fallback in _NANP else None
    if nanp is None or chain[i].plus or _nanp_grouped(chain[i : j + 1]):
        return None
    for k in range(i + 1, j + 1):
        window = chain[k : k + 3]
        if (
            k + 2 > j
            and len(window) == 3
            and _nanp_grouped(window)
            and not any(g.blocked for g in window)
            and not window[0].soft
            and _parse("".join(g.digits for g in window), nanp) is not None
        ):
            return k
    return None


def _candidates(
    digits: str, plus: bool, region: str | None, fallback: str | None = None
) -> list[tuple[str, str | None]]:
    """Strings to hand to phonenumbers.parse for one window, most specific first."""
    if plus:
        return [("+" + digits, None)]
    out: list[tuple[str, str | None]] = []
    if digits.startswith("00"):
        out.append(("+" + digits[2:], None))
    elif digits.startswith("011") and region in _NANP:
        out.append(("+" + digits[3:], None))
    if region is not None and len(digits) in _national_lengths(region):
        out.append((digits, region))
    if fallback is not None and fallback != region and len(digits) in _national_lengths(fallback):
        out.append((digits, fallback))
    return out


def find_phones(
    norm: Normalized, region: str | None = "US", fallback: str | None = None
) -> list[PhoneMatch]:
    """All valid phone numbers in the normalised text, in order of appearance.

    A national number not valid in `region` is tried in `fallback` (the source's country when
    the text's places chose `region`, see region.py).
    """
    region = region.upper() if region else None
    if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
        logger.warning("unknown phone region %r: only international numbers are searched", region)
        region = None
    fallback = fallback.upper() if fallback else None
    if fallback not in phonenumbers.SUPPORTED_REGIONS:
        fallback = None
    found = _search(norm, region, fallback)
    if "!" in norm.lower and _BANG_FOR_ONE.search(norm.lower):
        # "(2!3) 555-0147": a "!" between two digits can stand for a 1, as "l" does (read in
        # normalize.py). The text is searched again with it as a 1 (the same length, so the
        # offsets hold); a number found so is kept where the first search found none.
        as_one = _BANG_FOR_ONE.sub("1", norm.lower)
        alt = dataclasses.replace(norm, text=_BANG_FOR_ONE.sub("1", norm.text), lower=as_one)
        taken = [(m.start, m.end) for m in found]
        more = [
            m
            for m in _search(alt, region, fallback)
            if _BANG_FOR_ONE.search(norm.lower, m.start, m.end)
            and not any(m.start < e and s < m.end for s, e in taken)
        ]
        found = sorted(found + [_read_with_bang(norm, m) for m in more], key=lambda m: m.start)
    return found


def _read_with_bang(norm: Normalized, match: PhoneMatch) -> PhoneMatch:
    """`match`, found with "!" read as 1, with its obfuscation said so (a look-alike digit)."""
    o_start, o_end = norm.span(match.start, match.end)
    kinds = {*obfuscation_of(_BANG_FOR_ONE.sub("1", norm.original[o_start:o_end])), "letters"}
    way = tuple(k for k in OBFUSCATION_KINDS if k in kinds)
    return dataclasses.replace(match, obfuscation=way)


def _search(norm: Normalized, region: str | None, fallback: str | None) -> list[PhoneMatch]:
    """find_phones on one reading of the text (region and fallback already checked)."""
    found: list[PhoneMatch] = []
    budget = PARSE_BUDGET_BASE + int(len(norm.text) * PARSE_BUDGET_PER_CHAR)
    # A chain with fewer digits than any number it could be read as is skipped whole (most
    # chains are one short group: a price, an age, a year).
    lengths = _national_lengths(region) | _national_lengths(fallback)
    for chain in _groups(norm, min(lengths, default=99), _MIN_INTERNATIONAL_DIGITS):
        if len(chain) >= _LADDER_RUN:
            _block_ladders(chain)
        i = 0
        while i < len(chain):
            if chain[i].blocked or chain[i].soft:
                i += 1
                continue
            # Longest window first: "1 212 555 1234" is one number, not "212 555 1234" + "1".
            windows: list[tuple[int, str]] = []
            digits = ""
            fives = 0
            for j in range(i, len(chain)):
                if chain[j].blocked:
                    break
                digits += chain[j].digits
                fives += len(chain[j].digits) == 5
                if len(digits) > _MAX_DIGITS or (fives >= 2 and not chain[i].plus):
                    break  # two five-digit groups: a list of ZIP codes, not a number
                if chain[j].soft:
                    if len(digits) >= 10:
                        windows.append((j, digits))
                    break
                windows.append((j, digits))
            match: tuple[int, str] | None = None
            plus = chain[i].plus
            for j, window in reversed(windows):
                # Only a window phonenumbers could read is tested further (as _candidates).
                if not (plus or len(window) in lengths or window.startswith("0")):
                    continue
                if (
                    not plus
                    and (
                        _looks_like_a_list(chain[i : j + 1])
                        # A national number in pairs ("06 10 20 30 40") starts with its trunk 0.
                        or (not window.startswith("0") and _holds_round_amounts(chain[i : j + 1]))
                    )
                ):
                    continue
                # Grouped as North American numbers are ("818-555-0147"), a number is read in
                # the source's country first when that is one of them.
                first, second = region, fallback
                if fallback in _NANP and _nanp_grouped(chain[i : j + 1]):
                    first, second = fallback, region
                for candidate, cand_region in _candidates(window, chain[i].plus, first, second):
                    if budget <= 0:
                        logger.warning("phone search stopped: parse budget spent on this text")
                        return found
                    budget -= 1
                    e164 = _parse(candidate, cand_region)
                    if e164 is not None:
                        match = (j, e164)
                        break
                if match is not None:
                    break
            if match is None:
                i += 1
                continue
            j, e164 = match
            k = _later_nanp_number(chain, i, j, region, fallback)
            if k is not None:
                i = k  # "2016 212 555 0147": the number is the 3-3-4 groups, not the year
                continue
            start = chain[i].start
            if chain[i].plus:
                start = norm.text.rfind("+", max(0, start - 3), start)
            o_start, o_end = norm.span(start, chain[j].end)
            written = norm.original[o_start:o_end]
            found.append(PhoneMatch(e164, start, chain[j].end, obfuscation_of(written)))
            i = j + 1
    return found


def normalise_phone(text: str, region: str | None = "US") -> str | None:
    """The one stored form of a phone number: E.164 when `phonenumbers` finds `text` a valid
    number of `region` (or, written with + / 00, of any country), else None.

    The same rule extraction stores with; watchlists, search and the partner API call this.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    region = region.upper() if region else None
    if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
        region = None
    raw = text.strip()
    digits = re.sub(r"[^0-9]", "", raw)
    if not digits or len(digits) > _MAX_DIGITS:
        return None
    plus = raw.startswith("+")
    for candidate, cand_region in _candidates(digits, plus, region):
        e164 = _parse(candidate, cand_region)
        if e164 is not None:
            return e164
    return None
