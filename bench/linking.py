"""Benchmark: link synthetic ads into networks, then link new ads incrementally, and score them.

    .venv/bin/python bench/linking.py --n 1000000 --processes 2

Steps: (1) a sweep of LSH settings (bands, rows, threshold) on a smaller run, scored against the
generator's known templates; (2) bulk linking of --n ads streamed from the generator, with
MinHash signatures computed in --processes worker processes; (3) --incremental further ads from
the same run added one by one with `Linker.add` into that base; (4) pairwise precision/recall
and purity of the near-duplicate clusters against templates, and of the networks against the
operators (the network, or the poster's phone for an independent poster); (5) memory peak.

Identifiers are the generator's truth (phones, e-mails, handles, image hashes), i.e. perfect
extraction: this measures linking, not extraction. Every --common-every-th ad also carries one
shared hotline number, to exercise the common-key guard.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from array import array
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.linking import Linker, cluster_scores, text_signatures  # noqa: E402
from demo.synthetic import SyntheticAd, generate_ads  # noqa: E402

# Not toll-free: toll-free numbers never link (a site's line), so the guard would not be seen.
HOTLINE = "+13125550100"
SWEEP = [(64, 2), (32, 4), (21, 6), (16, 8)]
THRESHOLDS = [0.45, 0.5, 0.55, 0.6]


def identifiers(ad: SyntheticAd, i: int, common_every: int) -> dict[str, list[str]]:
    """The ad's true identifiers, plus the shared hotline on every common_every-th ad."""
    t = ad.truth
    phones = list(t["phones"])
    if common_every and i % common_every == 0:
        phones.append(HOTLINE)
    return {"phone": phones, "email": t["emails"], "handle": t["handles"], "image": t["images"]}


def cpu_seconds() -> tuple[float, float]:
    """User+system CPU seconds of this process and of its finished children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def text_of(ad: SyntheticAd) -> str:
    """What is hashed: title and body."""
    return f"{ad.title}\n{ad.body}"


def fmt(scores: dict) -> str:
    """One line of scores."""
    return (
        f"P={scores['precision']:.3f} R={scores['recall']:.3f} F1={scores['f1']:.3f} "
        f"purity={scores['purity']:.3f} clusters={scores['clusters']} "
        f"clustered_ads={scores['clustered_ads']}"
    )


def sweep(n: int, seed: int) -> None:
    """Score each LSH setting on the same n ads (text links only)."""
    ads = list(generate_ads(n, seed=seed))
    truth = [ad.truth["template"] for ad in ads]
    sigs = text_signatures([text_of(ad) for ad in ads])
    print(f"\n## Sweep: {n} ads, text links only, scored against templates")
    print("| bands x rows | threshold | precision | recall | F1 | purity | seconds |")
    print("|---|---|---|---|---|---|---|")
    for bands, rows in SWEEP:
        for threshold in THRESHOLDS:
            linker = Linker(bands=bands, rows=rows, threshold=threshold)
            t0 = time.perf_counter()
            for ad, sig in zip(ads, sigs, strict=True):
                linker.add_signed(ad.external_id, sig)
            dt = time.perf_counter() - t0
            s = cluster_scores(linker.text_labels(), truth)
            print(
                f"| {bands} x {rows} | {threshold} | {s['precision']:.3f} | {s['recall']:.3f} "
                f"| {s['f1']:.3f} | {s['purity']:.3f} | {dt:.1f} |",
                flush=True,
            )


def main() -> int:
    """Run the benchmark; prints Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="ads linked in bulk")
    parser.add_argument("--incremental", type=int, default=1000, help="ads added one by one")
    parser.add_argument("--processes", type=int, default=2, help="signature workers")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sweep-n", type=int, default=30_000, help="0 skips the sweep")
    parser.add_argument("--common-every", type=int, default=100)
    parser.add_argument(
        "--no-guard", action="store_true", help="boilerplate guard off (the linker before #17)"
    )
    args = parser.parse_args()

    print("# Linking benchmark")
    print(f"- command: `{' '.join([Path(sys.executable).name, *sys.argv])}`")
    print(
        f"- machine: {platform.platform()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}"
    )
    if args.sweep_n:
        sweep(args.sweep_n, args.seed + 1)

    total = args.n + args.incremental
    templates = array("q")
    operators: list[object] = []
    stream = generate_ads(total, seed=args.seed)
    gen_time = 0.0

    def items(limit: int) -> Iterator[tuple[str, str, dict[str, list[str]]]]:
        nonlocal gen_time
        for i in range(limit):
            t0 = time.perf_counter()
            ad = next(stream)
            gen_time += time.perf_counter() - t0
            t = ad.truth
            templates.append(-1 if t["template"] is None else t["template"])
            operators.append(t["network"] if t["network"] is not None else t["phones"][0])
            yield ad.external_id, text_of(ad), identifiers(ad, i, args.common_every)

    linker = Linker(rarity=not args.no_guard)
    print(f"\n## Bulk: {args.n} ads, {args.processes} signature processes")
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    linker.add_many(items(args.n), processes=args.processes)
    bulk = time.perf_counter() - t0
    cpu = cpu_seconds()
    print(
        f"- linked {len(linker)} ads in {bulk:.1f} s wall ({len(linker) / bulk:,.0f} ads/s); "
        f"of which generating the ads {gen_time:.1f} s"
    )
    print(
        f"- CPU: {cpu[0] - cpu0[0]:.1f} s in the linking process (generation included), "
        f"{cpu[1] - cpu0[1]:.1f} s in the signature workers; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"- links on record: {linker.link_count():,}")

    inc_links = 0
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    for ad_id, text, ids in items(args.incremental):
        inc_links += len(linker.add(ad_id, text, ids))
    inc = time.perf_counter() - t0
    inc_cpu = cpu_seconds()[0] - cpu0[0]
    print(f"\n## Incremental: {args.incremental} new ads added one by one into the base")
    print(
        f"- {inc:.2f} s in all ({1000 * inc / max(args.incremental, 1):.2f} ms per ad, "
        f"generation included; {inc_cpu:.2f} s CPU), {inc_links} links made"
    )

    truth_templates = [None if t < 0 else t for t in templates]
    text = cluster_scores(linker.text_labels(), truth_templates)
    nets = cluster_scores(linker.network_labels(), operators)
    print("\n## Quality")
    print(f"- near-duplicate clusters vs templates: {fmt(text)}")
    print(f"- networks vs operators: {fmt(nets)}")
    biggest = linker.networks(min_size=2)[:1]
    print(f"- largest network: {len(biggest[0]) if biggest else 0} ads")
    print(f"- common keys set aside: {linker.common_keys()}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"\n## Memory\n- peak RSS: {peak:,.0f} MiB (linking process), "
        f"{child:,.0f} MiB (largest signature worker)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
