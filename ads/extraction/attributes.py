"""Ages, prices, names and ethnicity mentions of the person advertised.

Each finder works on the normalised text (number words are already digits, so "twenty one
years old" reads "21 years old") and keeps only statements about the advertised person:
"men over 30", "21 and up", "5 years experience" and "no black men" are about someone else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ads.extraction.normalize import Normalized


@dataclass(frozen=True)
class Found:
    """A value with its span in the normalised text."""

    value: object
    start: int
    end: int


# --- ages ------------------------------------------------------------------------------------

_AGE = re.compile(
    r"(?<![0-9$£€.,/'])(?P<n>[1-9][0-9])\s?"
    r"(?P<unit>yo\b|y/o\b|y\.o\.?|yrs?\.?\s?old\b|years?\s?old\b|years?\s?young\b|yr\b|yrs\b|"
    r"years?\b(?!\s?(?:of\s)?(?:exp|in\s|experience|business|service)))"
    r"|\b(?:age|aged)\s?[:=\-]?\s?(?P<n2>[1-9][0-9])(?![0-9])"
    r"|\b(?:i\s?'?\s?a?m|i\s?am|im)\s(?:only\s|just\s)?(?P<n3>[1-9][0-9])(?![0-9'\"%$.,/]|\s?(?:min|hr|h\b|hh|"
    r"hour|\$|lbs|kg|cm|inch|in\b|dollars|roses|ft|feet|st\b|nd\b|rd\b|th\b|%|k\b))",
    re.IGNORECASE,
)
_OTHERS_BEFORE = re.compile(
    r"\b(?:men|man|guys?|gents?|gentlemen|clients?|males?|boys|over|under|older\s+than|"
    r"younger\s+than|at\s+least|must\s+be|minimum|min\.?|daughter|son|kids?|child|"
    r"married|together|since|for|than|ages)\W{0,3}(?:\w+\W{1,3}){0,1}$",
    re.IGNORECASE,
)
_OTHERS_AFTER = re.compile(
    r"\s?(?:\+|and\s+(?:up|over|older)|or\s+(?:older|over|up)|&\s?(?:up|over)|plus\b|"
    r"(?:yrs?|years?)\s?(?:\+|and\s+up|or\s+older|of\s+exp|exp|experience|in\s|"
    r"married|together|ago))",
    re.IGNORECASE,
)
MIN_AGE, MAX_AGE = 10, 80


def find_ages(norm: Normalized) -> list[Found]:
    """Stated ages of the advertised person ("19yo", "age: 20", "22 years young", "I'm 21")."""
    text = norm.text
    out: list[Found] = []
    for m in _AGE.finditer(text):
        key = "n" if m.group("n") else "n2" if m.group("n2") else "n3"
        age = int(m.group(key))
        if not MIN_AGE <= age <= MAX_AGE:
            continue
        before = text[max(0, m.start() - 30) : m.start()]
        if _OTHERS_BEFORE.search(before):
            continue
        if _OTHERS_AFTER.match(text, m.end(key)):
            continue
        out.append(Found(age, m.start(), m.end()))
    return out


# --- prices ----------------------------------------------------------------------------------

_CURRENCY_SIGNS = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR"}
_CURRENCY_WORDS = {
    "usd": "USD", "dollars": "USD", "dollar": "USD", "bucks": "USD", "eur": "EUR",
    "euro": "EUR", "euros": "EUR", "gbp": "GBP", "aud": "AUD", "cad": "CAD", "rm": "MYR",
    "pounds": "GBP",
}
_REGION_CURRENCY = {
    "US": "USD", "CA": "CAD", "GB": "GBP", "AU": "AUD", "NZ": "NZD", "IN": "INR", "MY": "MYR",
    "SG": "SGD", "HK": "HKD", "JP": "JPY", "DE": "EUR", "FR": "EUR", "IT": "EUR", "ES": "EUR",
    "NL": "EUR", "FI": "EUR", "IE": "EUR", "MX": "MXN", "RU": "RUB", "TR": "TRY",
}
_DURATION = (
    r"(?P<dur>half\s?(?:an\s)?h(?:ou)?r|full\s?h(?:ou)?r|hhr|hh|hf|fh|qv|qk|quick\s?visit|"
    r"ov(?:ernight)?|overnight|over\s?night|"
    r"(?P<qty>[0-9]{1,3})?\s?(?:hours?|hrs?|hr|h|mins?|minutes?|min))\b"
)
_PRICE = re.compile(
    # $200 hh / £150 per hour / 200$ / 200 roses / RM300/hr
    r"(?P<pre>[$£€¥₹]|\b(?:usd|rm|eur)\s?)(?P<a1>[0-9]{2,5}(?:\.[0-9]{2})?)(?P<k1>k)?"
    rf"(?:\s?(?:/|per|for|a|x|-|@)?\s?{_DURATION})?"
    r"|(?<![0-9.$])(?P<a2>[0-9]{2,5})(?P<k2>k)?\s?(?P<post>[$£€]|roses?\b|🌹|usd\b|dollars?\b|"
    r"bucks\b|euros?\b|gbp\b)"
    rf"(?:\s?(?:/|per|for|a|x|-|@)?\s?{_DURATION.replace('?P<dur>', '?P<dur2>').replace('?P<qty>', '?P<qty2>')})?"
    # bare amounts with a duration: 300/hr, 150 hh, 250 ~ 1hr, 120hh
    r"|(?<![0-9.$:/'\-])(?P<a3>[0-9]{2,4})\s?(?:/|~|-|per|a|=)?\s?"
    rf"{_DURATION.replace('?P<dur>', '?P<dur3>').replace('?P<qty>', '?P<qty3>')}"
    # duration first: hh 120, qv = 80, hr: 200
    r"|\b(?P<dur4>hh|hhr|qv|qk|hr|hour|fh|hf)\s?(?:[:=\-]|is)?\s?\$?(?P<a4>[0-9]{2,4})(?![0-9])",
    re.IGNORECASE,
)


def _duration(word: str | None, qty: str | None) -> str | None:
    if not word:
        return None
    w = re.sub(r"\s+", "", word.lower())
    if w in {"hh", "hhr", "hf"} or w.startswith("half"):
        return "hh"
    if w in {"fh"} or w.startswith("full"):
        return "hr"
    if w in {"qv", "qk"} or w.startswith("quick"):
        return "qv"
    if w.startswith("ov") or w.startswith("overnight"):
        return "overnight"
    unit_part = w[len(qty) :] if qty and w.startswith(qty) else w
    n = int(qty) if qty else 1
    if unit_part.startswith("m"):
        return f"{n}min" if n != 60 else "hr"
    if n == 1:
        return "hr"
    return f"{n}hr"


def find_prices(norm: Normalized, region: str | None) -> list[Found]:
    """Prices with currency and duration: {"amount", "currency", "duration", "raw"}."""
    text = norm.text
    out: list[Found] = []
    default_currency = _REGION_CURRENCY.get((region or "").upper())
    for m in _PRICE.finditer(text):
        g = m.groupdict()
        if g["a1"]:
            amount, k = g["a1"], g["k1"]
            pre = g["pre"].strip().lower()
            currency = _CURRENCY_SIGNS.get(pre) or _CURRENCY_WORDS.get(pre)
            duration = _duration(g["dur"], g["qty"])
        elif g["a2"]:
            amount, k = g["a2"], g["k2"]
            post = g["post"].lower()
            currency = _CURRENCY_SIGNS.get(post) or _CURRENCY_WORDS.get(post) or default_currency
            duration = _duration(g["dur2"], g["qty2"])
        elif g["a3"]:
            amount, k = g["a3"], None
            currency = default_currency
            duration = _duration(g["dur3"], g["qty3"])
            if duration and duration.endswith("min") and int(amount) < 100 and "$" not in m.group():
                continue  # "30 min" alone is a length of time, not a price
        else:
            amount, k = g["a4"], None
            currency = default_currency
            duration = _duration(g["dur4"], None)
        value = float(amount) * (1000 if k else 1)
        amount_value: int | float = int(value) if value.is_integer() else value
        if amount_value < 10 or amount_value > 100_000:
            continue
        raw_start, raw_end = norm.span(m.start(), m.end())
        out.append(
            Found(
                {
                    "amount": amount_value,
                    "currency": currency,
                    "duration": duration,
                    "raw": norm.original[raw_start:raw_end],
                },
                m.start(),
                m.end(),
            )
        )
    return out


# --- names -----------------------------------------------------------------------------------

_NAME = re.compile(
    r"\b(?i:ask\s+for|my\s+name\s+is|my\s+name'?s|name\s?[:=\-]|names?\s+is|call\s+me|"
    r"i'?m|i\s+am|this\s+is|it'?s|its|they\s+call\s+me|known\s+as|aka|a\.k\.a\.?)\s+"
    r"(?P<name>[A-Z][a-z]{1,19}(?:[A-Z][a-z]{1,19})?|[A-Z]{3,12})(?![\w'])",
)
_NOT_NAMES = frozenset(
    """
    a an the new back here available ready real sexy hot your you me not so very just only now
    in out at on up from new available looking waiting open young a sweet petite busty thick
    independent incall outcall visiting back always also all about baby babe daddy honey sugar
    sweetheart gentleman gentlemen sir the best here there this that what who why how when
    today tonight tomorrow monday tuesday wednesday thursday friday saturday sunday free
    safe clean discreet discrete fun friendly classy educated natural petite curvy tall short
    blonde brunette redhead latina asian ebony white black exotic mixed ts tv cd bbw milf
    sorry sure happy glad good great nice willing able going coming staying located based
    your yours ur u here2 female male girl lady woman women girls ladies boy guy man men
    call text email gfe pse fbsm massage escort escorts service services special specials
    over under done out off well still back home outcalls incalls the one two three
    """.split()
)


def find_names(norm: Normalized) -> list[Found]:
    """Names and aliases the advertiser gives ("ask for Kandi", "my name is Rosa", "I'm Aaliyah")."""
    out: list[Found] = []
    for m in _NAME.finditer(norm.text):
        name = m.group("name")
        if name.lower() in _NOT_NAMES:
            continue
        display = name.capitalize() if name.isupper() else name
        out.append(Found(display, m.start("name"), m.end("name")))
    return out


# --- ethnicity and nationality ----------------------------------------------------------------

_ETHNICITIES: dict[str, str] = {
    "latina": "latina", "latin": "latina", "hispanic": "latina", "asian": "asian",
    "ebony": "black", "black": "black", "african american": "black", "african": "african",
    "white": "white", "caucasian": "white", "mixed": "mixed", "biracial": "mixed",
    "native american": "native american", "indian": "indian", "desi": "indian",
    "arab": "arab", "arabic": "arab", "persian": "persian", "middle eastern": "middle eastern",
    "islander": "pacific islander", "polynesian": "pacific islander", "russian": "russian",
    "ukrainian": "ukrainian", "brazilian": "brazilian", "colombian": "colombian",
    "venezuelan": "venezuelan", "mexican": "mexican", "cuban": "cuban", "dominican": "dominican",
    "puerto rican": "puerto rican", "italian": "italian", "french": "french",
    "german": "german", "spanish": "spanish", "polish": "polish", "czech": "czech",
    "romanian": "romanian", "european": "european", "japanese": "japanese",
    "chinese": "chinese", "korean": "korean", "thai": "thai", "vietnamese": "vietnamese",
    "filipina": "filipina", "filipino": "filipina", "malaysian": "malaysian",
    "indonesian": "indonesian", "jamaican": "jamaican", "haitian": "haitian",
    "ethiopian": "ethiopian", "nigerian": "nigerian", "moroccan": "moroccan",
    "turkish": "turkish", "greek": "greek", "swedish": "swedish", "irish": "irish",
    "british": "british", "australian": "australian", "canadian": "canadian",
    "american": "american",
}
_ETH_ALT = "|".join(sorted((re.escape(k) for k in _ETHNICITIES), key=len, reverse=True))
_ETHNICITY = re.compile(rf"\b(?P<e>{_ETH_ALT})\b", re.IGNORECASE)
# Client preferences ("no black men", "don't date african american") are not about the person.
_ETH_OTHERS_BEFORE = re.compile(
    r"(?:\bno|\bnot|n'?t\s+(?:date|see|accept|do)|\bonly)\s+(?:\w+\s+){0,1}$", re.IGNORECASE
)
_ETH_OTHERS_AFTER = re.compile(
    r"\s?(?:-\s?)?(?:men|man|males?|guys?|gents?|gentlemen|clients?|customers?|boys|callers?|"
    r"dudes?|accepted|allowed|please)\b",
    re.IGNORECASE,
)
# Words that are ethnicity terms only sometimes: "black" lingerie, "white" teeth, "french" kiss.
_AMBIGUOUS_ETH = frozenset({"black", "white", "french", "spanish", "latin", "indian", "mixed",
                            "greek", "american", "thai"})
_AMBIGUOUS_OK_AFTER = re.compile(
    r"\s?(?:girl|woman|lady|beauty|babe|chick|princess|goddess|doll|queen|mami|mamacita|"
    r"model|escort|companion|student|sweetie|hottie|and\s+\w+|&\s?\w+|/\s?\w+)\b",
    re.IGNORECASE,
)
_AMBIGUOUS_OK_BEFORE = re.compile(r"\b(?:i'?m|i\s+am|im|am|half|part|100%)\s+$", re.IGNORECASE)


def find_ethnicities(norm: Normalized) -> list[Found]:
    """Ethnicity and nationality the ad states for the advertised person."""
    text = norm.text
    out: list[Found] = []
    for m in _ETHNICITY.finditer(text):
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
