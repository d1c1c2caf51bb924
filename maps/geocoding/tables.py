"""Curated tables: US states, the nicknames ads use for cities, regions and neighbourhoods.

GeoNames knows "Las Vegas" but not "LV", "Vegas strip" or "the Gaslamp". These tables cover the
way ads in the US write places. Coordinates are approximate centres (to about 0.01 degree for
neighbourhoods and 0.5 degree for states); they place a marker, they do not survey a boundary.
Bump TABLES_VERSION whenever an entry changes so stored results record the rules they used.
"""

from __future__ import annotations

from typing import NamedTuple

# 5: whole-area-code entries as hints, longer body, first-named cued names, hint
# tie-break (issue #16). The version is part of the geocoder's, so stored results say which.
# 6: neighbours settle shared names, "City, Suburb" refines, ranking across names, body cues
# (issue #16, second round); Spanish words; site names in the body; short forms ("Daytona");
# neighbourhoods abroad and London postcode districts.
# 7: overlay area codes, town nicknames, the District of Columbia, street addresses, site
# cities the text names (issue #16, third round).
TABLES_VERSION = "7"


class StateRow(NamedTuple):
    """A US state (or DC / Puerto Rico) with an approximate centre."""

    code: str
    name: str
    lat: float
    lng: float


US_STATES: tuple[StateRow, ...] = (
    StateRow("AL", "Alabama", 32.8067, -86.7911),
    StateRow("AK", "Alaska", 63.5888, -154.4931),
    StateRow("AZ", "Arizona", 34.1682, -111.9309),
    StateRow("AR", "Arkansas", 34.9697, -92.3731),
    StateRow("CA", "California", 36.7783, -119.4179),
    StateRow("CO", "Colorado", 39.0598, -105.3111),
    StateRow("CT", "Connecticut", 41.5978, -72.7554),
    StateRow("DE", "Delaware", 38.9896, -75.5050),
    StateRow("DC", "District of Columbia", 38.9072, -77.0369),
    StateRow("FL", "Florida", 27.7663, -81.6868),
    StateRow("GA", "Georgia", 32.1656, -82.9001),
    StateRow("HI", "Hawaii", 19.8968, -155.5828),
    StateRow("ID", "Idaho", 44.2405, -114.4788),
    StateRow("IL", "Illinois", 40.3495, -88.9861),
    StateRow("IN", "Indiana", 39.8494, -86.2583),
    StateRow("IA", "Iowa", 42.0115, -93.2105),
    StateRow("KS", "Kansas", 38.5266, -96.7265),
    StateRow("KY", "Kentucky", 37.6681, -84.6701),
    StateRow("LA", "Louisiana", 31.1695, -91.8678),
    StateRow("ME", "Maine", 44.6939, -69.3819),
    StateRow("MD", "Maryland", 39.0639, -76.8021),
    StateRow("MA", "Massachusetts", 42.2302, -71.5301),
    StateRow("MI", "Michigan", 43.3266, -84.5361),
    StateRow("MN", "Minnesota", 45.6945, -93.9002),
    StateRow("MS", "Mississippi", 32.7416, -89.6787),
    StateRow("MO", "Missouri", 38.4561, -92.2884),
    StateRow("MT", "Montana", 46.9219, -110.4544),
    StateRow("NE", "Nebraska", 41.1254, -98.2681),
    StateRow("NV", "Nevada", 38.3135, -117.0554),
    StateRow("NH", "New Hampshire", 43.4525, -71.5639),
    StateRow("NJ", "New Jersey", 40.2989, -74.5210),
    StateRow("NM", "New Mexico", 34.8405, -106.2485),
    StateRow("NY", "New York", 42.1657, -74.9481),
    StateRow("NC", "North Carolina", 35.6301, -79.8064),
    StateRow("ND", "North Dakota", 47.5289, -99.7840),
    StateRow("OH", "Ohio", 40.3888, -82.7649),
    StateRow("OK", "Oklahoma", 35.5653, -96.9289),
    StateRow("OR", "Oregon", 44.5720, -122.0709),
    StateRow("PA", "Pennsylvania", 40.5908, -77.2098),
    StateRow("RI", "Rhode Island", 41.6809, -71.5118),
    StateRow("SC", "South Carolina", 33.8569, -80.9450),
    StateRow("SD", "South Dakota", 44.2998, -99.4388),
    StateRow("TN", "Tennessee", 35.7478, -86.6923),
    StateRow("TX", "Texas", 31.0545, -97.5635),
    StateRow("UT", "Utah", 40.1500, -111.8624),
    StateRow("VT", "Vermont", 44.0459, -72.7107),
    StateRow("VA", "Virginia", 37.7693, -78.1700),
    StateRow("WA", "Washington", 47.4009, -121.4905),
    StateRow("WV", "West Virginia", 38.4912, -80.9545),
    StateRow("WI", "Wisconsin", 44.2685, -89.6165),
    StateRow("WY", "Wyoming", 42.7559, -107.3025),
    StateRow("PR", "Puerto Rico", 18.2208, -66.5901),
)

# Canada's provinces and territories, by GeoNames admin1 code (numbers, not the postal letters),
# with approximate centres: sites file ads under a province ("ontario.", "britishcolumbia.").
CA_PROVINCES: tuple[StateRow, ...] = (
    StateRow("01", "Alberta", 53.93, -116.58),
    StateRow("02", "British Columbia", 53.73, -127.65),
    StateRow("03", "Manitoba", 53.76, -98.81),
    StateRow("04", "New Brunswick", 46.57, -66.46),
    StateRow("05", "Newfoundland and Labrador", 53.14, -57.66),
    StateRow("07", "Nova Scotia", 44.68, -63.74),
    StateRow("08", "Ontario", 51.25, -85.32),
    StateRow("09", "Prince Edward Island", 46.51, -63.42),
    StateRow("10", "Quebec", 52.94, -73.55),
    StateRow("11", "Saskatchewan", 52.94, -106.45),
)

# Postal codes of the provinces, as ads write them after a town ("Victoria, BC").
CA_PROVINCE_CODES: dict[str, str] = {
    "ab": "01", "bc": "02", "mb": "03", "nb": "04", "nl": "05", "ns": "07", "on": "08",
    "pe": "09", "pei": "09", "qc": "10", "sk": "11",
}  # fmt: skip

# Other spellings of state names seen in ads and in phone-number descriptions.
STATE_NAME_ALIASES: dict[str, str] = {
    "washington state": "WA",
    "wash state": "WA",
    "calif": "CA",
    "cali": "CA",
    "penn": "PA",
    "mass": "MA",
    "jersey": "NJ",
    "tenn": "TN",
    "ariz": "AZ",
    "colo": "CO",
    "fla": "FL",
    "minn": "MN",
    "wisc": "WI",
    "okla": "OK",
}


class CityAlias(NamedTuple):
    """A nickname that stands for one gazetteer city."""

    city: str  # the GeoNames name
    country: str
    admin1: str
    note: str = ""


# Keys are folded phrases (see text.normalise_phrase). Two-letter keys that are also state codes
# ("LA") are read as the city only when they do not follow a comma after another place.
CITY_ALIASES: dict[str, CityAlias] = {
    "nyc": CityAlias("New York City", "US", "NY"),
    "ny city": CityAlias("New York City", "US", "NY"),
    "ny ny": CityAlias("New York City", "US", "NY"),
    "new york": CityAlias("New York City", "US", "NY"),
    "new york ny": CityAlias("New York City", "US", "NY"),
    "big apple": CityAlias("New York City", "US", "NY"),
    "the big apple": CityAlias("New York City", "US", "NY"),
    "bk": CityAlias("Brooklyn", "US", "NY"),
    "bklyn": CityAlias("Brooklyn", "US", "NY"),
    "bx": CityAlias("The Bronx", "US", "NY"),
    "bronx": CityAlias("The Bronx", "US", "NY"),
    "philly": CityAlias("Philadelphia", "US", "PA"),
    "phila": CityAlias("Philadelphia", "US", "PA"),
    "nola": CityAlias("New Orleans", "US", "LA"),
    "nawlins": CityAlias("New Orleans", "US", "LA"),
    "atl": CityAlias("Atlanta", "US", "GA"),
    "hotlanta": CityAlias("Atlanta", "US", "GA"),
    "lv": CityAlias("Las Vegas", "US", "NV"),
    "vegas": CityAlias("Las Vegas", "US", "NV"),
    "lvnv": CityAlias("Las Vegas", "US", "NV"),
    "sin city": CityAlias("Las Vegas", "US", "NV"),
    "la": CityAlias("Los Angeles", "US", "CA"),
    "los angeles": CityAlias("Los Angeles", "US", "CA"),
    "sf": CityAlias("San Francisco", "US", "CA"),
    "san fran": CityAlias("San Francisco", "US", "CA"),
    "dc": CityAlias("Washington", "US", "DC"),
    "washington dc": CityAlias("Washington", "US", "DC"),
    "washington d c": CityAlias("Washington", "US", "DC"),
    "chi": CityAlias("Chicago", "US", "IL"),
    "chitown": CityAlias("Chicago", "US", "IL"),
    "chi town": CityAlias("Chicago", "US", "IL"),
    "chiraq": CityAlias("Chicago", "US", "IL"),
    "htown": CityAlias("Houston", "US", "TX"),
    "h town": CityAlias("Houston", "US", "TX"),
    "htx": CityAlias("Houston", "US", "TX"),
    "atx": CityAlias("Austin", "US", "TX"),
    "satx": CityAlias("San Antonio", "US", "TX"),
    "san antone": CityAlias("San Antonio", "US", "TX"),
    "dfw": CityAlias("Dallas", "US", "TX", "Dallas-Fort Worth area"),
    "metroplex": CityAlias("Dallas", "US", "TX", "Dallas-Fort Worth area"),
    "big d": CityAlias("Dallas", "US", "TX"),
    "okc": CityAlias("Oklahoma City", "US", "OK"),
    "kc": CityAlias("Kansas City", "US", "MO"),
    "kcmo": CityAlias("Kansas City", "US", "MO"),
    "kck": CityAlias("Kansas City", "US", "KS"),
    "slc": CityAlias("Salt Lake City", "US", "UT"),
    "salt lake": CityAlias("Salt Lake City", "US", "UT"),
    # Also state codes: read as the state when the URL or phones point to that state.
    "sd": CityAlias("San Diego", "US", "CA", "San Diego (also South Dakota's code)"),
    "phx": CityAlias("Phoenix", "US", "AZ"),
    "pdx": CityAlias("Portland", "US", "OR"),
    "jax": CityAlias("Jacksonville", "US", "FL"),
    "bmore": CityAlias("Baltimore", "US", "MD"),
    "bodymore": CityAlias("Baltimore", "US", "MD"),
    "motown": CityAlias("Detroit", "US", "MI"),
    "motor city": CityAlias("Detroit", "US", "MI"),
    "nashvegas": CityAlias("Nashville", "US", "TN"),
    "stl": CityAlias("St. Louis", "US", "MO"),
    "mpls": CityAlias("Minneapolis", "US", "MN"),
    "indy": CityAlias("Indianapolis", "US", "IN"),
    "cincy": CityAlias("Cincinnati", "US", "OH"),
    "cbus": CityAlias("Columbus", "US", "OH"),
    "abq": CityAlias("Albuquerque", "US", "NM"),
    "burque": CityAlias("Albuquerque", "US", "NM"),
    "lbc": CityAlias("Long Beach", "US", "CA"),
    "saint pete": CityAlias("St. Petersburg", "US", "FL"),
    "beantown": CityAlias("Boston", "US", "MA"),
    "frisco bay": CityAlias("San Francisco", "US", "CA"),
    "twin cities": CityAlias("Minneapolis", "US", "MN", "Minneapolis-Saint Paul area"),
    "mile high city": CityAlias("Denver", "US", "CO"),
    "magic city": CityAlias("Miami", "US", "FL"),
    "nash": CityAlias("Nashville", "US", "TN"),
    "clt": CityAlias("Charlotte", "US", "NC"),
    "sa tx": CityAlias("San Antonio", "US", "TX"),
    "kzoo": CityAlias("Kalamazoo", "US", "MI"),
    "k zoo": CityAlias("Kalamazoo", "US", "MI"),
    # DC is a city as much as a district: "District of Columbia, Largo" names Washington.
    "district of columbia": CityAlias("Washington", "US", "DC"),
}


class RegionRow(NamedTuple):
    """A named area larger than a city and smaller than a state."""

    name: str
    country: str
    admin1: str
    lat: float
    lng: float


REGION_ALIASES: dict[str, RegionRow] = {
    "socal": RegionRow("Southern California", "US", "CA", 34.05, -117.75),
    "so cal": RegionRow("Southern California", "US", "CA", 34.05, -117.75),
    "southern california": RegionRow("Southern California", "US", "CA", 34.05, -117.75),
    "norcal": RegionRow("Northern California", "US", "CA", 38.80, -121.50),
    "northern california": RegionRow("Northern California", "US", "CA", 38.80, -121.50),
    "bay area": RegionRow("San Francisco Bay Area", "US", "CA", 37.70, -122.20),
    "sf bay": RegionRow("San Francisco Bay Area", "US", "CA", 37.70, -122.20),
    "sfbay": RegionRow("San Francisco Bay Area", "US", "CA", 37.70, -122.20),
    "east bay": RegionRow("East Bay", "US", "CA", 37.80, -122.20),
    "inland empire": RegionRow("Inland Empire", "US", "CA", 34.00, -117.30),
    "orange county": RegionRow("Orange County", "US", "CA", 33.72, -117.83),
    "oc": RegionRow("Orange County", "US", "CA", 33.72, -117.83),
    "south florida": RegionRow("South Florida", "US", "FL", 26.20, -80.20),
    "sofla": RegionRow("South Florida", "US", "FL", 26.20, -80.20),
    "central florida": RegionRow("Central Florida", "US", "FL", 28.50, -81.40),
    "nova": RegionRow("Northern Virginia", "US", "VA", 38.85, -77.30),
    "northern virginia": RegionRow("Northern Virginia", "US", "VA", 38.85, -77.30),
    "dmv": RegionRow("DC-Maryland-Virginia area", "US", "DC", 38.90, -77.02),
    "long island": RegionRow("Long Island", "US", "NY", 40.79, -73.13),
    "north jersey": RegionRow("North Jersey", "US", "NJ", 40.90, -74.20),
    "south jersey": RegionRow("South Jersey", "US", "NJ", 39.70, -75.00),
    "rio grande valley": RegionRow("Rio Grande Valley", "US", "TX", 26.20, -98.20),
    "rgv": RegionRow("Rio Grande Valley", "US", "TX", 26.20, -98.20),
    "permian basin": RegionRow("Permian Basin", "US", "TX", 31.90, -102.10),
    "bakken": RegionRow("Bakken oil field", "US", "ND", 47.90, -103.50),
    "upstate ny": RegionRow("Upstate New York", "US", "NY", 42.90, -75.50),
    "upstate new york": RegionRow("Upstate New York", "US", "NY", 42.90, -75.50),
    "gulf coast": RegionRow("Gulf Coast (Mississippi)", "US", "MS", 30.40, -89.00),
}


class NeighbourhoodRow(NamedTuple):
    """A neighbourhood of a major city.

    `implies_city` is true when the name alone is specific enough to mean this city ("Gaslamp");
    otherwise ("Midtown", "Hollywood") it counts only when the city is known from the text or URL.
    """

    name: str
    city: str  # the GeoNames name of the city it belongs to
    country: str
    admin1: str
    lat: float
    lng: float
    implies_city: bool


def _n(
    name: str, city: str, admin1: str, lat: float, lng: float, implies: bool
) -> NeighbourhoodRow:
    return NeighbourhoodRow(name, city, "US", admin1, lat, lng, implies)


# Keyed by folded phrase; a phrase may name a neighbourhood in several cities ("midtown").
NEIGHBOURHOODS: dict[str, tuple[NeighbourhoodRow, ...]] = {}


def _add(phrases: tuple[str, ...], row: NeighbourhoodRow) -> None:
    for phrase in phrases:
        NEIGHBOURHOODS[phrase] = (*NEIGHBOURHOODS.get(phrase, ()), row)


_LV, _SD, _NYC, _LA, _MIA = "Las Vegas", "San Diego", "New York City", "Los Angeles", "Miami"
_add(("the strip", "strip"), _n("Las Vegas Strip", _LV, "NV", 36.1147, -115.1728, False))
_add(
    ("vegas strip", "las vegas strip", "lv strip"),
    _n("Las Vegas Strip", _LV, "NV", 36.1147, -115.1728, True),
)
_add(("fremont street", "fremont st"), _n("Fremont Street", _LV, "NV", 36.1707, -115.1440, True))
_add(("summerlin",), _n("Summerlin", _LV, "NV", 36.1881, -115.3239, True))
_add(
    ("gaslamp", "gaslamp quarter", "gas lamp"),
    _n("Gaslamp Quarter", _SD, "CA", 32.7115, -117.1597, True),
)
_add(("pacific beach",), _n("Pacific Beach", _SD, "CA", 32.7978, -117.2403, True))
_add(("mission valley",), _n("Mission Valley", _SD, "CA", 32.7707, -117.1601, True))
_add(("la jolla",), _n("La Jolla", _SD, "CA", 32.8328, -117.2713, True))
_add(("hillcrest",), _n("Hillcrest", _SD, "CA", 32.7480, -117.1648, False))
_add(("north park",), _n("North Park", _SD, "CA", 32.7416, -117.1294, False))
_add(("manhattan",), _n("Manhattan", _NYC, "NY", 40.7831, -73.9712, False))
_add(("midtown",), _n("Midtown Manhattan", _NYC, "NY", 40.7549, -73.9840, False))
_add(("midtown manhattan",), _n("Midtown Manhattan", _NYC, "NY", 40.7549, -73.9840, True))
_add(("times square", "times sq"), _n("Times Square", _NYC, "NY", 40.7580, -73.9855, True))
_add(("harlem",), _n("Harlem", _NYC, "NY", 40.8116, -73.9465, True))
_add(("upper east side", "ues"), _n("Upper East Side", _NYC, "NY", 40.7736, -73.9566, True))
_add(("upper west side", "uws"), _n("Upper West Side", _NYC, "NY", 40.7870, -73.9754, True))
_add(("lower east side", "les"), _n("Lower East Side", _NYC, "NY", 40.7150, -73.9843, False))
_add(("flushing",), _n("Flushing", _NYC, "NY", 40.7675, -73.8331, False))
_add(("jfk", "jfk airport"), _n("JFK Airport", _NYC, "NY", 40.6413, -73.7781, True))
_add(("williamsburg",), _n("Williamsburg", _NYC, "NY", 40.7081, -73.9571, False))
_add(("hollywood",), _n("Hollywood", _LA, "CA", 34.0928, -118.3287, False))
_add(("north hollywood", "noho"), _n("North Hollywood", _LA, "CA", 34.1870, -118.3813, False))
_add(
    ("dtla", "downtown la", "downtown los angeles"),
    _n("Downtown Los Angeles", _LA, "CA", 34.0407, -118.2468, True),
)
_add(("koreatown", "ktown"), _n("Koreatown", _LA, "CA", 34.0618, -118.3004, False))
_add(("san fernando valley", "sfv"), _n("San Fernando Valley", _LA, "CA", 34.1825, -118.4397, True))
_add(("van nuys",), _n("Van Nuys", _LA, "CA", 34.1899, -118.4514, True))
_add(("lax", "lax airport"), _n("LAX Airport", _LA, "CA", 33.9416, -118.4085, True))
_add(
    ("figueroa", "figueroa st", "figueroa street"),
    _n("Figueroa Street", _LA, "CA", 33.9850, -118.2820, False),
)
_add(("south beach", "sobe"), _n("South Beach", "Miami Beach", "FL", 25.7826, -80.1341, True))
_add(("brickell",), _n("Brickell", _MIA, "FL", 25.7617, -80.1918, True))
_add(("little havana",), _n("Little Havana", _MIA, "FL", 25.7659, -80.2194, True))
_add(("wynwood",), _n("Wynwood", _MIA, "FL", 25.8010, -80.1994, True))
_add(("galleria",), _n("Galleria", "Houston", "TX", 29.7390, -95.4637, False))
_add(("the heights",), _n("Houston Heights", "Houston", "TX", 29.7982, -95.3980, False))
_add(("montrose",), _n("Montrose", "Houston", "TX", 29.7447, -95.3910, False))
_add(("midtown",), _n("Midtown Houston", "Houston", "TX", 29.7420, -95.3740, False))
_add(
    ("bissonnet", "bissonnet st", "bissonnet street"),
    _n("Bissonnet Street", "Houston", "TX", 29.6828, -95.5280, True),
)
_add(("westheimer",), _n("Westheimer Road", "Houston", "TX", 29.7370, -95.4600, True))
_add(("sharpstown",), _n("Sharpstown", "Houston", "TX", 29.7056, -95.5166, True))
_add(("iah", "iah airport"), _n("IAH Airport", "Houston", "TX", 29.9902, -95.3368, True))
_add(("buckhead",), _n("Buckhead", "Atlanta", "GA", 33.8384, -84.3797, True))
_add(("midtown",), _n("Midtown Atlanta", "Atlanta", "GA", 33.7816, -84.3833, False))
_add(("old fourth ward",), _n("Old Fourth Ward", "Atlanta", "GA", 33.7640, -84.3720, True))
_add(("the loop",), _n("The Loop", "Chicago", "IL", 41.8837, -87.6289, False))
_add(("river north",), _n("River North", "Chicago", "IL", 41.8924, -87.6341, False))
_add(("wicker park",), _n("Wicker Park", "Chicago", "IL", 41.9088, -87.6796, True))
_add(
    ("magnificent mile", "mag mile"),
    _n("Magnificent Mile", "Chicago", "IL", 41.8948, -87.6242, True),
)
_add(("ohare", "o hare"), _n("O'Hare Airport", "Chicago", "IL", 41.9742, -87.9073, True))
_add(("deep ellum",), _n("Deep Ellum", "Dallas", "TX", 32.7843, -96.7836, True))
_add(("uptown",), _n("Uptown Dallas", "Dallas", "TX", 32.8009, -96.8010, False))
_add(("harry hines",), _n("Harry Hines Boulevard", "Dallas", "TX", 32.8210, -96.8550, True))
_add(("love field",), _n("Love Field", "Dallas", "TX", 32.8471, -96.8518, True))
_add(("center city",), _n("Center City", "Philadelphia", "PA", 39.9522, -75.1636, False))
_add(("kensington",), _n("Kensington", "Philadelphia", "PA", 39.9920, -75.1243, False))
_add(("french quarter",), _n("French Quarter", "New Orleans", "LA", 29.9584, -90.0644, True))
_add(
    ("bourbon street", "bourbon st"),
    _n("Bourbon Street", "New Orleans", "LA", 29.9590, -90.0650, True),
)
_add(("garden district",), _n("Garden District", "New Orleans", "LA", 29.9289, -90.0836, False))
_add(("tenderloin",), _n("Tenderloin", "San Francisco", "CA", 37.7847, -122.4145, True))
_add(("soma",), _n("SoMa", "San Francisco", "CA", 37.7785, -122.4056, False))
_add(("mission district",), _n("Mission District", "San Francisco", "CA", 37.7599, -122.4148, True))
_add(("capitol hill",), _n("Capitol Hill", "Seattle", "WA", 47.6253, -122.3222, False))
_add(
    ("aurora ave", "aurora avenue"), _n("Aurora Avenue", "Seattle", "WA", 47.7000, -122.3446, True)
)
_add(("belltown",), _n("Belltown", "Seattle", "WA", 47.6148, -122.3455, True))
_add(("georgetown",), _n("Georgetown", "Washington", "DC", 38.9097, -77.0654, False))
_add(("dupont circle",), _n("Dupont Circle", "Washington", "DC", 38.9096, -77.0434, True))
_add(("back bay",), _n("Back Bay", "Boston", "MA", 42.3503, -71.0810, True))
_add(("colfax", "east colfax"), _n("East Colfax", "Denver", "CO", 39.7402, -104.9800, True))
_add(
    ("international drive", "i drive"),
    _n("International Drive", "Orlando", "FL", 28.4520, -81.4710, True),
)
_add(("waikiki",), _n("Waikiki", "Honolulu", "HI", 21.2793, -157.8292, True))
_add(("pearl district",), _n("Pearl District", "Portland", "OR", 45.5290, -122.6840, True))
_add(("uptown",), _n("Uptown Minneapolis", "Minneapolis", "MN", 44.9490, -93.2980, False))
_add(("downtown phoenix",), _n("Downtown Phoenix", "Phoenix", "AZ", 33.4484, -112.0740, True))
# Airports ads name for incalls near them ("by LaGuardia", "Sky Harbor area"), by the names
# that are no ordinary word or surname alone.
_add(
    ("laguardia", "la guardia", "lga airport", "laguardia airport"),
    _n("LaGuardia Airport", _NYC, "NY", 40.7769, -73.8740, True),
)
_add(
    ("newark airport", "ewr airport"),
    _n("Newark Airport", "Newark", "NJ", 40.6895, -74.1745, True),
)
_add(
    ("sky harbor", "sky harbor airport"),
    _n("Sky Harbor", "Phoenix", "AZ", 33.4343, -112.0116, True),
)
_add(("mccarran", "mccarran airport"), _n("McCarran Airport", _LV, "NV", 36.0840, -115.1537, True))
_add(("logan airport",), _n("Logan Airport", "Boston", "MA", 42.3656, -71.0096, True))
_add(("midway airport",), _n("Midway Airport", "Chicago", "IL", 41.7868, -87.7522, True))
_add(("hobby airport",), _n("Hobby Airport", "Houston", "TX", 29.6454, -95.2789, True))
_add(("bwi", "bwi airport"), _n("BWI Airport", "Baltimore", "MD", 39.1774, -76.6684, True))
_add(("sfo", "sfo airport"), _n("SFO Airport", "San Francisco", "CA", 37.6213, -122.3790, True))
_add(("dtw", "dtw airport"), _n("Detroit Metro Airport", "Detroit", "MI", 42.2162, -83.3554, True))
_add(
    ("rtp", "research triangle park"),
    _n("Research Triangle Park", "Raleigh", "NC", 35.8992, -78.8636, True),
)


def _nx(
    name: str, city: str, country: str, admin1: str, lat: float, lng: float, implies: bool
) -> NeighbourhoodRow:
    return NeighbourhoodRow(name, city, country, admin1, lat, lng, implies)


# Outside the US (GeoNames admin1 codes: British Columbia 02, Ontario 08, England ENG).
_add(("yaletown",), _nx("Yaletown", "Vancouver", "CA", "02", 49.2754, -123.1216, True))
_add(("gastown",), _nx("Gastown", "Vancouver", "CA", "02", 49.2828, -123.1066, True))
_add(("kitsilano",), _nx("Kitsilano", "Vancouver", "CA", "02", 49.2684, -123.1683, True))
_add(
    ("yonge", "yonge st", "yonge street"),
    _nx("Yonge Street", "Toronto", "CA", "08", 43.6561, -79.3802, False),
)
_add(("yorkville",), _nx("Yorkville", "Toronto", "CA", "08", 43.6709, -79.3933, False))
_add(
    ("pearson airport", "yyz"),
    _nx("Pearson Airport", "Toronto", "CA", "08", 43.6777, -79.6248, True),
)
_add(("edgware road",), _nx("Edgware Road", "London", "GB", "ENG", 51.5201, -0.1681, True))
_add(("mayfair",), _nx("Mayfair", "London", "GB", "ENG", 51.5096, -0.1478, True))
_add(("paddington",), _nx("Paddington", "London", "GB", "ENG", 51.5154, -0.1755, False))
_add(("marylebone",), _nx("Marylebone", "London", "GB", "ENG", 51.5226, -0.1571, True))
# London postcode districts ("NW1", "SW3"): the two-letter areas only, which no other city
# uses; the marker is the centre of London, not of the district.
for _area, _top in (("ec", 4), ("wc", 2), ("nw", 11), ("se", 28), ("sw", 20)):
    for _n_ in range(1, _top + 1):
        _code = f"{_area}{_n_}"
        _add(
            (_code,), _nx(f"London {_code.upper()}", "London", "GB", "ENG", 51.5074, -0.1278, True)
        )

# Gazetteer names that are also ordinary words in ads ("Nice girl", "mobile service"). They count
# as places only next to a state or country, or when they are the whole location field.
COMMON_WORD_PLACES: frozenset[str] = frozenset(
    {
        "young", "nice", "mobile", "orange", "normal", "surprise", "commerce", "industry",
        "hope", "independence", "deal", "best", "latina", "bath", "reading", "mission", "sandy",
        "alice", "university", "union", "temple", "sale", "split", "man", "uptown", "midtown",
        "downtown", "central", "airport", "date", "crystal", "marina", "bell", "eden", "gay",
        "bay", "paradise", "city", "beach", "north", "south", "east", "west", "center", "centre",
        "victoria", "florence", "madison", "tyler", "carmel", "aurora", "strip", "galleria",
        "opportunity", "superior", "mentor", "enterprise", "green", "cove", "metro", "walnut",
        "magna", "since", "southern", "northern", "eastern", "western", "male", "time",
        # Spanish and Portuguese words of ads ("como escort", "para ti", "hola").
        "como", "para", "solo", "sur", "nada", "linda", "hola",
        "spring",
    }
)  # fmt: skip

# Country names ads use that GeoNames spells otherwise.
COUNTRY_ALIASES: dict[str, str] = {
    "usa": "US",
    "united states": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "holland": "NL",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "vietnam": "VN",
    "czech republic": "CZ",
    "dominican republic": "DO",
    "mexico": "MX",
}
