"""The linking stage against PostgreSQL: bulk ads/s, 1,000 incremental ads, network quality.

    .venv/bin/python bench/linking_db.py --n 100000

Steps, in one process against a fresh database (`bench_link` by default; dropped and created):
1. `demo.synthetic.generate_ads(n + incremental, seed=0)`: the first n ads are the base, the
   last `incremental` ads (the tail of the same run) arrive later;
2. the base is loaded with `ads.services.ads_ingest` (PIPELINE_ENQUEUE off) and put through the
   real extraction stage (entities are what identifier links read);
3. the real stage `analytics.stages.ads_link` links the base in batches of 500 (timed:
   ads/s); then the tail is ingested and extracted, and linked in batches of the pipeline's
   batch size (64) on top of that base (timed: the goal is under 10 s for 1,000 ads);
4. networks are scored against the generator's operators (the network, or the phone of an
   independent poster, whose reposts legitimately share a phone) with pairwise precision/recall.

Scoring and geocoding are not run (they do not change links; they only fill max risk and
cities). Wall and CPU seconds are printed; compare as ratios within one run (shared machine).
For the incremental step the time spent waiting on PostgreSQL is measured per statement (a
Django execute wrapper), so wall = database + Python can be read off, with the costliest
statements listed.

`--base-cache NAME` keeps a copy of the linked base in database NAME (built on the first run)
and later runs clone it (CREATE DATABASE ... TEMPLATE) instead of loading and linking the base
again: for timing the incremental step. The quality figures then mix the code that linked the
base with the code being measured; take them from a full run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def fresh_database(name: str, template: str | None = None) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


class QueryClock:
    """Django execute wrapper: seconds and calls per statement shape while `on`."""

    def __init__(self) -> None:
        self.on = False
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001, ANN204
        if not self.on:
            return execute(sql, params, many, context)
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = " ".join(sql.split())[:110]
            self.seconds[shape] = self.seconds.get(shape, 0.0) + time.perf_counter() - start
            self.calls[shape] = self.calls.get(shape, 0) + 1

    def report(self, batches: int) -> None:
        total = sum(self.seconds.values())
        calls = sum(self.calls.values())
        print(
            f"  database: {total:.2f} s in {calls:,} statements ({calls / batches:.1f} per batch)"
        )
        for shape, sec in sorted(self.seconds.items(), key=lambda kv: -kv[1])[:12]:
            print(f"    {sec:6.2f} s {self.calls[shape]:5d}x  {shape}")


def cpu() -> float:
    times = os.times()
    return times.user + times.system


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="base ads linked in bulk")
    parser.add_argument("--incremental", type=int, default=1000, help="ads linked afterwards")
    parser.add_argument("--batch", type=int, default=500, help="stage batch size (bulk)")
    parser.add_argument("--incremental-batch", type=int, default=64)
    parser.add_argument("--database", default="bench_link")
    parser.add_argument("--base-cache", default="", help="database keeping the linked base")
    parser.add_argument("--analyze", action="store_true", help="ANALYZE before the increment")
    args = parser.parse_args()
    cached = bool(args.base_cache) and database_exists(args.base_cache)

    workdir = Path(tempfile.mkdtemp(prefix="bench-link-"))
    os.environ.update(
        {
            "DATABASE_URL": fresh_database(args.database, args.base_cache if cached else None),
            "PIPELINE_ENQUEUE": "0",
            "EVIDENCE_ROOT": str(workdir / "evidence"),
            "VAR_DIR": str(workdir),
            "DJANGO_ENV": "development",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django.db import connection, transaction

    from ads.models import Ad, Source, SourceKind
    from ads.readers import records_from_payload
    from ads.services import ads_ingest
    from ads.stages import ads_extract_entities
    from analytics.linking import cluster_scores
    from analytics.models import AdNetwork, Link, Network
    from analytics.stages import VERSION, ads_link
    from demo.synthetic import generate_ads

    clock = QueryClock()
    connection.execute_wrappers.append(clock)
    call_command("migrate", verbosity=0)
    print(f"database {args.database}, linking version {VERSION}", flush=True)
    t = time.perf_counter()
    ads = list(generate_ads(args.n + args.incremental, seed=0))
    print(f"generated {len(ads):,} ads in {time.perf_counter() - t:.1f} s", flush=True)
    truth = {
        ad.external_id: ad.truth["network"]
        if ad.truth["network"] is not None
        else ("phone", ad.truth["phones"][0] if ad.truth["phones"] else ad.external_id)
        for ad in ads
    }
    source, _ = Source.objects.get_or_create(name="bench", defaults={"kind": SourceKind.FILE})

    def load(part: list) -> list[int]:
        first = Ad.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for lo in range(0, len(part), 5000):
            rows = [ad.as_record() for ad in part[lo : lo + 5000]]
            ads_ingest(source=source, rows=records_from_payload(rows))
        ids = list(Ad.objects.filter(pk__gt=first).order_by("pk").values_list("pk", flat=True))
        for lo in range(0, len(ids), 2000):
            with transaction.atomic():
                ads_extract_entities(list(Ad.objects.filter(pk__in=ids[lo : lo + 2000])))
        return ids

    def link(ids: list[int], batch: int, label: str) -> tuple[float, float]:
        clock.on = label == "incremental"
        wall, c0 = time.perf_counter(), cpu()
        for i, lo in enumerate(range(0, len(ids), batch)):
            ads_link(list(Ad.objects.filter(pk__in=ids[lo : lo + batch]).order_by("pk")))
            if label == "bulk" and i % 20 == 19:
                done = lo + batch
                rate = done / (time.perf_counter() - wall)
                print(f"  linked {done:,} ads, {rate:,.0f} ads/s", flush=True)
        clock.on = False
        return time.perf_counter() - wall, cpu() - c0

    if cached:
        print(f"base cloned from {args.base_cache} (not linked by this run)", flush=True)
    else:
        t = time.perf_counter()
        base_ids = load(ads[: args.n])
        print(f"loaded and extracted {len(base_ids):,} ads in {time.perf_counter() - t:.1f} s")
        wall, cpu_s = link(base_ids, args.batch, "bulk")
        print(
            f"bulk: {len(base_ids):,} ads linked in {wall:.1f} s wall "
            f"({len(base_ids) / wall:,.0f} ads/s), {cpu_s:.1f} s CPU in this process "
            "(PostgreSQL's own CPU not included)",
            flush=True,
        )
        if args.base_cache:
            connection.close()
            fresh_database(args.base_cache, args.database)
    if args.analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    tail_ids = load(ads[args.n :])
    wall, cpu_s = link(tail_ids, args.incremental_batch, "incremental")
    batches = -(-len(tail_ids) // args.incremental_batch)
    print(
        f"incremental: {len(tail_ids):,} new ads linked into the base in {wall:.2f} s wall "
        f"(batches of {args.incremental_batch}), {cpu_s:.1f} s CPU",
        flush=True,
    )
    clock.report(batches)

    ext = dict(Ad.objects.values_list("pk", "external_id"))
    member = dict(AdNetwork.objects.values_list("ad_id", "network_id"))
    order = sorted(ext)
    predicted = [member.get(pk, ("single", pk)) for pk in order]
    scores = cluster_scores(predicted, [truth[ext[pk]] for pk in order])
    live = Network.objects.filter(merged_into__isnull=True)
    sizes = sorted(live.values_list("size", flat=True), reverse=True)
    print(
        f"networks vs operators: precision {scores['precision']:.3f}, recall "
        f"{scores['recall']:.3f}, F1 {scores['f1']:.3f}, purity {scores['purity']:.3f}; "
        f"{scores['clusters']:,} networks holding {scores['clustered_ads']:,} ads"
    )
    print(
        f"live networks {len(sizes):,}, merged away {Network.objects.count() - len(sizes):,}, "
        f"largest {sizes[:5]}; links {Link.objects.count():,} "
        f"({', '.join(f'{k} {n:,}' for k, n in _kinds(Link))})"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"database size {cursor.fetchone()[0]}")
    return 0


def _kinds(link_model: type) -> list[tuple[str, int]]:
    from django.db.models import Count

    return list(link_model.objects.values("kind").annotate(n=Count("id")).values_list("kind", "n"))


if __name__ == "__main__":
    sys.exit(main())
