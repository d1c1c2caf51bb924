"""What an ad says about its place outside its location text: its URL, its phones, its source.

Ambiguous names ("Richmond", "Cypress", "SD") are settled by this context, never by population
alone. Each hint carries the words that explain it ("area code 619 (San Diego, CA)"), so the rule
that decided can be stated truthfully to the investigator.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

import phonenumbers

HINT_URL = "url"
HINT_AREA_CODE = "area_code"
HINT_SOURCE = "source"

# How many of an area code's exchange cities stand for its area; the rest are rare outliers.
_AREA_CODE_PLACES = 12


@dataclass(frozen=True)
class Hint:
    """One piece of context: where the URL, a phone's area code or the source says the ad is.

    `points` are the places the hint names (a URL's city, an area code's exchange cities); empty
    when it names only a state (`admin1`) or a country.
    """

    kind: str
    label: str
    country: str
    admin1: str = ""
    points: tuple[tuple[float, float], ...] = ()

    def key(self) -> str:
        """A stable text form for cache keys."""
        pts = ";".join(f"{lat:.2f},{lng:.2f}" for lat, lng in self.points)
        return f"{self.kind}|{self.country}|{self.admin1}|{pts}"


@functools.cache
def _nanp_exchange_places() -> dict[str, tuple[tuple[str, int], ...]]:
    """Area code ("619") -> the places its exchanges are registered to, most frequent first.

    Derived from libphonenumber's geocoder data (shipped with `phonenumbers`): the description
    of an area code alone is often just a state ("California"), while its exchanges name the
    cities it serves ("San Diego, CA" 61 times, "Chula Vista, CA" 13 times).
    """
    from phonenumbers.geodata import GEOCODE_DATA  # half a second; only when first needed

    counts: dict[str, Counter[str]] = {}
    for prefix, names in GEOCODE_DATA.items():
        # Prefix "1212" describes the whole area code: for a one-city code ("New York, NY",
        # "Chicago, IL") it is the only entry, and it names the city.
        if len(prefix) < 4 or prefix[0] != "1":
            continue
        name = names.get("en") if isinstance(names, dict) else None
        if name and ", " in name:
            counts.setdefault(prefix[1:4], Counter())[name] += 1
    return {npa: tuple(c.most_common(_AREA_CODE_PLACES)) for npa, c in counts.items()}


def area_code_description(area_code: str) -> str:
    """libphonenumber's name for a whole area code ("Ohio", "New York", "Chicago, IL"), or ""."""
    from phonenumbers.geodata import GEOCODE_DATA

    names = GEOCODE_DATA.get(f"1{area_code}")
    return str(names.get("en") or "") if isinstance(names, dict) else ""


def nanp_area_code(phone: str) -> str | None:
    """The three-digit area code of a valid North American E.164 number, else None."""
    try:
        number = phonenumbers.parse(str(phone)[:64], None)
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 1 or not phonenumbers.is_valid_number(number):
        return None
    national = str(number.national_number)
    return national[:3] if len(national) == 10 else None


def area_code_places(area_code: str) -> tuple[tuple[str, str, int], ...]:
    """("San Diego", "CA", 61), ... for an area code: the cities its exchanges serve."""
    out: list[tuple[str, str, int]] = []
    for name, n in _nanp_exchange_places().get(area_code, ()):
        city, _, state = name.rpartition(", ")
        if city and len(state) == 2:
            out.append((city, state, n))
    return tuple(out)


def phone_country(phone: str) -> str:
    """The ISO country of an E.164 number ("" when unknown or shared, as +1 is)."""
    try:
        number = phonenumbers.parse(str(phone)[:64], None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.region_code_for_number(number) or ""
