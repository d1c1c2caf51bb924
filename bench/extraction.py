"""Benchmark of ads.extraction: phone precision/recall on real gold data, throughput, adversarial.

Usage:
    .venv/bin/python bench/extraction.py /work/shared/data [--skip-adversarial]

Reads PATH/phone-number-matcher/{test.txt, test.txt.phm, docs.json} (see that folder's README).
Gold numbers are digits as written (10 or 11 for US); a found number matches a gold number when
the gold equals its national significant number or its country code + national number (a
leading "1" of an 11-digit US gold is stripped). Each line/ad is scored on sets of numbers.

For whole ads the region comes from the product's resolver (ads/extraction/region.py), as the
pipeline picks it: the URL's ccTLD or the place in its host (melbourne.backpage.com -> AU), else
the source's setting (US for this set). No gold value is ever used to pick it.

Prints figures only: no phone number or ad text from the data is printed unless --show-misses
is given (for local debugging; never paste that output anywhere).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ads.extraction import extract, resolve_region  # noqa: E402

PHM = "phone-number-matcher"


# --- gold comparison ---------------------------------------------------------------------------


def _gold_key(digits: str) -> str:
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def _found_keys(e164: str) -> set[str]:
    import phonenumbers

    number = phonenumbers.parse(e164, None)
    nsn = phonenumbers.national_significant_number(number)
    return {nsn, f"{number.country_code}{nsn}"}


def _score(pairs: Iterable[tuple[list[str], set[str]]]) -> dict[str, float | int]:
    """pairs of (found E.164 list, gold set) -> tp/fp/fn, precision, recall."""
    tp = fp = fn = 0
    for found, gold in pairs:
        gold_keys = {_gold_key(g) for g in gold}
        matched: set[str] = set()
        for e164 in dict.fromkeys(found):
            keys = _found_keys(e164)
            hit = keys & gold_keys
            if hit:
                matched |= hit
                tp += 1
            else:
                fp += 1
        fn += len(gold_keys - matched)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall}


def bench_strings(data: Path, show: bool) -> dict[str, float | int]:
    lines = (data / PHM / "test.txt").read_text(encoding="utf-8").splitlines()
    gold = (data / PHM / "test.txt.phm").read_text(encoding="utf-8").splitlines()
    pairs = []
    for i, line in enumerate(lines):
        found = extract(line, region="US").phones
        want = set(gold[i].split()) if i < len(gold) else set()
        pairs.append((found, want))
        if show and _score([(found, want)])["fp"] + _score([(found, want)])["fn"]:
            print(f"  line {i}: found={found} gold={sorted(want)}")
    return _score(pairs)


def bench_docs(data: Path, show: bool) -> dict[str, dict[str, float | int]]:
    docs = json.loads((data / PHM / "docs.json").read_text(encoding="utf-8"))["jsonlines"]
    text_pairs, url_pairs, all_pairs = [], [], []
    for i, doc in enumerate(docs):
        text = f"{doc.get('title', '')}\n{doc.get('body', '')}"
        region = resolve_region(url=doc.get("url", ""), text=text, source="US").region
        found_text = extract(text, region=region).phones
        found_url = extract(doc.get("url", ""), region=region).phones
        gold_text, gold_url = set(doc["text_ext_gt"]), set(doc["url_ext_gt"])
        text_pairs.append((found_text, gold_text))
        url_pairs.append((found_url, gold_url))
        all_pairs.append((found_text + found_url, gold_text | gold_url))
        if show:
            for kind, f, g in (("text", found_text, gold_text), ("url", found_url, gold_url)):
                s = _score([(f, g)])
                if s["fp"] or s["fn"]:
                    print(f"  doc {i} {kind} region={region}: found={f} gold={sorted(g)}")
    return {
        "title+body vs text_ext_gt": _score(text_pairs),
        "url vs url_ext_gt": _score(url_pairs),
        "combined": _score(all_pairs),
        "ads": {
            "with text": sum(1 for d in docs if d.get("title") or d.get("body")),
            "total": len(docs),
        },
    }


# --- real ads without gold --------------------------------------------------------------------


def bench_unlabelled(data: Path, sample: int) -> dict[str, float | int]:
    """dig-ads-classifier ads (no phone gold): coverage and throughput on real text.

    With `sample` > 0, prints that many found phones with 30 characters of context for a
    by-eye precision check (local only: the output holds real data).
    """
    import csv

    folder = data / "dig-ads-classifier"
    csv.field_size_limit(1 << 30)
    texts: list[str] = []
    for name in ("training.csv", "testing.csv"):
        path = folder / name
        if path.is_file():
            with path.open(encoding="utf-8", errors="replace", newline="") as stream:
                texts += [row.get("extracted_text") or "" for row in csv.DictReader(stream)]
    found: list[tuple[str, str]] = []
    with_phone = 0
    start = time.process_time()
    for text in texts:
        result = extract(text, region="US")
        spans = [s for s in result.spans if s.kind == "phone"]
        with_phone += bool(spans)
        found += [(s.value, text[max(0, s.start - 30) : s.end + 30]) for s in spans]
    cpu = time.process_time() - start
    if sample and found:
        for _, context in random.Random(3).sample(found, min(sample, len(found))):
            print("   ", repr(context.replace("\n", " ")))
    return {
        "ads": len(texts),
        "mean_chars": statistics.mean(len(t) for t in texts) if texts else 0,
        "ads_with_phone": with_phone,
        "phones": len(found),
        "ads_per_cpu_second": len(texts) / cpu if cpu else 0.0,
    }


# --- throughput --------------------------------------------------------------------------------

_WORDS = [
    "sweet",
    "new",
    "girl",
    "in",
    "town",
    "available",
    "now",
    "incall",
    "outcall",
    "discreet",
    "friendly",
    "clean",
    "safe",
    "upscale",
    "gentlemen",
    "only",
    "no",
    "rush",
    "real",
    "pics",
    "independent",
    "relaxing",
    "massage",
    "visiting",
    "this",
    "week",
    "call",
    "text",
    "me",
    "anytime",
    "special",
    "tonight",
]


def _synthetic_ad(rng: random.Random) -> str:
    """~400 characters of ad-like text; the mix of entities follows what ads usually hold:
    always a phone (plain or obfuscated), usually prices, often an age and emoji, sometimes an
    email, a handle or a URL. Every number is fictional (555 exchange)."""
    parts = [" ".join(rng.choices(_WORDS, k=rng.randrange(22, 30)))]
    area = rng.choice(["213", "646", "312", "702", "305"])
    line = rng.randrange(1000, 9999)
    style = rng.randrange(5)
    if style == 0:
        parts.append(f"call {area}-555-{line}")
    elif style == 1:
        parts.append(f"txt {area[0]} {area[1:]}*five5five*{line}")
    elif style == 2:
        parts.append(f"{area}.FIVE5five.{line}")
    elif style == 3:
        parts.append(f"[{area}] [555] [{line}]")
    else:
        parts.append(f"({area}) 555 {line}")
    if rng.random() < 0.8:
        parts.append(f"${rng.randrange(80, 400)} hh {rng.randrange(150, 600)}/hr")
    if rng.random() < 0.5:
        parts.append(f"I'm {rng.randrange(19, 40)} years old, 36-24-36, 5'{rng.randrange(0, 11)}")
    if rng.random() < 0.5:
        parts.append(rng.choice(["🌹🌹", "💋💋💋", "🍒", "🔥❤️🔥"]))
    parts.append(" ".join(rng.choices(_WORDS, k=rng.randrange(22, 32))))
    if rng.random() < 0.15:
        parts.append(f"email kandi{rng.randrange(99)} at gmail dot com")
    if rng.random() < 0.15:
        parts.append(f"IG: kandi_{rng.randrange(99)}")
    if rng.random() < 0.1:
        parts.append(f"www.example{rng.randrange(99)}.com")
    return " ".join(parts)


def bench_throughput(n: int = 4000) -> dict[str, float]:
    rng = random.Random(7)
    ads = [_synthetic_ad(rng) for _ in range(n)]
    for ad in ads[:200]:
        extract(ad)  # warm caches and regex compilation outside the timing
    wall = time.perf_counter()
    cpu = time.process_time()
    for ad in ads:
        extract(ad)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    return {
        "ads": n,
        "mean_chars": statistics.mean(len(a) for a in ads),
        "cpu_seconds": cpu,
        "wall_seconds": wall,
        "ads_per_cpu_second": n / cpu,
        "ads_per_wall_second": n / wall,
    }


# --- adversarial -------------------------------------------------------------------------------


def adversarial_inputs() -> dict[str, str]:
    """Pathological strings for every regular expression in the package."""
    mb = 1_000_000
    rng = random.Random(11)
    return {
        "a*100000": "a" * 100_000,
        "digits*100000": "7" * 100_000,
        "digit-space runs (1 MB)": "1 " * (mb // 2),
        "random digits and separators (1 MB)": "".join(
            rng.choice("0123456789-.* ~/|") for _ in range(mb)
        ),
        "separators only (1 MB)": "-.*~/| " * (mb // 7),
        "nested brackets (100k)": "[" * 50_000 + "5" + "]" * 50_000,
        "nested parens with digits": "((((((((((2" * 10_000,
        "number words glued (200k)": "fourfoureight" * 15_000,
        "to/for/oh glued": "tototooforfor" * 20_000,
        "email-like local part": "a." * 100_000 + "@",
        "email spelled out": "a at b dot " * 30_000,
        "at-at-at": "@" * 100_000,
        "url-like dots": "a." * 200_000,
        "url with long path": "http://x.com/" + "a" * 1_000_000,
        "handles": "ig: " * 50_000,
        "prices": "$1 " * 100_000,
        "ages": "im 2 " * 60_000,
        "names": "ask for " * 60_000,
        "ethnicity": "no black men " * 30_000,
        "NUL bytes": "\x00" * 100_000 + "212 555 1234" + "\x00" * 100_000,
        "RTL overrides": ("\u202e2\u202d1\u202c" * 50_000),
        "zero-width in digits": "2\u200b" * 200_000,
        "emoji storm": "🌹💦🍒" * 100_000,
        "keycaps": "5\ufe0f\u20e3" * 100_000,
        "mixed unicode (250k code points)": "".join(
            chr(rng.randrange(32, 0x2FFFF)) for _ in range(mb // 4)
        ),
        "realistic ad x 2500 (1 MB)": _synthetic_ad(random.Random(1)) * 2500,
    }


def bench_adversarial() -> list[tuple[str, int, float]]:
    rows = []
    for name, text in adversarial_inputs().items():
        start = time.process_time()
        extract(text)
        rows.append((name, len(text), time.process_time() - start))
    return rows


def bench_linearity() -> list[tuple[str, float]]:
    """Time ratio for 4x the input: linear code stays near 4, quadratic near 16."""
    makers: dict[str, Callable[[int], str]] = {
        "digit-space runs": lambda n: "1 " * n,
        "letters": lambda n: "a" * n,
        "number words": lambda n: "fourfoureight" * (n // 13),
        "email-like": lambda n: "a." * n,
        "separators": lambda n: "-*" * n,
    }
    out = []
    for name, make in makers.items():
        small, big = make(50_000), make(200_000)
        t0 = time.process_time()
        extract(small)
        t1 = time.process_time()
        extract(big)
        t2 = time.process_time()
        out.append((name, (t2 - t1) / max(t1 - t0, 1e-9)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="path to the shared data folder")
    parser.add_argument("--skip-adversarial", action="store_true")
    parser.add_argument("--show-misses", action="store_true", help="local debugging only")
    parser.add_argument(
        "--spot-check",
        type=int,
        default=0,
        metavar="N",
        help="print N found phones from the unlabelled ads with context (local only)",
    )
    args = parser.parse_args(argv)
    if not (args.data / PHM / "test.txt").is_file():
        print(f"error: {args.data / PHM} not found (pass the shared data folder)", file=sys.stderr)
        return 2

    print("== phone extraction: 47 obfuscated strings (region US)")
    s = bench_strings(args.data, args.show_misses)
    print(
        f"  tp={s['tp']} fp={s['fp']} fn={s['fn']} "
        f"precision={s['precision']:.3f} recall={s['recall']:.3f}"
    )
    print("== phone extraction: whole ads (docs.json)")
    docs = bench_docs(args.data, args.show_misses)
    for name, r in docs.items():
        if name == "ads":
            print(f"  ads with text: {r['with text']} of {r['total']}")
            continue
        print(
            f"  {name}: tp={r['tp']} fp={r['fp']} fn={r['fn']} "
            f"precision={r['precision']:.3f} recall={r['recall']:.3f}"
        )
    print("== real ads without phone gold (dig-ads-classifier, region US)")
    u = bench_unlabelled(args.data, args.spot_check)
    print(
        f"  {u['ads']} ads, mean {u['mean_chars']:.0f} chars: {u['ads_with_phone']} with a "
        f"phone, {u['phones']} phone mentions; {u['ads_per_cpu_second']:.0f} ads per CPU-second"
    )
    print("== throughput (synthetic ~400-char ads, one core)")
    t = bench_throughput()
    print(
        f"  {t['ads']} ads, mean {t['mean_chars']:.0f} chars: "
        f"{t['ads_per_cpu_second']:.0f} ads per CPU-second ({t['cpu_seconds']:.2f} s CPU), "
        f"{t['ads_per_wall_second']:.0f} ads per wall-second; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    if not args.skip_adversarial:
        print("== adversarial inputs through extract() (CPU time per input)")
        rows = bench_adversarial()
        for name, size, seconds in sorted(rows, key=lambda r: -r[2]):
            print(f"  {seconds * 1000:9.1f} ms  {size:>9} chars  {name}")
        print("== linearity (time for 4x input / time for 1x; ~4 is linear)")
        for name, ratio in bench_linearity():
            print(f"  {ratio:5.1f}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
