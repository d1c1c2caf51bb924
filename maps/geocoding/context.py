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


# Overlay area codes: a newer code laid over the same area as an older one ("647" over Toronto's
# "416"). libphonenumber files most of them only under their state or province ("Ontario"),
# so their numbers would point nowhere; they serve exactly the places of the codes beneath.
AREA_CODE_OVERLAYS: dict[str, tuple[str, ...]] = {
    # New York City: 917 and 929 overlay all five boroughs.
    "917": ("212", "718"), "929": ("718",), "332": ("212",), "646": ("212",), "347": ("718",),
    "424": ("310",), "657": ("714",), "747": ("818",), "628": ("415",), "669": ("408",),
    "341": ("510",), "279": ("916",), "350": ("209",), "820": ("805",), "840": ("909",),
    "442": ("760",), "369": ("707",), "754": ("954",), "689": ("407",), "448": ("850",),
    "551": ("201",), "640": ("609",), "848": ("732",), "862": ("973",),
    "470": ("404", "678", "770"), "762": ("706",), "339": ("781",), "564": ("360",),
    "458": ("541",), "971": ("503",), "826": ("540",), "948": ("757",), "331": ("630",),
    "464": ("708",), "872": ("312",), "779": ("815",), "447": ("217",), "730": ("618",),
    "346": ("713",), "945": ("214",), "737": ("512",), "726": ("210",), "959": ("860",),
    "838": ("518",), "680": ("315",), "934": ("631",), "363": ("516",), "445": ("215",),
    "267": ("215",), "484": ("610",), "835": ("610",), "582": ("814",), "272": ("570",),
    "878": ("412",), "223": ("717",), "283": ("513",), "380": ("614",), "220": ("740",),
    "436": ("440",), "743": ("336",), "984": ("919",), "472": ("910",), "854": ("843",),
    "839": ("803",), "930": ("812",), "463": ("317",), "983": ("303",), "572": ("405",),
    "539": ("918",), "667": ("410",), "725": ("702",), "629": ("615",), "681": ("304",),
    "534": ("715",), "274": ("920",), "353": ("608",), "659": ("205",), "938": ("256",),
    "327": ("870",),
    # Canada.
    "647": ("416",), "437": ("416",), "289": ("905",), "365": ("905",), "226": ("519",),
    "548": ("519",), "343": ("613",), "249": ("705",), "438": ("514",), "579": ("450",),
    "581": ("418",), "873": ("819",), "778": ("604",), "236": ("604",), "587": ("403", "780"),
    "825": ("403", "780"), "639": ("306",), "431": ("204",), "782": ("902",),
}  # fmt: skip
# Codes of one city that libphonenumber describes by a name that is no "City, ST" pair.
_CITY_CODES: dict[str, tuple[tuple[str, str, int], ...]] = {
    "202": (("Washington", "DC", 1),),
    "771": (("Washington", "DC", 1),),
}


def _exchange_places(area_code: str) -> tuple[tuple[str, str, int], ...]:
    out: list[tuple[str, str, int]] = []
    for name, n in _nanp_exchange_places().get(area_code, ()):
        city, _, state = name.rpartition(", ")
        if city and len(state) == 2:
            out.append((city, state, n))
    return tuple(out)


def area_code_places(area_code: str) -> tuple[tuple[str, str, int], ...]:
    """("San Diego", "CA", 61), ... for an area code: the cities its exchanges serve; for an
    overlay code that libphonenumber files only by its state, the places of the codes it
    overlays."""
    out = _exchange_places(area_code)
    if not out:
        out = tuple(
            p for parent in AREA_CODE_OVERLAYS.get(area_code, ()) for p in _exchange_places(parent)
        )
    return out or _CITY_CODES.get(area_code, ())


def phone_country(phone: str) -> str:
    """The ISO country of an E.164 number ("" when unknown or shared, as +1 is)."""
    try:
        number = phonenumbers.parse(str(phone)[:64], None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.region_code_for_number(number) or ""
