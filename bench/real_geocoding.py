"""Geocoding quality on real ads: placements outside the region the ad's context indicates, and
(with the development labels) the share placed within 30 km of the labelled city.

Usage:
    .venv/bin/python bench/real_geocoding.py DATA_DIR [--compare-root CHECKOUT] [--country CC]
        [--tune-misses] [--unlabelled N [--seed S]]

DATA_DIR is the shared real-data folder (dig-ads-classifier/, phone-number-matcher/). Each ad is
geocoded as the pipeline does it (`maps.geocoding.geocode_ad`): the CSV `location` column as the
location text, the URL, the ad's text as title/body, the phones `ads.extraction.extract` finds.
`--compare-root` runs `maps` and `ads` of another checkout (say the main branch) in a child
process to compare the old code on the same data in the same way; code without the context
arguments is called without them.

Region check (no labels needed): the region an ad's context indicates is the state (US) or
country of its URL's place and of its phones' area codes. An ad counts as "outside" when it is
placed at city precision in none of those regions, unless the ad itself names that other place:
its location field or text names the placed city and no other state/country of that name
exists, or names the placed state. Only counts are printed, never a string from the data.

Development labels (the rows of bench/labels/real_dev_*.jsonl that have a `place` field, matched
to their ad by file, row and SHA-256 of the text): the labelled city is resolved in the product's
own offline gazetteer (`label_point`), and "correct" means placed within 30 km of it; printed per
split (tune, test) as the share of labelled ads within 30 km (the issue's target), precision
(correct / placed) and the region check on the same ads; ads labelled with no place count as
false placements when placed at city precision. Speed is ads per CPU-second (process time).
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

WITHIN_KM = 30.0
FINE = ("city", "neighbourhood", "point")


@dataclass
class RealAd:
    """One real ad as the pipeline would see it (never printed)."""

    dataset: str
    location_text: str
    url: str
    body: str


def real_ads(data_dir: Path) -> Iterator[RealAd]:
    csv.field_size_limit(10**9)
    for name in ("training.csv", "testing.csv"):
        path = data_dir / "dig-ads-classifier" / name
        with path.open(encoding="utf-8", errors="replace", newline="") as fh:
            for row in csv.DictReader(fh):
                yield RealAd(
                    dataset=f"dig-ads-classifier/{name}",
                    location_text=row.get("location") or "",
                    url=row.get("url") or "",
                    body=row.get("extracted_text") or "",
                )
    with (data_dir / "phone-number-matcher" / "docs.json").open(encoding="utf-8") as fh:
        for doc in json.load(fh)["jsonlines"]:
            yield RealAd(
                dataset="phone-number-matcher/docs.json",
                location_text="",
                url=doc.get("url") or "",
                body=f"{doc.get('title') or ''}\n{doc.get('body') or ''}",
            )


class Runner:
    """geocode_ad of the imported checkout, called with the arguments that checkout knows."""

    def __init__(self, country: str | None) -> None:
        from ads.extraction import extract
        from maps.geocoding import geocode_ad
        from maps.geocoding.phones import default_gazetteer

        self.extract = extract
        self.geocode_ad = geocode_ad
        self.gazetteer = default_gazetteer()
        self.country = country
        params = inspect.signature(geocode_ad).parameters
        self.has_body = "body" in params
        self.has_hints = "hints" in inspect.signature(self.gazetteer.geocode).parameters

    def place(self, ad: RealAd) -> tuple[Any, list[str]]:
        phones = list(self.extract(f"{ad.url}\n{ad.body}", region="US").phones)
        kwargs: dict[str, Any] = {
            "location_text": ad.location_text,
            "url": ad.url,
            "phones": phones,
            "country": self.country,
            "geocoder": self.gazetteer,
        }
        if self.has_body:
            kwargs["body"] = ad.body
        return self.geocode_ad(**kwargs).posting, phones

    def indicated(self, ad: RealAd, phones: list[str]) -> tuple[set[tuple[str, str]], list]:
        """The regions the URL and the area codes indicate: (country, state) pairs (state "" outside
        the US) and the hints themselves (an area code's cities, the URL's city)."""
        hints = [h for p in phones if (h := self.gazetteer.phone_hint(p)) is not None]
        regions = {(h.country, h.admin1 if h.country == "US" else "") for h in hints}
        # A city slug names every big city of that name ("birmingham": England or Alabama)
        # unless the source's country says which.
        for city in self.gazetteer.url_cities(ad.url) if ad.url else ():
            if not self.country or city.country == self.country:
                regions.add((city.country, city.admin1 if city.country == "US" else ""))
        if ad.url:
            for h in self.gazetteer.url_hints(ad.url, self.country):
                regions.add((h.country, h.admin1 if h.country == "US" else ""))
        return regions, hints


def _inside(loc: Any, regions: set[tuple[str, str]], hints: list) -> bool:
    from maps.geocoding import haversine_km
    from maps.geocoding.choose import HINT_RADIUS_KM

    state = loc.admin1 if loc.country == "US" else ""
    if (loc.country, state) in regions or (loc.country, "") in regions:
        return True
    if loc.country == "PR" and ("US", "PR") in regions:
        return True
    # An area code's area crosses state lines (913 serves Kansas City on both sides).
    return any(
        haversine_km(loc.lat, loc.lng, lat, lng) <= HINT_RADIUS_KM
        for h in hints
        for lat, lng in h.points
    )


def _names_other_place(runner: Runner, ad: RealAd, loc: Any, regions: set, hints: list) -> bool:
    """The ad itself names the place it was put at, and no place of that name lies in the
    indicated region (so a placement outside is the ad's own word, not the geocoder's guess)."""
    from maps.geocoding.text import fold

    words = fold(f"{ad.location_text} {ad.body}").replace("'", "")
    state = runner.gazetteer.state(loc.admin1) if loc.country == "US" and loc.admin1 else None
    if state is not None and fold(state.name) in words:
        return True
    parts = loc.name.split(",")
    city = parts[1 if loc.precision == "neighbourhood" else 0].strip()
    if not city or fold(city) not in words:
        return False
    for other in runner.gazetteer.cities_named(city):
        probe = type(loc)(
            lat=other.lat,
            lng=other.lng,
            precision="city",
            name=other.name,
            source="",
            country=other.country,
            admin1=other.admin1,
        )
        if _inside(probe, regions, hints):
            return False
    return True


def place_all(runner: Runner, ads: list[RealAd]) -> tuple[list[SimpleNamespace], list, float]:
    """Geocode every ad; the placements as plain records, the phones found, and the CPU seconds
    taken (process time: the machine is shared, and wall time measured the neighbours). The
    first ad is placed once before the clock starts (it loads the extractor's word lists)."""
    placed: list[SimpleNamespace] = []
    phones_of: list[list[str]] = []
    if ads:
        runner.place(ads[0])
    t0 = time.process_time()
    for ad in ads:
        loc, phones = runner.place(ad)
        placed.append(
            SimpleNamespace(
                lat=loc.lat,
                lng=loc.lng,
                precision=loc.precision,
                name=loc.name,
                country=loc.country,
                admin1=loc.admin1,
                rule=getattr(loc, "rule", ""),
            )
        )
        phones_of.append(phones)
    return placed, phones_of, time.process_time() - t0


def region_check(
    judge: Runner, ads: list[RealAd], placed: list[SimpleNamespace], phones_of: list
) -> dict[str, Any]:
    per: dict[str, Counter[str]] = {}
    for ad, loc, phones in zip(ads, placed, phones_of, strict=True):
        c = per.setdefault(ad.dataset, Counter())
        c["ads"] += 1
        c[f"precision:{loc.precision}"] += 1
        if loc.precision not in FINE or loc.lat is None:
            continue
        regions, hints = judge.indicated(ad, phones)
        if not regions:
            continue
        c["placed_with_context"] += 1
        if _inside(loc, regions, hints):
            continue
        if _names_other_place(judge, ad, loc, regions, hints):
            c["outside_but_named_by_the_ad"] += 1
        else:
            c["outside"] += 1
    total: Counter[str] = Counter()
    for c in per.values():
        total.update(c)
    out: dict[str, Any] = {k: dict(sorted(v.items())) for k, v in per.items()}
    n = total["placed_with_context"]
    out["all"] = {
        "ads": total["ads"],
        "placed_at_city_precision_with_context": n,
        "outside": total["outside"],
        "outside_share": round(total["outside"] / n, 4) if n else None,
        "outside_but_named_by_the_ad": total["outside_but_named_by_the_ad"],
    }
    return out


@dataclass
class LabelledAd:
    """One development label (bench/labels/real_dev_*.jsonl) with the ad it keys (never printed)."""

    key: dict[str, Any]
    split: str
    place: dict[str, str] | None
    ad: RealAd


def labelled_ads(data_dir: Path) -> list[tuple[LabelledAd, RealAd]] | None:
    """Labels that carry a `place` field, matched to their ad by file, row and SHA-256 of the
    text (a row whose text changed is skipped and counted); None when no label file has one."""
    import hashlib

    rows: list[dict[str, Any]] = []
    for path in sorted((Path(__file__).resolve().parent / "labels").glob("real_dev_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if "place" in row:
                rows.append(row)
    if not rows:
        return None
    csv.field_size_limit(10**9)
    texts: dict[tuple[str, int], RealAd] = {}
    for name in {r["key"]["file"] for r in rows}:
        if not name.endswith(".csv"):
            continue
        with (data_dir / name).open(encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh)):
                texts[(name, i)] = RealAd(
                    dataset=name,
                    location_text=row.get("location") or "",
                    url=row.get("url") or "",
                    body=row.get("extracted_text") or "",
                )
    out: list[tuple[LabelledAd, RealAd]] = []
    for row in rows:
        key = row["key"]
        ad = texts.get((key["file"], key["row"]))
        if ad is None or hashlib.sha256(ad.body.encode("utf-8")).hexdigest() != key["sha256"]:
            print(f"label {key['file']} row {key['row']}: ad missing or changed", file=sys.stderr)
            continue
        out.append((LabelledAd(key, row.get("split", ""), row.get("place") or None, ad), ad))
    return out


def label_point(gazetteer: Any, place: dict[str, str]) -> Any:
    """The labelled city in the product's offline gazetteer: the cities of that name in the
    labelled country, in the labelled state when one matches (GeoNames codes Canadian provinces
    as numbers, so a state that matches none leaves the country's cities), most populous first."""
    country = (place.get("country") or "").upper()
    admin1 = (place.get("admin1") or "").upper()
    named = [c for c in gazetteer.cities_named(place.get("city") or "") if c.country == country]
    in_state = [c for c in named if c.admin1.upper() == admin1]
    return (in_state or named or [None])[0]


def label_check(
    judge: Runner, items: list[tuple[Any, RealAd]], placed: list[SimpleNamespace]
) -> dict[str, Any]:
    from maps.geocoding import haversine_km

    per: dict[str, Counter[str]] = {}
    for (item, _), loc in zip(items, placed, strict=True):
        c = per.setdefault(item.split, Counter())
        is_placed = loc.precision in FINE and loc.lat is not None
        place = item.place
        c["ads"] += 1
        c["placed"] += is_placed
        if not place:
            c["labelled_no_place"] += 1
            c["placed_but_labelled_no_place"] += is_placed
            continue
        c["labelled_with_place"] += 1
        target = label_point(judge.gazetteer, place)
        if target is None:
            c["label_city_not_in_gazetteer"] += 1
            continue
        c["scorable"] += 1
        if not is_placed:
            continue
        c["placed_and_scorable"] += 1
        if haversine_km(loc.lat, loc.lng, target.lat, target.lng) <= WITHIN_KM:
            c["within_30km"] += 1
    out: dict[str, Any] = {}
    for split, c in sorted(per.items()):
        scorable = c["scorable"]
        placements = c["placed_and_scorable"] + c["placed_but_labelled_no_place"]
        out[split] = {
            **dict(sorted(c.items())),
            "recall_within_30km": round(c["within_30km"] / scorable, 4) if scorable else None,
            "precision_within_30km": (
                round(c["within_30km"] / placements, 4) if placements else None
            ),
        }
    return out


def print_tune_misses(
    judge: Runner, items: list[tuple[Any, RealAd]], placed: list[SimpleNamespace]
) -> None:
    """One line per miss of the tune split only (never the test split): the ad's key, the label,
    the placement and its rule. The rule quotes the ad's words: read it, never copy it."""
    from maps.geocoding import haversine_km

    for (item, _), loc in zip(items, placed, strict=True):
        if item.split != "tune":
            continue
        is_placed = loc.precision in FINE and loc.lat is not None
        target = label_point(judge.gazetteer, item.place) if item.place else None
        if item.place and target is None:
            why = "label city not in the gazetteer"
        elif item.place and not is_placed:
            why = "unplaced"
        elif item.place and haversine_km(loc.lat, loc.lng, target.lat, target.lng) > WITHIN_KM:
            km = haversine_km(loc.lat, loc.lng, target.lat, target.lng)
            why = f"misplaced by {km:,.0f} km"
        elif not item.place and is_placed:
            why = "placed, labelled with no place"
        else:
            continue
        place = item.place or {}
        label = ", ".join(str(place.get(k) or "") for k in ("city", "admin1", "country")) or "-"
        print(
            f"[tune miss] {item.key['file']} row {item.key['row']}: {why}; label {label}; "
            f"placed {loc.precision} {loc.name!r}; rule: {loc.rule}"
        )


def print_unlabelled_sample(
    data_dir: Path, n: int, seed: int, placed: list[SimpleNamespace], ads: list[RealAd]
) -> None:
    """`n` unlabelled real ads, drawn with `seed`, with their placement and rule, to check by
    reading the ad (dataset and 0-based index among that file's rows)."""
    import random

    labelled = {(r.key["file"], r.key["row"]) for r, _ in labelled_ads(data_dir) or []}
    index: list[tuple[str, int]] = []
    seen: Counter[str] = Counter()
    for ad in ads:
        index.append((ad.dataset, seen[ad.dataset]))
        seen[ad.dataset] += 1
    pool = [i for i, key in enumerate(index) if key not in labelled]
    for i in sorted(random.Random(seed).sample(pool, min(n, len(pool)))):
        loc = placed[i]
        print(
            f"[unlabelled] {index[i][0]} row {index[i][1]}: placed {loc.precision} "
            f"{loc.name!r}; rule: {loc.rule}"
        )


def _dump(data_dir: Path, country: str | None) -> int:
    """Child mode for --compare-root: print the checkout's placements as JSON, nothing else."""
    runner = Runner(country)
    ads = list(real_ads(data_dir))
    placed, _, seconds = place_all(runner, ads)
    items = labelled_ads(data_dir) or []
    labelled, _, _ = place_all(runner, [ad for _, ad in items])
    print(
        json.dumps(
            {
                "real": [vars(p) for p in placed],
                "labels": [vars(p) for p in labelled],
                "seconds": seconds,
                "context_arguments": runner.has_body,
            }
        )
    )
    return 0


def _share(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.1f}%)" if d else f"{n}/0"


def _report(
    name: str, judge: Runner, data: dict[str, Any], ads, items, args: argparse.Namespace
) -> None:
    placed = [SimpleNamespace(**p) for p in data["real"]]
    phones = [list(judge.extract(f"{ad.url}\n{ad.body}", region="US").phones) for ad in ads]
    print(f"[{name}] context arguments: {data['context_arguments']}")
    region = region_check(judge, ads, placed, phones)
    print(f"[{name}] region check:", json.dumps(region))
    print(
        f"[{name}] speed: {len(ads) / data['seconds']:,.0f} ads per CPU-second "
        "(geocode_ad including phone extraction, one process)"
    )
    every = region["all"]
    summary = [
        f"outside the indicated region, all {every['ads']} real ads: "
        + _share(every["outside"], every["placed_at_city_precision_with_context"])
        + " of those placed at city precision with context (target <= 0.5%)"
    ]
    if items is None:
        print(f"[{name}] development labels: no label file with a place field")
    else:
        labelled = [SimpleNamespace(**p) for p in data["labels"]]
        per_split = label_check(judge, items, labelled)
        print(f"[{name}] development labels:", json.dumps(per_split))
        for split, c in per_split.items():
            subset = [i for i, (item, _) in enumerate(items) if item.split == split]
            sub_ads = [items[i][1] for i in subset]
            sub_placed = [labelled[i] for i in subset]
            sub_phones = [
                list(judge.extract(f"{ad.url}\n{ad.body}", region="US").phones) for ad in sub_ads
            ]
            out = region_check(judge, sub_ads, sub_placed, sub_phones)["all"]
            summary.append(
                f"{split}: within {WITHIN_KM:g} km of the labelled city "
                + _share(c["within_30km"], c["scorable"])
                + " of the ads labelled with a city the gazetteer holds (target >= 97%); "
                + "outside the indicated region "
                + _share(out["outside"], out["placed_at_city_precision_with_context"])
            )
    for line in summary:
        print(f"[{name}] {line}")
    if args.tune_misses and items is not None:
        print_tune_misses(judge, items, [SimpleNamespace(**p) for p in data["labels"]])
    if args.unlabelled:
        print_unlabelled_sample(args.data_dir, args.unlabelled, args.seed, placed, ads)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument(
        "--compare-root",
        type=Path,
        default=None,
        help="another checkout (e.g. the main branch) whose geocoder is measured too, same data",
    )
    parser.add_argument(
        "--tune-misses",
        action="store_true",
        help="print each miss of the tune split (key, label, placement, rule); never the test's",
    )
    parser.add_argument(
        "--unlabelled",
        type=int,
        default=0,
        metavar="N",
        help="print the placement and rule of N random unlabelled real ads, to check by reading",
    )
    parser.add_argument("--seed", type=int, default=16, help="seed of the --unlabelled draw")
    parser.add_argument("--root", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--dump", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--country",
        default=None,
        help="the source's default country to pass (these sets are multi-country: none)",
    )
    args = parser.parse_args()
    if not (args.data_dir / "dig-ads-classifier" / "training.csv").is_file():
        print(f"error: {args.data_dir} has no dig-ads-classifier/training.csv", file=sys.stderr)
        return 2
    here = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(here))  # bench.labels from this checkout
    if args.root is not None:
        sys.path.insert(0, str(args.root.resolve()))  # maps and ads of the checkout measured
    if args.dump:
        return _dump(args.data_dir, args.country)
    judge = Runner(args.country)
    ads = list(real_ads(args.data_dir))
    items = labelled_ads(args.data_dir)
    runs = [("this checkout", None)]
    if args.compare_root is not None:
        runs.insert(0, (f"compare {args.compare_root}", args.compare_root.resolve()))
    for name, root in runs:
        cmd = [sys.executable, str(Path(__file__).resolve()), str(args.data_dir), "--dump"]
        cmd += ["--root", str(root or here)]
        if args.country:
            cmd += ["--country", args.country]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        _report(name, judge, json.loads(out), ads, items, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
