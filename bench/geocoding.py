"""Benchmark the offline geocoder: load cost, memory, and geocodes per second cold and warm.

Usage:
    .venv/bin/python bench/geocoding.py [--n 100000] [--seed 7]
        [--data /work/shared/data]   # optional: also measure on the real ads' locations/URLs

The synthetic strings imitate how ads write places (nicknames, "City, ST", neighbourhoods,
emoji, noise words, gibberish). With --data, the real ads' location fields and URLs are geocoded
and only counts are printed: never a string from the data.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import random
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

# --root (used by --compare-root) measures another checkout's geocoder with this same script.
_ROOT = next(
    (Path(a.split("=", 1)[1]) for a in sys.argv if a.startswith("--root=")),
    Path(__file__).resolve().parents[1],
)
sys.path.insert(0, str(_ROOT))

import psutil  # noqa: E402

from maps.geocoding import CachedGeocoder, GazetteerGeocoder, haversine_km  # noqa: E402
from maps.geocoding.tables import CITY_ALIASES, NEIGHBOURHOODS, REGION_ALIASES, US_STATES  # noqa: E402

NOISE = ["incall", "outcall", "available now", "visiting", "new in town", "text me", "upscale"]
EMOJI = ["💋", "🔥", "🌹", "👅", "🎰", "✨"]


def synthetic_locations(gazetteer: GazetteerGeocoder, n: int, seed: int) -> list[str]:
    """Build n ad-like location strings; about a third repeat, as real ads' fields do."""
    rng = random.Random(seed)
    us_cities = [
        c for s in US_STATES for c in gazetteer.cities_in_state(s.code) if c.population >= 50_000
    ]
    aliases = list(CITY_ALIASES)
    hoods = list(NEIGHBOURHOODS)
    regions = list(REGION_ALIASES)
    out: list[str] = []
    for _ in range(n):
        r = rng.random()
        city = rng.choice(us_cities)
        if r < 0.30:
            text = f"{city.name}, {city.admin1}"
        elif r < 0.45:
            text = city.name
        elif r < 0.58:
            text = rng.choice(aliases).upper() if rng.random() < 0.5 else rng.choice(aliases)
        elif r < 0.66:
            text = f"{city.name} - {rng.choice(hoods).title()}"
        elif r < 0.72:
            text = rng.choice(regions)
        elif r < 0.80:
            text = f"somewhere in {rng.choice(US_STATES).name}"
        elif r < 0.88:
            text = f"{rng.choice(NOISE)} {city.name} {rng.choice(EMOJI)}{rng.choice(EMOJI)}"
        elif r < 0.94:
            text = f"{city.name} / {rng.choice(us_cities).name}"
        else:
            text = "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(4, 12)))
        # Mostly unique strings: a random suffix on half of them defeats the cache when cold.
        if rng.random() < 0.65:
            text += f" #{rng.randint(0, 10_000_000)}"
        out.append(text)
    return out


def measure_load() -> tuple[GazetteerGeocoder, dict[str, float]]:
    """Load twice: once timed alone, once under tracemalloc (which slows it) for memory."""
    gc.collect()
    rss_before = psutil.Process().memory_info().rss
    t0 = time.perf_counter()
    GazetteerGeocoder()
    load_s = time.perf_counter() - t0
    gc.collect()
    tracemalloc.start()
    gazetteer = GazetteerGeocoder()
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = psutil.Process().memory_info().rss
    return gazetteer, {
        "load_seconds": round(load_s, 2),
        "retained_mib_tracemalloc": round(current / 2**20, 1),
        "peak_mib_during_load": round(peak / 2**20, 1),
        "rss_growth_mib_after_two_loads": round((rss_after - rss_before) / 2**20, 1),
        "name_index_entries": gazetteer.memory_rows(),
    }


def rate(geocode: object, texts: list[str]) -> tuple[float, Counter[str]]:
    precisions: Counter[str] = Counter()
    t0 = time.perf_counter()
    for text in texts:
        precisions[geocode(text).precision] += 1  # type: ignore[operator]
    elapsed = time.perf_counter() - t0
    return len(texts) / elapsed, precisions


def real_data(gazetteer: GazetteerGeocoder, data_dir: Path) -> dict[str, object]:
    """Counts only: precision of the real location fields, and agreement with the URL's city."""
    csv.field_size_limit(10**9)
    rows: list[dict[str, str]] = []
    for name in ("training.csv", "testing.csv"):
        path = data_dir / "dig-ads-classifier" / name
        with path.open(encoding="utf-8", errors="replace", newline="") as fh:
            rows.extend(r for r in csv.DictReader(fh) if "location" in r)
    precisions: Counter[str] = Counter()
    both = agree = agree_joint = 0
    for row in rows:
        text_loc = gazetteer.geocode(row.get("location") or "", country="US")
        precisions[text_loc.precision] += 1
        url_loc = gazetteer.geocode("", country="US", url=row.get("url") or "")
        if (
            text_loc.lat is not None
            and text_loc.lng is not None
            and url_loc.lat is not None
            and url_loc.lng is not None
            and url_loc.source == "url"
            and url_loc.precision in ("city", "neighbourhood")
            and text_loc.precision in ("city", "neighbourhood")
        ):
            both += 1
            d = haversine_km(text_loc.lat, text_loc.lng, url_loc.lat, url_loc.lng)
            agree += d <= 100
            # The same text with its URL, as geocode_ad passes them.
            joint = gazetteer.geocode(row.get("location") or "", country="US", url=row["url"])
            if joint.lat is not None and joint.lng is not None:
                agree_joint += haversine_km(joint.lat, joint.lng, url_loc.lat, url_loc.lng) <= 100
    with (data_dir / "phone-number-matcher" / "docs.json").open(encoding="utf-8") as fh:
        docs = json.load(fh)["jsonlines"]
    urls = [d.get("url") or "" for d in docs]
    url_found = Counter(
        gazetteer.geocode("", url=u).precision
        for u in urls
        if u and gazetteer.geocode("", url=u).source == "url"
    )
    return {
        "location_fields": len(rows),
        "location_precision": dict(precisions.most_common()),
        "text_and_url_both_city": both,
        "text_city_within_100km_of_url_city": agree,
        "text_with_url_within_100km_of_url_city": agree_joint,
        "docs_urls": len(docs),
        "docs_urls_nonempty": sum(1 for u in urls if u),
        "docs_urls_placed_by_url": dict(url_found),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=None, help="the shared real-data folder")
    parser.add_argument(
        "--compare-root",
        type=Path,
        default=None,
        help="another checkout (e.g. the main branch): its speed is measured first, same strings",
    )
    parser.add_argument("--root", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare_root is not None:
        print(f"== {args.compare_root.resolve()}")
        cmd = [sys.executable, str(Path(__file__).resolve()), f"--root={args.compare_root}"]
        cmd += ["--n", str(args.n), "--seed", str(args.seed)]
        subprocess.run(cmd, check=True)
        print(f"== {_ROOT}")
    if args.data is not None and not (args.data / "dig-ads-classifier" / "training.csv").is_file():
        print(f"error: {args.data} has no dig-ads-classifier/training.csv", file=sys.stderr)
        return 2

    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    gazetteer, load = measure_load()
    print("load:", json.dumps(load))

    texts = synthetic_locations(gazetteer, args.n, args.seed)
    print(f"strings: {len(texts):,} ({len(set(texts)):,} distinct)")

    raw_rate, precisions = rate(gazetteer.geocode, texts)
    print(f"uncached: {raw_rate:,.0f} geocodes/s")
    cached = CachedGeocoder(gazetteer, maxsize=200_000)
    cold_rate, _ = rate(cached.geocode, texts)
    print(f"cached, cold: {cold_rate:,.0f} geocodes/s (hits {cached.hits:,})")
    warm_rate, _ = rate(cached.geocode, texts)
    print(f"cached, warm: {warm_rate:,.0f} geocodes/s (warm/cold {warm_rate / cold_rate:.1f}x)")
    print("precision mix:", json.dumps(dict(precisions.most_common())))

    if args.data is not None:
        print("real data:", json.dumps(real_data(gazetteer, args.data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
