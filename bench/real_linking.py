"""Linking on real ads: do text links join one poster, or strangers who paste the same phrases?

    .venv/bin/python bench/real_linking.py ../shared/data [--baseline] [--list-networks N]

Links every ad of dig-ads-classifier (training.csv + testing.csv) and phone-number-matcher's
docs.json, in that order, with the in-memory `Linker` (phones, e-mails and handles from the
product's extractor `ads.extraction.extract`, the dig `location` column as the region that
corroborates a text link), and prints:

- text-link pair precision against same-phone labels, among pairs whose two ads both carry a
  phone: two ads are one poster when their phones connect them, transitively (an ad with two
  phones joins them; toll-free numbers, the sites' own lines, do not). Measured on the direct
  text links, and on every pair of ads in one near-duplicate cluster (text links only);
- recall of the same-phone pairs reached by text links alone (text clusters);
- networks (all link kinds): how many, how many ads, size distribution; links per kind;
- with --list-networks N: each network of N ads or more as ad keys (file, row), counts of
  phones and link kinds, and its confidence (analytics.linking.network_confidence), for the hand
  check in docs/linking-handcheck.md. Keys only: no ad text
  or identifier is printed.

The main run links with the boilerplate guard and then calls `recheck_text_links()` once, as a
deployment would after a bulk load. --baseline also runs, in the same process, the guard off
(the linker before issue 17) and the guard without the recheck.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
csv.field_size_limit(10**8)


def ads_of(data: Path) -> list[tuple[str, int, str, str]]:
    """(file, row, text, region) of every real ad, in a fixed order."""
    rows = []
    for name in ("training.csv", "testing.csv"):
        with (data / "dig-ads-classifier" / name).open(newline="", encoding="utf-8") as handle:
            for i, row in enumerate(csv.DictReader(handle)):
                region = (row.get("location") or "").strip().lower()
                rows.append((f"dig-ads-classifier/{name}", i, row["extracted_text"], region))
    docs = json.loads((data / "phone-number-matcher" / "docs.json").read_text(encoding="utf-8"))
    for i, doc in enumerate(docs["jsonlines"]):
        text = f"{doc.get('url', '')}\n{doc.get('title', '')}\n{doc.get('body', '')}"
        rows.append(("phone-number-matcher/docs.json", i, text, ""))
    return rows


def _pairs(groups: list[list[int]]) -> set[tuple[int, int]]:
    out: set[tuple[int, int]] = set()
    for group in groups:
        out.update(combinations(sorted(group), 2))
    return out


def run(rows: list, extracted: list, *, rarity: bool, recheck: bool, list_min: int) -> None:
    """Link the ads with or without the boilerplate guard and print the figures."""
    from analytics.linking import Linker, UnionFind, is_toll_free, network_confidence

    linker = Linker(rarity=rarity)
    for i, ((_, _, text, region), ext) in enumerate(zip(rows, extracted, strict=True)):
        ids = {"phone": ext.phones, "email": ext.emails, "handle": ext.handles, "url": ext.urls}
        if region:
            ids["region"] = [region]
        linker.add(str(i), text, ids)
    rechecked = linker.recheck_text_links() if recheck else 0
    n = len(rows)
    # Same poster: phones connect ads, transitively (not a site's toll-free line).
    uf = UnionFind(n)
    first: dict[str, int] = {}
    own = [[p for p in ext.phones if not is_toll_free(p)] for ext in extracted]
    for i, phones in enumerate(own):
        for phone in phones:
            if phone in first:
                uf.union(first[phone], i)
            else:
                first[phone] = i
    has_phone = [bool(phones) for phones in own]
    same = [uf.find(i) for i in range(n)]
    links = list(linker.links())
    text_links = [(int(link.a), int(link.b)) for link in links if link.kind == "text"]
    direct = [(a, b) for a, b in text_links if has_phone[a] and has_phone[b]]
    direct_ok = sum(same[a] == same[b] for a, b in direct)
    clusters = [[int(x) for x in c] for c in linker.text_clusters()]
    cluster_pairs = [(a, b) for a, b in _pairs(clusters) if has_phone[a] and has_phone[b]]
    cluster_ok = sum(same[a] == same[b] for a, b in cluster_pairs)
    by_poster: dict[int, list[int]] = {}
    for i in range(n):
        if has_phone[i]:
            by_poster.setdefault(same[i], []).append(i)
    truth = _pairs([g for g in by_poster.values() if len(g) > 1])
    reached = len(truth & set(cluster_pairs))
    label = (
        "boilerplate guard OFF (baseline)"
        if not rarity
        else "boilerplate guard ON, text links rechecked once at the end"
        if recheck
        else "boilerplate guard ON, incremental only"
    )
    print(f"\n## {label}")
    print(f"- ads: {n}, of them with a phone: {sum(has_phone)}")
    print(
        f"- text links between two ads with phones: {len(direct)}, same poster "
        f"{direct_ok} -> precision {direct_ok / len(direct) if direct else float('nan'):.3f}"
    )
    print(
        f"- pairs in one text cluster, both with phones: {len(cluster_pairs)}, same poster "
        f"{cluster_ok} -> precision "
        f"{cluster_ok / len(cluster_pairs) if cluster_pairs else float('nan'):.3f}"
    )
    print(
        f"- same-phone pairs: {len(truth)}, reached by text links alone {reached} -> recall "
        f"{reached / len(truth) if truth else float('nan'):.3f}"
    )
    print(
        f"- candidate text links refused as boilerplate: {linker.rejected_boilerplate}; "
        f"dropped by the recheck: {rechecked}"
    )
    nets = linker.networks(min_size=2)
    sizes = Counter(len(c) for c in nets)
    buckets = {"2": 0, "3-4": 0, "5-9": 0, "10-19": 0, "20+": 0}
    for size, count in sizes.items():
        key = (
            "2"
            if size == 2
            else "3-4"
            if size <= 4
            else "5-9"
            if size <= 9
            else "10-19"
            if size <= 19
            else "20+"
        )
        buckets[key] += count
    print(
        f"- networks: {len(nets)} holding {sum(len(c) for c in nets)} ads; largest "
        f"{len(nets[0]) if nets else 0}; by size {buckets}"
    )
    kinds = Counter(link.kind for link in links)
    print(f"- links per kind: {dict(sorted(kinds.items()))}")
    print(f"- text clusters: {len(clusters)} holding {sum(len(c) for c in clusters)} ads")
    if list_min:
        kind_of: dict[int, Counter] = {}
        links_of: dict[int, list] = {}
        net_of = {int(x): k for k, c in enumerate(nets) for x in c}
        for link in links:
            kind_of.setdefault(net_of[int(link.a)], Counter())[link.kind] += 1
            links_of.setdefault(net_of[int(link.a)], []).append(
                (int(link.a), int(link.b), link.kind, link.key, link.similarity)
            )
        print(f"\n### Networks of {list_min} ads or more (keys only)")
        for k, members in enumerate(nets):
            if len(members) < list_min:
                break
            idx = sorted(int(x) for x in members)
            phones = {p for i in idx for p in own[i]}
            posters = {same[i] for i in idx if has_phone[i]}
            keys = ", ".join(f"{rows[i][0].split('/')[-1]}:{rows[i][1]}" for i in idx)
            conf = network_confidence(idx, links_of.get(k, []))
            print(
                f"- network {k}: {len(idx)} ads, {len(phones)} phones, {len(posters)} phone "
                f"groups, links {dict(kind_of.get(k, {}))}, confidence {conf['level']} "
                f"{conf['value']:.2f}: {keys}"
            )
        confs = Counter(
            network_confidence([int(x) for x in members], links_of.get(k, []))["level"]
            for k, members in enumerate(nets)
        )
        print(f"- confidence of all {len(nets)} networks: {dict(sorted(confs.items()))}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--baseline", action="store_true", help="also run without the guard")
    parser.add_argument("--list-networks", type=int, default=0, metavar="N")
    args = parser.parse_args()
    if not (args.data / "dig-ads-classifier").is_dir():
        print(
            f"usage: bench/real_linking.py DATA_DIR (the shared data folder, with "
            f"dig-ads-classifier/ and phone-number-matcher/); {args.data} has none",
            file=sys.stderr,
        )
        return 2
    import django

    django.setup()
    from ads.extraction import extract

    rows = ads_of(args.data)
    extracted = [extract(text) for _, _, text, _ in rows]
    digest = hashlib.sha256("".join(r[2] for r in rows).encode("utf-8")).hexdigest()[:12]
    print("# Linking on real ads")
    print(f"- command: `{' '.join([Path(sys.executable).name, *sys.argv])}`")
    print(f"- {len(rows)} ads (sha256 of all texts {digest})")
    if args.baseline:
        run(rows, extracted, rarity=False, recheck=False, list_min=args.list_networks)
        run(rows, extracted, rarity=True, recheck=False, list_min=args.list_networks)
    run(rows, extracted, rarity=True, recheck=True, list_min=args.list_networks)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
