"""Realistic synthetic classified ads with known ground truth, for demos, benchmarks and tests.

Nothing here is copied from real ads: every sentence is assembled from phrase pools written for
this module, every phone number is a fictional 555 number that `phonenumbers` accepts as valid,
and every name, handle and e-mail address is made up. The generator models what investigators
see: trafficking *networks* (one operator, a few phones, several aliases, moving city to city
with one to three text templates that vary slightly) hidden among independent posters (escort,
licensed massage, jobs, everyday classifieds), with the obfuscations advertisers use to defeat
scrapers. Each ad carries its truth (network, template, phones, category, risk cues) so linking,
extraction and scoring can be measured.

Deterministic: everything is drawn from one seeded `random.Random`; no global state. Streams:
1,000,000 ads are generated in well under two minutes without holding them in memory.
"""

from __future__ import annotations

import csv
import heapq
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = [
    "CITIES",
    "PHONE_STYLES",
    "SyntheticAd",
    "ads_to_csv",
    "ads_to_jsonl",
    "generate_ads",
    "render_phone",
]

FILE_COLUMNS = ("external_id", "title", "body", "url", "posted_at", "location_text")


@dataclass(frozen=True)
class SyntheticAd:
    """One generated ad and what is really behind it.

    `truth` keys: network (int|None), template (int|None: ads sharing a template id were written
    from the same text), phones (E.164 list), emails, handles, images (fake perceptual hashes),
    category ("escort"|"massage"|"job"|"other"), risky (bool), minor_cue (bool), city
    ("Las Vegas, NV"), phone_styles (how each phone was written), names (aliases used).
    """

    external_id: str
    title: str
    body: str
    url: str
    posted_at: datetime
    location_text: str
    source: str
    truth: dict = field(hash=False, compare=False)

    def as_record(self) -> dict[str, str]:
        """The columns the ingest command reads, with `posted_at` in ISO 8601."""
        return {
            "external_id": self.external_id,
            "title": self.title,
            "body": self.body,
            "url": self.url,
            "posted_at": self.posted_at.isoformat(),
            "location_text": self.location_text,
        }


# --- places -----------------------------------------------------------------------------------
# (canonical "City, ST", relative weight, area codes, how posters write the place)
CITIES: tuple[tuple[str, int, tuple[int, ...], tuple[str, ...]], ...] = (
    (
        "Las Vegas, NV",
        6,
        (702, 725),
        ("Las Vegas", "Vegas strip", "LV", "Las Vegas - Henderson", "Summerlin", "Vegas"),
    ),
    (
        "New York, NY",
        10,
        (212, 646, 718, 917, 347),
        ("NYC", "Manhattan", "Queens", "Brooklyn", "Midtown NYC", "New York"),
    ),
    (
        "Los Angeles, CA",
        9,
        (213, 310, 323, 818),
        ("LA", "Hollywood", "Los Angeles - Koreatown", "Van Nuys", "Los Angeles"),
    ),
    ("San Diego, CA", 4, (619, 858), ("San Diego - Gaslamp", "SD", "Mission Valley", "San Diego")),
    ("Philadelphia, PA", 4, (215, 267), ("Philly", "Center City", "Philadelphia")),
    ("Houston, TX", 6, (713, 281, 832), ("Houston", "Galleria", "HTX", "Houston - Westchase")),
    ("Dallas, TX", 5, (214, 469, 972), ("Dallas", "DFW", "Uptown Dallas", "Irving")),
    ("Atlanta, GA", 6, (404, 678, 770), ("ATL", "Buckhead", "Atlanta - Midtown", "Atlanta")),
    ("Miami, FL", 5, (305, 786), ("Miami", "South Beach", "Brickell", "Miami Beach")),
    ("Orlando, FL", 3, (407, 321), ("Orlando", "I-Drive", "Kissimmee")),
    ("Chicago, IL", 7, (312, 773, 872), ("Chicago", "Chi-town", "River North", "O'Hare area")),
    ("Phoenix, AZ", 4, (602, 480, 623), ("Phoenix", "Scottsdale", "Tempe", "PHX")),
    ("Denver, CO", 3, (303, 720), ("Denver", "Aurora", "Denver Tech Center")),
    ("Seattle, WA", 3, (206, 425), ("Seattle", "Bellevue", "SeaTac")),
    ("Portland, OR", 2, (503, 971), ("Portland", "PDX")),
    ("San Francisco, CA", 3, (415, 628), ("SF", "San Francisco - SoMa", "Bay Area")),
    ("Sacramento, CA", 2, (916,), ("Sacramento", "Sac town")),
    ("Boston, MA", 3, (617, 857), ("Boston", "Back Bay", "Cambridge")),
    ("Washington, DC", 4, (202,), ("DC", "DMV", "Washington DC")),
    ("Baltimore, MD", 2, (410, 443), ("Baltimore", "Bmore")),
    ("Charlotte, NC", 2, (704, 980), ("Charlotte", "CLT")),
    ("Nashville, TN", 2, (615, 629), ("Nashville", "Music City")),
    ("New Orleans, LA", 2, (504,), ("NOLA", "French Quarter", "New Orleans")),
    ("Detroit, MI", 2, (313,), ("Detroit", "Dearborn")),
    ("Minneapolis, MN", 2, (612,), ("Minneapolis", "Twin Cities")),
    ("Kansas City, MO", 1, (816,), ("KC", "Kansas City")),
    ("St. Louis, MO", 1, (314,), ("STL", "St Louis")),
    ("Salt Lake City, UT", 1, (801, 385), ("SLC", "Salt Lake")),
    ("Albuquerque, NM", 1, (505,), ("ABQ", "Albuquerque")),
    ("San Antonio, TX", 3, (210,), ("San Antonio", "SA Texas")),
    ("Austin, TX", 2, (512, 737), ("Austin", "ATX")),
    ("Tampa, FL", 2, (813,), ("Tampa", "Ybor")),
    ("Jacksonville, FL", 2, (904,), ("Jax", "Jacksonville")),
    ("Indianapolis, IN", 2, (317,), ("Indy", "Indianapolis")),
    ("Columbus, OH", 2, (614,), ("Columbus",)),
    ("Cleveland, OH", 1, (216,), ("Cleveland",)),
    ("Pittsburgh, PA", 1, (412,), ("Pittsburgh", "Pgh")),
    ("Newark, NJ", 2, (973, 862), ("Newark", "North Jersey")),
    ("Honolulu, HI", 1, (808,), ("Honolulu", "Waikiki")),
    ("Oklahoma City, OK", 1, (405,), ("OKC",)),
    ("Memphis, TN", 1, (901,), ("Memphis",)),
    ("Reno, NV", 1, (775,), ("Reno",)),
)

# --- phrase pools (written for this module) ----------------------------------------------------
NAMES = [
    "Amber",
    "Candy",
    "Jade",
    "Mia",
    "Bella",
    "Destiny",
    "Lola",
    "Kitty",
    "Honey",
    "Star",
    "Roxy",
    "Coco",
    "Luna",
    "Jasmine",
    "Diamond",
    "Paris",
    "Sasha",
    "Nikki",
    "Ruby",
    "Angel",
    "Brandy",
    "Crystal",
    "Lexi",
    "Mimi",
    "Tina",
    "Gigi",
    "Vanessa",
    "Selena",
    "Layla",
    "Kiki",
    "Raven",
    "Skye",
    "Summer",
    "Ivy",
    "Daisy",
    "Cherry",
    "Trixie",
    "Sugar",
    "Misty",
    "Chloe",
    "Aria",
    "Nova",
    "Bambi",
    "Lily",
    "Sofia",
    "Yuki",
    "Mei",
    "Lin",
    "Anna",
    "Vicky",
    "Carmen",
    "Maria",
    "Ebony",
    "Kayla",
    "Tiffany",
    "Britney",
    "Jenna",
    "Alexis",
    "Sienna",
    "Dulce",
    "Nina",
]
ETHNICITIES = (
    "Latina",
    "Asian",
    "ebony",
    "Italian",
    "Brazilian",
    "Colombian",
    "Russian",
    "Thai",
    "Korean",
    "Japanese",
    "Puerto Rican",
    "Cuban",
    "exotic",
    "mixed",
    "blonde",
    "redhead",
    "Filipina",
)
EMOJI = ("💋", "🔥", "💦", "🌹", "😘", "💕", "✨", "🍑", "😈", "💖", "🍒", "🌸", "💯", "❤️", "👑")
ADJ = (
    "sweet",
    "sexy",
    "gorgeous",
    "petite",
    "curvy",
    "classy",
    "playful",
    "friendly",
    "upscale",
    "sensual",
    "busty",
    "slim",
    "fun",
    "discreet",
    "elegant",
    "naughty",
    "bubbly",
    "tall",
    "thick",
    "stunning",
    "adorable",
    "charming",
    "exotic",
    "flirty",
    "wild",
    "soft",
    "beautiful",
)
NOUNS = ("girl", "doll", "lady", "companion", "princess", "angel", "sweetheart", "babe")
GREETINGS = (
    "Hey gentlemen",
    "Hi guys",
    "Hello loves",
    "Hey there",
    "Hi daddy",
    "Welcome boys",
    "Hello gents",
    "Hi handsome",
    "Good evening gentlemen",
    "Hey hun",
)
VISIT = (
    "visiting {loc} for a few days only",
    "in {loc} this week only",
    "just arrived in {loc}",
    "new in {loc}",
    "last days in {loc}",
    "back in {loc} by popular demand",
    "available in {loc} now",
    "touring {loc} until Sunday",
    "here in {loc} short time",
)
SERVICE = (
    "incall and outcall",
    "incall only",
    "outcall to hotels",
    "in call near the airport",
    "private upscale incall",
    "car dates ok",
    "hotel visits only",
    "overnights available",
    "two girl special",
    "fetish friendly",
    "gfe experience",
    "full body relaxation",
    "table shower",
    "body rub and more",
    "late night specials",
    "quick visits welcome",
)
TIMES = (
    "24/7",
    "open late",
    "available now",
    "early birds welcome",
    "day and night",
    "open till 4am",
    "available all weekend",
    "same day appointments",
    "walk ins welcome",
)
RULES = (
    "no law enforcement",
    "serious gentlemen only",
    "no explicit talk on the phone",
    "no blocked calls",
    "deposit required to book",
    "screening required",
    "no rush",
    "no games no time wasters",
    "cash only",
    "respectful men only",
    "text first",
    "ask about my specials",
    "must be 21+",
    "no pimps",
    "clean and safe",
    "reviews on request",
)
CLOSERS = (
    "you won't be disappointed",
    "come see me",
    "treat yourself tonight",
    "don't miss out",
    "hurry before I leave",
    "satisfaction guaranteed",
    "let's have fun",
    "see you soon",
    "your new favorite",
    "make your night",
    "I'm waiting for you",
    "book now",
)
CONTACT = (
    "call or text {phone}",
    "txt me {phone}",
    "text only {phone}",
    "call {phone} now",
    "{phone} text first",
    "hit me up {phone}",
    "book me {phone}",
    "reach me at {phone}",
)
MINOR_CUES = (
    "just turned 18",
    "young and new",
    "fresh new girl",
    "barely legal",
    "petite young girl",
    "first time here",
    "new to this",
)
SPA_LINES = (
    "Licensed massage therapist",
    "Relaxing massage studio",
    "Asian massage spa",
    "Professional bodywork",
    "Therapeutic massage clinic",
    "Grand opening massage",
)
SPA_SERVICES = (
    "Swedish",
    "deep tissue",
    "hot stone",
    "reflexology",
    "shiatsu",
    "sports massage",
    "foot massage",
    "couples massage",
    "aromatherapy",
    "Thai massage",
    "cupping",
)
JOB_ROLES = (
    "warehouse associates",
    "line cooks",
    "housekeepers",
    "farm workers",
    "hostesses",
    "models",
    "dancers",
    "nail technicians",
    "construction laborers",
    "caregivers",
    "delivery drivers",
    "cleaners",
    "restaurant servers",
    "fishing crew",
    "hotel staff",
    "landscapers",
    "factory packers",
    "sales reps",
    "bartenders",
    "massage attendants",
)
JOB_PERKS = (
    "weekly pay",
    "flexible hours",
    "no experience needed",
    "training provided",
    "paid overtime",
    "health benefits after 90 days",
    "friendly team",
    "immediate start",
    "tips on top",
    "uniform provided",
    "bilingual a plus",
    "full time and part time",
)
# Forced-labour cues after the ILO indicators (deception, debt bondage, retained documents,
# isolation, restriction of movement, withheld wages, excessive overtime).
ILO_CUES = (
    "travel and housing advanced, repaid from your wages",
    "we keep your passport safe while you work",
    "no documents needed, we arrange everything",
    "must live on site in company housing",
    "work 7 days a week, 12 hour shifts",
    "you cannot leave before the contract is finished",
    "wages paid to your supervisor",
    "recruitment fee deducted from first months pay",
    "visa arranged, repay the cost later",
    "transport to site provided, fees deducted",
)
OTHER_ITEMS = (
    "sofa",
    "dining table",
    "mountain bike",
    "washer and dryer",
    "iPhone",
    "PS5",
    "crib",
    "queen bed frame",
    "office chair",
    "snowboard",
    "guitar",
    "TV stand",
    "bookshelf",
    "treadmill",
    "camping tent",
    "lawn mower",
    "baby stroller",
    "gaming laptop",
    "desk lamp",
)
OTHER_COND = (
    "like new",
    "barely used",
    "good condition",
    "some wear",
    "brand new in box",
    "works great",
    "minor scratches",
    "moving sale",
    "must go this week",
)
ROOM_LINES = (
    "Room for rent",
    "Shared apartment",
    "Studio available",
    "Sublet",
    "Basement room",
    "Roommate wanted",
    "Private bedroom",
    "Furnished room",
    "In-law unit",
    "Garden level apartment",
)
ROOM_DETAILS = (
    "quiet building",
    "clean house",
    "working professional preferred",
    "no smoking inside",
    "no pets sorry",
    "small dog ok",
    "street parking only",
    "one parking spot included",
    "close to the bus line",
    "ten minutes from downtown",
    "laundry in unit",
    "shared kitchen and bath",
    "private bathroom",
    "wifi and utilities included",
    "month to month lease",
    "six month minimum",
    "first month and deposit to move in",
    "available from the first",
    "background check required",
    "female roommate preferred",
    "bright room with a big window",
    "backyard access",
    "walk to grocery stores",
    "students welcome",
)
ITEM_DETAILS = (
    "smoke free home",
    "pet free home",
    "original owner",
    "receipt available",
    "paid double new",
    "selling because we moved",
    "upgrading so this has to go",
    "you pick up",
    "no holds",
    "serious buyers only",
    "will not respond to lowball offers",
    "see pictures for condition",
    "comes with accessories",
    "cleaned and ready",
    "pick up after 5pm",
    "small stain on the side",
    "retail is much higher",
    "text for more photos",
    "still under warranty",
    "cash or app payment",
)
SYNONYMS = {
    "gentlemen": "gents",
    "gents": "gentlemen",
    "sexy": "hot",
    "hot": "sexy",
    "gorgeous": "beautiful",
    "beautiful": "gorgeous",
    "available": "avail",
    "call": "cal",
    "text": "txt",
    "txt": "text",
    "tonight": "2nite",
    "you": "u",
    "your": "ur",
    "only": "ONLY",
    "new": "NEW",
    "girl": "gurl",
    "please": "plz",
    "now": "NOW",
}
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TENS = {2: "twenty", 3: "thirty", 4: "forty"}
TEENS = {18: "eighteen", 19: "nineteen"}
MAIL_DOMAINS = ("gmail", "yahoo", "outlook", "proton", "icloud")
HANDLE_KINDS = ("snap", "IG", "kik", "telegram", "whatsapp")
SOURCES = ("demo-classifieds", "demo-feed")
SOURCE_HOSTS = {"demo-classifieds": "classifieds.example", "demo-feed": "feed.example"}

PHONE_STYLES = (
    "dashes",
    "parens",
    "dots",
    "compact",
    "plus1",
    "stars",
    "tildes",
    "dot_word",
    "words",
    "lookalike",
    "brackets",
    "keycap",
    "fullwidth",
    "zerowidth",
    "spaced",
)
# Most real ads write the number plainly; the obfuscated minority is what extractors must beat.
_STYLE_WEIGHTS = (20, 14, 10, 8, 4, 5, 4, 4, 6, 5, 4, 3, 3, 3, 4)


# --- an operator's own wording -------------------------------------------------------------------
# Each operator (and each independent poster who reposts) writes a few sentences of their own:
# a business name coined from syllables and phrases drawn word by word from a large vocabulary.
# Shared phrase pools alone make every template look like market boilerplate, which is what the
# linker's boilerplate guard refuses; real operators' templates hold wording few others use.
_SYLLABLES = (
    "ka",
    "lo",
    "mi",
    "ra",
    "ve",
    "zo",
    "ti",
    "na",
    "sha",
    "bel",
    "dor",
    "fen",
    "gal",
    "hul",
    "jas",
    "kor",
    "lun",
    "mar",
    "nel",
    "ori",
    "pax",
    "qui",
    "ros",
    "sel",
    "tam",
    "ul",
    "vin",
    "wyn",
    "xan",
    "yel",
    "zar",
    "ari",
    "bry",
    "cal",
    "dae",
    "eli",
    "fay",
    "gio",
    "hal",
    "ivo",
)
_BRAND_KINDS = (
    "Lounge",
    "Companions",
    "Society",
    "House",
    "Club",
    "Collection",
    "Studio",
    "Retreat",
    "Parlour",
    "Circle",
    "Garden",
    "Suites",
    "Social",
    "Atelier",
    "Spa",
)
_OWN_ADJ = (
    "velvet",
    "amber",
    "silken",
    "midnight",
    "golden",
    "quiet",
    "lavish",
    "cozy",
    "radiant",
    "secret",
    "gentle",
    "polished",
    "candid",
    "warm",
    "scarlet",
    "ivory",
    "breezy",
    "sultry",
    "honeyed",
    "moonlit",
    "crimson",
    "mellow",
    "serene",
    "glossy",
    "rosy",
    "sunny",
    "hushed",
    "dreamy",
    "smoky",
    "tender",
    "vivid",
    "cheerful",
    "silver",
    "plush",
    "tranquil",
    "easy",
    "bright",
    "lazy",
    "spicy",
    "sugary",
    "frosted",
    "misty",
    "peachy",
    "satin",
    "wistful",
    "jazzy",
    "balmy",
    "dusky",
    "opal",
    "sapphire",
    "lilac",
    "coral",
    "cinnamon",
    "minty",
    "vanilla",
    "cherry",
    "lucky",
    "rare",
    "merry",
    "lively",
    "calm",
    "soothing",
    "unhurried",
    "intimate",
    "spacious",
    "tasteful",
    "cultured",
    "witty",
    "graceful",
    "sparkling",
)
_OWN_NOUNS = (
    "evenings",
    "moments",
    "lanterns",
    "getaways",
    "retreats",
    "conversations",
    "smiles",
    "rituals",
    "escapes",
    "views",
    "candles",
    "melodies",
    "balconies",
    "pillows",
    "whispers",
    "afternoons",
    "weekends",
    "journeys",
    "stories",
    "secrets",
    "gardens",
    "fountains",
    "mornings",
    "dances",
    "surprises",
    "treasures",
    "memories",
    "adventures",
    "harbors",
    "rooftops",
    "sunsets",
    "breezes",
    "daydreams",
    "perfumes",
    "ribbons",
    "pearls",
    "roses",
    "velvets",
    "laughs",
    "hideaways",
    "suites",
    "lounges",
    "terraces",
    "cocktails",
    "teas",
    "playlists",
    "massages",
    "baths",
    "robes",
    "slippers",
    "blankets",
    "mirrors",
    "windows",
    "skylines",
    "harbours",
    "boulevards",
    "porches",
    "meadows",
    "orchards",
    "studios",
)
_OWN_VERBS = (
    "awaits",
    "lingers",
    "glows",
    "welcomes",
    "spoils",
    "pampers",
    "unwinds",
    "softens",
    "sparkles",
    "beckons",
    "soothes",
    "delights",
    "charms",
    "comforts",
    "rewards",
    "refreshes",
    "warms",
    "restores",
    "brightens",
    "surprises",
    "indulges",
    "cradles",
    "embraces",
    "lifts",
    "calms",
    "wraps",
    "greets",
    "hosts",
    "treats",
    "serenades",
)
_OWN_ADV = (
    "truly",
    "softly",
    "always",
    "gladly",
    "warmly",
    "simply",
    "slowly",
    "gently",
    "quietly",
    "sweetly",
    "kindly",
    "fully",
    "happily",
    "easily",
    "freely",
    "lovingly",
    "proudly",
    "tenderly",
    "boldly",
    "calmly",
)
_OWN_PREP = (
    "beside",
    "beneath",
    "among",
    "near",
    "around",
    "behind",
    "inside",
    "past",
    "toward",
    "above",
    "along",
    "across",
)


def _brand(rnd: random.Random) -> str:
    word = "".join(rnd.choice(_SYLLABLES) for _ in range(rnd.randint(2, 3)))
    return f"{word.capitalize()} {rnd.choice(_BRAND_KINDS)}"


def _own_phrase(rnd: random.Random) -> str:
    """One sentence of ordinary words in an order of the poster's own (no risk vocabulary)."""
    adj, noun, verb, adv, prep = _OWN_ADJ, _OWN_NOUNS, _OWN_VERBS, _OWN_ADV, _OWN_PREP
    c = rnd.choice
    pattern = rnd.randrange(4)
    if pattern == 0:
        return f"{c(adj)} {c(noun)} {c(verb)} {c(adv)} {c(prep)} {c(adj)} {c(noun)}"
    if pattern == 1:
        return f"{c(adv)} {c(adj)}, {c(adj)} {c(noun)} and {c(adj)} {c(noun)} {c(prep)} {c(noun)}"
    if pattern == 2:
        return (
            f"every {c(noun)} {c(verb)} {c(adj)} {c(noun)}, {c(adj)} {c(noun)} {c(verb)} {c(adv)}"
        )
    return f"{c(adj)} {c(adj)} {c(noun)} {c(prep)} {c(adj)} {c(noun)} {c(verb)} {c(adj)} {c(noun)}"


def own_wording(rnd: random.Random, *, brand: str | None, phrases: int) -> list[str]:
    """A poster's own sentences: `phrases` of their own words, the first naming `brand`."""
    out = [_own_phrase(rnd) for _ in range(phrases)]
    if brand is not None and out:
        out[0] = f"{brand}: {out[0]}"
        if phrases > 1:
            out[-1] = f"{out[-1]} at {brand}"
    return out


def _word_digit(d: str, rnd: random.Random) -> str:
    if d == "0" and rnd.random() < 0.4:
        return "oh"
    return NUMBER_WORDS[int(d)]


def render_phone(digits: str, style: str, rnd: random.Random) -> str:
    """Write a 10-digit US number the way an advertiser hiding it from scrapers might."""
    a, b, c = digits[:3], digits[3:6], digits[6:]
    if style == "dashes":
        return f"{a}-{b}-{c}"
    if style == "parens":
        return f"({a}) {b}-{c}"
    if style == "dots":
        return f"{a}.{b}.{c}"
    if style == "compact":
        return digits
    if style == "plus1":
        return f"+1 {a} {b} {c}"
    if style == "stars":
        return "*" + "~*".join((a, b, c[:2] + "**" + c[2:]))
    if style == "tildes":
        return f"{a}~{b}~{c}"
    if style == "dot_word":
        return f"{a} [dot] {b} [dot] {c}"
    if style == "words":
        # e.g. "7two5-six5FIVE-oh1two3": roughly half the digits spelled out, case varies.
        upper = rnd.random() < 0.3
        groups = []
        for g in (a, b, c):
            out = "".join(_word_digit(d, rnd) if rnd.random() < 0.5 else d for d in g)
            groups.append(out.upper() if upper else out)
        return "-".join(groups)
    if style == "lookalike":
        table = {"0": "O", "1": "l"} if rnd.random() < 0.5 else {"0": "o", "1": "I"}
        swapped = "".join(table.get(d, d) for d in digits)
        return f"{swapped[:3]} {swapped[3:6]} {swapped[6:]}"
    if style == "brackets":
        return " ".join("".join(f"[{d}]" for d in g) for g in (a, b, c))
    if style == "keycap":
        return "".join(d + "\ufe0f\u20e3" for d in digits)
    if style == "fullwidth":
        return "".join(chr(0xFF10 + int(d)) for d in digits)
    if style == "zerowidth":
        return "\u200b".join(digits[:5]) + "\u200c" + "\u200b".join(digits[5:])
    if style == "spaced":
        return " ".join(digits)
    raise ValueError(f"unknown phone style {style!r}")


def _age_text(age: int, rnd: random.Random) -> str:
    r = rnd.random()
    if r < 0.35:
        return f"{age}yo"
    if r < 0.55:
        return f"{age} y/o"
    if r < 0.7:
        return f"age {age}"
    if r < 0.85:
        return f"{age} yrs"
    if age in TEENS:
        return TEENS[age]
    tens, ones = divmod(age, 10)
    return TENS[tens] + (f" {NUMBER_WORDS[ones]}" if ones else "")


def _price_text(amount: int, rnd: random.Random) -> str:
    r = rnd.random()
    if r < 0.25:
        return f"${amount} hh"
    if r < 0.45:
        return f"{amount * 2}/hr"
    if r < 0.6:
        return f"{amount} roses"
    if r < 0.75:
        return f"qv {amount // 2} / hh {amount} / h {amount * 2}"
    if r < 0.88:
        return f"${amount} half hour"
    return f"{amount} donations"


class _PhoneBook:
    """Hands out unique fictional numbers: 555-01xx first, then the rest of the 555 exchange.

    555-0100..0199 is the range set aside for fiction; across the ~80 area codes used it holds
    ~8,000 numbers, too few for a million ads without accidental sharing (which would create
    false links), so larger runs continue with other 555 lines, which are not assigned to
    subscribers (555-1212, directory assistance, is skipped). Every number is checked valid by
    `phonenumbers` once per area code in the tests.
    """

    def __init__(self) -> None:
        self._next: dict[int, int] = {}

    def new(self, area_codes: tuple[int, ...], rnd: random.Random) -> str:
        for _ in range(len(area_codes) + 2):
            ac = rnd.choice(area_codes) if rnd.random() < 0.85 else rnd.choice(_ALL_AREA_CODES)
            line = self._next.get(ac, 100)
            if line == 1212:
                line += 1
            if line <= 9999:
                self._next[ac] = line + 1
                return f"+1{ac}555{line:04d}"
        for ac in _ALL_AREA_CODES:  # every preferred code is full: take any free one
            line = self._next.get(ac, 100)
            if line <= 9999:
                self._next[ac] = line + 1 + (line + 1 == 1212)
                return f"+1{ac}555{line:04d}"
        raise RuntimeError("fictional phone range exhausted")


_ALL_AREA_CODES: tuple[int, ...] = tuple(sorted({ac for _, _, acs, _ in CITIES for ac in acs}))


def _a(word: str) -> str:
    return ("an " if word[0] in "aeiou" else "a ") + word


def _slug(text: str) -> str:
    words = ("".join(ch for ch in w if ch.isascii() and ch.isalnum()) for w in text.lower().split())
    return "-".join(w for w in words if w)[:60]


def _handle(rnd: random.Random, name: str) -> str:
    sep = rnd.choice(("", "_", ".", "x"))
    return f"{name.lower()}{sep}{rnd.choice(ADJ)}{rnd.randint(1, 99)}"


def _email_text(local: str, domain: str, rnd: random.Random) -> str:
    r = rnd.random()
    if r < 0.4:
        return f"{local}@{domain}.com"
    if r < 0.7:
        return f"{local} at {domain} dot com"
    if r < 0.85:
        return f"{local} (at) {domain} (dot) com"
    return f"{local} @ {domain} . com"


@dataclass
class _Network:
    nid: int
    start: datetime
    end: datetime
    stops: list[tuple[datetime, int]]  # (arrival, city index)
    phones: list[str]
    names: list[str]
    ages: list[int]
    eth: str
    templates: list[tuple[int, str, list[str]]]  # (template id, category, sentences)
    base_price: int
    emails: list[str]
    handles: list[str]
    images: list[str]
    weight: float

    def city_at(self, t: datetime) -> int:
        city = self.stops[0][1]
        for arrival, idx in self.stops:
            if arrival <= t:
                city = idx
            else:
                break
        return city


class _Generator:
    def __init__(self, n: int, seed: int, start: datetime, days: int, share: float) -> None:
        self.rnd = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
        self.n = n
        self.seed = seed
        self.start = start
        self.days = days
        self.share = share
        self.phones = _PhoneBook()
        self.next_template = 0
        self.city_weights = [w for _, w, _, _ in CITIES]
        self.city_cum = []
        acc = 0
        for w in self.city_weights:
            acc += w
            self.city_cum.append(acc)
        self.reposters: list[dict] = []

    # -- helpers ------------------------------------------------------------------------------
    def city(self) -> int:
        return self.rnd.choices(range(len(CITIES)), cum_weights=self.city_cum)[0]

    def template_id(self) -> int:
        tid = self.next_template
        self.next_template += 1
        return tid

    def escort_sentences(self, minor: bool, *, brand: bool = False, own: int = 2) -> list[str]:
        """A fresh escort/massage-style template: stock sentences and `own` sentences of the
        poster's own wording (naming a coined business when `brand`), with {slots}, shuffled."""
        rnd = self.rnd
        body = [
            f"{rnd.choice(GREETINGS)} {{e}} I'm {{name}}, {_a(rnd.choice(ADJ))} {{eth}} "
            f"{rnd.choice(NOUNS)} {{age}}",
            rnd.choice(VISIT) + " {e}",
            f"{rnd.choice(ADJ)}, {rnd.choice(ADJ)} and {rnd.choice(ADJ)}, {rnd.choice(SERVICE)}",
            f"{rnd.choice(SERVICE)} {rnd.choice(TIMES)}",
            "{price}",
            f"{rnd.choice(RULES)}. {rnd.choice(RULES)}",
            f"{rnd.choice(CLOSERS)} {{e}}{{e}}",
        ]
        if rnd.random() < 0.5:
            body.append(f"{rnd.choice(TIMES)}, {rnd.choice(RULES)}, {rnd.choice(CLOSERS)}")
        if minor:
            body.insert(1, rnd.choice(MINOR_CUES))
        body[1:1] = own_wording(rnd, brand=_brand(rnd) if brand else None, phrases=own)
        middle = body[1:-1]
        rnd.shuffle(middle)
        contact = rnd.choice(CONTACT)
        return [body[0], *middle, contact, body[-1]]

    def job_sentences(self, forced: bool, role: str, *, own: int = 2) -> list[str]:
        rnd = self.rnd
        lines = [
            f"Now hiring {role} in {{loc}}",
            *own_wording(rnd, brand=_brand(rnd), phrases=own),
            f"{rnd.choice(JOB_PERKS)}, {rnd.choice(JOB_PERKS)}",
            f"pay ${rnd.randint(12, 30)} per hour {rnd.choice(('cash', 'weekly', 'daily'))}",
            f"{rnd.choice(JOB_PERKS)}. {rnd.choice(('Apply today', 'Call to apply', 'Start Monday', 'Ask for the manager'))}",  # noqa: E501
        ]
        if forced:
            cues = rnd.sample(ILO_CUES, rnd.randint(1, 3))
            for cue in cues:
                lines.insert(rnd.randint(1, len(lines)), cue)
        lines.append("contact {phone}")
        return lines

    def new_network(self, nid: int) -> _Network:
        rnd = self.rnd
        n_stops = rnd.randint(3, 8)
        stays = [timedelta(days=rnd.uniform(3, 14)) for _ in range(n_stops)]
        duration = sum(stays, timedelta())
        window = timedelta(days=self.days)
        # Start anywhere that keeps the tour inside the window; longer tours overhang it.
        t0 = self.start + (window - duration) * rnd.random()
        home = self.city()
        cities = [home]
        while len(cities) < n_stops:
            c = self.city()
            if c != cities[-1]:
                cities.append(c)
        stops, t = [], t0
        for c, stay in zip(cities, stays, strict=True):
            stops.append((t, c))
            t += stay
        area = CITIES[home][2]
        phones = [self.phones.new(area, rnd) for _ in range(rnd.randint(2, 6))]
        names = rnd.sample(NAMES, rnd.randint(2, 5))
        minor = rnd.random() < 0.08
        ages = [rnd.randint(18, 20) if minor else rnd.randint(19, 33) for _ in names]
        templates = []
        for _ in range(rnd.randint(1, 3)):
            if rnd.random() < 0.12:
                role = rnd.choice(JOB_ROLES)
                templates.append((self.template_id(), "job", self.job_sentences(True, role, own=3)))
            else:
                cat = "massage" if rnd.random() < 0.25 else "escort"
                sentences = self.escort_sentences(minor, brand=True, own=3)
                templates.append((self.template_id(), cat, sentences))
        mails = [
            f"{_handle(rnd, rnd.choice(names))}@{rnd.choice(MAIL_DOMAINS)}.com"
            for _ in range(rnd.randint(0, 2))
        ]
        handles = [_handle(rnd, rnd.choice(names)) for _ in range(rnd.randint(0, 2))]
        images = [f"{rnd.getrandbits(64):016x}" for _ in range(rnd.randint(2, 8))]
        return _Network(
            nid=nid,
            start=t0,
            end=t,
            stops=stops,
            phones=phones,
            names=names,
            ages=ages,
            eth=rnd.choice(ETHNICITIES),
            templates=templates,
            base_price=rnd.choice((80, 100, 120, 150, 160, 180, 200, 250)),
            emails=mails,
            handles=handles,
            images=images,
            weight=min(1.0, rnd.lognormvariate(-1.0, 0.8)),
        )

    def vary(self, sentences: list[str], slots: dict[str, str], drop_ok: bool) -> str:
        """Render a template with small variations: a dropped sentence, synonym swaps."""
        rnd = self.rnd
        if drop_ok and len(sentences) > 4 and rnd.random() < 0.25:
            i = rnd.randrange(1, len(sentences) - 2)
            sentences = sentences[:i] + sentences[i + 1 :]
        text = ". ".join(sentences).format_map(slots)
        if rnd.random() < 0.6:
            words = text.split(" ")
            for i, w in enumerate(words):
                alt = SYNONYMS.get(w)
                if alt is not None and rnd.random() < 0.3:
                    words[i] = alt
            text = " ".join(words)
        return text

    def phone_text(self, phone: str) -> tuple[str, str]:
        style = self.rnd.choices(PHONE_STYLES, weights=_STYLE_WEIGHTS)[0]
        return render_phone(phone[2:], style, self.rnd), style

    # -- ads ----------------------------------------------------------------------------------
    def network_ad(self, net: _Network, t: datetime) -> dict:
        rnd = self.rnd
        city = net.city_at(t)
        if rnd.random() < 0.1:  # advertising ahead in the next stop or a neighbour market
            city = rnd.choice(net.stops)[1]
        tid, category, sentences = rnd.choice(net.templates)
        k = rnd.randrange(len(net.names))
        name, age = net.names[k], net.ages[k]
        phones = [rnd.choice(net.phones)]
        if rnd.random() < 0.15:
            other = rnd.choice(net.phones)
            if other != phones[0]:
                phones.append(other)
        ptexts, styles = zip(*(self.phone_text(p) for p in phones), strict=True)
        phone_text = " or ".join(ptexts)
        emails, handles = [], []
        if net.emails and rnd.random() < 0.3:
            emails = [rnd.choice(net.emails)]
            local, domain = emails[0].split("@")
            phone_text += " " + _email_text(local, domain.removesuffix(".com"), rnd)
        if net.handles and rnd.random() < 0.3:
            handles = [rnd.choice(net.handles)]
            phone_text += f" {rnd.choice(HANDLE_KINDS)}: {handles[0]}"
        loc = rnd.choice(CITIES[city][3])
        price = net.base_price + rnd.choice((0, 0, 0, 20, -20, 50))
        slots = {
            "name": name,
            "age": _age_text(age, rnd),
            "loc": loc,
            "eth": net.eth,
            "price": _price_text(price, rnd),
            "phone": phone_text,
            "e": rnd.choice(EMOJI) if rnd.random() < 0.8 else "",
        }
        body = self.vary(sentences, slots, drop_ok=True)
        if category == "job":
            title = f"Hiring now in {loc} - {rnd.choice(JOB_PERKS)}"
        else:
            e = rnd.choice(EMOJI)
            title = f"{e} {name} {slots['age']} {net.eth} {rnd.choice(ADJ)} {e} - {loc}".strip()
        minor = any(cue in body for cue in MINOR_CUES) or (age <= 18 and category != "job")
        images = rnd.sample(net.images, min(len(net.images), rnd.randint(1, 3)))
        return {
            "title": title,
            "body": body,
            "city": city,
            "loc": loc,
            "category": category,
            "truth": {
                "network": net.nid,
                "template": tid,
                "phones": list(phones),
                "emails": emails,
                "handles": handles,
                "images": images,
                "category": category,
                "risky": True,
                "minor_cue": minor,
                "phone_styles": list(styles),
                "names": [name],
            },
        }

    def benign_ad(self, t: datetime) -> dict:
        rnd = self.rnd
        if self.reposters and rnd.random() < 0.3:
            i = rnd.randrange(len(self.reposters))
            poster = self.reposters[i]
            poster["left"] -= 1
            if poster["left"] <= 0:
                self.reposters[i] = self.reposters[-1]
                self.reposters.pop()
            tid = poster["template"]
        else:
            poster = self.new_poster()
            tid = None
            if rnd.random() < 0.3:
                tid = poster["template"] = self.template_id()
                poster["left"] = rnd.randint(1, 4)
                if len(self.reposters) < 5000:
                    self.reposters.append(poster)
                else:
                    self.reposters[rnd.randrange(5000)] = poster
        category, city, phone = poster["category"], poster["city"], poster["phone"]
        ptext, style = self.phone_text(phone)
        loc = rnd.choice(CITIES[city][3])
        slots = {
            "name": poster["name"],
            "age": _age_text(poster["age"], rnd),
            "loc": loc,
            "eth": poster["eth"],
            "price": _price_text(poster["price"], rnd),
            "phone": ptext,
            "e": rnd.choice(EMOJI) if category == "escort" and rnd.random() < 0.7 else "",
            "item_price": f"${poster['price'] + rnd.choice((0, 0, 10, -10))}",
        }
        body = self.vary(poster["sentences"], slots, drop_ok=False)
        title = " ".join(poster["title"].format_map(slots).split())
        return {
            "title": title,
            "body": body,
            "city": city,
            "loc": loc,
            "category": category,
            "truth": {
                "network": None,
                "template": tid,
                "phones": [phone],
                "emails": [],
                "handles": [],
                "images": [f"{rnd.getrandbits(64):016x}"] if rnd.random() < 0.5 else [],
                "category": category,
                "risky": poster["risky"],
                "minor_cue": False,
                "phone_styles": [style],
                "names": [poster["name"]] if category == "escort" else [],
            },
        }

    def new_poster(self) -> dict:
        rnd = self.rnd
        city = self.city()
        r = rnd.random()
        risky = False
        name = rnd.choice(NAMES)
        if r < 0.3:
            category = "escort"
            sentences = self.escort_sentences(False)
            title = "{e} {name} {age} - {loc} {e}"
            price = rnd.choice((150, 200, 250, 300, 400))
        elif r < 0.45:
            category = "massage"
            sentences = [
                f"{rnd.choice(SPA_LINES)} in {{loc}}",
                *own_wording(rnd, brand=_brand(rnd), phrases=2),
                f"{rnd.choice(SPA_SERVICES)}, {rnd.choice(SPA_SERVICES)} and "
                f"{rnd.choice(SPA_SERVICES)}",
                f"${rnd.choice((60, 70, 80, 90, 100))} per hour, {rnd.choice(TIMES)}",
                f"{rnd.choice(('clean quiet rooms', 'free parking', 'gift cards', 'licensed staff'))}",  # noqa: E501
                "call {phone}",
            ]
            title = f"{rnd.choice(SPA_LINES)} - {{loc}}"
            price = 80
        elif r < 0.7:
            category = "job"
            risky = rnd.random() < 0.12
            role = rnd.choice(JOB_ROLES)
            sentences = self.job_sentences(risky, role)
            title = f"Hiring {role} - {{loc}}"
            price = 0
        else:
            category = "other"
            if rnd.random() < 0.6:
                item = rnd.choice(OTHER_ITEMS)
                sentences = [
                    f"Selling my {rnd.choice(ADJ)} {item}, {rnd.choice(OTHER_COND)}",
                    *own_wording(rnd, brand=None, phrases=1),
                    "asking {item_price}",
                    f"{rnd.choice(('pick up in', 'can deliver around', 'meet in'))} {{loc}}",
                    *rnd.sample(ITEM_DETAILS, rnd.randint(2, 4)),
                    "text {phone}",
                ]
                title = f"{item} {rnd.choice(OTHER_COND)} {{item_price}}"
                price = rnd.randint(2, 60) * 10
            else:
                sentences = [
                    f"{rnd.choice(ROOM_LINES)} near {{loc}}",
                    *own_wording(rnd, brand=None, phrases=1),
                    f"{{item_price}} {rnd.choice(('a month', 'monthly', 'per month', 'rent'))}",
                    *rnd.sample(ROOM_DETAILS, rnd.randint(2, 4)),
                    rnd.choice(("call {phone}", "text {phone}", "serious inquiries {phone}")),
                ]
                title = f"{rnd.choice(ROOM_LINES)} {{loc}} {{item_price}}"
                price = rnd.randint(50, 180) * 10
        return {
            "category": category,
            "city": city,
            "phone": self.phones.new(CITIES[city][2], rnd),
            "sentences": sentences,
            "title": title,
            "name": name,
            "age": rnd.randint(21, 40),
            "eth": rnd.choice(ETHNICITIES),
            "price": price,
            "risky": risky,
            "template": None,
            "left": 0,
        }

    def run(self) -> Iterator[SyntheticAd]:
        rnd = self.rnd
        n_networks = max(2, round(self.n * self.share / 40)) if self.share > 0 else 0
        networks = sorted(
            (self.new_network(i) for i in range(n_networks)), key=lambda net: net.start
        )
        pending = 0
        active: list[_Network] = []
        ends: list[tuple[datetime, int]] = []
        span = timedelta(days=self.days)
        for i in range(self.n):
            t = self.start + span * ((i + rnd.random()) / self.n)
            while pending < len(networks) and networks[pending].start <= t:
                heapq.heappush(ends, (networks[pending].end, networks[pending].nid))
                active.append(networks[pending])
                pending += 1
            if ends and ends[0][0] < t:
                while ends and ends[0][0] < t:
                    heapq.heappop(ends)
                active = [net for net in active if net.end >= t]
            ad = None
            if active and rnd.random() < self.share:
                for _ in range(20):  # rejection sampling: busier networks post more
                    net = rnd.choice(active)
                    if rnd.random() < net.weight:
                        ad = self.network_ad(net, t)
                        break
            if ad is None:
                ad = self.benign_ad(t)
            source = SOURCES[0] if rnd.random() < 0.7 else SOURCES[1]
            ext = f"syn{self.seed}-{i:07d}"
            slug = _slug(ad["title"])
            if ad["truth"]["phones"] and rnd.random() < 0.08:
                slug = f"{ad['truth']['phones'][0][2:]}-{slug}"  # number hidden in the URL
            city_slug = _slug(CITIES[ad["city"]][0].split(",")[0])
            url = f"https://{SOURCE_HOSTS[source]}/{city_slug}/{ad['category']}/{slug}/{ext}"
            truth = ad["truth"]
            truth["city"] = CITIES[ad["city"]][0]
            yield SyntheticAd(
                external_id=ext,
                title=ad["title"],
                body=ad["body"],
                url=url,
                posted_at=t.replace(microsecond=0),
                location_text=ad["loc"],
                source=source,
                truth=truth,
            )


def generate_ads(
    n: int,
    *,
    seed: int = 0,
    start: datetime | None = None,
    days: int = 90,
    network_share: float = 0.3,
) -> Iterator[SyntheticAd]:
    """Yield `n` synthetic ads in posting order over `days` days from `start` (UTC).

    About `network_share` of them come from trafficking networks. The same arguments always
    yield the same ads. A run of n + k ads is not a run of n ads followed by k more (the number
    of networks grows with n); to hold ads back for incremental tests, take the tail of one run.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if not 0.0 <= network_share <= 1.0:
        raise ValueError("network_share must be within [0, 1]")
    if start is None:
        start = datetime(2026, 1, 1, tzinfo=UTC)
    elif start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    return _Generator(n, seed, start.astimezone(UTC), days, network_share).run()


def ads_to_jsonl(ads: Iterable[SyntheticAd], path: str | Path) -> int:
    """Write ads as JSON Lines with the ingest columns; returns how many were written."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as fh:
        for ad in ads:
            fh.write(json.dumps(ad.as_record(), ensure_ascii=False))
            fh.write("\n")
            count += 1
    return count


def ads_to_csv(ads: Iterable[SyntheticAd], path: str | Path) -> int:
    """Write ads as UTF-8 CSV with a header row of the ingest columns; returns the row count."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FILE_COLUMNS)
        writer.writeheader()
        for ad in ads:
            writer.writerow(ad.as_record())
            count += 1
    return count
