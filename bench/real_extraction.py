"""Extraction quality on real ads: per-class precision and recall against hand labels.

    .venv/bin/python bench/real_extraction.py DATA_DIR [--show-misses]
        [--rounds N] [--compare-with DIR]

DATA_DIR is the shared data folder (dig-ads-classifier/ and phone-number-matcher/). Prints:
- per class (phones, emails, ages, handles, payments, names) precision and recall on the
  development labels bench/labels/real_dev_*.jsonl (ids, sha256 of values and labels only), for
  the "tune" split, the "test" split and both;
- for ages also the share of ads stating an age where at least one stated age is found;
- phone recall and precision on phone-number-matcher's gold: docs.json text_ext_gt (title+body)
  and test.txt/test.txt.phm;
- speed: real ads per CPU-second (time.process_time) over every ad of both sets, the best of
  --rounds passes; with --compare-with DIR, the same for the ads.extraction package of another
  checkout DIR (e.g. `git worktree add /tmp/before <commit>`), the two run alternately in
  subprocesses so that both see the same machine load.
Values are compared as SHA-256 of the stored form (phones E.164, emails lowercase, handles and
payments "platform:value", names lowercase), the label files' convention. Figures only: no ad
text or value is printed, except with --show-misses (local debugging; never paste that output).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# --package-root=DIR (internal, used by --compare-with): import ads.extraction from DIR.
_PACKAGE_ROOT = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--package-root=")), "")
sys.path.insert(0, _PACKAGE_ROOT or str(ROOT))
csv.field_size_limit(10**8)

from ads.extraction import extract, resolve_region  # noqa: E402

CLASSES = ("phones", "emails", "ages", "handles", "payments", "names")
PHM = "phone-number-matcher"
DIG = "dig-ads-classifier"


def _h(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def load_ads(data: Path) -> dict[tuple[str, int], tuple[str, str, str]]:
    """(file, row) -> (hashed text, text to extract, url), hashed text as bench/real_scoring.py."""
    ads: dict[tuple[str, int], tuple[str, str, str]] = {}
    for name in ("training.csv", "testing.csv"):
        with (data / DIG / name).open(newline="", encoding="utf-8") as handle:
            for i, row in enumerate(csv.DictReader(handle)):
                text = row["extracted_text"]
                ads[(f"{DIG}/{name}", i)] = (text, text, row.get("url") or "")
    docs = json.loads((data / PHM / "docs.json").read_text(encoding="utf-8"))["jsonlines"]
    for i, doc in enumerate(docs):
        url, title, body = doc.get("url", ""), doc.get("title", ""), doc.get("body", "")
        ads[(f"{PHM}/docs.json", i)] = (f"{url}\n{title}\n{body}", f"{title}\n{body}", url)
    return ads


def found_values(text: str, url: str) -> dict[str, set[str]]:
    """Hashed values per class as the product extracts them (region as the pipeline picks)."""
    choice = resolve_region(url=url, text=text, source="US")
    ext = extract(text, region=choice.region, fallback_region=choice.fallback)
    return {
        "phones": {_h(v) for v in ext.phones},
        "emails": {_h(v) for v in ext.emails},
        "ages": {str(a) for a in ext.ages},
        "handles": {_h(v) for v in ext.handles},
        "payments": {_h(v) for v in ext.payments},
        "names": {_h(v.lower()) for v in ext.names},
    }


def _pr(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    return f"P {p:.3f}  R {r:.3f}  (tp {tp}, fp {fp}, fn {fn})"


def score_labels(
    ads: dict[tuple[str, int], tuple[str, str, str]],
    labels: list[dict],
    show: bool,
    splits: tuple[str, ...] = ("tune", "test", "all"),
    title: str = "",
) -> int:
    for split in splits:
        rows = [r for r in labels if split == "all" or r["split"] == split]
        counts = {c: [0, 0, 0] for c in CLASSES}
        stated = stated_found = 0
        for r in rows:
            key = (r["key"]["file"], r["key"]["row"])
            hashed, text, url = ads[key]
            if _h(hashed) != r["key"]["sha256"]:
                print(f"label key {key} does not match the ad text", file=sys.stderr)
                return 1
            got = found_values(text, url)
            for c in CLASSES:
                want = {str(a) for a in r[c]} if c == "ages" else set(r[c])
                tp, fp, fn = len(got[c] & want), len(got[c] - want), len(want - got[c])
                counts[c][0] += tp
                counts[c][1] += fp
                counts[c][2] += fn
                if show and split == "tune" and (fp or fn):
                    print(f"    miss {key} {c}: fp {fp} fn {fn}")
            if r["ages"]:
                stated += 1
                stated_found += bool(got["ages"] & {str(a) for a in r["ages"]})
        files = sorted({r["key"]["file"] for r in rows})
        print(f"\n[{title}{split}] labelled ads {len(rows)} ({', '.join(files)})")
        for c in CLASSES:
            print(f"  {c:9} {_pr(*counts[c])}")
        share = stated_found / stated if stated else float("nan")
        print(f"  ages: ads stating an age {stated}, a stated age found in {share:.3f}")
    return 0


def gold_phones(data: Path) -> None:
    import phonenumbers

    def keys(e164: str) -> set[str]:
        n = phonenumbers.parse(e164, None)
        nsn = phonenumbers.national_significant_number(n)
        return {nsn, f"{n.country_code}{nsn}"}

    def gold_key(d: str) -> str:
        return d[1:] if len(d) == 11 and d.startswith("1") else d

    def score(pairs: list[tuple[list[str], set[str]]]) -> str:
        tp = fp = fn = 0
        for found, gold in pairs:
            gold_k = {gold_key(g) for g in gold}
            matched: set[str] = set()
            for e164 in dict.fromkeys(found):
                hit = keys(e164) & gold_k
                tp, fp = tp + bool(hit), fp + (not hit)
                matched |= hit
            fn += len(gold_k - matched)
        return _pr(tp, fp, fn)

    docs = json.loads((data / PHM / "docs.json").read_text(encoding="utf-8"))["jsonlines"]
    pairs = []
    for doc in docs:
        text = f"{doc.get('title', '')}\n{doc.get('body', '')}"
        choice = resolve_region(url=doc.get("url", ""), text=text, source="US")
        found = extract(text, region=choice.region, fallback_region=choice.fallback).phones
        pairs.append((found, set(doc["text_ext_gt"])))
    print(f"\nphones, docs.json title+body vs text_ext_gt ({len(docs)} ads): {score(pairs)}")
    source_only = [
        (extract(f"{d.get('title', '')}\n{d.get('body', '')}", region="US").phones, gold)
        for d, (_, gold) in zip(docs, pairs, strict=True)
    ]
    print(f"  the same with the source's country only (US, the old rule): {score(source_only)}")
    lines = (data / PHM / "test.txt").read_text(encoding="utf-8").splitlines()
    gold = (data / PHM / "test.txt.phm").read_text(encoding="utf-8").splitlines()
    pairs = [
        (extract(line, region="US").phones, set(gold[i].split()) if i < len(gold) else set())
        for i, line in enumerate(lines)
    ]
    print(f"phones, test.txt vs test.txt.phm ({len(lines)} lines): {score(pairs)}")


def _extract_all(items: list[tuple[str, str, str]]) -> None:
    for _, text, url in items:
        choice = resolve_region(url=url, text=text, source="US")
        # A checkout from before RegionChoice.fallback reads in one region only.
        fallback = getattr(choice, "fallback", None)
        if fallback is None:
            extract(text, region=choice.region)
        else:
            extract(text, region=choice.region, fallback_region=fallback)


def speed_rates(ads: dict[tuple[str, int], tuple[str, str, str]], rounds: int) -> list[float]:
    """Ads per CPU-second of each pass over every ad, lazy lists loaded first."""
    import ads.extraction as package

    if hasattr(package, "warm_up"):
        package.warm_up()
    else:  # an older checkout: the lists it had
        from ads.extraction.region import _places
        from ads.extraction.words import common_words, is_stop_word

        common_words(True), common_words(False), is_stop_word("a"), _places()
    items = list(ads.values())
    _extract_all(items[:20])
    rates = []
    for _ in range(rounds):
        start = time.process_time()
        _extract_all(items)
        rates.append(len(items) / (time.process_time() - start))
    return rates


def speed(
    data: Path,
    ads: dict[tuple[str, int], tuple[str, str, str]],
    rounds: int,
    compare_with: Path | None,
) -> None:
    chars = sum(len(t) for _, t, _ in ads.values()) / len(ads)
    head = f"\nspeed: {len(ads)} real ads (mean {chars:.0f} chars), ads per CPU-second"
    if compare_with is None:
        rates = speed_rates(ads, rounds)
        print(f"{head}: best {max(rates):.0f} of {', '.join(f'{r:.0f}' for r in rates)}")
        return
    import subprocess

    runs: dict[str, list[float]] = {"this checkout": [], str(compare_with): []}
    for _ in range(rounds):
        for label, root in (("this checkout", ROOT), (str(compare_with), compare_with)):
            out = subprocess.run(
                [sys.executable, __file__, str(data), "--speed-only", f"--package-root={root}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            runs[label] += [float(x) for x in out.split()]
    print(f"{head}, best of {rounds} alternating runs:")
    for label, rates in runs.items():
        print(f"  {label}: best {max(rates):.0f} ({', '.join(f'{r:.0f}' for r in rates)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument(
        "--show-misses", action="store_true", help="list tune-split misses (local debugging only)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="passes of the speed run")
    parser.add_argument("--compare-with", type=Path, help="another checkout to time alongside")
    parser.add_argument("--speed-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--package-root", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not (args.data / DIG).is_dir() or not (args.data / PHM).is_dir():
        print(
            f"{args.data}: not the shared data folder (needs {DIG}/ and {PHM}/); it was not found",
            file=sys.stderr,
        )
        return 2
    ads = load_ads(args.data)
    if args.speed_only:
        print(" ".join(f"{r:.1f}" for r in speed_rates(ads, 1)))
        return 0
    labels, by_file = [], {}
    for path in sorted((ROOT / "bench" / "labels").glob("real_dev_*.jsonl")):
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        rows = [r for r in rows if all(c in r for c in CLASSES)]
        by_file[path.name] = rows
        labels += rows
    if labels and score_labels(ads, labels, args.show_misses):
        return 1
    for name, rows in by_file.items():
        if rows and score_labels(ads, rows, False, ("tune", "test"), f"{name} "):
            return 1
    gold_phones(args.data)
    speed(args.data, ads, args.rounds, args.compare_with)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
