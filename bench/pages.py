"""Benchmark the desk's two busiest pages: the queue and the ad detail, at a million ads.

Usage:
    .venv/bin/python bench/pages.py [--ads 1000000] [--db bench_pages] [--reuse]
        [--requests 60] [--detail-ads 100] [--host 127.0.0.1] [--port 5432] [--user postgres]

Creates (or with --reuse, keeps) a separate PostgreSQL database, migrates it, bulk-loads synthetic
ads from demo/synthetic.py with COPY (ads, revisions and evidence rows, scores, locations, networks,
phone entities, embeddings for the newest ads), builds queue items with set-based SQL equivalent to
the queue stage, then renders pages through Django's test client as an investigator of unit A (who
sees 3 of the 4 sources) and prints p50/p95 render times and the queue query's EXPLAIN ANALYZE.

Timings include the whole request: middleware, access checks, the audit write, the template.
Evidence files are not written (no page reads them); see docs/bench-pages.md for what is loaded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import psycopg  # noqa: E402

EMBEDDED_NEWEST = 20_000
DIM = 384
SOURCES = [("bench-a1", "a"), ("bench-a2", "a"), ("bench-b", "b"), ("bench-shared", None)]


def _dsn(args: argparse.Namespace, db: str) -> str:
    return f"host={args.host} port={args.port} user={args.user} dbname={db}"


def _setup_django(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = f"postgres://{args.user}@{args.host}:{args.port}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DJANGO_ENV"] = "test"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["PIPELINE_ENQUEUE"] = "false"
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def _ensure_database(args: argparse.Namespace) -> bool:
    """Create the bench database if needed; True when it already held ads."""
    with psycopg.connect(_dsn(args, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db]).fetchone()
        if exists and not args.reuse:
            conn.execute(f'DROP DATABASE "{args.db}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{args.db}"')
            return False
    with psycopg.connect(_dsn(args, args.db)) as conn:
        try:
            return bool(conn.execute("SELECT count(*) FROM ads_ad").fetchone()[0])
        except psycopg.errors.UndefinedTable:
            return False


def _columns(conn: psycopg.Connection, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


class Copier:
    """One COPY per table on its own connection, with foreign-key triggers off while loading."""

    def __init__(self, dsn: str, table: str, defaults: dict[str, Any]) -> None:
        self.conn = psycopg.connect(dsn)
        self.conn.execute("SET session_replication_role = replica")
        self.table = table
        self.columns = _columns(self.conn, table)
        self.defaults = defaults
        self.cursor = self.conn.cursor()
        cols = ", ".join(f'"{c}"' for c in self.columns)
        self._copy = self.cursor.copy(f"COPY {table} ({cols}) FROM STDIN")
        self.copy = self._copy.__enter__()
        self.count = 0

    def write(self, **values: Any) -> None:
        row = {**self.defaults, **values}
        if not self.count:
            missing = [c for c in self.columns if c not in row]
            if missing:
                raise SystemExit(f"bench/pages.py does not fill columns {missing} of {self.table}")
        self.copy.write_row([row[c] for c in self.columns])
        self.count += 1

    def close(self) -> None:
        self._copy.__exit__(None, None, None)
        self.conn.commit()
        self.conn.close()


def _load(args: argparse.Namespace) -> dict[str, float]:
    from django.core.management import call_command

    from accounts.models import Role, Unit, User
    from ads.models import Source
    from demo.synthetic import generate_ads

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate_s"] = time.perf_counter() - t0
    unit_a = Unit.objects.create(name="Bench unit A", code="a")
    unit_b = Unit.objects.create(name="Bench unit B", code="b")
    units = {"a": unit_a, "b": unit_b, None: None}
    sources = [Source.objects.create(name=name, unit=units[u]) for name, u in SOURCES]
    User.objects.create_user(
        username="bench-inv",
        password="bench-password-long-1",  # noqa: S106 - a throwaway bench user
        role=Role.INVESTIGATOR,
        unit=unit_a,
    )
    dsn = _dsn(args, args.db)
    with psycopg.connect(dsn, autocommit=True) as conn:
        # Rebuilt after the load: maintaining a GIN index row by row is the slow way to build one.
        conn.execute("DROP INDEX IF EXISTS cases_ad_fulltext_gin")

    now = datetime.now(UTC)
    start = now - timedelta(days=90)
    json_empty, json_list = "{}", "[]"
    ad_c = Copier(
        dsn,
        "ads_ad",
        {
            "language": "",
            "revision_count": 1,
            "extracted": json_empty,
            "pipeline_stage": "done",
            "pipeline_status": "pending",
            "pipeline_attempts": 0,
            "pipeline_error": "",
            "source_facts": json_empty,
        },
    )
    ev_c = Copier(dsn, "ads_evidence", {"content_type": "application/json", "offset": 0})
    rev_c = Copier(dsn, "ads_adrevision", {"number": 1, "source_facts": json_empty})
    score_c = Copier(
        dsn,
        "analytics_adscore",
        {
            "scorable": True,
            "not_scorable_reason": "",
            "category_probabilities": json_empty,
            "counter_indicators": json_list,
            "notes": json_list,
            "truncated": False,
            "low_confidence": False,
            "network_boost": 0.0,
            "model_version": "bench-v1",
            "revision": 1,
        },
    )
    loc_c = Copier(
        dsn,
        "maps_adlocation",
        {
            "lat": None,
            "lng": None,
            "precision": "city",
            "source": "gazetteer",
            "country": "US",
            "admin1": "",
            "confidence": 0.8,
            "note": "",
            "phone_locations": json_list,
            "travel_cues": json_list,
            "geocoder_version": "bench",
            "rule": "",
        },
    )
    member_c = Copier(dsn, "analytics_adnetwork", {})
    occ_c = Copier(dsn, "ads_entityoccurrence", {"revision": 1, "start": 0, "end": 0})
    emb_c = Copier(dsn, "analytics_adembedding", {"encoder": "bench-random"})

    rng = random.Random(7)
    nprng = np.random.default_rng(7)
    phones: dict[str, int] = {}
    networks: dict[int, dict[str, Any]] = {}
    templates: dict[Any, np.ndarray] = {}
    t0 = time.perf_counter()
    for ad_id, synthetic in enumerate(
        generate_ads(args.ads, seed=11, start=start, days=90), start=1
    ):
        truth = synthetic.truth
        source = sources[ad_id % len(sources)]
        raw = json.dumps(synthetic.as_record(), sort_keys=True).encode()
        sha = hashlib.sha256(raw + str(ad_id).encode()).hexdigest()
        posted = synthetic.posted_at
        ad_c.write(
            id=ad_id,
            source_id=source.pk,
            external_id=synthetic.external_id,
            url=synthetic.url,
            title=synthetic.title,
            body=synthetic.body,
            posted_at=posted,
            captured_at=posted,
            last_seen_at=posted,
            location_text=synthetic.location_text,
            content_hash=sha,
            pipeline_updated_at=posted,
            created_at=posted,
            updated_at=posted,
        )
        ev_c.write(
            id=ad_id,
            sha256=sha,
            size=len(raw),
            path=f"{sha[:2]}/{sha[2:4]}/{sha}",
            created_at=posted,
        )
        rev_c.write(
            id=ad_id,
            ad_id=ad_id,
            title=synthetic.title,
            body=synthetic.body,
            url=synthetic.url,
            posted_at=posted,
            location_text=synthetic.location_text,
            content_hash=sha,
            evidence_id=ad_id,
            captured_at=posted,
        )
        risky, minor_cue = truth["risky"], truth["minor_cue"]
        # Calibrated-looking scores: risky ads mostly high, others mostly low with false positives.
        risk = min(0.99, max(0.01, rng.betavariate(6, 2) if risky else rng.betavariate(1.2, 6)))
        minor = min(0.99, max(0.01, rng.betavariate(5, 3) if minor_cue else rng.betavariate(1, 12)))
        codes = sorted(
            {
                c
                for c, on in (
                    ("new_in_town", risky and rng.random() < 0.6),
                    ("youth_cue", minor_cue),
                    ("incall_only", rng.random() < 0.3),
                    ("cash_only", rng.random() < 0.2),
                    ("third_party", risky and rng.random() < 0.3),
                )
                if on
            }
        )
        indicators = [
            {
                "code": c,
                "label": c.replace("_", " "),
                "span": None,
                "weight": 1.0,
                "provenance": "bench",
            }
            for c in codes
        ]
        flagged, possible_minor = risk >= 0.5, minor >= 0.5
        score_c.write(
            ad_id=ad_id,
            risk=risk,
            minor=minor,
            flagged=flagged,
            possible_minor=possible_minor,
            category=truth["category"],
            indicators=json.dumps(indicators),
            indicator_codes=json.dumps(codes),
            reason=f"Bench reason: {', '.join(codes) or 'model score only'}.",
            scored_at=posted,
        )
        loc_c.write(
            ad_id=ad_id,
            name=truth["city"],
            geocoded_at=posted,
            posted_at=posted,
            source_id_copy=source.pk,
            risk=risk,
            minor=minor,
            # The map row copies the score's own flags (maps migration 0006).
            flagged=flagged,
            possible_minor=possible_minor,
            category=truth["category"],
            indicator_codes=json.dumps(codes),
        )
        for phone in truth["phones"]:
            entity_id = phones.setdefault(phone, len(phones) + 1)
            occ_c.write(id=occ_c.count + 1, entity_id=entity_id, ad_id=ad_id)
        if truth["network"] is not None:
            net_id = truth["network"] + 1
            info = networks.setdefault(
                net_id,
                {"size": 0, "first": posted, "last": posted, "cities": set(), "max_risk": 0.0},
            )
            info["size"] += 1
            info["last"] = max(info["last"], posted)
            info["first"] = min(info["first"], posted)
            info["cities"].add(truth["city"])
            info["max_risk"] = max(info["max_risk"], risk)
            member_c.write(ad_id=ad_id, network_id=net_id, joined_at=posted)
        if ad_id > args.ads - EMBEDDED_NEWEST:
            key = truth["template"] if truth["template"] is not None else ("solo", ad_id)
            base = templates.setdefault(key, nprng.standard_normal(DIM).astype(np.float32))
            vec = base + 0.3 * nprng.standard_normal(DIM).astype(np.float32)
            emb_c.write(
                ad_id=ad_id, vector=(vec / np.linalg.norm(vec)).astype(np.float32).tobytes()
            )
        if ad_id % 100_000 == 0:
            print(f"  generated {ad_id:,} ads ({time.perf_counter() - t0:.0f} s)", flush=True)
    for copier in (ad_c, ev_c, rev_c, score_c, loc_c, member_c, occ_c, emb_c):
        copier.close()
    timings["generate_and_copy_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY ads_entity (id, kind, value, first_seen_at, last_seen_at) FROM STDIN"
        ) as copy:
            for value, entity_id in phones.items():
                copy.write_row([entity_id, "phone", value, start, now])
        with cur.copy(
            "COPY analytics_network (id, size, first_seen_at, last_seen_at, cities, max_risk, "
            "features, template, reshaped, left_ads, created_at, updated_at) FROM STDIN"
        ) as copy:
            for net_id, info in networks.items():
                copy.write_row(
                    [
                        net_id,
                        info["size"],
                        info["first"],
                        info["last"],
                        json.dumps(sorted(info["cities"])[:6]),
                        info["max_risk"],
                        "{}",
                        "{}",
                        False,
                        "[]",
                        info["first"],
                        info["last"],
                    ]
                )
        for table in (
            "ads_ad",
            "ads_evidence",
            "ads_adrevision",
            "ads_entity",
            "ads_entityoccurrence",
            "analytics_network",
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
        conn.commit()
    timings["entities_networks_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    _build_queue(dsn, now)
    timings["queue_items_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        from cases.selectors import FTS_EXPRESSION

        conn.execute(f"CREATE INDEX cases_ad_fulltext_gin ON ads_ad USING gin (({FTS_EXPRESSION}))")
    timings["fulltext_index_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    timings["vacuum_analyze_s"] = time.perf_counter() - t0
    return timings


QUEUE_CODES = (
    "(SELECT coalesce(' ' || string_agg(DISTINCT x, ' ' ORDER BY x) || ' ', '') "
    "FROM jsonb_array_elements_text({src}) x)"
)


def _build_queue(dsn: str, now: datetime) -> None:
    """Queue items as the queue stage makes them, set-based (the stage itself goes ad by ad)."""
    size_bonus = "least(15.0, 5.0 * log(2.0, greatest({n}, 1)::numeric))"
    with psycopg.connect(dsn) as conn:
        conn.execute(f"""
            INSERT INTO cases_queueitem (kind, ad_id, network_id, lead_ad_id, priority, risk, minor,
                possible_minor, size, last_seen_at, location, indicator_codes, reason, title,
                status,
                created_at, updated_at)
            SELECT 'ad', s.ad_id, NULL, s.ad_id,
                   round((100 * s.risk
                          + CASE WHEN s.possible_minor THEN 40 ELSE 0 END)::numeric, 3),
                   s.risk, s.minor, s.possible_minor, 1, a.last_seen_at, left(a.location_text, 300),
                   {QUEUE_CODES.format(src="s.indicator_codes")}, s.reason,
                   left(coalesce(nullif(a.title, ''), left(a.body, 120)), 300), 'new',
                   a.created_at, a.created_at
            FROM analytics_adscore s JOIN ads_ad a ON a.id = s.ad_id
            LEFT JOIN analytics_adnetwork m ON m.ad_id = s.ad_id
            WHERE (s.flagged OR s.possible_minor) AND m.ad_id IS NULL
        """)  # noqa: S608 - constant SQL fragments, no user input
        conn.execute(f"""
            WITH agg AS (
                SELECT m.network_id, max(s.risk) AS risk, max(s.minor) AS minor,
                       bool_or(s.possible_minor) AS pm,
                       bool_or(s.flagged OR s.possible_minor) AS any_flag,
                       (array_agg(s.ad_id ORDER BY s.risk DESC, s.ad_id))[1] AS lead,
                       jsonb_agg(DISTINCT c) FILTER (WHERE c IS NOT NULL) AS codes
                FROM analytics_adnetwork m JOIN analytics_adscore s ON s.ad_id = m.ad_id
                LEFT JOIN LATERAL jsonb_array_elements_text(s.indicator_codes) c ON true
                GROUP BY m.network_id
            )
            INSERT INTO cases_queueitem (kind, ad_id, network_id, lead_ad_id, priority, risk, minor,
                possible_minor, size, last_seen_at, location, indicator_codes, reason, title,
                status,
                created_at, updated_at)
            SELECT 'network', NULL, n.id, agg.lead,
                   round((100 * agg.risk + CASE WHEN agg.pm THEN 40 ELSE 0 END
                          + {size_bonus.format(n="n.size")})::numeric, 3),
                   agg.risk, agg.minor, agg.pm, n.size, n.last_seen_at,
                   left(array_to_string(
                       ARRAY(SELECT jsonb_array_elements_text(n.cities)), ', '), 300),
                   {QUEUE_CODES.format(src="coalesce(agg.codes, '[]'::jsonb)")}, '',
                   left('Network of ' || n.size || ' ads in '
                        || array_to_string(ARRAY(SELECT jsonb_array_elements_text(n.cities)), ', '),
                        300), 'new',
                   n.first_seen_at, n.last_seen_at
            FROM analytics_network n JOIN agg ON agg.network_id = n.id
            WHERE agg.any_flag
        """)  # noqa: S608 - constant SQL fragments, no user input
        conn.execute("""
            INSERT INTO cases_queueitemsource (item_id, source_id)
            SELECT q.id, a.source_id FROM cases_queueitem q JOIN ads_ad a ON a.id = q.ad_id
            UNION
            SELECT q.id, a.source_id FROM cases_queueitem q
            JOIN analytics_adnetwork m ON m.network_id = q.network_id
            JOIN ads_ad a ON a.id = m.ad_id
        """)
        # Each source row's figures over its own ads, by the stage's set-based writer.
        from cases.stages import SOURCE_FIGURES_SQL

        conn.execute(SOURCE_FIGURES_SQL)
        # A working desk: most items older than a month have been decided.
        conn.execute(
            """
            UPDATE cases_queueitem SET status = CASE WHEN random() < 0.8 THEN 'dismissed'
                                                     ELSE 'escalated' END
            WHERE last_seen_at < %s AND random() < 0.85
        """,
            [now - timedelta(days=30)],
        )
        conn.commit()


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95, ordered[-1]


def _measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from cases.filters import QueueItemFilter
    from cases.models import QueueItem
    from cases.selectors import queue_items

    user = User.objects.get(username="bench-inv")
    client = Client()
    client.force_login(user)
    scenarios = {
        # The health check (one SELECT 1, no template): the floor any page pays on this machine now.
        "baseline: /health/": "/health/",
        "queue: default (open, by priority)": "/cases/",
        "queue: page 5": "/cases/?page=5",
        "queue: by recency, last 7 days": "/cases/?order=recent&window=7d",
        "queue: location 'Las Vegas'": "/cases/?location=Las+Vegas",
        "queue: indicator youth_cue, possible minor": (
            "/cases/?indicator=youth_cue&possible_minor=1"
        ),
        "queue: one source": f"/cases/?source={user.unit.sources.order_by('pk').first().pk}",
        "queue: htmx next page": "/cases/?page=2",
    }
    results: dict[str, Any] = {}
    for name, url in scenarios.items():
        headers = {"HTTP_HX_REQUEST": "true"} if "htmx" in name else {}
        for _ in range(3):
            assert client.get(url, **headers).status_code == 200
        samples, cpu = [], []
        for _ in range(args.requests):
            t, c = time.perf_counter(), time.process_time()
            response = client.get(url, **headers)
            samples.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        results[name] = (*_percentiles(samples), statistics.median(cpu))
    from ads.models import Ad

    lead_ids = list(
        QueueItem.objects.visible_to(user)
        .open()
        .filter(lead_ad__in=Ad.objects.visible_to(user))
        .order_by("?")
        .values_list("lead_ad_id", flat=True)[: args.detail_ads]
    )
    # Real extraction on the measured ads, so their highlights are what production would show.
    from ads.stages import ads_extract_entities

    ads_extract_entities(list(Ad.objects.filter(pk__in=lead_ids)))
    newest = list(
        Ad.objects.visible_to(user)
        .filter(embedding__isnull=False)
        .order_by("-pk")
        .values_list("pk", flat=True)[: args.detail_ads]
    )
    for name, ids in (
        ("ad detail: queued ads (no embedding, most)", lead_ids),
        ("ad detail: newest ads (with 'more like this')", newest),
    ):
        assert client.get(f"/cases/ads/{ids[0]}/").status_code == 200
        samples, cpu = [], []
        for ad_id in ids:
            t, c = time.perf_counter(), time.process_time()
            response = client.get(f"/cases/ads/{ad_id}/")
            samples.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
            assert response.status_code == 200
        results[name] = (*_percentiles(samples), statistics.median(cpu))
    # In the filter's own order (the priority as this investigator sees it).
    plan = queue_items(filters=QueueItemFilter(user=user))
    results["_explain"] = plan[:51].explain(analyze=True)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM ads_ad")
        results["_ads"] = cur.fetchone()[0]
        cur.execute(
            "SELECT status, kind, count(*) FROM cases_queueitem GROUP BY 1, 2 ORDER BY 1, 2"
        )
        results["_queue"] = cur.fetchall()
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        results["_size"] = cur.fetchone()[0]
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ads", type=int, default=1_000_000)
    parser.add_argument("--db", default="bench_pages")
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    parser.add_argument("--requests", type=int, default=60, help="requests per queue scenario")
    parser.add_argument(
        "--detail-ads", type=int, default=100, help="distinct ads per detail scenario"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--user", default="postgres")
    args = parser.parse_args()
    if args.db in {"test", "postgres"}:
        print("refusing to use a shared database; pick a bench database name", file=sys.stderr)
        return 2
    try:
        loaded = _ensure_database(args)
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL is not reachable at {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 2
    _setup_django(args)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    if loaded and args.reuse:
        print(f"reusing loaded database {args.db}")
    else:
        print(f"loading {args.ads:,} synthetic ads into {args.db} ...", flush=True)
        t0 = time.perf_counter()
        timings = _load(args)
        print(
            f"loaded in {time.perf_counter() - t0:.0f} s: "
            + ", ".join(f"{k} {v:.0f}" for k, v in timings.items())
        )
    results = _measure(args)
    print(f"\nads: {results.pop('_ads'):,}; database size {results.pop('_size')}")
    print("queue items by status/kind:", results.pop("_queue"))
    explain = results.pop("_explain")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"\n{'page':52} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'cpu p50':>8}")
    for name, (p50, p95, worst, cpu50) in results.items():
        print(f"{name:52} {p50:8.1f} {p95:8.1f} {worst:8.1f} {cpu50:8.1f}")
    print("\nEXPLAIN ANALYZE of the default queue query (first page + 1):\n" + explain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
