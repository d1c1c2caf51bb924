"""Choosing one city among the places a location text names, each strategy on its own.

A name is weighed by what the ad itself says around it, strongest first:

1. it is the very city of the site's URL ("Columbia" on columbiamo.example.com);
2. it lies in a state or area the text names ("Richmond, East Bay"; "Cypress ... Orange County"),
   or next to another city the text names ("Detroit, Troy": the Troy near Detroit);
3. it lies in the area of a context hint: a phone's area code, the URL's city, the source's city
   (which also breaks a tie between names the text supports equally);
4. it lies in a state a hint names (an area code serving a whole state, a state in the URL);
5. a weakly written state (all-caps text), or the country of a hint or of the source;
6. nothing: the most populous place of that name, allowed only for world cities.

Across several names, a name the text writes as a place comes first (a word that only an area
code supports may be a person's name); then the context of the ad (its URL, its phones) says
which one is the ad's place; the text's own qualification ("Shreveport, LA") only says which
Shreveport, so it ranks a name no higher than naming a place of which there is only one
("Indianapolis"); then the first place named wins. A town named right after the city it lies
next to ("Detroit, Troy") is the more precise place and is used instead.

Every strategy returns the words that explain it, so the stored rule says truthfully what
decided ("used the first place named, Long Beach"; "near area code 619 (San Diego, CA)").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from maps.geocoding.context import Hint
from maps.geocoding.text import name_key

# GeoNames files Puerto Rico (and other territories) as countries; ads and phones treat them
# as states of the US.
US_TERRITORIES = frozenset({"PR", "GU", "VI", "AS", "MP"})

if TYPE_CHECKING:
    from maps.geocoding.gazetteer import CityRow
    from maps.geocoding.tables import RegionRow

# How close a candidate must be to a hint's place (an area code's exchange city, the URL's city)
# to count as "in its area": a metro, not a state.
HINT_RADIUS_KM = 35.0
# A named area (Orange County, East Bay) covers its county and the next.
REGION_RADIUS_KM = 90.0
# Another city the text names makes a same-named candidate this close to it the one meant
# ("Detroit, Troy": Troy, MI), a suburb of the same metro.
NEIGHBOUR_RADIUS_KM = 50.0
# A place that nothing in the ad points to is taken only if it is a world city: otherwise an
# ordinary word ("Come" -> Comé, Benin; "Salt" -> Salt, Spain) would become a foreign town.
WORLD_CITY_POPULATION = 500_000

STRENGTH_URL_CITY = 6
STRENGTH_TEXT_AREA = 5
STRENGTH_HINT_AREA = 4
STRENGTH_HINT_STATE = 3
STRENGTH_WEAK = 1
STRENGTH_NONE = 0

# The need of a name an ad's free text writes as a place ("in Istanbul", "Vancouver escorts"):
# a place the context supports, or any city of at least this size.
BODY_CUED = -1
BODY_CUED_MIN_POPULATION = 50_000

_CONFIDENCE = {6: 0.9, 5: 0.9, 4: 0.85, 3: 0.8}


@dataclass(frozen=True)
class Evidence:
    """How strongly the ad's context supports one candidate city, and in which words."""

    strength: int
    rule: str


@dataclass(frozen=True)
class PlaceContext:
    """Everything around the location text that can settle an ambiguous name."""

    text_states: tuple[str, ...] = ()
    # The states the text writes out ("Wisconsin"), not as a code that may be a word ("In").
    full_states: tuple[str, ...] = ()
    weak_states: tuple[str, ...] = ()
    # Canadian provinces the text names after a town (GeoNames admin1 codes).
    text_provinces: tuple[str, ...] = ()
    text_regions: tuple[RegionRow, ...] = ()
    text_countries: tuple[str, ...] = ()
    want_country: str | None = None
    url_city: CityRow | None = None
    hints: tuple[Hint, ...] = ()
    # Cities other names of the text surely mean (one place of that name, or settled by the
    # context): a same-named candidate next to one of them is the one meant.
    neighbours: tuple[CityRow, ...] = ()
    strict_country: bool = False
    countries: frozenset[str] = field(default_factory=frozenset)


def haversine(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    from maps.geocoding.gazetteer import haversine_km

    return haversine_km(lat1, lng1, lat2, lng2)


def us_state(city: CityRow) -> str:
    """The US state code of a city ("" abroad); Puerto Rico is a country in GeoNames."""
    if city.country == "US":
        return city.admin1
    return city.country if city.country in US_TERRITORIES else ""


def _region(city: CityRow) -> tuple[str, str]:
    state = us_state(city)
    return ("US", state) if state else (city.country, city.admin1)


def label(city: CityRow) -> str:
    if city.country == "US":
        return f"{city.name}, {city.admin1}, US"
    return f"{city.name}, {city.country}"


def _by_url_city(city: CityRow, ctx: PlaceContext) -> Evidence | None:
    if ctx.url_city is not None and city == ctx.url_city:
        return Evidence(STRENGTH_URL_CITY, f"matched the URL's city, {label(city)}")
    return None


def _by_text_area(city: CityRow, ctx: PlaceContext) -> Evidence | None:
    state = us_state(city)
    if state and state in ctx.text_states:
        return Evidence(STRENGTH_TEXT_AREA, f"the text names the state {state}")
    if city.country == "CA" and city.admin1 in ctx.text_provinces:
        return Evidence(STRENGTH_TEXT_AREA, "the text names its province")
    for region in ctx.text_regions:
        if (region.country, region.admin1) != _region(city):
            continue
        if haversine(city.lat, city.lng, region.lat, region.lng) <= REGION_RADIUS_KM:
            return Evidence(STRENGTH_TEXT_AREA, f"the text names {region.name}")
    return None


def _by_named_neighbour(city: CityRow, ctx: PlaceContext) -> Evidence | None:
    for other in ctx.neighbours:
        if name_key(other.name) == name_key(city.name) or other.country != city.country:
            continue
        if haversine(city.lat, city.lng, other.lat, other.lng) <= NEIGHBOUR_RADIUS_KM:
            return Evidence(
                STRENGTH_TEXT_AREA, f"it lies next to {label(other)}, which the text also names"
            )
    return None


def _by_hint_area(city: CityRow, ctx: PlaceContext) -> Evidence | None:
    for hint in ctx.hints:
        if hint.country not in (city.country, _region(city)[0]):
            continue
        for lat, lng in hint.points:
            if haversine(city.lat, city.lng, lat, lng) <= HINT_RADIUS_KM:
                return Evidence(STRENGTH_HINT_AREA, f"in the area of {hint.label}")
    return None


def in_hint_area(city: CityRow, ctx: PlaceContext) -> bool:
    """Whether `city` lies in the area of one of the ad's hints (an area code, the URL's city)."""
    return _by_hint_area(city, ctx) is not None


def _by_hint_state(city: CityRow, ctx: PlaceContext) -> Evidence | None:
    for hint in ctx.hints:
        if hint.admin1 and (hint.country, hint.admin1) in (
            (city.country, city.admin1),
            _region(city),
        ):
            return Evidence(STRENGTH_HINT_STATE, f"in the state of {hint.label}")
    return None


def _by_country(city: CityRow, ctx: PlaceContext) -> Evidence | None:
    if us_state(city) and us_state(city) in ctx.weak_states:
        return Evidence(STRENGTH_WEAK, f"the text may name the state {us_state(city)}")
    if city.country in ctx.text_countries:
        return Evidence(STRENGTH_WEAK, f"the text names the country {city.country}")
    for hint in ctx.hints:
        if hint.country == city.country:
            return Evidence(STRENGTH_WEAK, f"in the country of {hint.label}")
    if ctx.want_country and city.country == ctx.want_country:
        return Evidence(STRENGTH_WEAK, f"in {city.country}, the source's country")
    return None


STRATEGIES = (
    _by_url_city,
    _by_text_area,
    _by_named_neighbour,
    _by_hint_area,
    _by_hint_state,
    _by_country,
)


def evidence(city: CityRow, ctx: PlaceContext) -> Evidence:
    """The strongest strategy that supports `city`."""
    for strategy in STRATEGIES:
        found = strategy(city, ctx)
        if found is not None:
            return found
    return Evidence(STRENGTH_NONE, "")


def eligible(
    city: CityRow,
    ev: Evidence,
    ctx: PlaceContext,
    min_strength: int = 0,
    phrase: str = "",
    other_name_only: bool = False,
) -> bool:
    """Whether a candidate may be chosen at all: ordinary words must never become towns.

    `other_name_only`: no place has the phrase as its own name ("Bangalore" for Bengaluru); a
    world city is then reached through that other name where the text writes it as a place.
    """
    if ctx.strict_country:
        return city.country == ctx.want_country
    if min_strength == BODY_CUED:
        # Written as a place in free text: supported by the context, or a city of some size.
        if ev.strength < STRENGTH_HINT_STATE and city.population < BODY_CUED_MIN_POPULATION:
            return False
    elif ev.strength < min_strength and not _world_city_of_named_country(city, ctx, phrase):
        return False
    if ev.strength > STRENGTH_NONE:
        return True
    # Nothing points to it. With no context at all any place may do; otherwise a world city only.
    no_context = not ctx.want_country and not ctx.hints and not ctx.text_countries
    # A world city by its own name ("London"), not by one of its other names ("Salem").
    own_name = not phrase or name_key(city.name) == phrase
    own_name = own_name or (other_name_only and min_strength == BODY_CUED)
    return no_context or (own_name and city.population >= WORLD_CITY_POPULATION)


def _world_city_of_named_country(city: CityRow, ctx: PlaceContext, phrase: str) -> bool:
    """A world city, by its own name, of a country the text names ("Escorts Turkey ...
    Istanbul"): both words would have to be ordinary words at once to mislead."""
    return (
        city.country in ctx.text_countries
        and city.population >= WORLD_CITY_POPULATION
        and (not phrase or name_key(city.name) == phrase)
    )


@dataclass(frozen=True)
class Pick:
    """The candidate chosen for one mention, with the evidence and how many it beat."""

    index: int  # which mention (0 = the first place named)
    city: CityRow
    evidence: Evidence
    candidates: int
    # A hint's area that also holds the city when the text's own words decided ("the text
    # names Inland Empire" and area code 760): breaks a tie between places of equal evidence.
    corroboration: str = ""
    # The text writes it as a place: in a location field, after "in"/"visiting", as a heading,
    # or with its state or area beside it; not a word that only the context makes a place.
    written: bool = True


def best_of(
    index: int, rows: Sequence[CityRow], ctx: PlaceContext, min_strength: int = 0, phrase: str = ""
) -> Pick | None:
    """The best candidate of one mention: strongest evidence, then the most populous."""
    scored = [(c, evidence(c, ctx)) for c in rows]
    other_only = bool(phrase) and all(name_key(c.name) != phrase for c in rows)
    scored = [(c, ev) for c, ev in scored if eligible(c, ev, ctx, min_strength, phrase, other_only)]
    if not scored:
        return None
    # Between places the context supports equally, one by its own name ("Waterloo", "Salem")
    # before a bigger one that GeoNames also lists under that name (Austin, Jerusalem).
    city, ev = max(
        scored,
        key=lambda s: (s[1].strength, not phrase or name_key(s[0].name) == phrase, s[0].population),
    )
    also = ""
    if ev.strength > STRENGTH_HINT_AREA and (near := _by_hint_area(city, ctx)) is not None:
        also = near.rule
    written = min_strength <= STRENGTH_NONE or ev.strength in (
        STRENGTH_TEXT_AREA,
        STRENGTH_URL_CITY,
    )
    return Pick(
        index=index,
        city=city,
        evidence=ev,
        candidates=len(rows),
        corroboration=also,
        written=written,
    )


def pick(
    groups: Sequence[tuple[Sequence[CityRow], int, str]], ctx: PlaceContext
) -> tuple[Pick, list[Pick]] | None:
    """Across mentions: the one the context supports most; on a tie, the one a hint's area
    also holds ("Inland Empire, Ontario, Victorville" with a 760 number: Victorville), then the
    first place named.

    Each group is a mention's candidates, the least strength it needs (an ordinary word such
    as "Central" needs its state named) and its phrase. Returns the pick and every mention's
    best, in order (the places the text really names, for the rule's wording).
    """
    found = [best_of(i, rows, ctx, need, phrase) for i, (rows, need, phrase) in enumerate(groups)]
    named = [p for p in found if p is not None]
    if not named:
        return None
    best = named[0]
    for p in named[1:]:
        if rank(p, ctx) > rank(best, ctx):
            best = p
    return best, named


def rank(p: Pick, ctx: PlaceContext) -> tuple[int, int, int]:
    """How much one mention is the ad's place, against the others: first whether the text
    writes it as a place (a name in free text that only an area code supports may be a
    person's: "Kendall"), then what the ad's context says (its URL's city, then a hint's area,
    then a hint's state), then whether the text settles which place the name means (a state or
    area beside it, a neighbour, or a name only one place has). Population never ranks one
    mention over another."""
    context = rank_context(p)
    if context == 0 and _by_hint_state(p.city, ctx) is not None:
        context = 1
    settled = p.evidence.strength == STRENGTH_TEXT_AREA or p.candidates == 1
    return int(p.written), context, int(settled)


def rank_context(p: Pick) -> int:
    """Whether the ad's context (URL, phones, source) rather than the text chose this place."""
    if p.evidence.strength == STRENGTH_URL_CITY:
        return 3
    if p.evidence.strength == STRENGTH_HINT_AREA or p.corroboration:
        return 2
    return 1 if p.evidence.strength == STRENGTH_HINT_STATE else 0


# A town refines the city named before it when that city is this many times bigger: "Detroit,
# Troy" is a suburb of a metro, "Dallas / Fort Worth" two cities of one area.
REFINE_POPULATION_RATIO = 3


def refines(p: Pick, city: CityRow) -> bool:
    """Whether `p` is a smaller town next to `city` (the more precise place of the two)."""
    if p.city == city or p.city.country != city.country:
        return False
    near = haversine(p.city.lat, p.city.lng, city.lat, city.lng) <= NEIGHBOUR_RADIUS_KM
    return near and city.population >= REFINE_POPULATION_RATIO * max(p.city.population, 1)


def confidence(chosen: Pick, rows: Sequence[CityRow]) -> float:
    """How sure: high when the context decided, the population share when it did not."""
    if chosen.evidence.strength in _CONFIDENCE:
        return _CONFIDENCE[chosen.evidence.strength]
    if len(rows) <= 1:
        return 0.8
    total = sum(max(c.population, 1) for c in rows)
    return max(0.3, 0.8 * max(chosen.city.population, 1) / total)


def rule_text(
    chosen: Pick,
    *,
    phrase: str,
    first: str,
    first_index: int,
    mentions: int,
    refined_from: CityRow | None = None,
) -> str:
    """The sentence that says which rule decided, in the investigator's terms."""
    place = label(chosen.city)
    if refined_from is not None:
        return (
            f"Used '{phrase}', {place}, named right after {label(refined_from)}: a smaller town "
            "next to it, the more precise place."
        )
    if mentions == 1:
        head = f"The only place named, {place}"
    elif chosen.index == first_index:
        head = f"Used the first place named, {place}"
    else:
        head = f"Used '{phrase}', {place}, over the first place named, '{first}'"
    if chosen.evidence.strength >= STRENGTH_HINT_STATE:
        why = chosen.evidence.rule
        if chosen.corroboration and chosen.index != first_index:
            why = f"{why}, and it is {chosen.corroboration}"
        if chosen.candidates > 1:
            why = f"{chosen.candidates} places are called '{phrase}'; {why}"
        return f"{head} ({why})."
    if chosen.candidates > 1 and chosen.evidence.strength > STRENGTH_NONE:
        return f"{head} ({chosen.candidates} places are called '{phrase}'; {chosen.evidence.rule})."
    if chosen.candidates > 1:
        return (
            f"{head} ({chosen.candidates} places are called '{phrase}' and nothing in the ad "
            "tells them apart: the most populous)."
        )
    return f"{head}."
