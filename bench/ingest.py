"""Ingestion throughput (ads/s, evidence included) into PostgreSQL and SQLite, and peak memory.

    .venv/bin/python bench/ingest.py --n 100000 --big 1000000

Each run is `manage.py ingest FILE` in a fresh subprocess against a fresh database, with
PIPELINE_ENQUEUE=0 so that only ingestion (parse, validate, hash, store raw bytes, ads, revisions)
is timed. Peak memory is the child's max RSS; `cpu_s` is the child's own CPU time (user + system),
which the machine's load barely changes, unlike the wall time: PostgreSQL's share of the work runs
in its server process and is not in it. Compare figures as ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def make_file(n: int, path: Path) -> None:
    from demo.synthetic import ads_to_jsonl, generate_ads

    ads_to_jsonl(generate_ads(n, seed=1), path)


def fresh_pg(name: str, *, create: bool = True) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def run(database_url: str, file: Path, workdir: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PIPELINE_ENQUEUE": "0",
        "EVIDENCE_ROOT": str(workdir / "evidence"),
        "VAR_DIR": str(workdir),
        # DEBUG off, as in production: in DEBUG, Django keeps the last 9,000 queries in memory.
        "DJANGO_ENV": "test",
        "LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    out = subprocess.run(
        [*manage, "ingest", str(file), "--source", "bench", "--json", "--no-progress"],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kb, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu_before
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "seconds": round(elapsed, 2),
        "new": summary["new"],
        "ads_per_s": round(summary["new"] / elapsed),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(max(peak_kb, before) / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=0, help="rows for the peak-memory run (0: skip)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--db", default="bench_ingest", help="name prefix of the PostgreSQL databases (dropped)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        file = work / f"ads-{args.n}.jsonl"
        make_file(args.n, file)
        print(f"file: {args.n} ads, {file.stat().st_size / 1e6:.1f} MB")
        pg = run(fresh_pg(args.db), file, work / "pg")
        print(f"PostgreSQL: {json.dumps(pg)}")
        if not args.skip_sqlite:
            lite = run(f"sqlite:///{work / 'bench.sqlite3'}", file, work / "sqlite")
            print(f"SQLite:     {json.dumps(lite)}")
        if args.big:
            big = work / f"ads-{args.big}.jsonl"
            make_file(args.big, big)
            print(f"big file: {args.big} ads, {big.stat().st_size / 1e6:.1f} MB")
            res = run(fresh_pg(f"{args.db}_big"), big, work / "big")
            print(f"PostgreSQL {args.big}: {json.dumps(res)}  (peak RSS: max over all runs so far)")
            fresh_pg(f"{args.db}_big", create=False)
        fresh_pg(args.db, create=False)


if __name__ == "__main__":
    main()
