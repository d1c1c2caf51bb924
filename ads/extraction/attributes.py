"""Ages, prices, names and ethnicity mentions of the person advertised.

Each finder works on the normalised text (number words are already digits, so "twenty one
years old" reads "21 years old") and keeps only statements about the advertised person:
"men over 30", "21 and up", "5 years experience" and "no black men" are about someone else.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ads.extraction.normalize import Normalized, word_starts
from ads.extraction.words import (
    first_names,
    is_common_word,
    is_demonym,
    is_first_name,
    is_spanish_demonym,
    is_stop_word,
)


@dataclass(frozen=True)
class Found:
    """A value with its span in the normalised text."""

    value: object
    start: int
    end: int


# Both finders below are anchored on digit groups (found once per text) and look at a few
# characters around each: one scan of the text instead of one big regex per finder.
_GROUP = re.compile(r"[0-9]+")


def digit_groups(norm: Normalized) -> list[tuple[int, int]]:
    """(start, end) of every run of ASCII digits in the normalised text."""
    return [m.span() for m in _GROUP.finditer(norm.lower)]


def _outside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Does [start, end) miss every span? `spans` are sorted and do not overlap."""
    i = bisect_right(spans, (start, float("inf"))) - 1
    if i >= 0 and spans[i][1] > start:
        return False
    return not (i + 1 < len(spans) and spans[i + 1][0] < end)


# --- ages ------------------------------------------------------------------------------------

_AGE_UNIT = re.compile(
    # "22y" glued (a spaced "22 y" is Spanish "and"); "aos" is "años" with the ñ lost.
    r"y(?![\w/.'])|"
    r"-(?:yoa?\b|y/o\b|y\.o\.?)|"  # "22-yo"; a dash before "years" is "a 15-year history"
    r"\s?(?:yoa?\b|y/o\b|y\.o\.?|a[ñn]os\b|a[ñn]itos\b|aos\b|"
    r"-?\s?(?:yrs?|years?)\.?[\s\-]?(?:old|young)\b|old\b|"
    r"(?:yrs?|years?)\b(?!\s?(?:of\s)?(?:exp|in\s|experience|business|service|ago)))"
)
_BARE_YEARS = re.compile(r"\s?(?:yrs?|years?|old)")
# A label may be followed by a wide gap or dot leaders where a page laid its fields out in
# columns ("Age                    27", "Age.....22"), by another separator ("Age | 27",
# "Age ~ 27", "Age; 27", "Age (27", "Age» 27") or read as a sentence ("my age is 27").
_AGE_LABEL = (
    r"(?:\bage(?:\s{1,3}is)?|\baged|\bedad|\bturned|\bturning)"
    r"\s{0,80}[:=\-.|~;(>»]{0,6}\s{0,20}$"
)
_AGE_PRE = re.compile(rf"\bedad\b[^:\n]{{0,45}}:\s{{0,5}}$|{_AGE_LABEL}")
# "I'm 21", and about her in the third person: "she is 21", "she's 21".
# The apostrophe may be a backtick or an acute accent (which normalising leaves as a combining
# mark): "I`m 21", "I´m 21".
_APOSTROPHE = "['`\u0301]"
_AGE_PRE_IM = re.compile(
    rf"\b(?:i\s?{_APOSTROPHE}?\s?a?m|i\s?am|she\s?{_APOSTROPHE}?\s?s|she\s+is)"
    r"\s(?:only\s|just\s)?$"
)
_AGE_BEFORE_CHARS = 110
_IM_CHARS = 16


# Profile pages that lost their table cells glue each label to the value before it:
# "BustMediumAge25Shaved".
_GLUED_AGE = re.compile(r"[a-z]Age$")


def _age_pre(text: str, start: int, original: str) -> tuple[int, bool] | None:
    """Where a label ("age:", "edad ...:", "turned") or "I'm" before `start` begins, and
    whether it is "I'm". Each pattern is searched only where its words occur (a cheap test):
    most two-digit numbers of an ad have neither before them."""
    lo = max(0, start - _AGE_BEFORE_CHARS)
    window = text[lo:start]
    if window.endswith("age") and _GLUED_AGE.search(original, max(0, start - 4), start):
        return start - 3, False
    if "ag" in window or "edad" in window or "turn" in window:
        m = _AGE_PRE.search(window)
        if m is not None:
            return lo + m.start(), False
    tail = window[-_IM_CHARS:]
    if "m" in tail or "she" in tail:
        m = _AGE_PRE_IM.search(text, max(0, start - _IM_CHARS), start)
        if m is not None:
            return m.start(), True
    return None


# After "I'm 21" a unit means it is not an age: "I'm 30 min away", "I'm 40 roses".
_NOT_AGE_AFTER = re.compile(
    r"[a-h]{1,3}\b|\s(?:[b-h]|aa|dd|ddd)\b(?!')|[0-9'\"%$/]|[.,][0-9]|\s?(?:min|hr|h\b|hh|hour|\$|lbs|kg|cm|inch|in\b|dollars|roses|ft|feet|"
    r"st\b|nd\b|rd\b|th\b|%|k\b|miles|mi\b|away|minutes)"
)
_OTHER_PEOPLE_WORDS = (
    r"men|man|guys?|gents?|gentlemen|clients?|males?|boys|over|under|older\s+than|"
    r"persons?|people|users?|visitors?|viewers?|"
    r"younger\s+than|at[\s\-]+least|must\s+be|minimum|min\.?|daughter|son|kids?|child|"
    r"married|than|since|ages|company|business|firm|agency|corporation|organi[sz]ation|brand|store"
)
# Words of a length of time ("for 22 years", "about 30 years ago"): they do not stand before
# an age written as one ("Looking for fun 23 yrs old", "About me: 23 years old").
_TIME_WORDS = r"together|for|last|past|next|first|within|about"
_OTHER_PEOPLE = rf"\b(?:{_OTHER_PEOPLE_WORDS}|{_TIME_WORDS})"
_GREETING_BEFORE = re.compile(r"\b(?:hi|hey|hello|hola|welcome|greetings|dear|attention)\W{1,3}$")
_OTHERS_BEFORE = re.compile(_OTHER_PEOPLE + r"\W{0,3}(?:\w+\W{1,3}){0,1}$")
_OTHERS_BEFORE_AGED = re.compile(rf"\b(?:{_OTHER_PEOPLE_WORDS})" + r"\W{0,3}(?:\w+\W{1,3}){0,1}$")
_AGED_UNIT = re.compile(r"old|young|yo|y/o|y\.o")
# Before a label only the word right before it counts ("men over age 30", "must be of age"):
# "About Jasmina  Age 24" is a profile heading, not "about 24".
_OTHERS_BEFORE_LABEL = re.compile(_OTHER_PEOPLE + r"\W{0,3}(?:of\W{1,3})?$")
_OR_OLDER = r"\+|(?:and|&)\s?(?:up|over|older)\b|or\s+(?:older|over|up)\b|plus\b"
_OTHERS_AFTER = re.compile(
    r"\s?(?:(?:yrs?|years?)?(?:\s?(?:-|to|through|and)|\sa)\s?[0-9]{2}(?![0-9])|"
    rf"{_OR_OLDER}|"
    rf"(?:yrs?|years?)\s?(?:old\s)?(?:{_OR_OLDER}|of\s+age|of\s+exp|exp|experience|in\s|"
    r"married|together|ago))"
)
# The same in Spanish: "hombres mayores de 35 años", "más de 30 años", "10 años de experiencia".
_ES_OTHERS_BEFORE = re.compile(
    r"\b(?:hombres|señores|senores|caballeros|clientes|chicos|mayores|menores|m[aá]s|menos|"
    r"hace|entre|desde|ni[ñn]os?|hij[oa]s?)\b(?:\s+de)?(?:\s+los)?\s*$"
)
_ES_OTHERS_AFTER = re.compile(
    r"\s*(?:de\s+)?(?:experiencia|casad[oa]s|juntos|trabajando|o\s+m[aá]s|en\s+adelante|"
    r"para\s+arriba|\+)"
)
_ES_UNIT = re.compile(r"\s?(?:a[ñn]os|a[ñn]itos|aos)$")
# "Age: 19 and 21" (two women in one ad): each age. A range ("21 - 25") is neither.
_AGE_AND = re.compile(r"\s?(?:and|&|y)\s?(?P<n>[0-9]{2})(?![0-9])")
# Spanish ranges too: "entre 18 a 28 años".
_RANGE_BEFORE = re.compile(r"[0-9]\s?(?:yrs?|years?)?(?:\s?(?:-|to|through)|\sa)\s?$")
# Backpage-style titles end with the poster's age: "Title text - 23", at the end of the title
# line, or where a page (or an aggregator's copy of it) repeats the title inside flattened text:
# "... Title text - 23 Posted: ...", "Title   - 23    Springfield, downtown | Monday",
# "Title - 23 at example.com", "Title - 23 212-555-0147 photos", "Title - 23 - 23 - City".
# The words before are not a number (a date "2015 11 17 - 14", a range "60 - 80") unless it ends
# a phone or is the same number, and never a unit ("- 24 Hours", "- 60 Roses", "- 52 Ads") or a
# rate ("hh - 60") follows or precedes.
_TITLE_BEFORE = re.compile(r"[^\s\d\-][ \t]{0,8}(?:-[ \t]{1,3})?-[ \t]{0,2}$")
_TITLE_AFTER = re.compile(
    r"[ \t]*(?:\n|$)|\s{1,80}(?:https?:|www\.|[A-Z]|\|)|[ \t]{3,}[a-z]|\s-\s[A-Za-z]"
    r"|\s(?:at|on)\s[\w-]{2,40}\.(?:com|net|org|us|ca|co|uk|au)\b"
)
# A date range ("22 Jul. - 31 Jul.") is not a title's age.
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_TITLE_NOT_AFTER = re.compile(
    r"\s{0,12}(?:hours?|hrs?|h|hh|hhr|min|mins|minutes?|roses?|dollars?|usd|years?|yrs?|am|pm|qv|"
    r"fh|hr|k|special|ads|posts|pictures|pics|photos|images|reviews|profiles|videos|listings|"
    rf"%|/|\$|{_MONTHS})(?-i:(?![a-z]))",
    re.IGNORECASE,
)
_TITLE_NOT_BEFORE = re.compile(
    rf"\b(?:hh|hhr|hr|hrs|hours?|qv|fh|hf|min|mins|minutes|half|full|{_MONTHS})\W{{0,10}}$",
    re.IGNORECASE,
)
# Flattened pages also run the body on right after the title's age in lowercase, digits or a
# symbol: "Title - 23 hey guys ...", "Title - 23 24/7 incall", "Title - 23 ***new***". Not
# after a word that reads on as a count ("- 20 to 30", "- 60 per"), and the title must not end
# in a rate, where the number is a price: "incall - 60 outcall - 100", "roses - 80 100".
_TITLE_BODY_AFTER = re.compile(
    r"[ \t]{1,2}(?:(?!(?:to|and|or|per|for|off|of|x|more|times|each|a|an|the|with|plus|"
    r"extra|only)\b)[a-z]{2}|[0-9]|[*~\"♥•!#@$])"
)
_TITLE_RATE_BEFORE = re.compile(
    r"\b(?:in[ \t]?calls?|out[ \t]?calls?|rates?|roses?|donations?|specials?|prices?|"
    r"starting|from|only|cash|hhr|hh|hr|qv|qk|bbbj|bj|gfe|fs|session|massage)\W{0,10}$",
    re.IGNORECASE,
)
TITLE_MIN_AGE, TITLE_MAX_AGE = 18, 70
_TITLE_SEP = re.compile(r"[ \t]{1,8}-[ \t]{1,3}")

_PIPE_PHONE = re.compile(r"[ \t]{1,3}\|[ \t]{1,3}")
_WORD_BEFORE = re.compile(r"[A-Za-z!.)][ \t]{1,8}$")
_PHONE_END_BEFORE = re.compile(r"[0-9][ \t]{0,8}-[ \t]{0,2}$")


def _title_age(
    norm: Normalized,
    start: int,
    end: int,
    phone_ends: frozenset[int] = frozenset(),
    phone_starts: frozenset[int] = frozenset(),
) -> bool:
    """Is the two-digit group at [start, end) a title's " - NN" age suffix?

    A number may stand before the " - " only when it ends a phone ("... 212-555-0147 - 23") or
    is the same number ("- 23 - 23", a title repeated); a phone may follow it.
    """
    text = norm.text
    if start < 3 or (text[start - 1] != " " and text[start - 1] != "-"):
        return False
    pipe = _PIPE_PHONE.match(text, end)
    if pipe is not None and pipe.end() in phone_starts:
        # An aggregator's copy of the title that lost its " - ": "Title 21 | 212-555-0147".
        return _WORD_BEFORE.search(text, max(0, start - 10), start) is not None
    window = max(0, start - 16)
    if not _TITLE_BEFORE.search(text, window, start):
        m = _PHONE_END_BEFORE.search(text, window, start)
        if m is None:
            return False
        if (
            m.start() + 1 not in phone_ends
            and text[max(0, m.start() - 1) : m.start() + 1] != (text[start:end])
        ):
            return False
    if _TITLE_NOT_BEFORE.search(text, max(0, start - 24), start):
        return False
    if _TITLE_NOT_AFTER.match(text, end):
        return False
    if _TITLE_AFTER.match(text, end):
        return True
    if _TITLE_BODY_AFTER.match(text, end) and not _TITLE_RATE_BEFORE.search(
        text, max(0, start - 24), start
    ):
        return True
    # A phone next: "Title - 23 212-555-0147 ..." or "Title - 23 - 212-555-0147".
    sep = _TITLE_SEP.match(text, end)
    nxt = sep.end() if sep is not None else end + 1
    if nxt in phone_starts and (sep is not None or text[end : end + 1] == " "):
        return True
    # The same age again: "Title - 23 - 23 - City".
    return sep is not None and text.startswith(text[start:end], nxt)


# "Lola 23, 5'4, 34C, 120 lbs": a bare number after a name, then the body's figures; or after
# a given name with nothing else around it: "Lola, 23, new in town", "Lola (23)", "Lola 23 here".
# A profile's "Lola: 23" too.
_NAME_BEFORE = re.compile(
    r"(?<![\w'])(?P<w>[A-Z][a-z]{1,19}|[A-Z]{3,12})(?P<sep>[,:]?[ \t]{1,2}|[ \t]\()$"
)
# A height in feet may follow with a space only: "Latina 23 5'4 34C".
_STATS_AFTER = re.compile(
    r"[ \t]?[,/|][ \t]{0,2}(?:[4-6][ \t]?(?:'|ft\b|feet\b)|[2-5][0-9][ \t]?[a-h]{1,3}\b|"
    r"[0-9]{2,3}[ \t]?(?:lbs?|pounds|kg)\b)|[ \t]{1,2}[4-6](?:'|ft\b|feet\b)",
    re.IGNORECASE,
)
# ... or a pair of them: "Lola 23 & Kandi 25", "Lola 23 and Kandi".
_ALONE_AFTER = re.compile(
    r",[ \t]{1,2}[A-Za-z]|[ \t]{1,2}(?i:here)\b|!|[ \t]*(?:\n|$)"
    r"|[ \t]{1,2}(?:&|and|y)[ \t]{1,2}[A-Z][a-z]"
)
_STAT_WORDS = frozenset(
    ("bust", "waist", "hips", "hip", "size", "cup", "height", "weight")
    + ("room", "suite", "apt", "unit", "ste", "hwy", "ave", "exit")
    + ("jan", "january", "feb", "march", "april", "may", "june", "july", "august", "sept")
    + ("october", "november", "december", "monday", "tuesday", "wednesday", "thursday")
    + ("friday", "saturday", "sunday", "day", "days", "top", "ages", "number")
)

_BODY_AFTER = re.compile(
    r"lbs|pounds|kg|petite|tall|slim|curvy|thick|weight|size|bust|[2-5][0-9][a-h]{1,3}\b|cm\b"
)
MIN_AGE, MAX_AGE = 10, 80


def _name_then_age(norm: Normalized, start: int, end: int) -> bool:
    """Is [start, end) a bare age right after a name: before the body's figures ("Lola 23,
    5'4"; a nationality stands for the name: "Japanese 21, 36D") or, after a given name, alone
    ("Lola, 23, new in town", "Lola (23)", "Lola 23 here")?"""
    text = norm.text
    stats = _STATS_AFTER.match(text, end) is not None
    if not stats and not text.startswith(")", end) and not _ALONE_AFTER.match(text, end):
        return False
    m = _NAME_BEFORE.search(text, max(0, start - 24), start)
    if m is None:
        return False
    word, sep = m.group("w"), m.group("sep")
    if word.lower() in _STAT_WORDS:
        return False
    if sep.endswith("(") != text.startswith(")", end):
        return False  # "Lola (23)" both or neither
    if stats:
        return not is_common_word(word, spanish=False) or is_demonym(word)
    return is_first_name(word) and not is_common_word(word, spanish=False)


# A personal ad describes its poster: "26 white male, brown hair", "m4w 26 ...", "w4m - 31".
_ETH_WORD = (
    r"white|black|asian|latino|latina|hispanic|ebony|mixed|bi|gay|straight|single|married|"
    r"divorced|attractive|handsome|fit|hwp|tall|short"
)
_SELF_AFTER = re.compile(
    rf"[ \t]{{1,2}}(?:(?:{_ETH_WORD})[ \t]{{1,2}})?(?:male|female|guy|man|woman|gal)\b"
    r"(?![ \t]{1,2}(?:escort|model|dancer|stripper|masseu|therapist|companion|provider)s?\b)"
)
_PERSONAL_TAG_BEFORE = re.compile(r"\b[mwtfc]{1,2}4[mwtfc]{1,3}\b[ \t]{0,2}-?[ \t]{0,2}$")
# A posting-history table repeats the poster's age between the time and the next column, set
# apart by runs of spaces: "July 11, 2016 01:29 PM   24   In Or  Springfield", "May 02, 2016
# 10:15 PM   23   Example Town, Springfield". A unit after the number makes it a duration.
_HISTORY_BEFORE = re.compile(r"[0-9]{1,2}:[0-9]{2}\s?[ap]m[ \t]{2,12}$")
_HISTORY_AFTER = re.compile(
    r"[ \t]{2,12}(?:in|out)\b|"
    r"[ \t]{2,12}(?!(?:mins?|minutes?|hrs?|hours?|secs?|days?|weeks?|years?|yrs?)\b)[a-z]"
)
# Backpage's "adult jobs" section: the poster's age field and the title's age suffix of a
# recruiter's ad are the recruiter's, not those of a person offered.
_JOBS_SECTION = re.compile(r"\badult jobs\b")
_POSTER_FIELD = re.compile(r"poster'?s\s$")
# "I'm 23 years of age" states an age; "18 years of age or older" is a requirement.
_OF_AGE = re.compile(r"\s?(?:yrs?|years?)\s?of\s+age\b(?!\s?(?:or|and|&|\+))")
# "with 20 years (of) ...": a length of time, not an age.
_WITH_BEFORE = re.compile(r"\bwith\s$")
# A page listing many people ("Kandi - 29 Yrs., Springfield  Rosa - 22 Yrs., ...", a
# directory's "19yrs  6 pics" rows) states no one person's age: from this many distinct ages
# written without a label, only labelled ones ("Age: 23") are kept.
LISTING_AGES = 5
# "I'm 23 years old ... im 58": a bare "I'm" number in the range of heights written without the
# foot mark (4'8" to 6'2" as 48 to 62) is a height when the ad states another age with a unit
# or a label.
HEIGHT_AS_AGE = range(48, 63)


# Spanish number words the normaliser leaves as words, before "años": "tengo veintidós años",
# "chica de treinta y dos años". Read only where "años" (or "anos", "aos" with the ñ lost) is.
_ES_UNITS = {
    "uno": 1, "un": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
    "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
}  # fmt: skip
_ES_TENS = {"treinta": 30, "cuarenta": 40, "cincuenta": 50}
_ES_TEENS = {"dieciocho": 18, "diecinueve": 19, "veinte": 20}
_ES_VEINTI = {f"veinti{k}": 20 + v for k, v in _ES_UNITS.items()}
_ES_VEINTI |= {"veintiún": 21, "veintidós": 22, "veintitrés": 23, "veintiséis": 26}
_ES_WORDS = {**_ES_TEENS, **_ES_VEINTI, **_ES_TENS}
_ES_AGE = re.compile(
    rf"\b(?P<n>{'|'.join(sorted(_ES_WORDS, key=len, reverse=True))})"
    rf"(?:\s+y\s+(?P<u>{'|'.join(sorted(_ES_UNITS, key=len, reverse=True))}))?"
    r"\s+(?:a[ñn]os|aos)\b"
)


def _spanish_word_ages(text: str) -> list[Found]:
    out = []
    for m in _ES_AGE.finditer(text):
        age = _ES_WORDS[m.group("n")]
        if m.group("u") and m.group("n") in _ES_TENS:
            age += _ES_UNITS[m.group("u")]
        out.append(Found(age, m.start(), m.end()))
    return out


def find_ages(
    norm: Normalized,
    groups: list[tuple[int, int]] | None = None,
    taken: list[tuple[int, int]] | None = None,
) -> list[Found]:
    """Stated ages of the advertised person ("19yo", "age: 20", "22 years young", "I'm 21").

    `taken` are spans already claimed by phones: digits inside a phone are not an age.
    """
    text = norm.lower
    taken = taken or []
    found: list[tuple[Found, bool]] = []  # (age, written with a label)
    bare_im: set[int] = set()  # starts of ages read from a bare "I'm NN"
    phone_ends = frozenset(e for _, e in taken)
    phone_starts = frozenset(s for s, _ in taken)
    jobs = "adult jobs" in text and _JOBS_SECTION.search(text) is not None
    listed: set[int] = set()
    for start, end in digit_groups(norm) if groups is None else groups:
        if end - start != 2:
            continue
        if start in listed:
            continue  # the second age of "Age: 19 and 21", taken with the first
        if _title_age(norm, start, end, phone_ends, phone_starts):
            age = int(text[start:end])
            if TITLE_MIN_AGE <= age <= TITLE_MAX_AGE and _outside(taken, start, end) and not jobs:
                found.append((Found(age, start, end), False))
            continue
        # "5'4.34D.24 years old": a full stop after a word still starts a statement.
        if (
            start
            and text[start - 1] in "$£€.,/'"
            and not (text[start - 1] == "." and start >= 2 and text[start - 2].isalpha())
        ):
            continue
        age = int(text[start:end])
        if not MIN_AGE <= age <= MAX_AGE or not _outside(taken, start, end):
            continue
        before = text[max(0, start - _AGE_BEFORE_CHARS) : start]
        if _RANGE_BEFORE.search(before):
            continue  # "1-10 years", "18 to 25": a range, not a statement
        unit = _AGE_UNIT.match(text, end)
        span_start, span_end = start, end
        label = False
        spoken = False  # "I'm 23", "she is 23": about the person herself
        if unit is not None:
            # An age under 18 is the strongest evidence there is, so it must be written as an
            # age: a bare "10 years" is a duration ("10 years [in the] industry").
            bare = _BARE_YEARS.fullmatch(unit.group()) is not None
            if bare and (age < 18 or _WITH_BEFORE.search(before)):
                continue
            span_end = unit.end()
            pre = _age_pre(text, start, norm.text)
            label = pre is not None and not pre[1]  # "Age:   23 Yrs."
            spoken = pre is not None and pre[1]
        elif (
            (_HISTORY_BEFORE.search(before) and _HISTORY_AFTER.match(text, end))
            or (18 <= age < 60 and _name_then_age(norm, start, end))
            or (
                18 <= age < 80
                and (_SELF_AFTER.match(text, end) or _PERSONAL_TAG_BEFORE.search(before))
            )
        ):
            pass  # a bare age in a posting-history row, after a name, or a personal ad's
        else:
            pre = _age_pre(text, start, norm.text)
            if pre is None:
                continue
            pre_start, im = pre
            if im and _NOT_AGE_AFTER.match(text, end):
                continue
            if im and 48 <= age <= 69 and _BODY_AFTER.search(text, end, end + 40):
                continue  # "I'm 56, petite, 110 lbs": a height written without the foot mark
            if jobs and not im and _POSTER_FIELD.search(text, max(0, pre_start - 9), pre_start):
                continue
            span_start = pre_start
            label = not im
            spoken = im
        others = _OTHERS_BEFORE_LABEL if label else _OTHERS_BEFORE
        if not label and unit is not None and _AGED_UNIT.search(unit.group()):
            others = _OTHERS_BEFORE_AGED
        window_start = max(0, span_start - 30)
        other = others.search(text, window_start, span_start)
        # "Hey guys I'm 23", "Hi gents! 24 yrs old", "Welcome gentlemen. Age: 26": the men are
        # greeted, then she states her own age.
        if (
            other is not None
            and not spoken
            and not _GREETING_BEFORE.search(text, max(0, other.start() - 16), other.start())
        ):
            continue
        if _ES_OTHERS_BEFORE.search(text[max(0, span_start - 30) : span_start]):
            continue
        if (
            unit is not None
            and _ES_UNIT.search(unit.group())
            and _ES_OTHERS_AFTER.match(text, span_end)
        ):
            continue
        second = _AGE_AND.match(text, end) if label else None
        if second is not None and MIN_AGE <= int(second.group("n")) <= MAX_AGE:
            found.append((Found(age, span_start, span_end), True))
            listed.add(second.start("n"))
            found.append((Found(int(second.group("n")), second.start("n"), second.end("n")), True))
            continue
        if _OTHERS_AFTER.match(text, end) and not (
            _OF_AGE.match(text, end) and _AGE_PRE_IM.search(text, max(0, start - _IM_CHARS), start)
        ):
            continue
        if unit is None and not label and span_start != start:
            bare_im.add(span_start)
        found.append((Found(age, span_start, span_end), label))
    if "os" in text and ("años" in text or "anos" in text or "aos" in text):
        found += [
            (f, False)
            for f in _spanish_word_ages(text)
            if not _OTHERS_BEFORE.search(text[max(0, f.start - 30) : f.start])
            and not _ES_OTHERS_BEFORE.search(text[max(0, f.start - 30) : f.start])
            and not _ES_OTHERS_AFTER.match(text, f.end)
        ]
    if len({f.value for f, label in found if not label}) >= LISTING_AGES:
        return [f for f, label in found if label]
    stated = {f.value for f, _ in found if f.start not in bare_im}
    return [
        f
        for f, _ in found
        if not (f.start in bare_im and f.value in HEIGHT_AS_AGE and stated - {f.value})
    ]


# --- prices ----------------------------------------------------------------------------------

_CURRENCY_SIGNS = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR"}
_CURRENCY_WORDS = {
    "usd": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "bucks": "USD",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "gbp": "GBP",
    "aud": "AUD",
    "cad": "CAD",
    "rm": "MYR",
    "pounds": "GBP",
}
_REGION_CURRENCY = {
    "US": "USD",
    "CA": "CAD",
    "GB": "GBP",
    "AU": "AUD",
    "NZ": "NZD",
    "IN": "INR",
    "MY": "MYR",
    "SG": "SGD",
    "HK": "HKD",
    "JP": "JPY",
    "DE": "EUR",
    "FR": "EUR",
    "IT": "EUR",
    "ES": "EUR",
    "NL": "EUR",
    "FI": "EUR",
    "IE": "EUR",
    "MX": "MXN",
    "RU": "RUB",
    "TR": "TRY",
}
_SIGN_SET = frozenset(_CURRENCY_SIGNS)
_CURRENCY_WORD_TAIL = re.compile(r"(?:usd|rm|eur|aud|cad|gbp)\s?$")
_PRICE_PRE = re.compile(r"(?P<cur>[$£€¥₹]|\b(?:usd|rm|eur|aud|cad|gbp))\s?$")
_PRICE_POST = re.compile(
    r"(?P<k>k\b)?\s?(?P<cur>[$£€](?![0-9])|roses?\b|🌹|usd\b|dollars?\b|bucks\b|euros?\b|"
    r"gbp\b|aud\b|cad\b)"
)
_AMOUNT_END = re.compile(r"[0-9]k?\s?$")
_K_AFTER = re.compile(r"k\b")
_THOUSANDS = re.compile(r"(?:,[0-9]{3}){1,3}(?![0-9])")
_DECIMALS = re.compile(r"\.[0-9]{1,2}(?![0-9])")
_DURATION_AFTER = re.compile(
    r"\s?(?:/|per\b|for\b|a\b|x|-|@|~|=)?\s?"
    r"(?P<dur>half\s?(?:an\s)?h(?:ou)?r|full\s?h(?:ou)?r|hhr|hh|hf|fh|qv|qk|quick\s?visit|"
    r"overnight|over\s?night|ov\b|night|"
    r"(?P<qty>[0-9]{1,3})?\s?(?:hours?|hrs?|h|mins?|minutes?))\b"
)
# A duration written just before the amount ("hh 120", "30min:$40", "15mins-50$") belongs to it
# and wins over one after it (which usually labels the next price in a rate list).
_DURATION_BEFORE = re.compile(
    r"(?:\b(?P<dur>hh|hhr|qv|qk|hr|hour|fh|hf)|(?<![0-9])(?P<qty>[0-9]{1,3})\s?"
    r"(?P<unit>hours?|hrs?|h|mins?|minutes?))\s?(?:[:=\-~]|is)?\s?[$£€]?$"
)
# Digits glued to minutes ("120min", "30mins") are a length of time, never an amount.
_MINUTES_GLUED = re.compile(r"(?:mins?|minutes?)\b")
# A duration with a quantity followed by ":" labels the next price ("24 hour: 3000").
_LABEL_AFTER = re.compile(r"\s?:")


def _duration(word: str | None, qty: str | None) -> str | None:
    if not word:
        return None
    w = re.sub(r"\s+", "", word)
    if w in {"hh", "hhr", "hf"} or w.startswith("half"):
        return "hh"
    if w == "fh" or w.startswith("full"):
        return "hr"
    if w in {"qv", "qk"} or w.startswith("quick"):
        return "qv"
    if w.startswith("ov"):
        return "overnight"
    unit_part = w[len(qty) :] if qty and w.startswith(qty) else w
    n = int(qty) if qty else 1
    if unit_part.startswith("m"):
        return f"{n}min" if n != 60 else "hr"
    return "hr" if n == 1 else f"{n}hr"


def find_prices(
    norm: Normalized,
    region: str | None,
    groups: list[tuple[int, int]] | None = None,
    taken: list[tuple[int, int]] | None = None,
) -> list[Found]:
    """Prices with currency and duration: {"amount", "currency", "duration", "raw"}.

    An amount counts when a currency stands before or after it ("$200", "200 roses", "🌹"),
    or a duration does ("300/hr", "hh 120"); a bare "30 min" is a length of time.
    """
    text = norm.lower
    taken = taken or []
    default_currency = _REGION_CURRENCY.get((region or "").upper())
    out: list[Found] = []
    for start, end in digit_groups(norm) if groups is None else groups:
        if end - start > 5 or (start and text[start - 1] in ".:'"):
            continue
        if end - start == 1 and not (end < len(text) and text[end] in ".k,"):
            continue  # one digit is only an amount as "1.5k" or "2k"
        if not _outside(taken, start, end) or (start and text[start - 1].isdigit()):
            continue
        if start >= 2 and text[start - 1] == "," and text[start - 2].isdigit():
            continue  # the "500" of "1,500"
        if _MINUTES_GLUED.match(text, end):
            continue
        amount_end = end
        thousands = _THOUSANDS.match(text, end)
        if thousands is not None:
            amount_end = thousands.end()
        decimals = _DECIMALS.match(text, amount_end)
        if decimals is not None:
            amount_end = decimals.end()
        before = text[max(0, start - 12) : start]
        currency: str | None = None
        span_start = start
        # Cheap tests first: a currency stands in the last few characters, a duration needs
        # one of its letters.
        tail = before[-5:]
        pre = (
            _PRICE_PRE.search(before)
            if not _SIGN_SET.isdisjoint(tail) or _CURRENCY_WORD_TAIL.search(tail)
            else None
        )
        if (
            pre is not None
            and not (start >= 2 and text[start - 1] == "$" and text[start - 2].isdigit())
            # "3000 USD 24 hour": a currency word after an amount is that amount's.
            and not (len(pre.group("cur")) > 1 and _AMOUNT_END.search(before, 0, pre.start()))
        ):
            cur = pre.group("cur")
            currency = _CURRENCY_SIGNS.get(cur) or _CURRENCY_WORDS.get(cur)
            span_start = start - (len(before) - pre.start())
        multiplier = 1
        cursor = amount_end
        k = _K_AFTER.match(text, cursor)
        if k is not None:
            multiplier, cursor = 1000, k.end()
        post = None if currency else _PRICE_POST.match(text, cursor)
        if post is not None:
            cur = post.group("cur")
            currency = _CURRENCY_SIGNS.get(cur) or _CURRENCY_WORDS.get(cur) or default_currency
            cursor = post.end()
        duration = None
        dur_before = (
            _DURATION_BEFORE.search(before)
            if "h" in before or "q" in before or "f" in before or "m" in before
            else None
        )
        if dur_before is not None:
            duration = _duration(
                dur_before.group("dur") or dur_before.group("qty") + dur_before.group("unit"),
                dur_before.group("qty"),
            )
            span_start = min(span_start, start - (len(before) - dur_before.start()))
        else:
            dur = _DURATION_AFTER.match(text, cursor)
            if dur is not None and not (dur.group("qty") and _LABEL_AFTER.match(text, dur.end())):
                duration = _duration(dur.group("dur"), dur.group("qty"))
                cursor = dur.end()
        explicit = currency is not None
        if not explicit and duration is None:
            continue
        value = float(text[start:amount_end].replace(",", "")) * multiplier
        if not explicit:
            # Without a currency the amount must look like a price, not a length of time.
            if value < 30 or (duration is not None and duration.endswith("min") and value < 100):
                continue
            currency = default_currency
        if value < 10 or value > 100_000:
            continue
        amount: int | float = int(value) if value.is_integer() else value
        raw_start, raw_end = norm.span(span_start, cursor)
        raw = norm.original[raw_start:raw_end]
        out.append(
            Found(
                {"amount": amount, "currency": currency, "duration": duration, "raw": raw},
                span_start,
                cursor,
            )
        )
    return out


# --- names -----------------------------------------------------------------------------------

# No leading \b: a pattern that starts with letters lets the engine skip to those letters;
# the word boundary is checked on each match instead (_word_start).
_NAME_TRIGGER = re.compile(
    r"(?:ask\s+for|my\s+name\s+is|my\s+name'?s|"
    # "Company Name: Acme", "Last Name" (a form field): not a person's name.
    r"name(?<!company\sname)(?<!business\sname)(?<!last\sname)(?<!user\sname)"
    r"(?<!file\sname)(?<!agency\sname)(?<!brand\sname)(?<!product\sname)(?<!site\sname)"
    r"(?<!street\sname)(?<!account\sname)(?<!hotel\sname)(?<!guest\sname)(?<!job\sname)"
    r"(?<!club\sname)(?<!spa\sname)(?<!shop\sname)\s?[:=\-]|"
    r"names?\s+is|call\s+me|"
    r"i'?m|i\s+am|this\s+is|they\s+call\s+me|known\s+as|aka|a\.k\.a\.?)\s+(?=[a-z])"
)
# Spanish: "me llamo Rosa", "mi nombre es Rosa", "soy LORENA" (checked against Spanish words too).
_NAME_TRIGGER_ES = re.compile(r"\b(?:me\s+llamo|mi\s+nombre\s+es|soy)\s+(?=[a-z])")
# A contact named right before how to reach them: "Call Zorba at ...", "call ZULEYKA 212-...",
# "email Zorba at ...", "contact Zorba at: ...".
# Matched on the lowercase text (fast); the case is checked on the text as written.
_CONTACT_WORDS = ("call ", "contact ", "text ", "email ", "e-mail ")
_CONTACT_NAME = re.compile(
    r"\s{0,2}(?P<name>[a-z]{2,20})"
    r"(?=\s{1,3}(?:at\b|on\b|@|\+?\(?[0-9])|\.{2}|[.,]?\s{0,2}\(?[0-9]{3})"
)
_CAPITALISED = re.compile(r"[A-Z][a-z]{1,19}|[A-Z]{2,12}")
# "Hey Zuleyka here", "Hello gentlemen ZULEYKA here": a greeting before "X here".
_HERE_NAME = re.compile(
    r"\b(?i:hi|hey|hello|hola)\b[\w\s,]{0,20}?\s"
    r"(?P<name>[A-Z][a-z]{1,19}|[A-Z]{3,12})\s+(?i:here)\b"
)
# The name itself must be capitalised as the ad wrote it: "Kandi", "KANDI", "CeeCee".
_NAME_WORD = re.compile(r"[A-Z][a-z]{1,19}(?:[A-Z][a-z]{1,19})?(?![\w'])|[A-Z]{3,12}(?![\w'])")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Capitalised words that follow "I'm" / "this is" but are not names.
_NOT_NAMES = _word_set(
    """
    anytime asap soon later maybe absolutely truly extremely totally really simply definitely
    small big tiny southern northern eastern western married single divorced miss mrs ms mr
    more less most details detail love lovely queens queen king princess goddess doll angel
    info information number phone located location current currently still getting making
    a an the new back here available ready real sexy hot your you me not so very just only now
    in out at on up from looking waiting open young sweet petite busty thick independent incall
    outcall visiting always also all about baby babe daddy honey sugar sweetheart gentleman
    gentlemen sir best there this that what who why how when today tonight tomorrow monday
    tuesday wednesday thursday friday saturday sunday free safe clean discreet discrete fun
    friendly classy educated natural curvy tall short blonde brunette redhead latina asian ebony
    white black exotic mixed ts tv cd bbw milf sorry sure happy glad good great nice willing
    able going coming staying located based yours ur u here2 female male girl lady woman women
    girls ladies boy guy man men call text email gfe pse fbsm massage escort escorts service
    services special specials over under done off well still home outcalls incalls one two three
    every gorgeous beautiful pretty cute slim fit busy bored lonely horny naughty nasty wild
    down traveling travelling offering providing outgoing passionate reliable professional
    mature experienced easy yes no ok okay hi hello hey welcome thanks please really totally
    pure true
    eager honest sincere humble genuine loyal caring sensual sensuous seductive flirty playful
    bubbly shy open generous kinky freaky classy elegant exclusive upscale discreet ambitious
    sophomore freshman junior senior student coed college model dancer stripper nurse teacher
    vip fresh local native visiting touring
    gay lesbian straight bi trans shemale tranny femboy
    nuru tantra tantric shiatsu reflexology acupressure bodyrub bodywork lingam
    mami papi mamacita mamasita mamita chula chulita caliente sabrosa hermosa guapa nueva
    morena rubia gordita flaquita preciosa traviesa cachonda boricua venezolana brasilena legit
    pics pic photos photo pictures rates rate prices price discount discounts availability
    directions address duo duos couple couples extras extra menu donation donations reviews
    review references reference screening appointment appointments appt appts booking bookings
    mgr manager management reception receptionist desk mama mamasan boss hablo espanol ingles
    latinas asians therapist therapists masseuse masseuses provider providers companion
    companions cash credit bitcoin uber lyft motel hotel condo apartment parking shower showers
    jacuzzi sauna slide rub rubs ending endings mins quickie qv hh hhr hr overnight
    satisfaction relaxation gents fellas guys
    puerto pinay pinoy brazillian brasilian hawaiian asain scandinavian caribbean creole mulatto
    petit sexxy sexi thicc curvey chocolate vanilla caramel snow
    mon tue tues wed thu thur thurs fri sat wkdays weekdays weekends weekend anyday tonite nite
    direct resume resumes nyc tel ph mobile cell dispatch viber ext office hiring recruiting jobs
    """
)

# Capitalised words no given name is made of: a letter written three times ("IM BACKKK") and,
# unless it is a known given name, a Spanish nationality ("soy Mexicana", "I'm Colombiana")
# that is_demonym does not read.
_TRIPLED = re.compile(r"(.)\1\1")


def _no_name_shape(low: str) -> bool:
    """Is the lowercase word `low` shaped as no name at all?"""
    return _TRIPLED.search(low) is not None or (is_spanish_demonym(low) and not is_first_name(low))


# After a statement ("I'm", "I am", "this is") or a contact word ("call", "text") a word with
# an adjective's or adverb's ending that is no known given name describes her or the call:
# "I'm Stunning", "I am Bilingual", "this is Tatted", "call Immediately". A naming trigger
# ("my name is", "they call me") keeps it as an alias: "they call me Luscious". A place is
# not refused: places are aliases too ("this is Egypt & Rosa").
_ADJECTIVE_ENDING = re.compile(r"(?:ing|ous|ive|able|ible|ful|less|ual|ical|ed|ly)$")
_STATEMENT_TRIGGER = re.compile(r"i'?m|i\s+am|this\s+is")


def _adjective_shaped(low: str) -> bool:
    return _ADJECTIVE_ENDING.search(low) is not None and not is_first_name(low)


# A lowercase word the candidate qualifies ("I'm Super friendly", "Fetish friendly"): then
# the candidate is an adverb or adjective, not a name.
_QUALIFIED_AFTER = re.compile(r"[ \t]{1,3}(?:-\s?)?[a-z]{2,20}(?:ly|ful|ous|ive|ish|ing|able|ed)\b")


# After "my name is" a Spanish or English word is still a name ("Rosa", "Luz"), unless it is
# a stop word; after "I'm", "call me", "this is" it is the word.
# "known as" / "aka" are not strong: "known as Outside Advisors" names a job title.
_STRONG_TRIGGER = re.compile(r"my\s+name|name\s?[:=\-]|names?\s+is")
# After a weak trigger ("I'm", "I am", "this is") a word that is no known given name is taken
# only when it does not read as an adjective: not followed by a lowercase word ("I am Cool guy",
# "I am EXTREMLY open minded") and, in capitals, not by another word in capitals ("I AM SUPER
# SKILLFUL"). Stop words after it ("I'm Kandi and ...") do not count.
_WEAK_TRIGGER = re.compile(r"i'?m|i\s+am|this\s+is|call\s+me|they\s+call\s+me")
_LOWER_WORD_AFTER = re.compile(r"[ \t]{1,2}(?P<w>[a-z]{2,20})\b")
_CAPS_WORD_AFTER = re.compile(r"[ \t]{1,2}(?P<w>[A-Z]{2,20})\b")


# "ask for Tantra Massage", "I am Hong Kong Girl", "this is SCAM?": a service, a place's first
# word or a question, not a name.
# A business's word after it ("Lotus Spa 212-...", "call Jasmine Day Spa", "Harmony Studio"):
# the first word of a business name.
_BUSINESS_WORDS = (
    r"(?i:massage|session|service|special|treatment|rub|spa|day[ \t]spa|studio|therapy|salon|"
    r"center|centre|wellness|health|club|lounge|agency|escort|bodywork|relaxation|reflexology|"
    r"acupressure|beauty|nail)s?\b"
)
_BUSINESS_AFTER = re.compile(rf"[ \t]{{1,2}}{_BUSINESS_WORDS}")
_NOT_NAME_AFTER = re.compile(
    rf"[ \t]{{0,2}}\?|[ \t]{{1,2}}{_BUSINESS_WORDS}|"
    r",?[ \t]{1,2}(?i:the[ \t])?(?i:founder|owner|manager|director|ceo|president|booker|"
    r"receptionist|recruiter)\b"
)
_NEXT_WORD = re.compile(r"[ \t]{1,2}(?P<w>[A-Z][a-z]{1,19}|[A-Z]{2,12})\b")


def _not_a_name_after(norm: Normalized, name: str, end: int) -> bool:
    if _NOT_NAME_AFTER.match(norm.text, end):
        return True
    nxt = _NEXT_WORD.match(norm.text, end)
    if nxt is None:
        return False
    from ads.extraction.region import is_place_name

    return is_place_name(f"{name} {nxt.group('w')}")


def _reads_as_adjective(norm: Normalized, name: str, end: int) -> bool:
    if is_first_name(name):
        return False
    after = _LOWER_WORD_AFTER.match(norm.text, end)
    if after is None and name.isupper():
        # In capitals the case tells nothing: "THIS IS PORTAL TO ..." reads on as prose, and
        # an unknown word followed by any word in capitals, stop word or not, is taken as one.
        return _CAPS_WORD_AFTER.match(norm.text, end) is not None
    return after is not None and not is_stop_word(after.group("w"))


# Words that stand before a name as a title: "I'm Sophomore Sally", "this is Miss Kandi".
_TITLES = frozenset(
    ("sophomore", "freshman", "junior", "senior", "student", "coed", "college", "model", "nurse")
    + ("teacher", "miss", "mrs", "ms", "princess", "queen", "goddess", "mistress", "lady", "vip")
    + ("sexy", "sweet", "exotic", "petite", "busty", "young", "little", "new", "hot")
)
_TITLED_NAME = re.compile(r"[ \t]{1,2}(?P<w>[A-Z][a-z]{1,19}|[A-Z]{3,12})(?![\w'])")


# Apps and platforms named where a name could stand ("ask for FaceTime").
_NOT_NAME_WORDS = frozenset(
    {
        "facetime",
        "whatsapp",
        "kik",
        "snapchat",
        "instagram",
        "skype",
        "telegram",
        "wechat",
        "google",
        "cashapp",
        "venmo",
        "paypal",
        "visa",
        "mastercard",
    }
)


# "it's Renata", "hey its Odette": an introduction, but "it's" also starts prose ("it's
# Friday", "It's Time"), so only a known given name is taken after it.
_ITS_TRIGGER = re.compile(r"it'?s\s+(?=[a-z])|it\s+is\s+(?=[a-z])")
# "Ms Lorena Sweets", "Miss Kandi": a title used as part of an alias, no trigger needed.
# Matched on the lowercase text; written in capitals ("MS Office", "DON'T MISS IT") it is
# an abbreviation or a verb, so the title must be written "Ms", "Miss", "Mrs" or "Mz".
_MS_TRIGGER = re.compile(r"(?:miss|ms|mrs|mz)\.?[ \t]{1,2}(?=[a-z])")
_MS_WORDS = frozenset(("miss", "ms", "mrs", "mz"))
# A signature: a name (and perhaps a surname or an initial) right before the phone or the
# age: "Ingrid 212-555-0147", "Yvette Moreau 212...", "LORENA P. 212...", "Carmela Age: 24",
# "Odette, 23". Only a known given name counts here: "Call Now 555...", "Rates 555...".
_SIGNED_BEFORE = re.compile(
    r"(?<![\w'])(?P<w>[A-Z][a-z]{1,19}|[A-Z]{3,12})"
    r"(?:[ \t]{1,2}(?P<w2>[A-Z][a-z]{1,19}|[A-Z]{2,12}|[A-Z]\.))?"
    r"[ \t]{0,2}[:,@\-]?[ \t]{0,2}\(?$"
)
_SIGNED_CHARS = 48
# Words of _NOT_NAMES that ask for the contact ("call Renata 555-..."), not describe a noun.
_ADJECTIVES = (_NOT_NAMES | _TITLES) - {"call", "text", "email", "me", "ask", "for", "contact"}
_LOWER_BEFORE = re.compile(r"(?<![\w'])(?P<w>[a-z]{2,20})[ \t]{1,2}$")
# "a sweet Darling 212-...", "your Angel 555-...": after an article the word is a noun.
_ARTICLE_BEFORE = re.compile(
    r"(?i:\b(?:a|an|the|your|my|our|this|that)[ \t]{1,2}(?:\w+[ \t]{1,2})?)$"
)
# A roster: three or more names in a row: "Odette, Ingrid, Yvette", '"RENATA" & "INGRID" & "NOOR"'.
_ROSTER_ITEM = r"(?:[A-Z][a-z]{1,19}|[A-Z]{3,12})(?![a-z'])"
_ROSTER_SEP = r"[ \t]{0,2}[\"']?[ \t]{0,2}(?:[,&/+]|and)[ \t]{0,2}[\"']?[ \t]{0,2}"
_ROSTER = re.compile(rf"(?<![\w']){_ROSTER_ITEM}(?:{_ROSTER_SEP}{_ROSTER_ITEM}){{2,}}")
_ROSTER_WORD = re.compile(_ROSTER_ITEM)
_LOCATION_BEFORE = re.compile(r"(?i:location|cities|areas?|serving|near)\W{0,6}$")
ROSTER_NAMES = 3


def _given_name(name: str, next_word: str | None = None) -> bool:
    """A known given name that is no common word, no place ("Jackson", "Paris") and no word
    the extractor refuses as a name."""
    from ads.extraction.region import is_place_name

    low = name.lower()
    if not is_first_name(low) or is_common_word(low, spanish=False) or low in _NOT_NAMES:
        return False
    if low in _ETHNICITIES or low in _NOT_NAME_WORDS or low in _STAT_WORDS or is_demonym(low):
        return False
    place = is_place_name(name) or (next_word is not None and is_place_name(f"{name} {next_word}"))
    return not place


def _signed_names(norm: Normalized, phones: list[int], ages: list[int]) -> list[re.Match[str]]:
    out = []
    text = norm.text
    for pos in sorted({*phones, *ages}):
        m = _SIGNED_BEFORE.search(text, max(0, pos - _SIGNED_CHARS), pos)
        if m is not None and m.group("w2") and not _given_name(m.group("w"), m.group("w2")):
            # "Stats Carmela Age: 24": the leftmost match took a word before the name.
            m = _SIGNED_BEFORE.search(text, m.start("w2"), pos)
        if m is None or not _given_name(m.group("w"), m.group("w2")):
            continue
        if _BUSINESS_AFTER.match(text, m.end("w")):
            continue  # "Lotus Spa 212-...": a business's name
        if pos not in phones and "-" in text[m.end("w") : pos]:
            continue  # "... Soft as Velvet - 21": the title's last word, then its age suffix
        if _ARTICLE_BEFORE.search(text, max(0, m.start() - 24), m.start()):
            continue
        adj = _LOWER_BEFORE.search(text, max(0, m.start() - 24), m.start())
        if adj is not None and adj.group("w") in _ADJECTIVES:
            continue  # "sweet  Darling 212-...": an adjective in lowercase, then a noun
        out.append(m)
    return out


def _roster_names(norm: Normalized) -> list[re.Match[str]]:
    from ads.extraction.region import is_place_name

    text = norm.text
    out: list[re.Match[str]] = []
    if len(norm.words & first_names()) < ROSTER_NAMES:
        return out  # a set intersection spares the search of most ads
    for run in _ROSTER.finditer(text):
        if _LOCATION_BEFORE.search(text, max(0, run.start() - 20), run.start()):
            continue  # "Location: Marion, Florence, Eugene": places, not people
        words = list(_ROSTER_WORD.finditer(text, run.start(), run.end()))
        names = [w for w in words if _given_name(w.group())]
        places = sum(is_place_name(w.group()) for w in words)
        if places >= len(names):
            continue  # "Clinton, Warren, Dale, Marion, Salem": a list of places
        if len(names) >= ROSTER_NAMES and 2 * len(names) >= len(words):
            out += names
    return out


def _at_word_starts(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """`re.finditer` of "\\b" + pattern, for a pattern that starts with a letter: a match inside a
    word ("him", "username:") is dropped and the search goes on from its next character."""
    out: list[re.Match[str]] = []
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        start = m.start()
        if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            pos = start + 1
            continue
        out.append(m)
        pos = m.end()
    return out


def find_names(
    norm: Normalized,
    taken: list[tuple[int, int]] | None = None,
    phones: list[int] | None = None,
    ages: list[int] | None = None,
) -> list[Found]:
    """Names and aliases the ad gives ("ask for Kandi", "my name is Rosa", "I'm Aaliyah").

    A name is not a common English word (words.py; after "my name is" only a stop word is
    refused) and not a word qualifying the lowercase word after it ("Super friendly").
    `taken` are spans of handles: "TNA verified: name: KandiX" names an account, not a person.
    `phones` and `ages` are where phones and ages start: a known given name right before one
    signs it ("Ingrid 212-...", "Carmela Age: 24", "Odette, 23").
    """
    out: list[Found] = []
    spans = sorted(taken or [])

    def inside(pos: int) -> bool:
        return not _outside(spans, pos, pos + 1)

    def refused(name: str) -> bool:
        low = name.lower()
        return (
            low in _NOT_NAMES
            or low in _ETHNICITIES
            or low in _NOT_NAME_WORDS
            or is_demonym(low)
            or _no_name_shape(low)
        )

    lower = norm.lower
    for trigger in _at_word_starts(_NAME_TRIGGER, lower):
        m = _NAME_WORD.match(norm.text, trigger.end())
        if m is None or inside(m.start()):
            continue
        name = m.group()
        if refused(name):
            # "I'm Sophomore Sally", "this is Miss Kandi": a title, then the name.
            nxt = _TITLED_NAME.match(norm.text, m.end())
            if name.lower() not in _TITLES or nxt is None or not is_first_name(nxt.group("w")):
                continue
            m = _NAME_WORD.match(norm.text, nxt.start("w"))
            if m is None:
                continue
            name = m.group()
        strong = _STRONG_TRIGGER.match(trigger.group()) is not None
        if (is_common_word(name, spanish=False) and not (strong and not is_stop_word(name))) or (
            _QUALIFIED_AFTER.match(norm.text, m.end())
        ):
            continue
        if norm.text.startswith(":", m.end()):
            continue  # "Name:  Age:  Location:": the next label of a form, not a name
        if _WEAK_TRIGGER.fullmatch(trigger.group().rstrip()) and _reads_as_adjective(
            norm, name, m.end()
        ):
            continue
        if _STATEMENT_TRIGGER.fullmatch(trigger.group().rstrip()) and _adjective_shaped(
            name.lower()
        ):
            continue
        if _not_a_name_after(norm, name, m.end()):
            continue
        display = name.capitalize() if name.isupper() else name
        out.append(Found(display, m.start(), m.end()))
    lower = norm.lower
    spanish_intro = "soy " in lower or "llamo " in lower or "nombre es" in lower
    for trigger in _NAME_TRIGGER_ES.finditer(lower) if spanish_intro else ():
        m = _NAME_WORD.match(norm.text, trigger.end())
        if m is None or refused(m.group()) or inside(m.start()):
            continue
        # After "me llamo" a Spanish word is still a name ("Rosa"); after "soy" it is the word.
        spanish = not trigger.group().startswith(("me", "mi"))
        if is_common_word(m.group(), spanish=spanish):
            continue
        if _QUALIFIED_AFTER.match(norm.text, m.end()):
            continue
        name = m.group()
        out.append(Found(name.capitalize() if name.isupper() else name, m.start(), m.end()))
    matches: list[re.Match[str]] = []
    for word in _CONTACT_WORDS:  # str.find is far faster than a regex alternation here
        pos = lower.find(word)
        while pos >= 0:
            if pos == 0 or not lower[pos - 1].isalnum():
                m = _CONTACT_NAME.match(lower, pos + len(word))
                if m is not None:
                    matches.append(m)
            pos = lower.find(word, pos + 1)
    if " here" in norm.lower:
        matches += _HERE_NAME.finditer(norm.text)
    ms_words = norm.words & _MS_WORDS
    ms_starts = word_starts(lower, tuple(ms_words)) if ms_words else ()
    for m in filter(None, (_MS_TRIGGER.match(lower, pos) for pos in ms_starts)):
        if norm.text[m.start() + 1].isupper():
            continue
        w = _NAME_WORD.match(norm.text, m.end())
        if w is None or inside(w.start()) or refused(w.group()):
            continue
        if not is_common_word(w.group(), spanish=False) and not _not_a_name_after(
            norm, w.group(), w.end()
        ):
            out.append(_found_name(w.group(), w.start(), w.end()))
    its_starts = word_starts(lower, ("it",)) if "it" in norm.words or "its" in norm.words else ()
    for m in filter(None, (_ITS_TRIGGER.match(lower, pos) for pos in its_starts)):
        w = _NAME_WORD.match(norm.text, m.end())
        if w is None or inside(w.start()) or _QUALIFIED_AFTER.match(norm.text, w.end()):
            continue
        nxt = _NEXT_WORD.match(norm.text, w.end())
        if _given_name(w.group(), nxt.group("w") if nxt else None):
            out.append(_found_name(w.group(), w.start(), w.end()))
    for m in _signed_names(norm, phones or [], ages or []) + _roster_names(norm):
        start, end = m.span("w") if "w" in m.re.groupindex else m.span()
        if not inside(start):
            out.append(_found_name(norm.text[start:end], start, end))
    for m in matches:
        name = norm.text[m.start("name") : m.end("name")]
        if not _CAPITALISED.fullmatch(name) or refused(name) or inside(m.start("name")):
            continue
        if is_common_word(name, spanish=False) or _not_a_name_after(norm, name, m.end("name")):
            continue
        if _adjective_shaped(name.lower()):
            continue  # "call Gorgeous 212-...", "call Immediately 212-...": no one's name
        display = name.capitalize() if name.isupper() else name
        out.append(Found(display, m.start("name"), m.end("name")))
    # Two rules may find the same word ("call Ingrid 212-...": contact and signature).
    return sorted({(f.start, f.end): f for f in out}.values(), key=lambda f: f.start)


def _found_name(name: str, start: int, end: int) -> Found:
    return Found(name.capitalize() if name.isupper() else name, start, end)


# --- ethnicity and nationality ----------------------------------------------------------------

_ETHNICITIES: dict[str, str] = {
    "latina": "latina",
    "latin": "latina",
    "hispanic": "latina",
    "asian": "asian",
    "ebony": "black",
    "black": "black",
    "african american": "black",
    "african": "african",
    "white": "white",
    "caucasian": "white",
    "mixed": "mixed",
    "biracial": "mixed",
    "native american": "native american",
    "indian": "indian",
    "desi": "indian",
    "arab": "arab",
    "arabic": "arab",
    "persian": "persian",
    "middle eastern": "middle eastern",
    "islander": "pacific islander",
    "polynesian": "pacific islander",
    "russian": "russian",
    "ukrainian": "ukrainian",
    "brazilian": "brazilian",
    "colombian": "colombian",
    "venezuelan": "venezuelan",
    "mexican": "mexican",
    "cuban": "cuban",
    "dominican": "dominican",
    "puerto rican": "puerto rican",
    "italian": "italian",
    "french": "french",
    "german": "german",
    "spanish": "spanish",
    "polish": "polish",
    "czech": "czech",
    "romanian": "romanian",
    "european": "european",
    "japanese": "japanese",
    "chinese": "chinese",
    "korean": "korean",
    "thai": "thai",
    "vietnamese": "vietnamese",
    "filipina": "filipina",
    "filipino": "filipina",
    "malaysian": "malaysian",
    "indonesian": "indonesian",
    "jamaican": "jamaican",
    "haitian": "haitian",
    "ethiopian": "ethiopian",
    "nigerian": "nigerian",
    "moroccan": "moroccan",
    "turkish": "turkish",
    "greek": "greek",
    "swedish": "swedish",
    "irish": "irish",
    "british": "british",
    "australian": "australian",
    "canadian": "canadian",
    "american": "american",
}
_ETH_ALT = "|".join(sorted((re.escape(k) for k in _ETHNICITIES), key=len, reverse=True))
_ETHNICITY = re.compile(rf"\b(?P<e>{_ETH_ALT})\b")
_ETH_WORDS = tuple(_ETHNICITIES)
_ETH_FIRST = {k: k.split()[0] for k in _ETH_WORDS}
# Client preferences ("no black men", "don't date african american") are not about the person.
_ETH_OTHERS_BEFORE = re.compile(
    r"(?:\bno|\bnot|n'?t\s+(?:date|see|accept|do)|\bonly)\s+(?:\w+\s+){0,1}$"
)
_ETH_OTHERS_AFTER = re.compile(
    r"\s?(?:-\s?)?(?:men|man|males?|guys?|gents?|gentlemen|clients?|customers?|boys|callers?|"
    r"dudes?|accepted|allowed|please)\b"
)
# Words that are ethnicity terms only sometimes: "black" lingerie, "white" teeth, "french" kiss.
_AMBIGUOUS_ETH = frozenset(
    {"black", "white", "french", "spanish", "latin", "indian", "mixed", "greek", "american", "thai"}
)
_AMBIGUOUS_OK_AFTER = re.compile(
    r"\s?(?:girl|woman|lady|beauty|babe|chick|princess|goddess|doll|queen|mami|mamacita|"
    r"model|escort|companion|student|sweetie|hottie|and\s+\w+|&\s?\w+|/\s?\w+)\b"
)
_AMBIGUOUS_OK_BEFORE = re.compile(r"\b(?:i'?m|i\s+am|im|am|half|part|100%)\s+$")


def find_ethnicities(norm: Normalized) -> list[Found]:
    """Ethnicity and nationality the ad states for the advertised person."""
    text = norm.lower
    out: list[Found] = []
    present = tuple(k for k in _ETH_WORDS if _ETH_FIRST[k] in norm.words)
    last_end = 0
    for pos in word_starts(text, present, "_") if present else ():
        m = _ETHNICITY.match(text, pos) if pos >= last_end else None
        if m is None:
            continue
        last_end = m.end()
        word = m.group("e").lower()
        before = text[max(0, m.start() - 30) : m.start()]
        if _ETH_OTHERS_BEFORE.search(before) or _ETH_OTHERS_AFTER.match(text, m.end()):
            continue
        if word in _AMBIGUOUS_ETH and not (
            _AMBIGUOUS_OK_AFTER.match(text, m.end()) or _AMBIGUOUS_OK_BEFORE.search(before)
        ):
            continue
        out.append(Found(_ETHNICITIES[word], m.start(), m.end()))
    return out
