"""Generate the synthetic seed corpus (demo/seed/seed.jsonl) deterministically.

Every ad is composed here from phrase lists written for this project; no real ad, phone number
or name is used. Phone numbers use the reserved 555-01xx range. Run:
    python demo/seed/generate.py            # rewrites seed.jsonl next to this file
    python demo/seed/generate.py --check    # exits 1 if the committed file differs
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "seed.jsonl"
SEED = 20240601

CITIES = [
    "Springfield",
    "Riverton",
    "Lakeside",
    "Fairview",
    "Georgetown",
    "Madison",
    "Oakdale",
    "Clinton",
    "Salem",
    "Franklin",
    "Ashland",
    "Milton",
]
NAMES = [
    "Mia",
    "Sofia",
    "Lena",
    "Kira",
    "Jade",
    "Nora",
    "Ruby",
    "Tessa",
    "Ava",
    "Luna",
    "Iris",
    "Dana",
    "Carla",
    "Vera",
]
ETHNIC = ["Asian", "Latina", "ebony", "Russian", "Brazilian", "exotic", "Thai", "European"]


def phone(rng: random.Random) -> str:
    return f"555-01{rng.randint(0, 99):02d}"


def obscured_phone(rng: random.Random) -> str:
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    digits = [rng.randint(0, 9) for _ in range(10)]
    style = rng.randint(0, 2)
    if style == 0:
        return "-".join(
            "".join(words[d].upper() if rng.random() < 0.5 else str(d) for d in digits[i : i + 3])
            for i in (0, 3, 6)
        ) + str(digits[9])
    if style == 1:
        return "*".join(str(d) for d in digits)
    return " ".join(f"[{d}]" for d in digits)


def pick(rng: random.Random, items: list[str], k: int = 1) -> list[str]:
    return rng.sample(items, k)


def escort_benign(rng: random.Random) -> dict:
    name, city = rng.choice(NAMES), rng.choice(CITIES)
    age = rng.randint(24, 45)
    parts = [
        f"{name}, independent companion in {city}.",
        rng.choice(
            [
                f"Mature and classy, {age} years young.",
                f"Professional lady, age {age}.",
                f"Experienced, relaxed and respectful, {age}.",
            ]
        ),
        rng.choice(
            [
                "Screening required for your safety and mine.",
                "I set my own schedule and rates.",
                "Upscale incall, generous gentlemen only.",
                "Dinner dates and conversation.",
                "References from established providers accepted.",
            ]
        ),
    ]
    if rng.random() < 0.4:
        parts.append(
            rng.choice(
                [
                    "New in town until Sunday.",
                    "Visiting this week only.",
                    f"On tour, in {city} for three days.",
                    "Just visiting, leaving soon.",
                ]
            )
        )
    if rng.random() < 0.3:
        parts.append(f"{rng.choice(ETHNIC).capitalize()} beauty.")
    parts.append(f"Text {phone(rng)}.")
    rng.shuffle(parts[1:-1])
    return {"text": " ".join(parts), "category": "escort", "risk": False, "minor": False}


CONTROL = [
    "my daddy handles all bookings",
    "talk to my manager first",
    "my driver brings me to you",
    "booking through my boyfriend only",
    "her boyfriend sets up the dates and collects",
    "the man who runs things will answer your text",
    "call the boss to pick a girl",
    "our manager takes care of payment",
    "my bf drives me, he waits outside",
]
YOUTH = [
    "new girl",
    "barely legal",
    "just turned 18",
    "young and fresh",
    "sweet innocent angel",
    "petite young thing",
    "first time doing this",
    "little princess 🍭",
    "fresh face 🍒",
    "teeny tiny and cute",
    "school girl look 🎀",
]
MINOR_STRONG = [
    "16 yo",
    "still in high school",
    "age: 15",
    "candy girl 🍬, very very young",
    "fresh out of school, younger than she looks",
    "she is not 18 yet but mature",
]
COERCE = [
    "does what she's told",
    "available 24/7",
    "will do anything you want",
    "no limits",
    "cannot say no",
    "all services, no rules",
]
TRUST = [
    "100% real pics",
    "no fakes",
    "real photos, no games",
    "safe and discreet place",
    "verified, trusted by many",
]
SERVICES = ["bareback ok", "no condom extra", "full service", "all positions", "GFE"]


def escort_risky(rng: random.Random) -> dict:
    name, city = rng.choice(NAMES), rng.choice(CITIES)
    minor = rng.random() < 0.4
    parts = [f"{rng.choice(['Hot', 'Sexy', 'Sweet', 'Cute'])} {name} in {city}."]
    cues = 0
    if minor:
        parts.append(rng.choice(MINOR_STRONG if rng.random() < 0.5 else YOUTH[:4]) + ".")
        cues += 1
    elif rng.random() < 0.6:
        parts.append(rng.choice(YOUTH[4:]) + ".")
        cues += 1
    if rng.random() < 0.7 or cues == 0:
        parts.append(rng.choice(CONTROL).capitalize() + ".")
    if rng.random() < 0.5:
        parts.append(rng.choice(COERCE).capitalize() + ".")
    if rng.random() < 0.5:
        parts.append(rng.choice(TRUST).capitalize() + ".")
    if rng.random() < 0.4:
        parts.append(rng.choice(SERVICES) + ".")
    if rng.random() < 0.5:
        parts.append(f"{rng.choice(ETHNIC).capitalize()} girls.")
    parts.append(f"Call {obscured_phone(rng) if rng.random() < 0.6 else phone(rng)}")
    return {"text": " ".join(parts), "category": "escort", "risk": True, "minor": minor}


def massage_benign(rng: random.Random) -> dict:
    city = rng.choice(CITIES)
    text = " ".join(
        [
            rng.choice(
                [
                    f"Licensed massage therapist in {city}.",
                    f"{city} Wellness Spa.",
                    f"Sports massage clinic, {city}.",
                    "Therapeutic bodywork studio.",
                ]
            ),
            rng.choice(
                [
                    "Deep tissue, Swedish and hot stone.",
                    "Prenatal and sports massage.",
                    "Reflexology and aromatherapy.",
                    "Trigger point and myofascial release.",
                ]
            ),
            rng.choice(
                [
                    "State license posted.",
                    "Insurance receipts available.",
                    "Appointments Monday to Saturday 9 to 6.",
                    "Gift cards for the holidays.",
                ]
            ),
            f"Book online or call {phone(rng)}.",
        ]
    )
    return {"text": text, "category": "massage", "risk": False, "minor": False}


def massage_risky(rng: random.Random) -> dict:
    minor = rng.random() < 0.2
    parts = [
        rng.choice(["Grand opening!", "New management!", "Best massage in town!"]),
        (rng.choice(YOUTH[:6]) if not minor else rng.choice(MINOR_STRONG)).capitalize()
        + f" {rng.choice(ETHNIC)} staff.",
        rng.choice(
            [
                "Open 24 hours, girls live on site.",
                "Table shower, all services.",
                "Boss picks the girl for you.",
                "New girls every week, they stay upstairs.",
                "Available 24/7, no appointment.",
            ]
        ),
    ]
    if rng.random() < 0.5:
        parts.append(rng.choice(TRUST).capitalize() + ".")
    parts.append(f"Call {obscured_phone(rng) if rng.random() < 0.5 else phone(rng)}")
    return {"text": " ".join(parts), "category": "massage", "risk": True, "minor": minor}


JOBS = [
    "line cook",
    "warehouse associate",
    "delivery driver",
    "cashier",
    "housekeeper",
    "farm worker",
    "hostess",
    "nanny",
    "dancer",
    "waitress",
    "caregiver",
    "painter",
]
ILO = [
    "no experience needed",
    "earn $2000 a week",
    "we pay your flight and visa",
    "travel fee deducted from your wages",
    "agency keeps your passport for safety",
    "must live on site, not allowed to leave",
    "paid at the end of the contract",
    "7 days a week, 14 hours a day",
    "no phones allowed at work",
    "remote farm location",
    "guaranteed visa, no English needed",
    "easy money for pretty girls abroad",
]


def job_benign(rng: random.Random) -> dict:
    job, city = rng.choice(JOBS), rng.choice(CITIES)
    parts = [
        f"Hiring {job} in {city}.",
        rng.choice(
            [
                "$16-19/hour plus tips.",
                "Full time, benefits after 90 days.",
                "Part time, flexible schedule.",
                "Weekly pay, direct deposit.",
            ]
        ),
        rng.choice(
            [
                "Apply in person Mon-Fri.",
                "Send your resume to the office.",
                "Interviews this Thursday.",
                "Background check required.",
            ]
        ),
    ]
    if rng.random() < 0.5:
        # One ILO-listed phrase is ordinary in honest job ads.
        parts.insert(1, rng.choice(ILO[:2] + ["7 days a week"]).capitalize() + ".")
    return {"text": " ".join(parts), "category": "job", "risk": False, "minor": False}


def job_risky(rng: random.Random) -> dict:
    job = rng.choice(JOBS)
    country = rng.choice(["abroad", "in Europe", "in the Gulf", "overseas", "in a big city"])
    cues = pick(rng, ILO, rng.randint(2, 4))
    minor = rng.random() < 0.15
    parts = [f"Work {country} as {job}!", *(c.capitalize() + "." for c in cues)]
    if minor:
        parts.append("Girls 15-17 welcome, parents' permission not needed.")
    if rng.random() < 0.4:
        parts.append("Contact our manager on WhatsApp.")
    return {"text": " ".join(parts), "category": "job", "risk": True, "minor": minor}


def other_benign(rng: random.Random) -> dict:
    city = rng.choice(CITIES)
    text = rng.choice(
        [
            f"2 bedroom apartment for rent in {city}, $1200/month, pets ok. Call {phone(rng)}.",
            f"Guitar lessons for beginners, all ages welcome, {city} music school.",
            f"Selling a used mountain bike, good condition, $250, pickup in {city}.",
            "Kittens for adoption, vaccinated, litter trained.",
            f"Teen driving lessons with a certified instructor in {city}.",
            "School girl costume for Halloween party, size M, worn once, $15.",
            "New girl scout troop forming, meetings at the library on Tuesdays.",
            f"Math tutor for high school students, {city}, $30 per hour.",
            "Moving sale: sofa, table, lamps. Everything must go this weekend.",
            f"Lost dog near {city} park, brown terrier, reward offered.",
            "Babysitter available evenings, CPR certified, references.",
            f"Yard work and snow removal, reliable, call {phone(rng)}.",
        ]
    )
    return {"text": text, "category": "other", "risk": False, "minor": False}


def spanish(rng: random.Random) -> dict:
    city = rng.choice(CITIES)
    if rng.random() < 0.5:
        return {
            "text": f"Se busca camarera en {city}, buen sueldo, horario flexible. "
            f"Llame al {phone(rng)}.",
            "category": "job",
            "risk": False,
            "minor": False,
        }
    return {
        "text": f"Jovencita recién llegada, {rng.choice(ETHNIC)}, mi manager atiende. "
        f"Llama {obscured_phone(rng)}",
        "category": "escort",
        "risk": True,
        "minor": rng.random() < 0.3,
    }


MAKERS = [
    (escort_benign, 110),
    (escort_risky, 110),
    (massage_benign, 60),
    (massage_risky, 60),
    (job_benign, 80),
    (job_risky, 70),
    (other_benign, 90),
    (spanish, 20),
]


def generate(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic text, not security
    rows: list[dict] = []
    for maker, count in MAKERS:
        made = 0
        seen: set[str] = set()
        while made < count:
            row = maker(rng)
            if row["text"] in seen:
                continue
            seen.add(row["text"])
            row["source"] = "seed"
            row["kind"] = maker.__name__
            rows.append(row)
            made += 1
    rng.shuffle(rows)
    return rows


def serialise(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare with the committed file")
    args = parser.parse_args()
    text = serialise(generate())
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("seed corpus up to date" if same else "seed corpus differs from generate.py")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {len(text.splitlines())} examples to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
